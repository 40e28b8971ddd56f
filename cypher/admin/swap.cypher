// The last step of `push --replace`: in one statement (one transaction), the
// stored actors and countries go and the staged ones, loaded beside them
// under the labels RiskgraphStagedActor and RiskgraphStagedCountry, take their
// place. A push killed before this statement leaves the old graph as it was;
// the next replacing push deletes the staged leftovers first.
OPTIONAL MATCH (old)
WHERE old:Actor OR old:Country
DETACH DELETE old
WITH count(old) AS removed
OPTIONAL MATCH (a:RiskgraphStagedActor)
REMOVE a:RiskgraphStagedActor
SET a:Actor
WITH removed, count(a) AS actors
OPTIONAL MATCH (c:RiskgraphStagedCountry)
REMOVE c:RiskgraphStagedCountry
SET c:Country
RETURN removed, actors, count(c) AS countries
