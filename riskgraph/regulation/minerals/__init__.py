"""EU conflict minerals (Regulation (EU) 2017/821) and the OECD 3TG guidance, for a chain.

``view`` is the entry point (:func:`conflict_minerals` → :class:`MineralsReport`);
``refiners`` matches refiners to the RMI list; ``flags`` finds red flags with
their paths; ``thresholds`` compares volumes with Annex I; ``reference`` holds
the reference data (CAHRA list, Annex I, conformant lists).
"""
from riskgraph.regulation.minerals.reference import (
    DEFAULT_ACCEPTED,
    FLAG_COLUMNS,
    METALS,
    FlagReason,
    annex_thresholds,
    cahra_countries,
    conformant_table,
    metal_of,
    read_conformant,
)
from riskgraph.regulation.minerals.thresholds import threshold_table
from riskgraph.regulation.minerals.view import MineralsReport, conflict_minerals

__all__ = [
    "DEFAULT_ACCEPTED",
    "FLAG_COLUMNS",
    "FlagReason",
    "METALS",
    "MineralsReport",
    "annex_thresholds",
    "cahra_countries",
    "conflict_minerals",
    "conformant_table",
    "metal_of",
    "read_conformant",
    "threshold_table",
]
