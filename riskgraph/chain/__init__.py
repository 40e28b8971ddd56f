"""The data and its checks: the :class:`Chain` model, readers and writers, validation, countries, synthetic chains.

``model`` fixes the tables, columns, dtypes and vocabularies; ``io`` reads and
writes them (CSV, Excel, Parquet, GeoJSON); ``validate`` checks them lazily and
keeps a quarantine; ``countries`` maps names and codes to ISO alpha-2;
``generate`` builds synthetic chains of any size.
"""
from riskgraph.chain.io import read_chain, read_geojson_plots, write_chain
from riskgraph.chain.model import SECTORS, THEMES, Chain, stages_of
from riskgraph.chain.validate import ValidationReport, validate_chain

__all__ = [
    "Chain", "SECTORS", "THEMES", "ValidationReport", "read_chain", "read_geojson_plots", "stages_of",
    "validate_chain", "write_chain",
]
