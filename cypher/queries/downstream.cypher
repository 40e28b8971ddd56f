// The actors downstream of a node (its buyers, their buyers, …), nearest
// first, with the fewest flows between the node and them.
// Enumerates paths, like queries/upstream.cypher: for exploring one node.
// :param node str  the actor id
// :param max_depth int = 12  follow at most this many flows (1–12)
MATCH p = (n:Actor {id: $node})-[:SUPPLIES*1..12]->(d:Actor)
WHERE length(p) <= $max_depth AND d <> n
WITH d, min(length(p)) AS distance
RETURN d.id AS id, d.name AS name, d.stage AS stage, d.country AS country, distance
ORDER BY distance, id
