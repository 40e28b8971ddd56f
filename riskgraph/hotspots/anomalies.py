"""Anomalies: mass-balance gaps, sourcing shifts between years and IsolationForest outliers.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from riskgraph import _vocabulary
from riskgraph.chain.model import Chain, stage_order
from riskgraph.formatting import Phrase, frame_with_phrases
from riskgraph.hotspots._common import ANOMALY_COLUMNS, MIN_ACTORS_FOR_ISOLATION


# --------------------------------------------------------------------------- anomalies


def mass_balance_gaps(chain: Chain, *, tolerance: float = 0.10) -> pd.DataFrame:
    """Actors that ship more than they receive, beyond ``tolerance`` (default 10 %).

    Only actors with recorded inputs are compared (a mine has none), only
    when every input and output has a volume, and only when inputs and
    outputs are in the same unit (or none is given); totals over all years,
    so stock carried from one year to the next is not a gap. Less out than
    in is normal (processing losses) and not reported.
    """
    flows = pd.DataFrame({"source": chain.flows["source"].astype(object), "target": chain.flows["target"].astype(object),
                          "volume": chain.flows["volume"].to_numpy(dtype=float),
                          "missing": chain.flows["volume"].isna().to_numpy(),
                          "unit": chain.flows["unit"].astype(object).where(chain.flows["unit"].notna(), None)})

    def totals(key: str) -> pd.DataFrame:
        grouped = flows.groupby(key)
        return pd.DataFrame({"volume": grouped["volume"].sum(), "missing": grouped["missing"].any(),
                             "units": grouped["unit"].nunique(), "unit": grouped["unit"].first()})

    both = totals("target").add_suffix("_in").join(totals("source").add_suffix("_out"), how="inner")
    same_unit = (both["units_in"] <= 1) & (both["units_out"] <= 1) & (
        both["unit_in"].fillna("") == both["unit_out"].fillna(""))
    both = both[~both["missing_in"] & ~both["missing_out"] & same_unit]
    gaps = both[both["volume_out"] > both["volume_in"] * (1 + tolerance)]
    rows = []
    for actor, volume_in, volume_out, unit_in in zip(gaps.index, gaps["volume_in"].to_numpy(dtype=float),
                                                     gaps["volume_out"].to_numpy(dtype=float), gaps["unit_in"]):
        unit = f" {unit_in}" if isinstance(unit_in, str) and unit_in else ""
        excess = volume_out / volume_in - 1 if volume_in > 0 else np.inf
        gap = (Phrase("anomaly.more_out", excess=excess) if np.isfinite(excess) else Phrase("anomaly.nothing_received"))
        rows.append({"actor": actor, "kind": "mass_balance", "year": pd.NA, "score": float(excess),
                     "reason": Phrase("anomaly.mass_balance", shipped=float(volume_out), unit=unit,
                                      received=float(volume_in), gap=gap, tolerance=tolerance)})
    return _with_actor_info(chain, _anomaly_frame(rows))


def _input_shares_by_year(chain: Chain) -> pd.DataFrame:
    """``target, year, country, share``: share of each node's inputs per supplier country and year."""
    flows = chain.flows.dropna(subset=["year"])
    if flows.empty:
        return pd.DataFrame(columns=["target", "year", "country", "share"])
    country = chain.actors.set_index("id")["country"].astype(object)
    frame = pd.DataFrame({"target": flows["target"].astype(object), "year": flows["year"].astype(int),
                          "country": flows["source"].map(country).astype(object).fillna("unknown"),
                          "volume": flows["volume"].to_numpy(dtype=float)})
    incomplete = frame["volume"].isna().groupby([frame["target"], frame["year"]]).transform("any")
    frame["weight"] = np.where(incomplete, 1.0, frame["volume"])
    weights = frame.groupby(["target", "year", "country"])["weight"].sum()
    shares = weights / weights.groupby(level=["target", "year"]).transform("sum")
    return shares.rename("share").reset_index()


def _share_table(chain: Chain) -> pd.DataFrame:
    """Input shares per supplier country (columns), one row per ``(target, year)``, years ascending."""
    shares = _input_shares_by_year(chain)
    if shares.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], []], names=["target", "year"]))
    return shares.pivot_table(index=["target", "year"], columns="country", values="share", fill_value=0.0)


