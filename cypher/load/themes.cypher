// The themes that risk scores are stored for, one node each. Created in a
// statement of their own so that load/risk.cypher only has to MATCH them.
// :param names list  theme names
UNWIND $names AS name
MERGE (:Theme {name: name})
RETURN count(*) AS written
