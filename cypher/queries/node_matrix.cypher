// W[u, n] and the likelihood r_t(u) of every actor u upstream of node n: the
// rows GraphStore.node_matrix turns into the cells of node n for theme t
// (share, likelihood and exposure = Σ W[u, n] · f_k(u) · r_t(u) / f_k(n) per
// stage × country × commodity, DESIGN §3.6–3.7), computed in the database
// from the likelihood stored on actors as risk_<theme> and their commodity
// mix (GraphStore.write_risk, `riskgraph db push --with-risk`).
//
// The weights W[u, n] are propagated exactly as in queries/node_shares.cypher
// (see there for the method and its depth limit); `score` is null for an
// actor with no risk_<theme>.
// :param node str  the actor id
// :param theme str  the theme, e.g. child_labour
// :param max_depth int = 12  levels of suppliers to follow (0–12)
MATCH (n:Actor {id: $node})
WITH [{a: n, w: 1.0}] AS f0
CALL {
  WITH f0
  UNWIND (CASE WHEN $max_depth >= 1 THEN f0 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f1
}
CALL {
  WITH f1
  UNWIND (CASE WHEN $max_depth >= 2 THEN f1 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f2
}
CALL {
  WITH f2
  UNWIND (CASE WHEN $max_depth >= 3 THEN f2 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f3
}
CALL {
  WITH f3
  UNWIND (CASE WHEN $max_depth >= 4 THEN f3 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f4
}
CALL {
  WITH f4
  UNWIND (CASE WHEN $max_depth >= 5 THEN f4 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f5
}
CALL {
  WITH f5
  UNWIND (CASE WHEN $max_depth >= 6 THEN f5 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f6
}
CALL {
  WITH f6
  UNWIND (CASE WHEN $max_depth >= 7 THEN f6 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f7
}
CALL {
  WITH f7
  UNWIND (CASE WHEN $max_depth >= 8 THEN f7 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f8
}
CALL {
  WITH f8
  UNWIND (CASE WHEN $max_depth >= 9 THEN f8 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f9
}
CALL {
  WITH f9
  UNWIND (CASE WHEN $max_depth >= 10 THEN f9 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f10
}
CALL {
  WITH f10
  UNWIND (CASE WHEN $max_depth >= 11 THEN f10 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f11
}
CALL {
  WITH f11
  UNWIND (CASE WHEN $max_depth >= 12 THEN f11 ELSE [] END) AS x
  WITH x.a AS v, x.w AS vw
  MATCH (u:Actor)-[r:SUPPLIES]->(v)
  WITH v, vw, u, sum(coalesce(r.volume, 0.0)) AS volume, count(r.volume) AS known
  WITH v, vw, collect({a: u, volume: volume}) AS pairs, sum(volume) AS total, min(known) AS fewest
  UNWIND pairs AS p
  WITH p.a AS u, sum(vw * CASE WHEN fewest = 0 OR total <= 0 THEN 1.0 / size(pairs) ELSE p.volume / total END) AS uw
  RETURN collect({a: u, w: uw}) AS f12
}
WITH [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12] AS levels
CALL {
  WITH levels
  UNWIND levels[$max_depth] AS x
  WITH x.a AS v
  MATCH (:Actor)-[:SUPPLIES]->(v)
  WITH v LIMIT 1
  RETURN count(v) > 0 AS truncated
}
UNWIND levels AS level
UNWIND level AS x
WITH x.a AS u, sum(x.w) AS w, truncated
RETURN u.id AS actor, u.stage AS stage, u.country AS country, u.risk_mix_commodities AS commodities,
       u.risk_mix_fractions AS fractions, u.risk_origin_unknown AS unknown, w AS share, u['risk_' + $theme] AS score,
       truncated
ORDER BY actor
