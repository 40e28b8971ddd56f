// How many nodes and relationships of each kind the store holds.
OPTIONAL MATCH (a:Actor)
WITH count(a) AS actors
OPTIONAL MATCH (c:Country)
WITH actors, count(c) AS countries
OPTIONAL MATCH (t:Theme)
WITH actors, countries, count(t) AS themes
OPTIONAL MATCH (:Actor)-[f:SUPPLIES]->(:Actor)
WITH actors, countries, themes, count(f) AS flows
OPTIONAL MATCH (:Actor)-[l:LOCATED_IN]->(:Country)
WITH actors, countries, themes, flows, count(l) AS located_in
OPTIONAL MATCH (:Actor)-[h:HAS_RISK]->(:Theme)
RETURN actors, flows, countries, themes, located_in, count(h) AS has_risk
