// Neo4j only: whether the store holds any SUPPLIES relationship (from
// Neo4j's count store, without reading them). Neo4jStore asks before it
// writes flows: into a store without any, it creates them
// (load/neo4j/flows_new.cypher) instead of merging them.
MATCH ()-[f:SUPPLIES]->()
RETURN count(f) > 0 AS any_flows
