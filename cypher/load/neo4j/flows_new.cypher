// Neo4j only: create a batch of flows in a store that held no SUPPLIES
// relationship when the push began (a first push, or one after clear()).
// The same rows, result and graph as load/flows.cypher, which it replaces
// then: the flows of one chain have distinct (source, target, flow_key), so
// CREATE makes what MERGE would, without MERGE's lock on both actors
// (LOCK(s, t)) that makes batches sent side by side deadlock on shared
// actors. Neo4jStore sends such batches from two sessions at once, and
// retries a failed batch with load/flows.cypher (MERGE): the CREATE may have
// committed before the connection was lost.
// :param rows list  [{source, target, key, props: {commodity, volume, unit, year, …}}]
UNWIND $rows AS row
MATCH (s:Actor {id: row.source})
MATCH (t:Actor {id: row.target})
CREATE (s)-[f:SUPPLIES {flow_key: row.key}]->(t)
SET f += row.props
RETURN count(*) AS written
