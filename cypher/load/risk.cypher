// Store inherent risk r_t(u) on a batch of actors in two forms:
// properties risk_<theme> on the actor (what queries/node_matrix.cypher
// reads) and (:Actor)-[:HAS_RISK {theme, score, source}]->(:Theme).
// :param rows list  [{id, risk: {risk_<theme>: score, …}, themes: [{theme, score, source}, …]}]
UNWIND $rows AS row
MATCH (a:Actor {id: row.id})
SET a += row.risk
WITH a, row
UNWIND row.themes AS r
MATCH (t:Theme {name: r.theme})
MERGE (a)-[h:HAS_RISK {theme: r.theme}]->(t)
SET h.score = r.score, h.source = r.source
RETURN count(DISTINCT a) AS written
