"""Covenant monitoring: members' progress per year, published k-anonymously (DESIGN §7).

Per member and year (the years of its flows): the share of volume traced to
its origin, the tiers mapped, the share of its EUDR plots with valid
geolocation, the reasonable suspicions found (upstream actors at or above the
``high`` category for child labour, as in the due-diligence statement) and
how many of them have an entry in the member's plan of action
(``actions.csv`` next to its chain: ``supplier, theme, step, owner, due_date,
status``). Aggregated into the covenant's yearly progress figures ("n % of
members mapped their chain to tier 2") with the change on the year before; a
figure is published only when at least k members stand behind it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.chain.io import read_chain
from riskgraph.chain.model import Chain

MEASURES = {
    "traced_share": "mean share of volume traced to its origin",
    "mapped_tier_2": "share of members that mapped their chain to tier 2 or deeper",
    "mapped_tier_3": "share of members that mapped their chain to tier 3 or deeper",
    "plots_valid": "mean share of EUDR plots with valid geolocation (members with plots)",
    "suspicions_with_action": "share of reasonable suspicions with a plan-of-action entry",
    "members_with_first_step": "share of members with at least one plan-of-action entry",
}


def read_actions(folder: Path) -> pd.DataFrame:
    """A member's plan of action (``actions.csv``), or an empty table."""
    for candidate in (folder / "actions.csv", folder.with_suffix("").parent / f"{folder.stem}.actions.csv"):
        if candidate.is_file():
            from riskgraph.chain.limits import check_text_file

            check_text_file(candidate)
            table = pd.read_csv(candidate, dtype=str, keep_default_na=False)
            table.columns = [c.strip().lower() for c in table.columns]
            if "supplier" not in table.columns:
                raise InputError("actions.csv needs a 'supplier' column (the actor id of the suspicion)", path=candidate)
            return table
    return pd.DataFrame(columns=["supplier", "theme", "step", "owner", "due_date", "status"])


def member_progress(chain: Chain, actions: pd.DataFrame | None = None, *, member: str = "",
                    theme: str = "child_labour") -> pd.DataFrame:
    """Progress figures of one member, one row per year of its flows."""
    from riskgraph.covenant.diff import coverage
    from riskgraph.geo.plots import plot_checks
    from riskgraph.graph import tiers
    from riskgraph.risk import assess
    from riskgraph.regulation.statement import child_labour_statement

    actions = actions if actions is not None else pd.DataFrame(columns=["supplier", "theme"])
    years = sorted(int(y) for y in chain.flows["year"].dropna().unique()) or [None]
    rows = []
    for year in years:
        current = chain.for_year(year) if year is not None else chain
        active = set(current.flows["source"]) | set(current.flows["target"])
        assessment = assess(current)
        cover = coverage(current, assessment)
        ends = [e for e in assessment.chain_ends if e in active]
        suspicions = set()
        for end in ends:
            statement = child_labour_statement(current, end, theme=theme, assessment=assessment)
            suspicions.update(statement.suspicions["supplier"])
        planned = set(actions.loc[actions.get("theme", pd.Series(theme, index=actions.index)).fillna(theme)
                                  .replace("", theme) == theme, "supplier"]) if len(actions) else set()
        plots = current.plots[current.plots["actor_id"].isin(active)]
        valid = plot_checks(plots, current.actors).plots["valid"].mean() if len(plots) else np.nan
        tier = tiers(current)
        rows.append({
            "member": member, "year": year, "traced_share": cover["traced_share"],
            "tiers_mapped": int(tier.max()) if tier.notna().any() else 0,
            "plots": int(len(plots)), "plots_valid": float(valid) if valid == valid else np.nan,
            "suspicions": len(suspicions), "suspicions_with_action": len(suspicions & planned),
            "actions": int(len(actions)),
        })
    return pd.DataFrame(rows)


def monitor(paths, *, k: int = 3, labels=None, theme: str = "child_labour") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monitor members' chains; returns (per-member table, k-anonymous covenant figures).

    The per-member table is for the secretariat only; the covenant figures
    (``year, measure, value, members, change, description``) are what may be
    published: a figure backed by fewer than ``k`` members is withheld
    (``value`` empty, ``withheld`` true).
    """
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}")
    paths = [Path(p) for p in paths]
    labels = list(labels) if labels is not None else [p.stem if p.is_file() else p.name for p in paths]
    per_member = pd.concat(
        [member_progress(read_chain(p), read_actions(p if p.is_dir() else p.parent), member=label, theme=theme)
         for p, label in zip(paths, labels)],
        ignore_index=True,
    )
    return per_member, covenant_figures(per_member, k=k)


def covenant_figures(per_member: pd.DataFrame, *, k: int = 3) -> pd.DataFrame:
    """Aggregate members' progress per year into k-anonymous covenant figures with year-over-year change."""
    rows = []
    for year, group in per_member.groupby("year", sort=True):
        with_plots = group[group["plots"] > 0]
        total_suspicions = group["suspicions"].sum()
        values = {
            "traced_share": (group["traced_share"].mean(), len(group)),
            "mapped_tier_2": ((group["tiers_mapped"] >= 2).mean(), len(group)),
            "mapped_tier_3": ((group["tiers_mapped"] >= 3).mean(), len(group)),
            "plots_valid": (with_plots["plots_valid"].mean() if len(with_plots) else np.nan, len(with_plots)),
            "suspicions_with_action": (group["suspicions_with_action"].sum() / total_suspicions
                                       if total_suspicions else np.nan, int((group["suspicions"] > 0).sum())),
            "members_with_first_step": ((group["actions"] > 0).mean(), len(group)),
        }
        for measure, (value, members) in values.items():
            withheld = members < k
            rows.append({"year": year, "measure": measure, "value": np.nan if withheld else value,
                         "members": members, "withheld": withheld, "description": MEASURES[measure]})
    figures = pd.DataFrame(rows)
    if figures.empty:
        return figures.assign(change=[])
    figures = figures.sort_values(["measure", "year"]).reset_index(drop=True)
    figures["change"] = figures.groupby("measure")["value"].diff()
    return figures[["year", "measure", "value", "change", "members", "withheld", "description"]]
