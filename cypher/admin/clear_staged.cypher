// Delete up to $limit nodes of a replacing push that did not finish (staged
// actors and countries, see admin/swap.cypher); repeated until none are left.
// :param limit int = 10000  nodes per transaction
MATCH (n)
WHERE n:RiskgraphStagedActor OR n:RiskgraphStagedCountry
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
