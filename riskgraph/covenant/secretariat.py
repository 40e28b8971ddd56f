"""Covenant secretariats: merge members' chains into one sector chain and publish it k-anonymously.

A secretariat collects members' supplier chains, merges them (members stay
labelled), and publishes the sector's chain-location matrix and hotspots so
that **no published figure can be traced to fewer than k members**
(DESIGN §7). A cell of the matrix is published when at least k members have
material passing through that stage and country; the other cells of a stage
are pooled into one "other countries" cell when the pool itself covers at
least k members, and suppressed otherwise. The report says what was
suppressed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.output import write_csv
from riskgraph.chain.io import read_chain, write_chain
from riskgraph.chain.model import Chain

OTHER = "other"
SEPARATOR = ";"


def member_label(path: Path) -> str:
    """A member's label: its folder or workbook name."""
    path = Path(path)
    return path.stem if path.is_file() else path.name


def merge_members(paths, *, labels=None, match_names: bool = True) -> tuple[Chain, pd.DataFrame]:
    """Merge members' chains into one sector chain; returns the chain and a per-member table.

    Actor ids become ``member/id``; the ``members`` column lists the members
    that reported an actor. Actors that several members report under one
    registry id (Open Supply Hub ``os_id``, RMI ``smelter_id``) become one
    actor (``os:<id>`` / ``cid:<id>``); with ``match_names`` the same is done
    for actors that :mod:`riskgraph.sources.match` finds to be the same supplier.
    Every flow keeps its ``member``.
    """
    paths = [Path(p) for p in paths]
    labels = list(labels) if labels is not None else [member_label(p) for p in paths]
    if len(set(labels)) != len(labels):
        raise InputError(f"member labels must be unique; got {labels}")
    if not paths:
        raise InputError("give at least one member chain")
    actor_parts, flow_parts, members = [], [], []
    for path, label in zip(paths, labels):
        chain = read_chain(path)
        actors = chain.actors.copy()
        actors["member_id"] = actors["id"]
        actors["id"] = label + "/" + actors["id"]
        actors["members"] = label
        flows = chain.flows.copy()
        flows["source"] = label + "/" + flows["source"]
        flows["target"] = label + "/" + flows["target"]
        flows["member"] = label
        actor_parts.append(actors)
        flow_parts.append(flows)
        report = chain.report
        members.append({"member": label, "path": str(path), "actors": len(actors), "flows": len(flows),
                        "errors": len(report.errors), "warnings": len(report.warnings),
                        "quarantined": int(report.counts["quarantined"].sum())})
    actors = pd.concat(actor_parts, ignore_index=True)
    flows = pd.concat(flow_parts, ignore_index=True)
    canonical = _canonical_ids(actors, match_names=match_names)
    for frame, column in ((actors, "id"), (flows, "source"), (flows, "target")):
        frame[column] = [canonical.get(v, v) for v in frame[column]]
    merged = (actors.groupby("id", sort=False, as_index=False)
              .agg({**{c: "first" for c in actors.columns if c not in ("id", "members", "member_id")},
                    "members": lambda m: SEPARATOR.join(sorted(set(m))),
                    "member_id": lambda m: SEPARATOR.join(sorted(set(m)))}))
    flows = flows[flows["source"] != flows["target"]]  # two members' records of one actor
    chain = Chain(actors=merged, flows=flows.reset_index(drop=True), name="sector")
    return chain, pd.DataFrame(members)


def _canonical_ids(actors: pd.DataFrame, *, match_names: bool) -> dict[str, str]:
    """Map ``member/id`` → a shared id for actors that are the same across members."""
    mapping: dict[str, str] = {}
    for column, prefix in (("os_id", "os:"), ("smelter_id", "cid:")):
        if column not in actors.columns:
            continue
        known = actors[actors[column].notna() & ~actors["id"].isin(mapping)]
        for value, group in known.groupby(column):
            if group["members"].nunique() > 1 or len(group) > 1:
                for actor in group["id"]:
                    mapping[actor] = f"{prefix}{value}"
    if match_names:
        try:
            from riskgraph.sources.match import match_actors
        except ImportError:  # matching not available: ids only
            match_actors = None
        if match_actors is not None:
            rest = actors[~actors["id"].isin(mapping)]
            if len(rest) > 1:
                clusters = match_actors(rest).clusters
                sizes = clusters.value_counts()
                for actor, cluster in clusters.items():
                    if sizes[cluster] > 1:
                        members = rest.set_index("id").loc[clusters[clusters == cluster].index, "members"]
                        if members.nunique() > 1:
                            mapping[actor] = f"match:{cluster}"
    return mapping


def write_merged(chain: Chain, members: pd.DataFrame, out: Path | str) -> Path:
    """Write a merged sector chain (CSV folder) with its ``members.csv``."""
    out = Path(out)
    write_chain(chain, out)
    write_csv(members, out / "members.csv")
    return out


# --------------------------------------------------------------------------- publication


@dataclass
class Publication:
    """What may be published of a sector chain, with what was held back.

    Attributes
    ----------
    k : int
    matrices : dict of DataFrame
        Per theme, stage × country exposure; suppressed cells are ``NaN``;
        pooled cells sit in the ``other`` column.
    shares : DataFrame
        The share matrix, suppressed alike.
    members : DataFrame
        Per published cell: ``stage, country, members`` (the member count).
    suppressed : int
        Cells withheld entirely.
    pooled : int
        Cells pooled into ``other``.
    hotspots : DataFrame
        Hotspots that may be published (location level, ≥ k members).
    """

    k: int
    matrices: dict[str, pd.DataFrame]
    shares: pd.DataFrame
    members: pd.DataFrame
    suppressed: int
    pooled: int
    hotspots: pd.DataFrame = field(default_factory=pd.DataFrame)

    def notice(self, lang: str = "en") -> str:
        if lang == "nl":
            return (f"Gepubliceerd met k = {self.k}: elke cel en hotspot berust op ten minste {self.k} deelnemers. "
                    f"{self.pooled} cellen zijn samengevoegd in 'overig', {self.suppressed} cellen zijn weggelaten.")
        return (f"Published with k = {self.k}: every cell and hotspot rests on at least {self.k} members. "
                f"{self.pooled} cells were pooled into 'other', {self.suppressed} cells were withheld.")


