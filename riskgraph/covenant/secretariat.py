"""Covenant secretariats: merge members' chains into one sector chain and publish it safely.

A secretariat collects members' supplier chains, merges them (members stay
labelled), and publishes the sector's chain-location matrix and hotspots so
that **no published figure can be traced to fewer than k members** (DESIGN
§7), neither in one release nor by subtracting two: the rules are those of
:mod:`riskgraph.covenant.disclosure` (threshold, dominance, secondary
suppression, rounding, a ledger of releases). The withheld cells of a stage
are pooled into one "other countries" cell when the pool passes the rules.
The report says how many cells were withheld.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.covenant.disclosure import (OTHER, Ledger, Publication, ReleaseRefused, Rules, build_publication,
                                           forced_from, refusal)
from riskgraph.output import write_csv
from riskgraph.chain.io import read_chain, write_chain
from riskgraph.chain.model import Chain

SEPARATOR = ";"
#: Ids made by :func:`riskgraph.sources.actor_id` from name and country: ``<country>_<slug>_<8 hex digits>``.
DERIVED_ID = r"[a-z]{1,8}_[a-z0-9_]{1,32}_[0-9a-f]{8}"


def member_label(path: Path) -> str:
    """A member's label: its folder or workbook name."""
    path = Path(path)
    return path.stem if path.is_file() else path.name


def merge_members(paths, *, labels=None, match_names: bool = True) -> tuple[Chain, pd.DataFrame]:
    """Merge members' chains into one sector chain; returns the chain and a per-member table.

    Actor ids become ``member/id``; the ``members`` column lists the members
    that reported an actor. Actors that several members report under one
    registry id (Open Supply Hub ``os_id``, RMI ``smelter_id``) become one
    actor (``os:<id>`` / ``cid:<id>``); so do actors with the same id derived
    from name and country by the importers (:data:`DERIVED_ID`); with ``match_names`` the
    same is done for actors that :mod:`riskgraph.sources.match` finds to be the
    same supplier under different spellings (``match:<n>``). Every flow keeps
    its ``member``.
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
    """Map ``member/id`` → a shared id for actors that are the same across members.

    In order: a shared registry id (``os:<os_id>``, ``cid:<smelter_id>``); the
    same id with the same name and country (importers give the same supplier
    the same deterministic id in every member's list); with ``match_names``,
    a cluster of :func:`riskgraph.sources.match.match_actors` spanning several
    members (``match:<n>``).
    """
    from riskgraph._text import fold

    mapping: dict[str, str] = {}
    for column, prefix in (("os_id", "os:"), ("smelter_id", "cid:")):
        if column not in actors.columns:
            continue
        known = actors[actors[column].notna() & ~actors["id"].isin(mapping)]
        for value, group in known.groupby(column):
            if group["members"].nunique() > 1 or len(group) > 1:
                for actor in group["id"]:
                    mapping[actor] = f"{prefix}{value}"
    if "name" in actors.columns:
        # Only ids an importer derived from name and country mean the same supplier in two members' files;
        # hand-made ids ("f1") are each member's own.
        derived = actors["member_id"].astype(str).str.fullmatch(DERIVED_ID).fillna(False).to_numpy(dtype=bool)
        rest = actors[~actors["id"].isin(mapping) & actors["name"].notna() & derived]
        key = pd.DataFrame({"member_id": rest["member_id"].astype(object),
                            "name": rest["name"].astype(object).map(lambda n: " ".join(fold(str(n)).split())),
                            "country": rest["country"].astype(object).fillna("")}, index=rest.index)
        for (member_id, _, _), group in key.groupby(["member_id", "name", "country"], sort=False):
            if rest.loc[group.index, "members"].nunique() > 1:
                for actor in rest.loc[group.index, "id"]:
                    mapping[actor] = str(member_id)
    if match_names and "name" in actors.columns:
        from riskgraph.sources.match import match_actors

        # A chain without names shows the id as name: that is no evidence that two members' "f1" are one.
        named = actors["name"].notna() & (actors["name"].astype(object) != actors["member_id"].astype(object))
        rest = actors[~actors["id"].isin(mapping) & named]
        if len(rest) > 1:
            table = pd.DataFrame({c: rest[c].astype(object) for c in ("id", "name", "country", "address", "city")
                                  if c in rest.columns})
            table["source"] = rest["members"].astype(object)
            clusters = match_actors(table).clusters.set_index("id")
            owners = table.set_index("id")["source"]
            spanning = clusters[clusters["size"] > 1].groupby("cluster").filter(
                lambda g: owners.loc[g.index].nunique() > 1)
            for actor, cluster in spanning["cluster"].items():
                mapping[actor] = f"match:{cluster}"
    return mapping


def write_merged(chain: Chain, members: pd.DataFrame, out: Path | str) -> Path:
    """Write a merged sector chain (CSV folder) with its ``members.csv``."""
    out = Path(out)
    write_chain(chain, out)
    write_csv(members, out / "members.csv")
    return out


# --------------------------------------------------------------------------- publication


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


def publish(assessment, *, k: int = 3, nodes=None, hotspots: pd.DataFrame | None = None, rules: Rules | None = None,
            ledger: Ledger | None = None, suppress_differences: bool = False) -> Publication:
    """The sector picture that may be published: matrices, shares, Sankey links, hotspot counts, totals.

    Statistical disclosure control as :mod:`riskgraph.covenant.disclosure`
    describes it (threshold rule k, p % and (n, k) dominance, secondary
    suppression, rounding; Hundepool et al. 2012, ch. 4).

    Parameters
    ----------
    assessment : Assessment
        Of a merged sector chain (actors carry ``members``, flows ``member``).
    k : int
        Minimum number of members behind every published figure (when ``rules`` is not given).
    nodes : list, optional
        The portfolio (default: every chain end).
    hotspots : DataFrame, optional
        Hotspots with ``actor`` (and optionally ``theme``): published as counts
        per stage and country where that location is published, never by
        actor name or score.
    rules : Rules, optional
        The disclosure rules; default ``Rules(k=k)``.
    ledger : Ledger, optional
        Earlier releases. A release whose member set differs from a recorded
        one by fewer than k members raises :class:`ReleaseRefused`, unless
        every figure that would differ is withheld.
    suppress_differences : bool
        Withhold the figures that would differ from such a release (and the
        totals) instead of refusing.
    """
    rules = rules if rules is not None else Rules(k=k)
    publication = build_publication(assessment, rules=rules, nodes=nodes, hotspots=hotspots)
    if ledger is None:
        return publication
    forced: list = []
    no_totals = False
    for _ in range(50):
        conflicts = ledger.conflicts(publication)
        if not conflicts:
            return publication
        if not suppress_differences:
            raise ReleaseRefused(refusal(conflicts))
        keys = [key for _, _, differ in conflicts for key in differ]
        forced += forced_from(keys)
        no_totals = no_totals or any(key.startswith("total|") for key in keys)
        publication = build_publication(assessment, rules=rules, nodes=nodes, hotspots=hotspots, forced=forced)
        if no_totals:
            publication.totals = {}
    raise ReleaseRefused(refusal(ledger.conflicts(publication)))
