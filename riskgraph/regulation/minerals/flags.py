"""Red flags with their carrying paths: CAHRA origins, non-conformant and unidentified refiners.
"""
from __future__ import annotations

import math
import re
from typing import Iterable

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from riskgraph.graph import InputShares, input_shares
from riskgraph.chain.model import Chain, chain_start_stages
from riskgraph.risk import upstream_weights
from riskgraph.regulation.minerals.reference import FlagReason, MIN_SHARE, _empty, transit_hubs


# --------------------------------------------------------------------------- flags with paths


def _share_graph(shares: InputShares) -> nx.DiGraph:
    """Edges ``u → n`` weighted ``−log S[u, n]``: the shortest path is the heaviest by share product."""
    coo = shares.matrix.tocoo()
    ids = shares.actors.to_numpy()
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    graph.add_weighted_edges_from(
        (ids[u], ids[n], -math.log(s)) for u, n, s in zip(coo.row, coo.col, coo.data) if s > MIN_SHARE)
    return graph


def _heaviest(graph: nx.DiGraph, sources: Iterable[str], target: str) -> list[str] | None:
    sources = {s for s in sources if s in graph}
    if target not in graph or not sources:
        return None
    if target in sources:
        return [target]
    try:
        _, path = nx.multi_source_dijkstra(graph, sources, target=target, weight="weight")
    except nx.NetworkXNoPath:
        return None
    return path


def _path_share(graph: nx.DiGraph, path: list[str]) -> float:
    return math.exp(-sum(graph.edges[a, b]["weight"] for a, b in zip(path, path[1:])))


def _cut_weights(shares: InputShares, node: str, cut: Iterable[str]) -> np.ndarray:
    """Column n of ``W' = (I − S')⁻¹`` where S' has the outputs of the ``cut`` actors removed.

    ``W'[u, n]`` is the share of n's material that passed through u and
    then reached n without passing through any cut actor.
    """
    ids = shares.actors
    keep = np.ones(len(ids))
    positions = ids.get_indexer(list(cut))
    keep[positions[positions >= 0]] = 0.0
    cut_matrix = sp.diags(keep) @ shares.matrix
    system = (sp.identity(len(ids), format="csc") - cut_matrix).tocsc()
    target = np.zeros(len(ids))
    target[ids.get_loc(node)] = 1.0
    return np.asarray(spsolve(system, target)).ravel()


def _cahra_shares_by_paths(chain: Chain, node: str, origins: Iterable[str], cut: Iterable[str], *,
                           year: int | None = None) -> float:
    """Reference for the ``cahra_origin`` share: sum over simple paths from the origins to the node that avoid
    the cut actors, of the product of input shares. Exponential in general; for tests only."""
    shares = input_shares(chain, year=year)
    graph = _share_graph(shares)
    graph.remove_nodes_from([c for c in cut if c != node])
    total = 0.0
    for origin in origins:
        if origin not in graph or origin == node:
            continue
        for path in nx.all_simple_paths(graph, origin, node):
            total += _path_share(graph, path)
    return total


