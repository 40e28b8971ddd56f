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
    """Likelihood ``L_t`` and its provenance for locations.

    ``pairs`` holds ``country, commodity`` and optionally ``sector, stage,
    region`` (an ISO 3166-2 code). Returns the same columns with ``theme,
    likelihood, basis, source, year, raw_value`` where ``basis`` says which
    evidence set the value:

    * ``country`` — the country score (``default`` when the reference has none);
    * ``region`` — a higher score of the actor's region (``region_scores.csv``);
    * ``commodity_evidence`` — raised to the floor of a listing (US DOL list,
      EUDR benchmark) for the good, *at a stage the listing describes*
      (``evidence_stages.csv``: DOL "gold" → artisanal mines, not large-scale
      ones); without ``stage`` every stage counts;
    * ``override`` / ``override_commodity`` — the chain's or the caller's
      ``indicators``, which win over everything else.
    """
    keys = list(pairs.columns)
    pairs = pairs.copy()
    for column in ("sector", "stage", "region"):
        if column not in pairs.columns:
            pairs[column] = None
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
    rows["likelihood"] = rows["likelihood"].astype(float)
    for column in ("source", "year", "raw_value"):
        rows[column] = rows[column].astype(object)

    regions = reference.regions()
    if len(regions) and rows["region"].notna().any():
        table = regions.drop_duplicates(["region", "theme"], keep="last")
        merged = rows[["region", "theme"]].merge(
            table[["region", "theme", "score", "source", "year"]].assign(
                raw=table["raw_value"] if "raw_value" in table.columns else table["method"]),
            on=["region", "theme"], how="left")
        higher = (merged["score"].astype(float) > rows["likelihood"]).to_numpy()
        rows.loc[higher, "likelihood"] = merged.loc[higher, "score"].astype(float).to_numpy()
        rows.loc[higher, "basis"] = "region"
        rows.loc[higher, "source"] = (merged.loc[higher, "region"] + ": " + merged.loc[higher, "source"].astype(str)).to_numpy()
        rows.loc[higher, "year"] = merged.loc[higher, "year"].astype(str).to_numpy()
        rows.loc[higher, "raw_value"] = merged.loc[higher, "raw"].astype(str).to_numpy()

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
    rows["_good"] = np.where(rows["floor"].notna(), rows["commodity"], None)
    grouped = rows[["country", "_group", "theme"]].merge(by_group, on=["country", "_group", "theme"], how="left")
    better = grouped["floor"].notna().to_numpy() & ~(rows["floor"] >= grouped["floor"]).to_numpy()
    for column in ("floor", "floor_source", "floor_year", "evidence"):
        rows.loc[better, column] = grouped.loc[better, column].to_numpy()
    rows.loc[better, "_good"] = rows.loc[better, "_group"].to_numpy()
    rows = rows.drop(columns="_group")
    applies = _evidence_applies(rows, reference.stages_of_evidence())
    raised = rows["floor"].notna() & (rows["floor"] > rows["likelihood"]) & applies
    rows.loc[raised, "likelihood"] = rows.loc[raised, "floor"]
    rows.loc[raised, "basis"] = "commodity_evidence"
    rows.loc[raised, "source"] = rows.loc[raised, "floor_source"]
    rows.loc[raised, "year"] = rows.loc[raised, "floor_year"]
    rows.loc[raised, "raw_value"] = rows.loc[raised, "evidence"]

    for specific in (False, True):  # country-wide first, then commodity-specific wins
        chosen = overrides[overrides["commodity"].notna() == specific]
        if chosen.empty:
            continue
        on = ["country", "theme"] + (["commodity"] if specific else [])
        chosen = chosen.drop_duplicates(on, keep="last")[on + ["score", "source"]]
        merged = rows[on].merge(chosen, on=on, how="left")
        hit = merged["score"].notna().to_numpy()
        rows.loc[hit, "likelihood"] = merged.loc[hit, "score"].astype(float).to_numpy()
        rows.loc[hit, "basis"] = "override_commodity" if specific else "override"
        rows.loc[hit, "source"] = merged.loc[hit, "source"].fillna("indicators override").to_numpy()
        rows.loc[hit, "year"] = ""
        rows.loc[hit, "raw_value"] = merged.loc[hit, "score"].astype(str).to_numpy()
    columns = keys + ["theme", "likelihood", "basis", "source", "year", "raw_value"]
    return rows[columns]


def _evidence_applies(rows: pd.DataFrame, stages: pd.DataFrame) -> pd.Series:
    """Whether the matched listing describes the row's stage (goods without a stage table apply everywhere)."""
    if stages is None or not len(stages):
        return pd.Series(True, index=rows.index)
    mapped = set(stages["good"])
    pairs = set(zip(stages["good"], stages["sector"], stages["stage"]))
    good, sector, stage = rows["_good"].to_numpy(), rows["sector"].to_numpy(), rows["stage"].to_numpy()
    out = [g is None or g != g or g not in mapped or st is None or (g, se, st) in pairs
           for g, se, st in zip(good, sector, stage)]
    return pd.Series(out, index=rows.index)


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


def listing(country: str, commodity: str | None, sector: str, stage: str, theme: str, *,
            reference: Reference | None = None) -> str | None:
    """The commodity evidence (e.g. a US DOL listing) that describes this stage of this good, or ``None``.

    The good may be named by its group (granite → stones); a listing whose
    good has stages in ``evidence_stages.csv`` counts only at those stages.
    """
    from riskgraph.risk.reference import commodity_groups, default_reference

    reference = reference or default_reference()
    if not isinstance(commodity, str):
        return None
    table, mapped, pairs = _listing_index(reference)
    for good in dict.fromkeys([commodity, commodity_groups().get(commodity, commodity)]):
        found = table.get((country, good, theme))
        if found is None:
            continue
        if good in mapped and (good, sector, stage) not in pairs:
            continue
        return found
    return None


_LISTINGS: dict = {}


def _listing_index(reference: Reference) -> tuple[dict, set, set]:
    key = (id(reference.commodity_evidence), id(reference.stages_of_evidence()))
    if key not in _LISTINGS:
        table = reference.commodity_evidence
        stages = reference.stages_of_evidence()
        _LISTINGS[key] = (dict(zip(zip(table["iso2"], table["commodity"], table["theme"]), table["evidence"])),
                          set(stages["good"]), set(zip(stages["good"], stages["sector"], stages["stage"])))
    return _LISTINGS[key]
