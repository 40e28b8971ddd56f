"""EU conflict minerals (Regulation (EU) 2017/821) and the OECD 3TG guidance, for a chain.

``view`` is the entry point (:func:`conflict_minerals` → :class:`MineralsReport`);
``refiners`` matches refiners to the RMI list; ``flags`` finds red flags with
their paths; ``thresholds`` decides who is a Union importer and compares
imported volumes with Annex I; ``steps`` lays out the OECD five steps;
``reference`` holds the reference data (CAHRA list, Annex I, conformant
lists, transit hubs).
"""
from riskgraph.regulation.minerals.reference import (
    DEFAULT_ACCEPTED,
    EU_MEMBER_STATES,
    FLAG_COLUMNS,
    FLAG_RULES,
    METALS,
    FlagReason,
    annex_thresholds,
    cahra_countries,
    conformant_table,
    metal_of,
    read_conformant,
    transit_hubs,
)
from riskgraph.regulation.minerals.steps import oecd_steps
from riskgraph.regulation.minerals.thresholds import supply_form, threshold_table, union_importers
from riskgraph.regulation.minerals.view import MineralsReport, conflict_minerals

__all__ = [
    "DEFAULT_ACCEPTED",
    "EU_MEMBER_STATES",
    "FLAG_COLUMNS",
    "FLAG_RULES",
    "FlagReason",
    "METALS",
    "MineralsReport",
    "annex_thresholds",
    "cahra_countries",
    "conflict_minerals",
    "conformant_table",
    "metal_of",
    "read_conformant",
    "oecd_steps",
    "supply_form",
    "threshold_table",
    "transit_hubs",
    "union_importers",
]
