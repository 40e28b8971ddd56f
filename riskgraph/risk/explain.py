"""Explanations: the actors, indicators and heaviest material paths behind a cell of a node's chain-location matrix.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from riskgraph.graph import share_graph
from riskgraph.risk.propagation import propagate_vector


@dataclass
class Explanation:
    """The actors and paths behind one cell (or a whole matrix) of a node's risk."""

    node: str
    theme: str
    stage: str | None
    country: str | None
    exposure: float
    share: float
    contributors: int
    actors: pd.DataFrame
    paths: pd.DataFrame
    commodity: str | None = None

    @property
    def likelihood(self) -> float:
        """Share-weighted likelihood of the explained cell (exposure / share).

        Without a stage, ``share`` is the sum of the shares of every stage's
        cells (each stage passes on all of the material, so it can exceed 1)
        and this is their share-weighted mean over stages, not a cell's.
        """
        return self.exposure / self.share if self.share else 0.0

    def to_dict(self) -> dict:
        """JSON form: the cell and its ``actors`` (each with weight, likelihood and the evidence that set it)."""
        from riskgraph.output import to_jsonable

        return {
            "node": self.node, "theme": self.theme, "stage": self.stage, "country": self.country,
            "commodity": self.commodity, "share": self.share, "likelihood": self.likelihood,
            "exposure": self.exposure, "contributors": self.contributors,
            "actors": to_jsonable(self.actors), "paths": to_jsonable(self.paths),
        }


def explain_cell(assessment, node: str, theme: str, *, stage: str | None = None, country: str | None = None,
                 commodity: str | None = None, top: int = 10, paths: int = 3) -> Explanation:
    """Why a cell (or the whole matrix) of node n has its value: actors, weights, evidence, paths.

    Returns an :class:`Explanation` whose ``actors`` table lists the
    contributing actors with ``commodity`` (the origin commodity of the
    material counted), ``weight`` (``W[u, n] · f_k(u) / f_k(n)``: the
    share of n's material of that commodity that passed through u),
    ``likelihood`` (L), ``relevance`` (g), ``risk`` (r = L·g, the
    actor's likelihood in the matrix), ``contribution`` (weight × risk) and
    the evidence that set L: ``basis`` (country, region,
    commodity_evidence, plot_evidence, override), ``source, year,
    raw_value``; ``paths`` lists the heaviest material paths from the top
    actors to the node. Without ``commodity`` and with several in the
    node's material, the node's largest commodity is explained.
    """
    assessment._check_theme(theme)
    position = assessment._position(node)
    start = np.zeros(len(assessment.actors))
    start[position] = 1.0
    weights = propagate_vector(assessment.shares_info.matrix.tocsr(), start)
    present = assessment.node_commodities(node)
    if commodity is None:
        commodity = present[0] if present else None
    elif commodity not in present:
        from riskgraph.risk.reference import commodity_key

        commodity = commodity_key(commodity)
    k = assessment.commodities.index(commodity) if commodity in assessment.commodities else None
    total = assessment.composition[position, k] if k is not None else 0.0
    fraction = assessment.composition[:, k] if k is not None else np.zeros(len(weights))
    weights = np.divide(weights * fraction, total, out=np.zeros_like(weights), where=total > 0)
    upstream = np.flatnonzero(weights)
    table = pd.DataFrame({"actor": assessment.actors.to_numpy()[upstream], "weight": weights[upstream]})
    info = assessment.chain.actors.set_index("id").loc[table["actor"], ["name", "stage", "country", "region"]]
    table = pd.concat([table.reset_index(drop=True), info.reset_index(drop=True)], axis=1)
    table.insert(5, "commodity", commodity)
    if stage is not None:
        table = table[table["stage"] == stage]
    if country is not None:
        table = table[table["country"] == country]
    risk = assessment.actor_risk[assessment.actor_risk["theme"] == theme].set_index("actor")
    table = table.join(risk[["likelihood", "relevance", "risk", "basis", "source", "year", "raw_value"]], on="actor")
    table["contribution"] = table["weight"] * table["risk"]
    table = table.sort_values(["contribution", "weight"], ascending=False, kind="stable")
    total = float(table["contribution"].sum())
    share = float(table["weight"].sum())
    top_actors = table.head(top).reset_index(drop=True)
    return Explanation(
        node=node, theme=theme, stage=stage, country=country, commodity=commodity, exposure=total, share=share,
        actors=top_actors, contributors=len(table),
        paths=heaviest_paths(assessment, node, list(top_actors["actor"].head(5)), paths),
    )


def heaviest_paths(assessment, node: str, sources: list[str], per_source: int) -> pd.DataFrame:
    """The ``per_source`` heaviest material paths (product of input shares) from each source to the node."""
    start = np.zeros(len(assessment.actors))
    start[assessment._position(node)] = 1.0
    upstream = propagate_vector(assessment.shares_info.matrix.tocsr(), start) > 0
    graph = share_graph(assessment.shares_info, keep=upstream)
    rows = []
    for source in sources:
        if source == node or source not in graph or node not in graph:
            continue
        try:
            for rank, path in enumerate(nx.shortest_simple_paths(graph, source, node, weight="weight")):
                if rank >= per_source:
                    break
                weight = math.exp(-sum(graph.edges[a, b]["weight"] for a, b in zip(path, path[1:])))
                rows.append({"from": source, "rank": rank + 1, "path": " → ".join(path), "weight": weight})
        except nx.NetworkXNoPath:
            continue
    return pd.DataFrame(rows, columns=["from", "rank", "path", "weight"])
