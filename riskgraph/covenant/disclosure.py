"""Statistical disclosure control for what a covenant secretariat publishes.

A secretariat's sector picture is a *magnitude table*: stage × country cells,
each the sum of several members' material. The rules are the established
ones for such tables (Hundepool, Domingo-Ferrer, Franconi, Giessing, Nordholt,
Spicer and de Wolf, *Statistical Disclosure Control*, Wiley 2012, ch. 4;
the ESSnet/Eurostat *Handbook on Statistical Disclosure Control*, 2010, §4.2–4.3):

*Threshold rule* — a cell needs at least ``k`` contributing members.

*Dominance* — the p % rule: a cell is sensitive when the members other than
the two largest hold less than p % of the largest (the second largest could
then estimate the largest within p %); optionally the (n, k) rule: the n
largest hold more than k % of the cell. Magnitudes are the members' reported
volumes at the location (flows out of, or into, its actors).

*Secondary suppression* — once a cell is withheld, the withheld cells of a
stage (whose total a reader can know: all material passes the first stage)
and of a country are pooled, and their pool must itself pass both rules;
when it does not, the smallest published cell of that stage or country is
withheld too, until every pool is safe (the heuristic of Hundepool et al.
§4.4.3; it protects against one line of differencing, not against every
linear combination — :func:`riskgraph.covenant.audit.audit` replays the attacks).

*Across releases* — two releases whose member sets differ by fewer than k
members give, by subtraction, the contribution of the members in between
(the "differencing" attack, Hundepool et al. §4.6; Eurostat handbook §4.3.4).
A :class:`Ledger` records each release; a new one that differs from a
recorded release by fewer than k members is refused unless every figure that
would differ is withheld.

Published figures are rounded (shares and exposures to 0.01, volumes to a
1–2–5 band, counts to two significant digits), withheld cells look like empty
ones, totals appear only when at least k members stand behind them, and
hotspots are counts per location — never an actor's score.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError, RiskGraphError

OTHER = "other"
SEPARATOR = ";"
#: Decimals of the published shares and exposures.
DECIMALS = 2


@dataclass(frozen=True)
class Rules:
    """The disclosure rules of a publication.

    Attributes
    ----------
    k : int
        Threshold rule: members behind every figure (default 3).
    p : float or None
        p % rule (default 10): the rest of a cell beyond its two largest
        members must be at least p % of the largest.
    dominance : (int, float) or None
        (n, k) rule: the n largest members may hold at most k % of a cell
        (default (1, 90): no member holds more than 90 %).
    """

    k: int = 3
    p: float | None = 10.0
    dominance: tuple[int, float] | None = (1, 90.0)

    def __post_init__(self) -> None:
        if self.k < 1:
            raise InputError(f"k must be at least 1, not {self.k}")
        if self.p is not None and not 0 <= self.p <= 100:
            raise InputError(f"p must lie between 0 and 100, not {self.p}")
        if self.dominance is not None and not (self.dominance[0] >= 1 and 0 < self.dominance[1] <= 100):
            raise InputError(f"dominance (n, k) needs n ≥ 1 and 0 < k ≤ 100, not {self.dominance}")

    def describe(self, lang: str = "en") -> str:
        from riskgraph.formatting import phrase

        parts = [f"k = {self.k}"]
        if self.dominance is not None:
            parts.append(phrase("publication.rule_dominance", lang, n=self.dominance[0], share=self.dominance[1]))
        if self.p is not None:
            parts.append(phrase("publication.rule_p", lang, p=self.p))
        return ", ".join(parts)


def sensitive(contributions: dict[str, float], rules: Rules) -> str | None:
    """Why a cell with these member contributions may not be published, or ``None``.

    >>> rules = Rules(k=3, p=10, dominance=(1, 90))
    >>> sensitive({"a": 5, "b": 5}, rules), sensitive({"a": 95, "b": 3, "c": 2}, rules)
    ('threshold', 'dominance')
    >>> sensitive({"a": 50, "b": 48, "c": 2}, rules), sensitive({"a": 40, "b": 35, "c": 25}, rules) is None
    ('p_percent', True)
    """
    if len(contributions) < rules.k:
        return "threshold"
    values = sorted((max(float(v), 0.0) for v in contributions.values()), reverse=True)
    total = sum(values)
    if total <= 0:
        return None  # no magnitudes (no volumes reported): counts only
    if rules.dominance is not None:
        n, percent = rules.dominance
        if sum(values[:n]) > percent / 100 * total:
            return "dominance"
    if rules.p is not None and len(values) >= 2 and total - values[0] - values[1] < rules.p / 100 * values[0]:
        return "p_percent"
    return None


def _union(cells, contributions) -> dict[str, float]:
    pooled: dict[str, float] = {}
    for cell in cells:
        for member, value in contributions.get(cell, {}).items():
            pooled[member] = pooled.get(member, 0.0) + value
    return pooled


def suppress(contributions: dict[tuple, dict[str, float]], size: dict[tuple, float], rules: Rules,
             *, forced=()) -> dict[tuple, str]:
    """Primary and secondary suppression of a stage × country table.

    Parameters
    ----------
    contributions : dict
        ``(stage, country) → {member: magnitude}`` for every non-empty cell.
    size : dict
        ``(stage, country) → value`` used to choose secondary cells (the
        smallest published cell of a line is withheld first).
    forced : iterable
        Cells to withhold whatever the rules say (figures that would differ
        from an earlier release).

    Returns
    -------
    dict
        Withheld cell → reason: ``threshold``, ``dominance``, ``p_percent``,
        ``secondary`` or ``release`` (forced).
    """
    withheld = {cell: "release" for cell in forced if cell in contributions}
    for cell, members in contributions.items():
        if cell not in withheld:
            reason = sensitive(members, rules)
            if reason:
                withheld[cell] = reason
    lines: dict[tuple, list] = {}
    for cell in contributions:
        lines.setdefault(("stage", cell[0]), []).append(cell)
        lines.setdefault(("country", cell[1]), []).append(cell)
    changed = True
    while changed:
        changed = False
        for cells in lines.values():
            hidden = [c for c in cells if c in withheld]
            if not hidden or sensitive(_union(hidden, contributions), rules) is None:
                continue
            shown = sorted((c for c in cells if c not in withheld), key=lambda c: (size.get(c, 0.0), c))
            if shown:
                withheld[shown[0]] = "secondary"
                changed = True
    return withheld


# --------------------------------------------------------------------------- rounding to bands


def volume_band(volume: float) -> tuple[float, float]:
    """The 1–2–5 band a volume lies in: ``137`` → ``(100, 200)``, ``0.7`` → ``(0.5, 1)``.

    >>> volume_band(137), volume_band(5), volume_band(0.7)
    ((100.0, 200.0), (5.0, 10.0), (0.5, 1.0))
    """
    if not volume > 0 or not math.isfinite(volume):
        return (0.0, 0.0)
    decade = 10.0 ** math.floor(math.log10(volume))
    steps = [1, 2, 5, 10]
    for low, high in zip(steps, steps[1:]):
        if volume < high * decade * (1 - 1e-12):
            return (round(low * decade, 12), round(high * decade, 12))
    return (round(10 * decade, 12), round(20 * decade, 12))


def band_label(low: float, high: float) -> str:
    return f"{low:,.6g}–{high:,.6g}"


def count_band(count: int, k: int) -> str:
    """A number of members as a band: ``k–4``, ``5–9``, ``10–19``, ``20–49``, ``50+``.

    >>> count_band(3, 3), count_band(7, 3), count_band(64, 3)
    ('3–4', '5–9', '50+')
    """
    edges = [k] + [e for e in (5, 10, 20, 50) if e > k]
    for low, high in zip(edges, edges[1:]):
        if count < high:
            return f"{low}–{high - 1}"
    return f"{edges[-1]}+"


def round_count(count: int) -> int:
    """Two significant digits: 1 234 → 1 200."""
    if count < 100:
        return int(count)
    digits = int(math.floor(math.log10(count))) - 1
    return int(round(count, -digits))


# --------------------------------------------------------------------------- magnitudes


def member_volumes(chain) -> pd.DataFrame:
    """Per actor and member: the volume the member reported through the actor (out, else in).

    Columns ``actor, member, volume``. Flows without a volume count as 0;
    a chain without volumes leaves the dominance rules without magnitudes.
    """
    flows = chain.flows
    if "member" not in flows.columns:
        raise InputError("the chain's flows have no 'member' column: merge members' chains first "
                         "(riskgraph secretariat merge)")
    volume = pd.to_numeric(flows["volume"], errors="coerce").fillna(0.0).clip(lower=0)
    out = pd.DataFrame({"actor": flows["source"], "member": flows["member"], "volume": volume})
    into = pd.DataFrame({"actor": flows["target"], "member": flows["member"], "volume": volume})
    out = out.groupby(["actor", "member"])["volume"].sum()
    into = into.groupby(["actor", "member"])["volume"].sum()
    both = pd.concat([out.rename("out"), into.rename("in")], axis=1).fillna(0.0)
    return both.max(axis=1).rename("volume").reset_index()


def cell_contributions(chain, who: pd.DataFrame) -> dict[tuple, dict[str, float]]:
    """``(stage, country) → {member: volume}`` for the cells of ``who`` (see ``location_members``)."""
    volumes = member_volumes(chain).merge(chain.actors[["id", "stage", "country"]], left_on="actor", right_on="id")
    sums = volumes.groupby(["stage", "country", "member"])["volume"].sum()
    out = {}
    for row in who.itertuples(index=False):
        cell = (row.stage, row.country)
        out[cell] = {m: float(sums.get((row.stage, row.country, m), 0.0)) for m in sorted(row.members)}
    return out


# --------------------------------------------------------------------------- what is published


@dataclass
class Publication:
    """What may be published of a sector chain, with what was held back (the latter stays internal).

    Attributes
    ----------
    k : int
    rules : Rules
    matrices : dict of DataFrame
        Per theme, stage × country exposure rounded to 0.01; withheld and
        empty cells are ``NaN`` alike; pooled cells sit in the ``other`` column.
    shares : DataFrame
        The share matrix, suppressed and rounded alike.
    members : DataFrame
        Per published cell: ``stage, country, members`` (exact, internal) and
        ``band`` (what is published).
    suppressed : int
        Cells withheld (primary and secondary).
    pooled : int
        Withheld cells whose sum is published as ``other``.
    hotspots : DataFrame
        Hotspot counts per theme and location with ≥ k members.
    links : DataFrame
        Sankey links that pass the rules, volumes as bands.
    totals : dict
        Sector totals (rounded), empty when fewer than k members contribute.
    member_labels : list of str
        The members whose chains are in the publication.
    withheld : dict
        Withheld cell → reason (internal: recorded in the ledger, never published).
    """

    k: int
    matrices: dict[str, pd.DataFrame]
    shares: pd.DataFrame
    members: pd.DataFrame
    suppressed: int
    pooled: int
    hotspots: pd.DataFrame = field(default_factory=pd.DataFrame)
    rules: Rules = field(default_factory=Rules)
    links: pd.DataFrame = field(default_factory=pd.DataFrame)
    totals: dict = field(default_factory=dict)
    member_labels: list = field(default_factory=list)
    withheld: dict = field(default_factory=dict)

    def notice(self, lang: str = "en") -> str:
        """What the publication withheld and why, in ``lang`` (``publication.notice`` of phrases.csv)."""
        from riskgraph.formatting import phrase

        return phrase("publication.notice", lang, k=self.k, rules=self.rules.describe(lang), pooled=self.pooled,
                      suppressed=self.suppressed)

    def figures(self) -> dict[str, object]:
        """Every published figure under a stable key: what a ledger compares and an attacker subtracts."""
        out: dict[str, object] = {}
        for table, frame in [("shares", self.shares), *self.matrices.items()]:
            for stage, row in frame.iterrows():
                for country, value in row.items():
                    if value == value and value != 0:
                        out[f"cell|{table}|{stage}|{country}"] = float(value)
        for row in self.links.itertuples(index=False):
            out[f"link|{row.stage}|{row.country}|{row.stage_to}|{row.country_to}"] = row.volume_band
        for row in self.hotspots.itertuples(index=False):
            out[f"hotspots|{row.theme}|{row.stage}|{row.country}"] = int(row.hotspots)
        for row in self.members.itertuples(index=False):
            out[f"members|{row.stage}|{row.country}"] = row.band
        for name, value in self.totals.items():
            out[f"total|{name}"] = value
        return out

    def to_dict(self) -> dict:
        """The publication as data (JSON-ready): what ``secretariat audit`` reads back."""
        return {"format": "riskgraph-publication/1", "k": self.k,
                "rules": {"k": self.rules.k, "p": self.rules.p,
                          "dominance": list(self.rules.dominance) if self.rules.dominance else None},
                "members": sorted(self.member_labels), "figures": self.figures()}


def _mask(frame: pd.DataFrame, shares: pd.DataFrame, withheld: dict, pooled: dict[str, list]) -> pd.DataFrame:
    frame = frame.reindex(index=shares.index, columns=shares.columns, fill_value=0.0)
    out = pd.DataFrame(np.nan, index=frame.index, columns=[*frame.columns, OTHER])
    for stage in shares.index:
        for country in shares.columns:
            if shares.loc[stage, country] != 0 and (stage, country) not in withheld:
                out.loc[stage, country] = round(float(frame.loc[stage, country]), DECIMALS)
    for stage, cells in pooled.items():
        out.loc[stage, OTHER] = round(float(frame.loc[stage, cells].sum()), DECIMALS)
    if not pooled:
        out = out.drop(columns=OTHER)
    return out.replace(0.0, np.nan)


def build_publication(assessment, *, rules: Rules, nodes=None, hotspots: pd.DataFrame | None = None,
                      forced=(), members=None) -> Publication:
    """The sector picture under ``rules``: see :func:`riskgraph.covenant.secretariat.publish`."""
    from riskgraph.covenant.secretariat import location_members

    nodes = list(nodes) if nodes is not None else assessment.chain_ends
    chain = assessment.chain
    who = location_members(assessment, nodes)
    contributions = cell_contributions(chain, who)
    shares = assessment.shares(nodes)
    present = {(s, c) for s in shares.index for c in shares.columns if shares.loc[s, c] != 0}
    contributions = {cell: v for cell, v in contributions.items() if cell in present}
    for cell in present - set(contributions):
        contributions[cell] = {}
    size = {cell: float(shares.loc[cell]) for cell in present}
    withheld = suppress(contributions, size, rules, forced=[tuple(c) for c in forced if c[1] != OTHER])
    pooled = {}
    for stage in shares.index:
        hidden = sorted(c for (s, c) in withheld if s == stage)
        forced_pool = (stage, OTHER) in {tuple(c) for c in forced}
        if len(hidden) > 1 and not forced_pool and sensitive(_union([(stage, c) for c in hidden], contributions),
                                                             rules) is None:
            pooled[stage] = hidden
    counts = {cell: len(m) for cell, m in contributions.items()}
    member_rows = [{"stage": s, "country": c, "members": counts[(s, c)]} for s, c in sorted(present - set(withheld))]
    member_rows += [{"stage": s, "country": OTHER, "members": len(_union([(s, c) for c in cells], contributions))}
                    for s, cells in pooled.items()]
    member_frame = pd.DataFrame(member_rows, columns=["stage", "country", "members"])
    member_frame["band"] = [count_band(n, rules.k) for n in member_frame["members"]]
    labels = sorted(set(members) if members is not None else
                    {m for v in chain.actors["members"].dropna() for m in str(v).split(SEPARATOR)})
    published_cells = present - set(withheld)
    return Publication(
        k=rules.k, rules=rules,
        matrices={t: _mask(assessment.matrix(nodes, t), shares, withheld, pooled) for t in assessment.themes},
        shares=_mask(shares, shares, withheld, pooled), members=member_frame,
        suppressed=len(withheld), pooled=sum(len(v) for v in pooled.values()),
        hotspots=_hotspot_counts(chain, hotspots, contributions, published_cells, rules),
        links=_links(chain, rules, forced), totals=_totals(assessment, nodes, labels, rules),
        member_labels=labels, withheld=withheld,
    )


def _hotspot_counts(chain, hotspots, contributions, published, rules) -> pd.DataFrame:
    """Hotspots per theme and published location: a count, never a score or an actor."""
    columns = ["theme", "stage", "country", "hotspots", "members"]
    if hotspots is None or not len(hotspots):
        return pd.DataFrame(columns=columns)
    actors = chain.actors.set_index("id")[["stage", "country"]]
    frame = hotspots[["actor", *(["theme"] if "theme" in hotspots.columns else [])]].merge(
        actors, left_on="actor", right_index=True)
    if "theme" not in frame.columns:
        frame["theme"] = "all"
    grouped = frame.groupby(["theme", "stage", "country"]).agg(hotspots=("actor", "nunique")).reset_index()
    keep = [(s, c) in published for s, c in zip(grouped["stage"], grouped["country"])]
    grouped = grouped[keep].copy()
    grouped["members"] = [count_band(len(contributions[(s, c)]), rules.k)
                          for s, c in zip(grouped["stage"], grouped["country"])]
    return grouped[columns].sort_values(["hotspots", "theme", "stage", "country"], ascending=[False, True, True, True]) \
        .reset_index(drop=True)


def _links(chain, rules: Rules, forced=()) -> pd.DataFrame:
    """Sankey links between locations that pass the rules, volumes as 1–2–5 bands."""
    columns = ["stage", "country", "stage_to", "country_to", "volume_band", "low", "high"]
    actors = chain.actors.set_index("id")[["stage", "country"]]
    flows = chain.flows
    links = (flows.assign(volume=pd.to_numeric(flows["volume"], errors="coerce").fillna(0.0))
             .merge(actors, left_on="source", right_index=True)
             .merge(actors.add_suffix("_to"), left_on="target", right_index=True))
    keys = ["stage", "country", "stage_to", "country_to"]
    rows = []
    skip = {tuple(f) for f in forced}
    for key, group in links.groupby(keys):
        by_member = group.groupby("member")["volume"].sum().to_dict()
        if ("link", *key) in skip or sensitive(by_member, rules) is not None:
            continue
        low, high = volume_band(float(group["volume"].sum()))
        if high > 0:
            rows.append({**dict(zip(keys, key)), "volume_band": band_label(low, high), "low": low, "high": high})
    return pd.DataFrame(rows, columns=columns)


def _totals(assessment, nodes, labels, rules) -> dict:
    """Sector totals, rounded; none when fewer than k members contribute."""
    chain = assessment.chain
    if len(labels) < rules.k:
        return {}
    unknown = assessment.portfolio_unknown_share(nodes)
    return {"members": len(labels), "actors": round_count(len(chain.actors)),
            "flows": round_count(len(chain.flows)), "countries": int(chain.actors["country"].nunique()),
            "unknown_share": round(float(unknown) * 20) / 20}


# --------------------------------------------------------------------------- the ledger


class ReleaseRefused(RiskGraphError):
    """A release that would let readers subtract it from an earlier one (exit 1)."""


@dataclass
class Ledger:
    """The record of a secretariat's releases: member set, published figures and suppression pattern.

    A confidential file of the secretariat (like ``members.csv``): JSON,
    one entry per release. :meth:`check` compares a new publication with
    every recorded one.
    """

    path: Path
    releases: list = field(default_factory=list)

    @classmethod
    def open(cls, path: Path | str) -> "Ledger":
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            releases = list(data["releases"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise InputError(f"is not a riskgraph release ledger ({exc})", path=path) from None
        return cls(path, releases)

    def conflicts(self, publication: Publication) -> list[tuple[dict, set, list[str]]]:
        """Recorded releases the new one differs from by fewer than k members, with the figures that differ."""
        members = set(publication.member_labels)
        figures = publication.figures()
        found = []
        for release in self.releases:
            apart = members ^ set(release["members"])
            if not apart or len(apart) >= publication.k:
                continue
            earlier = release["figures"]
            differ = sorted(key for key, value in figures.items() if key in earlier and earlier[key] != value)
            if differ:
                found.append((release, apart, differ))
        return found

    def record(self, publication: Publication, output: str) -> None:
        entry = {"released": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "output": output,
                 "k": publication.k, "members": sorted(publication.member_labels),
                 "withheld": [[s, c, r] for (s, c), r in sorted(publication.withheld.items())],
                 "figures": publication.figures()}
        self.releases.append(entry)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps({"format": "riskgraph-ledger/1", "releases": self.releases},
                                        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        temporary.replace(self.path)


def forced_from(keys: list[str]) -> list[tuple]:
    """Figure keys that differ → cells and links to withhold."""
    out = []
    for key in keys:
        parts = key.split("|")
        if parts[0] == "cell":
            out.append((parts[2], parts[3]))
        elif parts[0] in ("members", "hotspots"):
            out.append((parts[-2], parts[-1]))
        elif parts[0] == "link":
            out.append(("link", *parts[1:]))
    return out


def refusal(conflicts) -> str:
    release, apart, differ = conflicts[0]
    return (f"this release differs from the release of {release['released']} ({release['output']}) by "
            f"{len(apart)} member(s), fewer than k; {len(differ)} figure(s) would differ (e.g. {differ[0]}), and "
            "subtracting the two releases would reveal those members' figures. Publish when the member set "
            "differs by at least k members, or add --suppress-differences to withhold every figure that "
            "would differ")


__all__ = ["Ledger", "OTHER", "Publication", "ReleaseRefused", "Rules", "band_label", "build_publication",
           "count_band", "sensitive", "suppress", "volume_band"]
