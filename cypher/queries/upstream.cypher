// The actors upstream of a node (its suppliers, their suppliers, …), nearest
// first, with the fewest flows between them and the node.
// Enumerates paths, so the cost grows with the number of routes: meant for
// exploring one node, not for whole chains (queries/node_shares.cypher
// aggregates level by level instead).
// :param node str  the actor id
// :param max_depth int = 12  follow at most this many flows (1–12)
MATCH p = (u:Actor)-[:SUPPLIES*1..12]->(n:Actor {id: $node})
WHERE length(p) <= $max_depth AND u <> n
WITH u, min(length(p)) AS distance
RETURN u.id AS id, u.name AS name, u.stage AS stage, u.country AS country, distance
ORDER BY distance, id
