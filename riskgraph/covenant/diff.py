"""Year over year: how a chain's suppliers, coverage and risk changed between two runs.

Compares two chains (last year's and this year's submission, or two years of
one chain): suppliers gained and lost, coverage (traced share, tiers mapped,
geolocated origins), the sector or company matrix cell by cell, and the
per-theme peaks — what a secretariat reports as progress and what a company
reports as risk up or down.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskgraph.graph import tiers
from riskgraph.chain.model import Chain, chain_start_stages


@dataclass
class Comparison:
    """The differences between an old and a new chain.

    Attributes
    ----------
    suppliers : DataFrame
        ``actor, name, stage, country, change`` with change ``new`` or ``lost``.
    coverage : DataFrame
        ``measure, old, new, change`` (traced share, tiers mapped, …).
    cells : DataFrame
        ``theme, stage, country, commodity, old, new, change`` (exposure) for every cell that changed.
    peaks : DataFrame
        ``theme, old_peak, new_peak, change, old_where, new_where``.
    """

    suppliers: pd.DataFrame
    coverage: pd.DataFrame
    cells: pd.DataFrame
    peaks: pd.DataFrame

    def to_dict(self) -> dict:
        from riskgraph.output import to_jsonable

        return {name: to_jsonable(getattr(self, name)) for name in ("suppliers", "coverage", "cells", "peaks")}


def coverage(chain: Chain, assessment=None) -> dict:
    """Coverage figures of a chain (DESIGN §7): traced share, tiers mapped, geolocated origins."""
    from riskgraph.risk import assess

    assessment = assessment or assess(chain)
    ends = assessment.chain_ends
    starts = chain_start_stages()
    origin = np.fromiter(((s, st) in starts for s, st in zip(chain.actors["sector"], chain.actors["stage"])),
                         dtype=bool, count=len(chain.actors))
    located = chain.actors["lat"].notna() & chain.actors["lon"].notna()
    tier = tiers(chain)
    return {
        "actors": len(chain.actors),
        "flows": len(chain.flows),
        "traced_share": 1.0 - assessment.portfolio_unknown_share(ends) if ends else np.nan,
        "tiers_mapped": int(tier.max()) if tier.notna().any() else 0,
        "origin_actors": int(origin.sum()),
        "origins_geolocated": float(located[origin].mean()) if origin.any() else np.nan,
        "flows_with_volume": float(chain.flows["volume"].notna().mean()) if len(chain.flows) else np.nan,
        "countries": int(chain.actors["country"].nunique()),
    }


def compare(old: Chain, new: Chain, *, nodes=None, threshold: float = 1e-6) -> Comparison:
    """Compare two chains; ``nodes`` picks the company nodes (default: each chain's ends).

    Cells are compared on the portfolio matrix of the chosen nodes; a cell
    counts as changed when it moved by more than ``threshold``.
    """
    from riskgraph.risk import assess

    old_a, new_a = assess(old), assess(new)
    old_ids, new_ids = set(old.actors["id"]), set(new.actors["id"])
    columns = ["id", "name", "stage", "country"]
    gained = new.actors.loc[new.actors["id"].isin(new_ids - old_ids), columns].assign(change="new")
    lost = old.actors.loc[old.actors["id"].isin(old_ids - new_ids), columns].assign(change="lost")
    suppliers = pd.concat([gained, lost], ignore_index=True).rename(columns={"id": "actor"})

    before, after = coverage(old, old_a), coverage(new, new_a)
    cover = pd.DataFrame({"measure": list(before), "old": list(before.values()), "new": [after[k] for k in before]})
    cover["change"] = cover["new"] - cover["old"]

    old_nodes = [n for n in (nodes or old_a.chain_ends) if n in old_ids]
    new_nodes = [n for n in (nodes or new_a.chain_ends) if n in new_ids]
    cells, peaks = [], []
    old_profile = old_a.profile(old_nodes).set_index("theme") if old_nodes else None
    new_profile = new_a.profile(new_nodes).set_index("theme") if new_nodes else None
    for theme in old_a.themes:
        # exposure per stage × country × commodity (risk model v2: never summed across commodities)
        a = _exposure(old_a, old_nodes, theme)
        b = _exposure(new_a, new_nodes, theme)
        both = pd.concat([a.rename("old"), b.rename("new")], axis=1).fillna(0.0)
        both["change"] = both["new"] - both["old"]
        both = both[both["change"].abs() > threshold].reset_index()
        both.columns = ["stage", "country", "commodity", "old", "new", "change"]
        cells.append(both.assign(theme=theme))
        if old_profile is not None and new_profile is not None:
            o, n = old_profile.loc[theme], new_profile.loc[theme]
            peaks.append({"theme": theme, "old_peak": o["peak"], "new_peak": n["peak"], "change": n["peak"] - o["peak"],
                          "old_where": f"{o['peak_stage']} {o['peak_country']}",
                          "new_where": f"{n['peak_stage']} {n['peak_country']}"})
    cell_table = pd.concat(cells, ignore_index=True)[["theme", "stage", "country", "commodity", "old", "new",
                                                      "change"]]
    cell_table = cell_table.reindex(cell_table["change"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    return Comparison(suppliers=suppliers, coverage=cover, cells=cell_table,
                      peaks=pd.DataFrame(peaks, columns=["theme", "old_peak", "new_peak", "change", "old_where",
                                                         "new_where"]))


def _exposure(assessment, nodes, theme: str) -> pd.Series:
    """Exposure of a portfolio per (stage, country, commodity); empty without nodes."""
    if not nodes:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_arrays([[], [], []],
                                                                   names=["stage", "country", "commodity"]))
    cells = assessment.location_cells(nodes, theme)
    return cells.set_index(["stage", "country", "commodity"])["exposure"]
