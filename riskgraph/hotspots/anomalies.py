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
    gap = both["volume_out"] > both["volume_in"] * (1 + tolerance)
    rows = []
    for actor, row in both[gap].iterrows():
        unit = f" {row['unit_in']}" if isinstance(row["unit_in"], str) and row["unit_in"] else ""
        excess = row["volume_out"] / row["volume_in"] - 1 if row["volume_in"] > 0 else np.inf
        gap = (Phrase("anomaly.more_out", excess=excess) if np.isfinite(excess) else Phrase("anomaly.nothing_received"))
        rows.append({"actor": actor, "kind": "mass_balance", "year": pd.NA, "score": float(excess),
                     "reason": Phrase("anomaly.mass_balance", shipped=float(row["volume_out"]), unit=unit,
                                      received=float(row["volume_in"]), gap=gap, tolerance=tolerance)})
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
    incomplete = frame.groupby(["target", "year"])["volume"].transform(lambda v: v.isna().any())
    frame["weight"] = np.where(incomplete, 1.0, frame["volume"])
    weights = frame.groupby(["target", "year", "country"])["weight"].sum()
    shares = weights / weights.groupby(level=["target", "year"]).transform("sum")
    return shares.rename("share").reset_index()


def sourcing_shifts(chain: Chain, *, threshold: float = 0.30) -> pd.DataFrame:
    """Nodes whose share of inputs from a supplier country changes by more than ``threshold`` between years.

    Shares are by volume (by number of flows for a node-year with a missing
    volume), compared between consecutive years in which the node has
    inputs. ``score`` is the largest absolute change (0.45 = 45 points).
    """
    shares = _input_shares_by_year(chain)
    rows = []
    if shares.empty:
        return _with_actor_info(chain, _anomaly_frame(rows))
    table = shares.pivot_table(index=["target", "year"], columns="country", values="share", fill_value=0.0)
    for target, block in table.groupby(level="target"):
        years = block.index.get_level_values("year").to_numpy()
        values = block.to_numpy()
        for k in range(1, len(years)):
            delta = values[k] - values[k - 1]
            largest = float(np.abs(delta).max())
            if largest <= threshold:
                continue
            order = np.argsort(-np.abs(delta))[:2]
            changes = [Phrase("anomaly.share_rose" if delta[j] > 0 else "anomaly.share_fell",
                              country=block.columns[j], before=float(values[k - 1][j]), year_before=int(years[k - 1]),
                              after=float(values[k][j]), year_after=int(years[k]))
                       for j in order if abs(delta[j]) > 0]
            rows.append({"actor": target, "kind": "sourcing_shift", "year": int(years[k]), "score": largest,
                         "reason": Phrase("anomaly.shift", changes=Phrase.join(changes), threshold=threshold)})
    return _with_actor_info(chain, _anomaly_frame(rows))


#: The flow features of each actor, by name; their words are in ``datasets/vocabulary/terms.csv`` (kind ``feature``).
FEATURES = {name: _vocabulary.term_label("feature", name) for name in (
    "stage_order", "log_in", "log_out", "balance", "suppliers", "buyers", "supplier_countries", "top_supplier_share",
    "max_shift")}


def actor_features(chain: Chain) -> pd.DataFrame:
    """Per-actor flow features for :func:`isolation_anomalies` (index: actor ids with at least one flow)."""
    flows = chain.flows
    volume = flows["volume"].fillna(0.0)
    country = chain.actors.set_index("id")["country"].astype(object)
    received = volume.groupby(flows["target"]).sum()
    shipped = volume.groupby(flows["source"]).sum()
    ids = pd.Index(sorted(set(flows["source"].dropna()) | set(flows["target"].dropna())), name="actor")
    ids = ids[ids.isin(chain.actors["id"])]
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
    shares = _input_shares_by_year(chain)
    if len(shares):
        table = shares.pivot_table(index=["target", "year"], columns="country", values="share", fill_value=0.0)
        diffs = table.groupby(level="target").diff().abs().max(axis=1)
        frame["max_shift"] = diffs.groupby(level="target").max().reindex(ids).fillna(0.0)
    else:
        frame["max_shift"] = 0.0
    return frame.drop(columns=["received", "shipped"])


def isolation_anomalies(chain: Chain, *, contamination: float = 0.02, random_state: int = 0,
                        min_actors: int = MIN_ACTORS_FOR_ISOLATION) -> pd.DataFrame:
    """Actors whose combination of flow features is unusual (scikit-learn ``IsolationForest``).

    Features: :func:`actor_features`. ``contamination`` is the share of
    actors flagged. The reason names the features furthest from the median
    of the actor's own stage (of the whole chain when the stage has fewer
    than five actors), in robust z units (median / MAD). Chains with
    fewer than ``min_actors`` actors with flows are not scored: a forest
    needs a population to call anything unusual.
    """
    from sklearn.ensemble import IsolationForest

    features = actor_features(chain)
    empty = pd.DataFrame(columns=["actor", "kind", "year", "score", "reason"])
    if len(features) < min_actors:
        return _with_actor_info(chain, empty)
    columns = list(FEATURES)
    model = IsolationForest(n_estimators=200, contamination=contamination, random_state=random_state)
    values = features[columns].to_numpy(dtype=float)
    flags = model.fit_predict(values) == -1
    scores = -model.decision_function(values)
    stages = chain.actors.set_index("id")["stage"].reindex(features.index)
    rows = []
    for p in np.flatnonzero(flags):
        actor = features.index[p]
        same = stages == stages.iloc[p]
        peers = features[same] if same.sum() >= 5 else features
        group = (Phrase("anomaly.among_stage", stage=stages.iloc[p]) if same.sum() >= 5
                 else Phrase("anomaly.in_chain"))
        notes = []
        for column in columns:
            if column == "stage_order":
                continue
            median = float(peers[column].median())
            mad = float((peers[column] - median).abs().median()) * 1.4826
            spread = mad if mad > 0 else float(peers[column].std(ddof=0)) or 1.0
            z = (features[column].iloc[p] - median) / spread
            notes.append((abs(z), column, median))
        notes.sort(reverse=True)
        notes = [note for note in notes if note[0] >= 1.5] or notes[:1]
        words = [_feature_phrase(c, features[c].iloc[p], m, group) for _, c, m in notes[:2]]
        rows.append({"actor": actor, "kind": "isolation_forest", "year": pd.NA, "score": float(scores[p]),
                     "reason": Phrase("anomaly.unusual", features=Phrase.join(words))})
    return _with_actor_info(chain, _anomaly_frame(rows))


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
    parts = [mass_balance_gaps(chain, tolerance=tolerance), sourcing_shifts(chain, threshold=shift),
             isolation_anomalies(chain, contamination=contamination, random_state=random_state)]
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
