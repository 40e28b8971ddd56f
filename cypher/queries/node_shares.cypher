// W[u, n] for every actor u upstream of node n, with what riskgraph needs to
// turn it into V_n[s, c, k], the share of n's material of commodity k that
// passed through stage s in country c (DESIGN §3.6–3.7), in the database:
// one row per actor with its stage, country, the commodity mix of its
// material (risk_mix_commodities, risk_mix_fractions: f_k(u), stored by
// GraphStore.write_risk; null before) and whether its inputs are unknown.
// GraphStore.node_shares sums Σ W[u, n] · f_k(u) / f_k(n) per cell.
//
// W[u, n] = Σ over paths u → … → n of the product of the input shares along
// the path, where the input share of a flow u → v is
// volume(u → v) / Σ_w volume(w → v), volumes summed over all flows of a pair,
// or 1 / (suppliers of v) when any supplier of v has no volume or v's input
// volumes sum to zero (DESIGN §3.4, the same rule as riskgraph.graph.input_shares).
//
// Instead of enumerating paths (their number grows exponentially with depth)
// the weights are propagated upstream one level at a time and summed per
// actor at every level: f0 = [n with weight 1], f(k) = the suppliers of the
// actors in f(k-1), each with Σ weight × input share. W[u, n] is the sum of
// u's weights over the levels. Cypher has no loop that carries state, so the
// twelve levels are written out; every block is identical but for its
// level numbers, and queries/node_matrix.cypher repeats them unchanged.
//
// Exact on acyclic chains up to $max_depth flows deep. Past that, and on
// cycles (gold recycling), the sum stops after $max_depth levels: `truncated`
// is true when material still enters from further upstream, and the shares
// are then a lower bound.
// :param node str  the actor id
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
       u.risk_mix_fractions AS fractions, u.risk_origin_unknown AS unknown, w AS share, truncated
ORDER BY actor
