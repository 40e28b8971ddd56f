// Upsert a batch of actors: one node per id, properties replaced by the row's
// (a null value removes the property, so a re-push mirrors the chain).
// Rows are unique by id: FalkorDB keeps only the first of repeated MERGE keys
// in one batch, so the store de-duplicates (last row wins) before sending.
// :param rows list  [{id, props: {name, stage, country, …}}]
UNWIND $rows AS row
MERGE (a:Actor {id: row.id})
SET a += row.props
RETURN count(*) AS written
