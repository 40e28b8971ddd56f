// Delete up to $limit riskgraph nodes (actors, countries, themes) with their
// relationships; the store repeats it until nothing is deleted. Other data in
// the database is left alone.
// :param limit int = 10000  nodes per transaction
MATCH (n)
WHERE n:Actor OR n:Country OR n:Theme
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
