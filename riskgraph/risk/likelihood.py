"""Likelihood L_t(c, k) and stage relevance g_t(s) per actor class: reference scores, commodity evidence, a chain's overrides.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from riskgraph.chain.model import THEMES
from riskgraph.risk.reference import Reference, commodity_key


# --------------------------------------------------------------------------- likelihood and relevance


def _override_table(*tables: pd.DataFrame | None) -> pd.DataFrame:
    frames = [t for t in tables if t is not None and len(t)]
    if not frames:
        return pd.DataFrame(columns=["country", "theme", "score", "commodity", "source"])
    table = pd.concat(frames, ignore_index=True)  # later tables win
    for column in ("commodity", "source"):
        if column not in table.columns:
            table[column] = None
    table = table.astype(object).where(table.notna(), None)
    table["commodity"] = table["commodity"].map(commodity_key)
    return table


def likelihood_table(pairs: pd.DataFrame, *, reference: Reference, overrides: pd.DataFrame) -> pd.DataFrame:
    """Likelihood ``L_t(c, k)`` and its provenance for (country, commodity) pairs.

    Returns a long table ``country, commodity, theme, likelihood, basis,
    source, year, raw_value`` where ``basis`` is ``country`` (the country
    score), ``commodity_evidence`` (raised to a floor), ``override`` or
    ``override_commodity``.
    """
    scores = reference.country_scores.rename(columns={"iso2": "country", "score": "likelihood"})
    rows = pairs.merge(pd.DataFrame({"theme": list(THEMES)}), how="cross")
    rows = rows.merge(scores[["country", "theme", "likelihood", "source", "year", "raw_value"]],
                      on=["country", "theme"], how="left")
    missing = rows["likelihood"].isna()
    if missing.any():
        medians = scores.groupby("theme")["likelihood"].median()
        rows.loc[missing, "likelihood"] = rows.loc[missing, "theme"].map(medians)
        rows.loc[missing, "source"] = "default: no reference score for this country (median over countries)"
        rows.loc[missing, "year"] = ""
        rows.loc[missing, "raw_value"] = ""
    rows["basis"] = np.where(missing, "default", "country")

    evidence = reference.commodity_evidence.rename(columns={"iso2": "country"})
    floors = (
        evidence.sort_values("floor", kind="stable")
        .drop_duplicates(["country", "commodity", "theme"], keep="last")
        [["country", "commodity", "theme", "floor", "source", "year", "evidence"]]
        .rename(columns={"source": "floor_source", "year": "floor_year"})
    )
    # Evidence may name the commodity or its group ("Stones" covers granite and marble).
    from riskgraph.risk.reference import commodity_groups

    groups = commodity_groups()
    rows["_group"] = rows["commodity"].map(lambda k: groups.get(k, k) if isinstance(k, str) else k)
    by_group = floors.rename(columns={"commodity": "_group"})
    rows = rows.merge(floors, on=["country", "commodity", "theme"], how="left")
    grouped = rows[["country", "_group", "theme"]].merge(by_group, on=["country", "_group", "theme"], how="left")
    better = grouped["floor"].notna().to_numpy() & ~(rows["floor"] >= grouped["floor"]).to_numpy()
    for column in ("floor", "floor_source", "floor_year", "evidence"):
        rows.loc[better, column] = grouped.loc[better, column].to_numpy()
    rows = rows.drop(columns="_group")
    raised = rows["floor"].notna() & (rows["floor"] > rows["likelihood"])
    rows.loc[raised, "likelihood"] = rows.loc[raised, "floor"]
    rows.loc[raised, "basis"] = "commodity_evidence"
    rows.loc[raised, "source"] = rows.loc[raised, "floor_source"]
    rows.loc[raised, "year"] = rows.loc[raised, "floor_year"]
    rows.loc[raised, "raw_value"] = rows.loc[raised, "evidence"]

    for specific in (False, True):  # country-wide first, then commodity-specific wins
        chosen = overrides[overrides["commodity"].notna() == specific]
        if chosen.empty:
            continue
        keys = ["country", "theme"] + (["commodity"] if specific else [])
        chosen = chosen.drop_duplicates(keys, keep="last")[keys + ["score", "source"]]
        merged = rows[keys].merge(chosen, on=keys, how="left")
        hit = merged["score"].notna().to_numpy()
        rows.loc[hit, "likelihood"] = merged.loc[hit, "score"].astype(float).to_numpy()
        rows.loc[hit, "basis"] = "override_commodity" if specific else "override"
        rows.loc[hit, "source"] = merged.loc[hit, "source"].fillna("indicators override").to_numpy()
        rows.loc[hit, "year"] = ""
        rows.loc[hit, "raw_value"] = merged.loc[hit, "score"].astype(str).to_numpy()
    columns = ["country", "commodity", "theme", "likelihood", "basis", "source", "year", "raw_value"]
    return rows[columns]


def relevance_table(stages: pd.DataFrame, *, reference: Reference, overrides: pd.DataFrame | None) -> pd.DataFrame:
    """Stage relevance ``g_t(s)`` for (sector, stage) pairs: ``sector, stage, theme, relevance``.

    Defaults come from the reference; ``overrides`` (``stage, theme, weight``
    and optionally ``sector``) replace them, a sector-specific row winning over
    a stage-wide one. A stage with no value at all gets 1 (DESIGN §3.2).
    """
    rows = stages.merge(pd.DataFrame({"theme": list(THEMES)}), how="cross")
    defaults = reference.stage_relevance[["sector", "stage", "theme", "weight"]]
    rows = rows.merge(defaults, on=["sector", "stage", "theme"], how="left")
    if overrides is not None and len(overrides):
        table = overrides.copy()
        if "sector" not in table.columns:
            table["sector"] = None
        table = table.astype(object).where(table.notna(), None)
        for specific in (False, True):
            chosen = table[table["sector"].notna() == specific]
            if chosen.empty:
                continue
            keys = ["stage", "theme"] + (["sector"] if specific else [])
            chosen = chosen.drop_duplicates(keys, keep="last")[keys + ["weight"]].rename(columns={"weight": "w"})
            merged = rows[keys].merge(chosen, on=keys, how="left")
            hit = merged["w"].notna().to_numpy()
            rows.loc[hit, "weight"] = merged.loc[hit, "w"].astype(float).to_numpy()
    rows["weight"] = rows["weight"].fillna(1.0).astype(float)
    return rows.rename(columns={"weight": "relevance"})
