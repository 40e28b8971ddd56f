"""riskgraph: supply-chain due diligence as graphs.

Value chains of gold, natural stone, textiles and food as graphs of actors and
material flows; a chain-location risk matrix (stage × country) for every node,
computed from what flows into it; hotspots ranked so that due diligence goes
where it matters.

The Python API is the product; the ``riskgraph`` command line and the
notebooks are thin layers over it.
"""
from importlib.metadata import PackageNotFoundError, version as _version

from riskgraph.errors import ChainError, InputError, RiskGraphError, StoreError
from riskgraph.chain.io import read_chain, write_chain
from riskgraph.chain.model import Chain, SECTORS, THEMES, stages_of
from riskgraph.risk import Assessment, assess, priorities
from riskgraph.chain.validate import ValidationReport, validate_chain

#: Functions loaded on first use, so that ``import riskgraph`` stays quick
#: (scikit-learn, shapely and the database drivers load only when needed).
_LAZY = {
    "find_hotspots": "riskgraph.hotspots",
    "open_store": "riskgraph.store",
    "html_report": "riskgraph.report",
    "matrix_workbook": "riskgraph.report",
    "generate_chain": "riskgraph.chain.generate",
    "compare": "riskgraph.covenant.diff",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'riskgraph' has no attribute {name!r}")


try:
    __version__ = _version("riskgraph")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "Assessment",
    "Chain",
    "assess",
    "priorities",
    "ChainError",
    "InputError",
    "RiskGraphError",
    "SECTORS",
    "StoreError",
    "THEMES",
    "ValidationReport",
    "read_chain",
    "stages_of",
    "validate_chain",
    "write_chain",
    "__version__",
    *_LAZY,
]
