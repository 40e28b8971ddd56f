// Schema for FalkorDB: range indexes on the keys. FalkorDB has no
// constraint DDL in Cypher (unique constraints are a separate
// GRAPH.CONSTRAINT command that needs these indexes first); uniqueness of the
// keys comes from loading with MERGE. FalkorDB has no IF NOT EXISTS either:
// FalkorDBStore skips the statements whose index is already there.
CREATE INDEX FOR (a:Actor) ON (a.id);
CREATE INDEX FOR (c:Country) ON (c.iso2);
CREATE INDEX FOR (t:Theme) ON (t.name);
CREATE INDEX FOR (l:RiskgraphLock) ON (l.name);
CREATE INDEX FOR (a:RiskgraphStagedActor) ON (a.id);
CREATE INDEX FOR (c:RiskgraphStagedCountry) ON (c.iso2);