def location_members(assessment, nodes) -> pd.DataFrame:
    """Per stage × country: which members have material there that reaches ``nodes``.

    Returns ``stage, country, members`` (a frozenset per location).
    """
    chain = assessment.chain
    if "members" not in chain.actors.columns:
        raise InputError("the chain has no 'members' column: merge members' chains first (secretariat merge)")
    reaching = pd.Series(0.0, index=assessment.actors)
    for node in nodes:
        start = np.zeros(len(assessment.actors))
        start[assessment._position(node)] = 1.0
        from riskgraph.risk.propagation import propagate_vector

        reaching += propagate_vector(assessment.shares_info.matrix.tocsr(), start)
    actors = chain.actors.set_index("id").loc[reaching.index[reaching.to_numpy() > 0]]
    rows = []
    for (stage, country), group in actors.groupby(["stage", "country"]):
        names = set()
        for value in group["members"].dropna():
            names.update(str(value).split(SEPARATOR))
        rows.append({"stage": stage, "country": country, "members": frozenset(names)})
    return pd.DataFrame(rows, columns=["stage", "country", "members"])


def publish(assessment, *, k: int = 3, nodes=None, hotspots: pd.DataFrame | None = None) -> Publication:
    """The k-anonymous sector picture: matrices, shares and hotspots that may be published.

    Parameters
    ----------
    assessment : Assessment
        Of a merged sector chain (actors carry ``members``).
    k : int
        Minimum number of members behind every published figure.
    nodes : list, optional
        The portfolio (default: every chain end).
    hotspots : DataFrame, optional
        Hotspots with ``actor`` (and optionally ``theme``, ``score``); they
        are published at location level (stage × country) when that location
        has ≥ k members, never by actor name.
    """
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}")
    nodes = list(nodes) if nodes is not None else assessment.chain_ends
    who = location_members(assessment, nodes)
    count = {(r.stage, r.country): r.members for r in who.itertuples(index=False)}
    shares = assessment.shares(nodes)
    published, pooled_cells, suppressed_cells = set(), {}, set()
    for stage in shares.index:
        small = []
        for country in shares.columns:
            if shares.loc[stage, country] == 0:
                continue
            if len(count.get((stage, country), ())) >= k:
                published.add((stage, country))
            else:
                small.append(country)
        pool = frozenset().union(*(count.get((stage, c), frozenset()) for c in small)) if small else frozenset()
        if small and len(pool) >= k and len(small) > 1:
            pooled_cells[stage] = small
        else:
            suppressed_cells.update((stage, c) for c in small)

    def mask(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.reindex(index=shares.index, columns=shares.columns, fill_value=0.0)
        # Cells no material passes through stay 0 (nothing to hide); the rest start withheld.
        out = pd.DataFrame(np.where(shares.to_numpy() == 0, 0.0, np.nan), index=frame.index, columns=frame.columns)
        out[OTHER] = np.nan
        for stage, country in published:
            out.loc[stage, country] = frame.loc[stage, country]
        for stage, small in pooled_cells.items():
            out.loc[stage, OTHER] = frame.loc[stage, small].sum()
        if not pooled_cells:
            out = out.drop(columns=OTHER)
        return out

    matrices = {theme: mask(assessment.matrix(nodes, theme)) for theme in assessment.themes}
    member_rows = [{"stage": s, "country": c, "members": len(count[(s, c)])} for s, c in sorted(published)]
    member_rows += [{"stage": s, "country": OTHER,
                     "members": len(frozenset().union(*(count.get((s, c), frozenset()) for c in small)))}
                    for s, small in pooled_cells.items()]
    published_hotspots = _publish_hotspots(assessment, hotspots, count, k)
    return Publication(
        k=k, matrices=matrices, shares=mask(shares),
        members=pd.DataFrame(member_rows, columns=["stage", "country", "members"]),
        suppressed=len(suppressed_cells), pooled=sum(len(v) for v in pooled_cells.values()),
        hotspots=published_hotspots,
    )


def _publish_hotspots(assessment, hotspots, count, k) -> pd.DataFrame:
    columns = ["theme", "stage", "country", "hotspots", "members", "max_score"]
    if hotspots is None or not len(hotspots):
        return pd.DataFrame(columns=columns)
    actors = assessment.chain.actors.set_index("id")
    frame = hotspots.drop(columns=[c for c in ("stage", "country") if c in hotspots.columns]).merge(
        actors[["stage", "country"]], left_on="actor", right_index=True)
    if "theme" not in frame.columns:
        frame["theme"] = "all"
    if "score" not in frame.columns:
        frame["score"] = np.nan
    grouped = frame.groupby(["theme", "stage", "country"]).agg(hotspots=("actor", "nunique"),
                                                               max_score=("score", "max")).reset_index()
    grouped["members"] = [len(count.get((s, c), ())) for s, c in zip(grouped["stage"], grouped["country"])]
    return grouped[grouped["members"] >= k][columns].sort_values("max_score", ascending=False).reset_index(drop=True)
