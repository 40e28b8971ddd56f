// Schema for Neo4j 5: one uniqueness constraint per key (each also creates
// the range index that MERGE and the lookups by id use). Run by
// Neo4jStore before every push; IF NOT EXISTS makes that idempotent.
CREATE CONSTRAINT riskgraph_actor_id IF NOT EXISTS FOR (a:Actor) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT riskgraph_country_iso2 IF NOT EXISTS FOR (c:Country) REQUIRE c.iso2 IS UNIQUE;
CREATE CONSTRAINT riskgraph_theme_name IF NOT EXISTS FOR (t:Theme) REQUIRE t.name IS UNIQUE;
CREATE CONSTRAINT riskgraph_lock_name IF NOT EXISTS FOR (l:RiskgraphLock) REQUIRE l.name IS UNIQUE;
CREATE CONSTRAINT riskgraph_staged_actor_id IF NOT EXISTS FOR (a:RiskgraphStagedActor) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT riskgraph_staged_country_iso2 IF NOT EXISTS FOR (c:RiskgraphStagedCountry) REQUIRE c.iso2 IS UNIQUE;