def _chain_flags(sub: Chain, metal: str, nodes: list[str], refiners: pd.DataFrame, *, accepted: set,
                 conformant_given: bool, cahra: frozenset, year: int | None, reach: dict | None = None) -> list[dict]:
    """Flags of one metal's sub-chain for every node; ``reach`` collects, per node, the refiners reached (status,
    share), the share traced to a mine or recycler and the share entering at a recycler."""
    shares = input_shares(sub, year=year)
    has_input = np.asarray(shares.matrix.sum(axis=0)).ravel() > 0
    receiving = [n for n in nodes if has_input[shares.actors.get_loc(n)]]
    if not receiving:
        return []
    weights = upstream_weights(sub, nodes=receiving, year=year)
    graph = _share_graph(shares)
    ids = shares.actors
    actors = sub.actors.set_index("id")
    starts = ids[~has_input].tolist()

    metal_refiners = refiners[refiners["metal"] == metal]
    refiner_info = metal_refiners.set_index("actor")[["smelter_id", "status"]]
    conformant_ids = (set(metal_refiners.loc[metal_refiners["status"].isin(accepted), "actor"])
                      if conformant_given else set())
    flagged = []
    for record in metal_refiners.to_dict("records"):
        if record["status"] == "unidentified":
            flagged.append((record, FlagReason.unidentified_refiner))
        elif conformant_given and record["status"] not in accepted:
            flagged.append((record, FlagReason.non_conformant_refiner))

    start_stages = chain_start_stages()
    is_origin = np.array([(s, st) in start_stages for s, st in zip(sub.actors["sector"], sub.actors["stage"])],
                         dtype=bool)
    in_cahra = sub.actors["country"].isin(list(cahra)).to_numpy(dtype=bool, na_value=False)
    origins_all = sub.actors.loc[is_origin & in_cahra, ["id", "country"]]
    hubs = transit_hubs()
    hub_countries = set(hubs.loc[hubs["metal"] == metal, "iso2"])
    middle = sub.actors.loc[~is_origin, ["id", "country"]]
    transit_all = middle[middle["country"].isin(list(cahra)).to_numpy(dtype=bool, na_value=False)]
    hub_all = middle[middle["country"].isin(list(hub_countries)).to_numpy(dtype=bool, na_value=False)]
    recyclers = set(sub.actors.loc[sub.actors["stage"].eq("recycler").to_numpy(dtype=bool, na_value=False), "id"])
    origin_ids = set(sub.actors.loc[is_origin, "id"])
    status_of = dict(zip(metal_refiners["actor"], metal_refiners["status"]))
    # Transit flags count only material not already flagged for its origin: the share of an intermediary's own
    # material that entered the chain outside a CAHRA (W[o, u] summed over CAHRA origins o, taken off).
    candidates = sorted(set(transit_all["id"]) | set(hub_all["id"]))
    clean = pd.Series(dtype=float)
    if candidates:
        own = upstream_weights(sub, nodes=candidates, year=year)
        clean = (1.0 - own.reindex(origins_all["id"]).fillna(0.0).sum(axis=0)).clip(lower=0.0)
    to_refiner: dict[str, list[str] | None] = {}
    out = []
    for node in receiving:
        column = weights[node]
        if reach is not None:
            _record_reach(reach, node, metal, column, starts, origin_ids, recyclers, status_of)
        for record, reason in flagged:
            refiner = record["actor"]
            share = float(column.get(refiner, 0.0))
            if refiner == node or share <= MIN_SHARE:
                continue
            if refiner not in to_refiner:
                to_refiner[refiner] = _heaviest(graph, starts, refiner) or [refiner]
            onward = _heaviest(graph, [refiner], node)
            path = to_refiner[refiner][:-1] + (onward or [refiner, node])
            out.append(_flag(node, metal, reason, actors, path, share, _path_share(graph, path) if onward else np.nan,
                             refiner=refiner, smelter_id=record["smelter_id"], status=record["status"]))
        origins = origins_all[origins_all["id"] != node]
        passing = pd.concat([transit_all.assign(reason=FlagReason.cahra_transit),
                             hub_all.assign(reason=FlagReason.transit_hub)])
        passing = passing[passing["id"] != node]
        if origins.empty and passing.empty:
            continue
        cut = conformant_ids - {node}
        cut_weights = _cut_weights(shares, node, cut) if cut else column.reindex(ids).to_numpy()
        allowed = graph.subgraph([a for a in graph if a not in cut])
        for record in passing.to_dict("records"):
            share = float(cut_weights[ids.get_loc(record["id"])]) * float(clean.get(record["id"], 0.0))
            if share <= MIN_SHARE:
                continue
            before = _heaviest(allowed, starts, record["id"]) or [record["id"]]
            after = _heaviest(allowed, [record["id"]], node)
            path = before[:-1] + (after or [record["id"], node])
            on_path = [a for a in path if a in refiner_info.index]
            out.append(_flag(node, metal, record["reason"], actors, path, share,
                             _path_share(graph, path) if after else np.nan, refiner="; ".join(on_path) or None,
                             status="; ".join(refiner_info.loc[on_path, "status"]) or None,
                             transit=(record["id"], record["country"])))
        positions = ids.get_indexer(origins["id"])
        by_country = pd.Series(cut_weights[positions], index=origins["country"].to_numpy()).groupby(level=0).sum()
        for country, share in by_country.items():
            if share <= MIN_SHARE:
                continue
            path = _heaviest(allowed, origins.loc[origins["country"] == country, "id"], node)
            on_path = [a for a in (path or []) if a in refiner_info.index]
            out.append(_flag(node, metal, FlagReason.cahra_origin, actors, path or [], float(share),
                             _path_share(graph, path) if path else np.nan, refiner="; ".join(on_path) or None,
                             smelter_id="; ".join(str(s) for s in refiner_info.loc[on_path, "smelter_id"]
                                                  if not _empty(s)) or None,
                             status="; ".join(refiner_info.loc[on_path, "status"]) or None, origin_country=country))
    return out


