"""Cypher files: found by name in ``cypher/``, their parameters declared in a header.

Every statement riskgraph sends to a graph store is a file under ``cypher/``
(DESIGN §1): ``schema/`` (DDL per backend), ``load/`` (batched upserts),
``admin/`` (counts, clearing) and ``queries/`` (read queries that users can
run by name: ``riskgraph db query upstream --param node=…``). Values always
travel as parameters; no Cypher is ever assembled from data.

A file declares its parameters in comment lines, one per parameter::

    // :param node str  the actor id
    // :param max_depth int = 12  follow at most this many flows

``name type [= default]  description``; the type is one of ``str``, ``int``,
``float``, ``bool``, ``list``; the default is a JSON literal (``null``,
``12``, ``""``). A parameter without a default is required.
"""
from __future__ import annotations

import json
import numbers
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from riskgraph._resources import cypher_path
from riskgraph.errors import InputError

_PARAM = re.compile(r"^//\s*:param\s+(\w+)\s+(str|int|float|bool|list)(?:\s*=\s*(\S+))?\s*(.*)$")
_REQUIRED = object()
_TYPES = {"str": str, "int": numbers.Integral, "float": numbers.Real, "bool": bool, "list": (list, tuple)}


@dataclass(frozen=True)
class Param:
    """One declared parameter of a Cypher file."""

    name: str
    type: str
    default: object = _REQUIRED
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def parse(self, text: str) -> object:
        """A value given as text (``--param k=v`` on the command line) → the declared type.

        >>> Param("max_depth", "int").parse("3"), Param("sources", "list").parse("a,b")
        (3, ['a', 'b'])
        """
        try:
            if self.type == "int":
                return int(text)
            if self.type == "float":
                return float(text)
            if self.type == "bool":
                lowered = text.strip().lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                return lowered in ("true", "1", "yes")
            if self.type == "list":
                if text.lstrip().startswith("["):
                    value = json.loads(text)
                    if not isinstance(value, list):
                        raise ValueError(text)
                    return value
                return [part.strip() for part in text.split(",") if part.strip()]
        except ValueError:
            raise InputError(f"parameter '{self.name}' must be {_A[self.type]}, not {text!r}") from None
        return text


_A = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
      "list": "a list (a JSON list or comma-separated values)"}


@dataclass(frozen=True)
class CypherFile:
    """A Cypher file: its text, the statements in it and its declared parameters."""

    name: str
    path: Path
    text: str
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """The file's leading comment, without the ``:param`` lines."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("//"):
                break
            if not _PARAM.match(line):
                lines.append(line[2:].strip())
        return " ".join(line for line in lines if line)

    @property
    def statements(self) -> list[str]:
        """The statements of the file, split at ``;`` line ends (schema files hold several)."""
        body = "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("//"))
        return [part.strip() for part in re.split(r";\s*(?:\n|$)", body) if part.strip()]

    def bind(self, given: dict[str, object]) -> dict[str, object]:
        """The parameters to send: declared defaults filled in, unknown or missing ones refused.

        A file that declares no parameters takes whatever it is given.
        """
        if not self.params:
            return dict(given)
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            raise InputError(f"{self.name} has no parameter {', '.join(map(repr, unknown))}; "
                             f"its parameters: {self.signature()}")
        missing = [p.name for p in self.params.values() if p.required and p.name not in given]
        if missing:
            raise InputError(f"{self.name} needs the parameter {', '.join(map(repr, missing))}; "
                             f"its parameters: {self.signature()}")
        out = {}
        for name, param in self.params.items():
            value = given.get(name, None if param.required else param.default)
            if value is not None and not isinstance(value, _TYPES[param.type]) or (
                param.type in ("int", "float") and isinstance(value, bool)
            ):
                raise InputError(f"parameter '{name}' of {self.name} must be {_A[param.type]}, not {value!r}")
            if value is not None and param.type in ("int", "float"):
                value = int(value) if param.type == "int" else float(value)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def signature(self) -> str:
        """``node (str), max_depth (int, default 12)``: for messages and help."""
        parts = []
        for p in self.params.values():
            default = "" if p.required else f", default {json.dumps(p.default)}"
            parts.append(f"{p.name} ({p.type}{default})")
        return ", ".join(parts) or "none"


def _parse(name: str, path: Path) -> CypherFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the Cypher file ({exc})", path=path) from None
    params = {}
    for line in text.splitlines():
        match = _PARAM.match(line.strip())
        if match:
            pname, ptype, default, help_text = match.groups()
            value = _REQUIRED
            if default is not None:
                try:
                    value = json.loads(default)
                except ValueError:
                    raise InputError(f"default of parameter '{pname}' is not a JSON literal: {default}",
                                     path=path) from None
            params[pname] = Param(pname, ptype, value, help_text.strip())
    return CypherFile(name=name, path=path, text=text, params=params)


@lru_cache(maxsize=None)
def bundled(folder: str, name: str) -> CypherFile:
    """A file shipped in ``cypher/<folder>/<name>.cypher``."""
    path = cypher_path(folder, f"{name}.cypher")
    if not path.is_file():
        raise InputError(f"no Cypher file {folder}/{name}.cypher in {cypher_path()}")
    return _parse(name, path)


def query_names() -> list[str]:
    """The names of the bundled read queries (``cypher/queries/*.cypher``)."""
    return sorted(p.stem for p in cypher_path("queries").glob("*.cypher"))


def query_file(name_or_path: str | Path) -> CypherFile:
    """A bundled query by name (``"upstream"``) or a file of the user's whose name ends in ``.cypher``.

    Nothing else is read: a path to any other file (``/etc/passwd``) is
    refused before it is opened, so its content never reaches the server
    (whose error message would echo it).
    """
    text = str(name_or_path)
    if text.lower().endswith(".cypher"):
        path = Path(name_or_path)
        if not path.is_file():
            raise InputError("no such Cypher file", path=path)
        return _parse(path.stem, path)
    if text not in query_names():
        raise InputError(f"no query named {text[:80]!r}; bundled queries: {', '.join(query_names())} "
                         "(or a path to a file whose name ends in .cypher)")
    return bundled("queries", text)
