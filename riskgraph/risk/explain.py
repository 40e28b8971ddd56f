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

    def to_dict(self) -> dict:
        from riskgraph.output import to_jsonable

        return {
            "node": self.node, "theme": self.theme, "stage": self.stage, "country": self.country,
            "exposure": self.exposure, "share": self.share, "contributors": self.contributors,
            "actors": to_jsonable(self.actors), "paths": to_jsonable(self.paths),
        }


def explain_cell(assessment, node: str, theme: str, *, stage: str | None = None, country: str | None = None,
                 top: int = 10, paths: int = 3) -> Explanation:
    """Why a cell (or the whole matrix) of node n has its value: actors, weights, indicators, paths.

    Returns an :class:`Explanation` whose ``actors`` table lists the
    contributing actors with ``weight`` (``W[u, n]``), ``likelihood``,
    ``relevance``, ``risk``, ``contribution`` (weight × risk) and the
    indicator's ``basis, source, year, raw_value``; ``paths`` lists the
    heaviest material paths from the top actors to the node.
    """
    assessment._check_theme(theme)
    position = assessment._position(node)
    start = np.zeros(len(assessment.actors))
    start[position] = 1.0
    weights = propagate_vector(assessment.shares_info.matrix.tocsr(), start)
    upstream = np.flatnonzero(weights)
    table = pd.DataFrame({"actor": assessment.actors.to_numpy()[upstream], "weight": weights[upstream]})
    info = assessment.chain.actors.set_index("id").loc[table["actor"], ["name", "stage", "country", "commodity"]]
    table = pd.concat([table.reset_index(drop=True), info.reset_index(drop=True)], axis=1)
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
        node=node, theme=theme, stage=stage, country=country, exposure=total, share=share,
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
