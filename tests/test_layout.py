"""The package layout as a specification: one package per design area, small modules, imports one way."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "riskgraph"
MAX_LINES = 800


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _import_graph(*, module_level_only: bool) -> nx.DiGraph:
    """Edges module → module it imports, leaving out a package's own re-exports and the top-level API."""
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if module_level_only else ast.walk(tree)
        for node in nodes:
            if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
                continue
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("riskgraph"):
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                if target in modules and target != "riskgraph" and not target.startswith(name + ".") \
                        and not name.startswith(target + "."):
                    graph.add_edge(name, target)
    return graph


def test_no_module_is_longer_than_800_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_modules_do_not_import_each_other_in_a_circle():
    cycles = list(nx.simple_cycles(_import_graph(module_level_only=True)))
    assert cycles == []


@pytest.mark.parametrize("area, expected", [
    ("the risk formula", "riskgraph/risk/engine.py"),
    ("the EUDR rules", "riskgraph/regulation/eudr.py"),
    ("the CMRT reader", "riskgraph/sources/cmrt.py"),
    ("the geolocation rules", "riskgraph/geo/rules.py"),
    ("the chain model", "riskgraph/chain/model.py"),
])
def test_a_newcomer_finds_each_area_by_name(area, expected):
    assert (PACKAGE.parent / expected).is_file(), area


def test_the_public_api_is_importable_from_the_top():
    import riskgraph as rg

    for name in ("read_chain", "write_chain", "assess", "validate_chain", "Chain", "Assessment",
                 "find_hotspots", "open_store", "html_report", "matrix_workbook", "generate_chain", "compare"):
        assert callable(getattr(rg, name)), name
