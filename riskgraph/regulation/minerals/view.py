"""EU conflict minerals (Regulation (EU) 2017/821): refiners, red flags with their paths, Annex I thresholds.

Gold, tin, tantalum and tungsten (3TG) pass through a smelter or refiner,
the control point of OECD minerals due diligence. :func:`conflict_minerals`
answers three questions for the company nodes of a chain:

1. **Which refiners and smelters are there, and are they identified?**
   Actors at stage ``refiner`` or carrying a ``smelter_id``, and the smelters
   named in suppliers' CMRTs, are mapped to the RMI smelter/refiner list: by
   CID first, by name and alias (:func:`riskgraph.sources.match.suggest_smelter_ids`,
   with its score) when the CID is missing. A user-supplied list of
   conformant smelters (``CID, status, date``) gives each identified one a
   status.
2. **Which 3TG reaches the company from where, and through which refiner?**
   Flags, each with the heaviest path that carries the material (the path
   whose product of input shares is largest) and the share of the company's
   material it represents:

   ``unidentified_refiner``
       material passed through a refiner with no CID (or a CID that is not
       on the RMI list, or a CMRT's "smelter not yet identified"); share =
       ``W[r, n]``, the share of n's material that passed through r.
   ``non_conformant_refiner``
       the same for an identified refiner whose status on the conformant
       list is not accepted (by default only ``conformant`` is; ``active``
       and ``non-conformant`` are not), or that is missing from that list.
       Without a conformant list no refiner is flagged for its status: the
       status is ``unknown``.
   ``cahra_origin``
       material that entered the chain (a mine or a recycler: the sector's
       chain-start stages) in a country on the EU CAHRA indicative list
       **and reaches the company without passing through a conformant
       refiner**. share = Σ over such origins u of ``W'[u, n]``, where
       ``W'`` is computed with the outputs of conformant refiners cut.

   The cut in ``cahra_origin`` is a deliberate choice: a conformant refiner
   has been audited on exactly this risk (the RMAP/LBMA standards examine
   the refiner's CAHRA sourcing), so gold from a CAHRA-listed country that
   passes through it is the refiner's documented due diligence, not a red
   flag for the buyer. Gold from the same country through an unidentified
   or non-conformant refiner is flagged twice: once for its origin and once
   for the refiner, each with its path. Without a conformant list no refiner
   is conformant, so every CAHRA origin is flagged.
   ``cahra_transit``
       material that entered the chain outside a CAHRA and then passed an
       intermediary located in a CAHRA-listed country, with the same cut by
       conformant refiners. share = ``W'[u, n]`` × the share of u's own
       material that did not enter in a CAHRA (what entered in a CAHRA is
       already flagged ``cahra_origin``).
   ``transit_hub``
       the same for gold passing an intermediary in a country known as a
       transit or trading hub for conflict gold (``datasets/reference/raw/
       minerals_transit_hubs.csv``: The Sentry 2020 and the UN Group of
       Experts on the DRC 2020; the same table sets the reference data's
       conflict-financing floor for gold).

3. **Is the company a Union importer, and above which Annex I threshold?**
   (:mod:`riskgraph.regulation.minerals.thresholds`). An actor in the EU
   receiving Annex I material from outside the EU imports it; its *imported*
   kg per year are compared with the Annex I row of the material's form (ore
   or concentrate, unrefined gold, refined metal, compound). Non-importers
   are reported with the reason. The OECD five steps follow, each with what
   the data show (:mod:`riskgraph.regulation.minerals.steps`).

Every flag and table row carries the rule it applies and its article
(``datasets/regulation/minerals_rules.csv``, ``riskgraph minerals --rules``).

Notes
-----
* Material is followed per metal: a flow's metal is its commodity (``gold``,
  ``doré``, ``cassiterite``, ``coltan``, ``wolframite``, … via the commodity
  aliases), else its source actor's; a gold-sector actor without a
  commodity is gold. Each metal has its own input shares, so tin does not
  dilute gold.
* Weights come from :func:`riskgraph.risk.upstream_weights`. On a chain with
  a leaking cycle (recycling) ``W`` counts passes, so a refiner's share may
  exceed the material's single-pass share (DESIGN §3.5). The cut weights
  ``W'`` are a sparse solve of ``(I − S') x = e_n``; ``_cahra_shares_by_paths``
  is the path-enumeration reference used in the tests.
* CMRT smelters are declared by a supplier, not placed in the chain: their
  flags name the CMRT's company as the node and carry no share.
* Thresholds: only kg imported from outside the EU count, per Annex I row
  (Art. 1(3)); see :mod:`riskgraph.regulation.minerals.thresholds`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from riskgraph.errors import InputError
from riskgraph.graph import chain_ends
from riskgraph.chain.model import Chain
from riskgraph.regulation.minerals.flags import _chain_flags, _cmrt_flags
from riskgraph.regulation.minerals.reference import DEFAULT_ACCEPTED, FLAG_COLUMNS, FLAG_RULES, NO_CONFORMANT_LIST, REFINER_COLUMNS, _status, cahra_countries, conformant_table, read_conformant
from riskgraph.regulation.minerals.refiners import _chain_refiners, _cmrt_refiners, _metal_chains, _with_status
from riskgraph.regulation.common import article
from riskgraph.regulation.minerals.steps import oecd_steps
from riskgraph.regulation.minerals.thresholds import threshold_table, union_importers


# --------------------------------------------------------------------------- result


@dataclass
class MineralsReport:
    """What :func:`conflict_minerals` returns.

    Attributes
    ----------
    nodes : list of str
        The company nodes examined.
    refiners : DataFrame
        One row per refiner or smelter, in the chain (``source`` = ``chain``)
        or in a CMRT (``source`` = the file): ``actor, name, metal, country,
        source, smelter_id`` (as resolved), ``smelter_id_given, rmi_name,
        match`` (``cid``, ``cid_other_metal``, ``cid_unknown``,
        ``cid_unchecked``, ``name``, ``review``, ``none``,
        ``not_identified``), ``score`` (name matches), ``status``
        (the conformant list's status, ``not_in_list``, ``unknown`` or
        ``unidentified``) and ``status_date``.
    flags : DataFrame
        ``node, metal, reason, origin_country, refiner, smelter_id, status,
        path, share, path_share, source``: ``share`` is the share of the
        node's material of that metal the flag concerns; ``path`` the
        heaviest path that carries it and ``path_share`` the share that
        followed exactly that path.
    thresholds : DataFrame
        Union importers' imported kg per Annex I row against its threshold
        (:data:`riskgraph.regulation.minerals.thresholds.THRESHOLD_COLUMNS`).
    importers : DataFrame
        Whether each node is a Union importer, with the reason.
    steps : DataFrame
        The OECD five steps per node with what the data show.
    cmrt_findings : DataFrame
        What the CMRT importer reported (missing fields, inconsistencies,
        CIDs not on the RMI list).
    notes : list of str
        Assumptions that apply to the whole report.
    """

    nodes: list[str]
    refiners: pd.DataFrame
    flags: pd.DataFrame
    thresholds: pd.DataFrame
    importers: pd.DataFrame = field(default_factory=pd.DataFrame)
    steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    cmrt_findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """True when at least one flag was raised."""
        return len(self.flags) > 0

    def summary(self) -> dict:
        """Counts: flags by reason and metal, refiners by status, thresholds reached."""
        return {
            "nodes": len(self.nodes),
            "flags": len(self.flags),
            "flags_by_reason": {str(k): int(v) for k, v in self.flags["reason"].value_counts().items()},
            "flags_by_metal": {str(k): int(v) for k, v in self.flags["metal"].value_counts().items()},
            "refiners": len(self.refiners),
            "refiners_by_status": {str(k): int(v) for k, v in self.refiners["status"].value_counts().items()},
            "thresholds_above": int((self.thresholds["position"] == "above").sum()),
            "union_importers": int(self.importers["importer"].sum()) if len(self.importers) else 0,
        }

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``nodes, summary, notes, importers, flags, refiners, thresholds, steps,
        cmrt_findings``."""
        from riskgraph.output import to_jsonable

        return {
            "nodes": list(self.nodes),
            "summary": self.summary(),
            "notes": list(self.notes),
            "importers": to_jsonable(self.importers),
            "flags": to_jsonable(self.flags),
            "refiners": to_jsonable(self.refiners),
            "thresholds": to_jsonable(self.thresholds),
            "steps": to_jsonable(self.steps),
            "cmrt_findings": to_jsonable(self.cmrt_findings),
        }


