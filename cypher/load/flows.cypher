// Upsert a batch of flows as (:Actor)-[:SUPPLIES]->(:Actor) relationships.
// A flow is keyed by its source, target and flow_key: the text
// [commodity, year, seq] where seq numbers flows that repeat the same
// (source, target, commodity, year) in order of appearance. So several flows
// between a pair (commodities, years, repeated deliveries) stay apart, and a
// re-push finds each again. flow_key is one text property because MERGE
// cannot match on a null commodity or year.
// Flows whose source or target is not in the store produce no row: the store
// compares `written` with the batch size and reports them.
// :param rows list  [{source, target, key, props: {commodity, volume, unit, year, …}}]
UNWIND $rows AS row
MATCH (s:Actor {id: row.source})
MATCH (t:Actor {id: row.target})
MERGE (s)-[f:SUPPLIES {flow_key: row.key}]->(t)
SET f += row.props
RETURN count(*) AS written
