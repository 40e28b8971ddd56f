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

#: Names loaded on first use, so that ``import riskgraph`` (and ``riskgraph --help``)
#: stays quick: pandas, scipy, scikit-learn, shapely and the database drivers load
#: only when a function that needs them is first used.
_LAZY = {
    "read_chain": "riskgraph.chain.io",
    "write_chain": "riskgraph.chain.io",
    "Chain": "riskgraph.chain.model",
    "SECTORS": "riskgraph.chain.model",
    "THEMES": "riskgraph.chain.model",
    "stages_of": "riskgraph.chain.model",
    "Assessment": "riskgraph.risk",
    "assess": "riskgraph.risk",
    "priorities": "riskgraph.risk",
    "ValidationReport": "riskgraph.chain.validate",
    "validate_chain": "riskgraph.chain.validate",
    "find_hotspots": "riskgraph.hotspots",
    "open_store": "riskgraph.store",
    "html_report": "riskgraph.report",
    "matrix_workbook": "riskgraph.report",
    "generate_chain": "riskgraph.chain.generate",
    "compare": "riskgraph.covenant.diff",
}


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
    "ChainError",
    "InputError",
    "RiskGraphError",
    "StoreError",
    "__version__",
    *_LAZY,
]
