// One page of actors with all their properties, in id order (GraphStore.pull
// reads the store page by page: pass the last id of a page as $after).
// :param after str = ""  only actors whose id sorts after this one
// :param limit int = 10000  actors per page
MATCH (a:Actor)
WHERE a.id > $after
RETURN a.id AS id, properties(a) AS properties
ORDER BY id
LIMIT $limit
