// Link actors to their country: (:Actor)-[:LOCATED_IN]->(:Country), one
// link per actor. A link to another country (the actor's country changed
// since the last push) is removed first.
// :param rows list  [{id, country}]
UNWIND $rows AS row
MATCH (a:Actor {id: row.id})
OPTIONAL MATCH (a)-[old:LOCATED_IN]->(elsewhere:Country)
WHERE elsewhere.iso2 <> row.country
DELETE old
WITH DISTINCT a, row
MATCH (c:Country {iso2: row.country})
MERGE (a)-[:LOCATED_IN]->(c)
RETURN count(*) AS written