# --------------------------------------------------------------------------- entry point


def conflict_minerals(
    chain: Chain,
    *,
    node: str | Sequence[str] | None = None,
    cmrts: Iterable = (),
    rmi: pd.DataFrame | Path | str | None = None,
    conformant: pd.DataFrame | Path | str | None = None,
    accept: Sequence[str] = DEFAULT_ACCEPTED,
    year: int | None = None,
    cahra: Iterable[str] | None = None,
    threshold: float | None = None,
) -> MineralsReport:
    """EU conflict-minerals view of a chain: refiners, flags with their paths, Annex I thresholds.

    Parameters
    ----------
    chain : Chain
        A validated chain (:func:`riskgraph.read_chain`).
    node : str or list of str, optional
        The company node(s) to examine; default every chain end.
    cmrts : iterable of CmrtReport or path
        Suppliers' CMRTs (:func:`riskgraph.sources.read_cmrt`, or paths).
    rmi : DataFrame or path, optional
        The RMI smelter/refiner list (:func:`riskgraph.sources.read_rmi_smelter_list`).
        Without it CIDs are taken as given (``match`` = ``cid_unchecked``)
        and refiners without a CID stay unidentified.
    conformant : DataFrame or path, optional
        Smelters' conformance, ``CID, status, date`` (:func:`read_conformant`).
    accept : sequence of str
        Conformant-list statuses that count as conformant (default
        ``("conformant",)``; add ``"active"`` to accept smelters whose audit
        is under way).
    year : int, optional
        Use only the flows of this year (shares and thresholds).
    cahra : iterable of str, optional
        ISO alpha-2 codes to use instead of the bundled EU CAHRA list.
    threshold : float, optional
        Name-match threshold (default :data:`riskgraph.sources.match.DEFAULT_THRESHOLD`).

    Returns
    -------
    MineralsReport

    Raises
    ------
    InputError
        An unknown node id, or an unreadable CMRT, RMI list or conformant list.
    ChainError
        A closed material loop in the chain.

    Examples
    --------
    >>> import riskgraph as rg  # doctest: +SKIP
    >>> report = conflict_minerals(rg.read_chain("datasets/gold"), node="GLD-RTL-NL-23")  # doctest: +SKIP
    >>> report.flags[["reason", "origin_country", "refiner", "share", "path"]]  # doctest: +SKIP
    """
    from riskgraph.sources.match import DEFAULT_THRESHOLD

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    nodes = _nodes(chain, node)
    rmi = _load_rmi(rmi)
    reports = [_load_cmrt(c) for c in cmrts]
    conformant_given = conformant is not None
    if conformant is not None:
        conformant = read_conformant(conformant) if isinstance(conformant, (str, Path)) else conformant_table(
            conformant)
    accepted = {_status(s) for s in accept}
    cahra_set = frozenset(cahra) if cahra is not None else cahra_countries()

    chain_refiners = _chain_refiners(chain, rmi=rmi, threshold=threshold)
    cmrt_refiners, findings = _cmrt_refiners(reports, rmi=rmi, threshold=threshold)
    refiners = pd.concat([f for f in (chain_refiners, cmrt_refiners) if len(f)] or [chain_refiners],
                         ignore_index=True)
    refiners = _with_status(refiners, conformant)

    flags = []
    reach: dict = {"refiners": {}, "traced": {}, "recycled": {}}
    chain_rows = refiners[refiners["source"] == "chain"]
    for metal, sub in _metal_chains(chain).items():
        flags.extend(_chain_flags(sub, metal, nodes, chain_rows, accepted=accepted, conformant_given=conformant_given,
                                  cahra=cahra_set, year=year, reach=reach))
    flags.extend(_cmrt_flags(refiners[refiners["source"] != "chain"], reports, accepted=accepted,
                             conformant_given=conformant_given, cahra=cahra_set))
    flag_frame = pd.DataFrame(flags, columns=FLAG_COLUMNS)
    flag_frame["rule_id"] = flag_frame["reason"].map(FLAG_RULES)
    flag_frame["article"] = flag_frame["rule_id"].map(lambda r: article("minerals", r) if isinstance(r, str) else None)
    if len(flag_frame):
        flag_frame = flag_frame.sort_values(["node", "metal", "reason", "share"], ascending=[True, True, True, False],
                                            kind="stable", na_position="last").reset_index(drop=True)
    notes = [] if conformant_given else [NO_CONFORMANT_LIST]
    if rmi is None:
        notes.append("no RMI list given: CIDs are taken as given and refiners without a CID stay unidentified")
    importers = union_importers(chain, nodes, year=year)
    thresholds = threshold_table(chain, nodes, year=year)
    steps = oecd_steps(nodes, flags=flag_frame, refiners_reached=reach["refiners"], traced=reach["traced"],
                       importers=importers, thresholds=thresholds, recycled=reach["recycled"])
    return MineralsReport(nodes=nodes, refiners=refiners[REFINER_COLUMNS], flags=flag_frame, thresholds=thresholds,
                          importers=importers, steps=steps, cmrt_findings=findings, notes=notes)


def _nodes(chain: Chain, node) -> list[str]:
    if node is None:
        return list(chain_ends(chain))
    wanted = [node] if isinstance(node, str) else list(node)
    known = set(chain.actors["id"])
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise InputError(f"unknown actor id(s) {unknown}: a node must be an actor id of the chain")
    return wanted


def _load_rmi(rmi):
    if rmi is None or isinstance(rmi, pd.DataFrame):
        return rmi
    from riskgraph.sources import read_rmi_smelter_list

    return read_rmi_smelter_list(rmi)


def _load_cmrt(value):
    from riskgraph.sources import CmrtReport, read_cmrt

    return value if isinstance(value, CmrtReport) else read_cmrt(value)
