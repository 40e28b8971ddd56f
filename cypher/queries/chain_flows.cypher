// The flows supplied by the given actors, with all their properties
// (GraphStore.pull asks for the flows of one page of actors at a time).
// :param sources list  actor ids
UNWIND $sources AS source
MATCH (s:Actor {id: source})-[f:SUPPLIES]->(t:Actor)
RETURN s.id AS source, t.id AS target, properties(f) AS properties