def sourcing_shifts(chain: Chain, *, threshold: float = 0.30, share_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Nodes whose share of inputs from a supplier country changes by more than ``threshold`` between years.

    Shares are by volume (by number of flows for a node-year with a missing
    volume), compared between consecutive years in which the node has
    inputs. ``score`` is the largest absolute change (0.45 = 45 points).
    ``share_table`` is :func:`_share_table` when the caller has it already.
    """
    table = _share_table(chain) if share_table is None else share_table
    rows = []
    if table.empty:
        return _with_actor_info(chain, _anomaly_frame(rows))
    targets = table.index.get_level_values("target").to_numpy()
    years = table.index.get_level_values("year").to_numpy()
    values = table.to_numpy()
    countries = table.columns
    # row k compares with row k - 1 when both are the same target's (rows are sorted by target, then year)
    follows = np.flatnonzero(targets[1:] == targets[:-1]) + 1
    delta = values[follows] - values[follows - 1]
    largest = np.abs(delta).max(axis=1) if len(follows) else np.zeros(0)
    for i in np.flatnonzero(largest > threshold):
        k = follows[i]
        change = delta[i]
        order = np.argsort(-np.abs(change), kind="stable")[:2]
        changes = [Phrase("anomaly.share_rose" if change[j] > 0 else "anomaly.share_fell",
                          country=countries[j], before=float(values[k - 1][j]), year_before=int(years[k - 1]),
                          after=float(values[k][j]), year_after=int(years[k]))
                   for j in order if abs(change[j]) > 0]
        rows.append({"actor": targets[k], "kind": "sourcing_shift", "year": int(years[k]), "score": float(largest[i]),
                     "reason": Phrase("anomaly.shift", changes=Phrase.join(changes), threshold=threshold)})
    return _with_actor_info(chain, _anomaly_frame(rows))


#: The flow features of each actor, by name; their words are in ``datasets/vocabulary/terms.csv`` (kind ``feature``).
FEATURES = {name: _vocabulary.term_label("feature", name) for name in (
    "stage_order", "log_in", "log_out", "balance", "suppliers", "buyers", "supplier_countries", "top_supplier_share",
    "max_shift")}


def actor_features(chain: Chain, *, share_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-actor flow features for :func:`isolation_anomalies` (index: actor ids with at least one flow)."""
    flows = chain.flows
    volume = flows["volume"].fillna(0.0)
    country = chain.actors.set_index("id")["country"].astype(object)
    received = volume.groupby(flows["target"]).sum()
    shipped = volume.groupby(flows["source"]).sum()
    ends = pd.concat([flows["source"], flows["target"]]).dropna().astype(object).unique()
    ids = pd.Index(np.sort(ends), name="actor")
    ids = ids[ids.isin(chain.actors["id"].astype(object).to_numpy())]
    frame = pd.DataFrame(index=ids)
    order = stage_order()
    frame["stage_order"] = chain.actors.set_index("id")["stage"].map(order).reindex(ids).fillna(0).astype(float)
    frame["received"] = received.reindex(ids).fillna(0.0)
    frame["shipped"] = shipped.reindex(ids).fillna(0.0)
    frame["log_in"] = np.log1p(frame["received"])
    frame["log_out"] = np.log1p(frame["shipped"])
    with_both = (frame["received"] > 0) & (frame["shipped"] > 0)
    frame["balance"] = np.where(with_both, np.log((frame["shipped"] + 1e-9) / (frame["received"] + 1e-9)), 0.0)
    pairs = pd.DataFrame({"source": flows["source"], "target": flows["target"], "volume": volume})
    frame["suppliers"] = pairs.groupby("target")["source"].nunique().reindex(ids).fillna(0).astype(float)
    frame["buyers"] = pairs.groupby("source")["target"].nunique().reindex(ids).fillna(0).astype(float)
    frame["supplier_countries"] = (pairs.assign(c=pairs["source"].map(country)).groupby("target")["c"].nunique()
                                   .reindex(ids).fillna(0).astype(float))
    per_pair = pairs.groupby(["target", "source"])["volume"].sum()
    top = per_pair.groupby(level="target").max() / per_pair.groupby(level="target").sum()
    frame["top_supplier_share"] = top.reindex(ids).fillna(0.0).replace([np.inf, -np.inf], 0.0)
    table = _share_table(chain) if share_table is None else share_table
    if len(table):
        targets = table.index.get_level_values("target").to_numpy()
        follows = np.flatnonzero(targets[1:] == targets[:-1]) + 1
        values = table.to_numpy()
        shift = pd.Series(np.abs(values[follows] - values[follows - 1]).max(axis=1, initial=0.0),
                          index=targets[follows])
        frame["max_shift"] = shift.groupby(level=0).max().reindex(ids).fillna(0.0)
    else:
        frame["max_shift"] = 0.0
    return frame.drop(columns=["received", "shipped"])


def isolation_anomalies(chain: Chain, *, contamination: float = 0.02, random_state: int = 0,
                        min_actors: int = MIN_ACTORS_FOR_ISOLATION,
                        share_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Actors whose combination of flow features is unusual (scikit-learn ``IsolationForest``).

    Features: :func:`actor_features`. ``contamination`` is the share of
    actors flagged. The reason names the features furthest from the median
    of the actor's own stage (of the whole chain when the stage has fewer
    than five actors), in robust z units (median / MAD). Chains with
    fewer than ``min_actors`` actors with flows are not scored: a forest
    needs a population to call anything unusual.
    """
    from sklearn.ensemble import IsolationForest

    features = actor_features(chain, share_table=share_table)
    if len(features) < min_actors:
        return _with_actor_info(chain, _anomaly_frame([]))
    columns = list(FEATURES)
    model = IsolationForest(n_estimators=200, contamination=contamination, random_state=random_state)
    values = features[columns].to_numpy(dtype=float)
    decision = model.fit(values).decision_function(values)
    flags = decision < 0  # IsolationForest.predict's rule, without scoring twice
    scores = -decision
    stages = chain.actors.set_index("id")["stage"].reindex(features.index).astype(object)
    described = [c for c in columns if c != "stage_order"]
    by_stage = _robust_centres(features[described], stages.fillna("").to_numpy())
    whole = _robust_centres(features[described], np.zeros(len(features), dtype=int))
    stage_sizes = stages.value_counts(dropna=False)
    described_values = features[described].to_numpy(dtype=float)
    rows = []
    for p in np.flatnonzero(flags):
        actor = features.index[p]
        stage = stages.iloc[p]
        own = stage_sizes.get(stage, 0) >= 5 if isinstance(stage, str) else False
        group = Phrase("anomaly.among_stage", stage=stage) if own else Phrase("anomaly.in_chain")
        median, spread = by_stage[stage] if own else whole[0]
        z = (described_values[p] - median) / spread
        notes = sorted(zip(np.abs(z), described, median), reverse=True)
        notes = [note for note in notes if note[0] >= 1.5] or notes[:1]
        words = [_feature_phrase(c, features[c].iloc[p], m, group) for _, c, m in notes[:2]]
        rows.append({"actor": actor, "kind": "isolation_forest", "year": pd.NA, "score": float(scores[p]),
                     "reason": Phrase("anomaly.unusual", features=Phrase.join(words))})
    return _with_actor_info(chain, _anomaly_frame(rows))


def _robust_centres(features: pd.DataFrame, groups: np.ndarray) -> dict:
    """Per group: the features' medians and robust spreads (MAD × 1.4826; the standard deviation, else 1, when 0)."""
    out = {}
    for key, block in features.groupby(groups, sort=False):
        values = block.to_numpy(dtype=float)
        median = np.median(values, axis=0)
        mad = np.median(np.abs(values - median), axis=0) * 1.4826
        std = values.std(axis=0)
        out[key] = (median, np.where(mad > 0, mad, np.where(std > 0, std, 1.0)))
    return out


def _feature_phrase(column: str, value: float, median: float, group: Phrase) -> Phrase:
    """``volume received 1,200.0 (median among refiners 300.0)``: a feature in its own units."""
    if column in ("log_in", "log_out"):
        key, value, median = "volume", np.expm1(value), np.expm1(median)
    elif column == "balance":
        key, value, median = "ratio", np.exp(value), np.exp(median)
    elif column in ("top_supplier_share", "max_shift"):
        key = "share"
    else:
        key = "count"
    return Phrase(f"anomaly.feature.{key}", feature=column, value=float(value), median=float(median), group=group)


def anomalies(chain: Chain, *, tolerance: float = 0.10, shift: float = 0.30, contamination: float = 0.02,
              random_state: int = 0) -> pd.DataFrame:
    """Mass-balance gaps, sourcing shifts and IsolationForest outliers, each with a reason in words.

    Columns: :data:`ANOMALY_COLUMNS`; ``kind`` is ``mass_balance``,
    ``sourcing_shift`` or ``isolation_forest``.
    """
    table = _share_table(chain)
    parts = [mass_balance_gaps(chain, tolerance=tolerance), sourcing_shifts(chain, threshold=shift, share_table=table),
             isolation_anomalies(chain, contamination=contamination, random_state=random_state, share_table=table)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame["year"] = frame["year"].astype("Int64")
    return frame[ANOMALY_COLUMNS]


def _anomaly_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as a frame whose ``reason`` column keeps its :class:`Phrase` objects."""
    return frame_with_phrases(rows, ["actor", "kind", "year", "score", "reason"], ["reason"])


def _with_actor_info(chain: Chain, frame: pd.DataFrame) -> pd.DataFrame:
    info = chain.actors.set_index("id")[["name", "stage", "country"]].astype(object)
    frame = frame.join(info, on="actor")
    return frame.reindex(columns=ANOMALY_COLUMNS)