def _record_reach(reach: dict, node: str, metal: str, column: pd.Series, starts: list, origin_ids: set,
                  recyclers: set, status_of: dict) -> None:
    """For the five steps: refiners reached with their status and share, share traced to an origin, recycled share."""
    start_weights = column.reindex(starts).fillna(0.0)
    total = float(start_weights.sum())
    traced = float(start_weights[start_weights.index.isin(origin_ids)].sum())
    recycled = float(start_weights[start_weights.index.isin(recyclers)].sum())
    reach["traced"].setdefault(node, {})[metal] = traced / total if total > 0 else 0.0
    reach["recycled"].setdefault(node, {})[metal] = recycled / total if total > 0 else 0.0
    mine = reach["refiners"].setdefault(node, {})
    for refiner, status in status_of.items():
        share = float(column.get(refiner, 0.0))
        if refiner != node and share > MIN_SHARE:
            mine[refiner] = (status, share)


def _flag(node, metal, reason, actors, path, share, path_share, *, refiner=None, smelter_id=None, status=None,
          origin_country=None, transit=None) -> dict:
    if origin_country is None and path:
        # Only where material enters the chain is a country an origin; a trader without recorded suppliers is
        # where the trail ends, and the path shows it.
        first = actors.loc[path[0]] if path[0] in actors.index else None
        if first is not None and (first["sector"], first["stage"]) in chain_start_stages() and not _empty(
                first["country"]):
            origin_country = first["country"]
    return {"node": node, "metal": metal, "reason": str(reason), "origin_country": origin_country,
            "via": f"{transit[0]} ({transit[1]})" if transit is not None else None, "refiner": refiner, "smelter_id": None if _empty(smelter_id) else smelter_id, "status": status,
            "path": " → ".join(path), "share": share, "path_share": path_share, "source": "chain"}


def _cmrt_flags(smelters: pd.DataFrame, reports: list, *, accepted: set, conformant_given: bool,
                cahra: frozenset) -> list[dict]:
    """Flags for smelters declared in CMRTs: no place in the chain, so no share; the node is the CMRT's company."""
    from riskgraph.sources import country_code

    companies = {r.file: (r.declaration.get("company_name") or r.file) for r in reports}
    out = []
    for record in smelters.to_dict("records"):
        node = f"CMRT {companies.get(record['source'], record['source'])}"
        label = record["name"] or record["smelter_id_given"] or "smelter not yet identified"
        path = f"{label} → {node} ({record['source']})"
        base = {"node": node, "metal": record["metal"], "via": None, "refiner": label, "status": record["status"],
                "smelter_id": None if _empty(record["smelter_id"]) else record["smelter_id"], "path": path,
                "share": np.nan, "path_share": np.nan, "source": record["source"], "origin_country": None}
        if record["status"] == "unidentified":
            out.append(base | {"reason": str(FlagReason.unidentified_refiner)})
        elif conformant_given and record["status"] not in accepted:
            out.append(base | {"reason": str(FlagReason.non_conformant_refiner)})
        if conformant_given and record["status"] in accepted:
            continue
        mines = record.get("_mines")
        for text in ([] if _empty(mines) else re.split(r"\s*[|;,]\s*", str(mines))):
            country = country_code(text)
            if country in cahra:
                out.append(base | {"reason": str(FlagReason.cahra_origin), "origin_country": country,
                                   "path": f"mine in {country} → {path}"})
    return out
