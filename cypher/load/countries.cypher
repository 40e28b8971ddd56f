// Upsert the countries the actors are located in.
// :param rows list  [{iso2, name}]
UNWIND $rows AS row
MERGE (c:Country {iso2: row.iso2})
SET c.name = row.name
RETURN count(*) AS written
