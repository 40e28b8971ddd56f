"""The exceptions riskgraph raises, and when.

``RiskGraphError`` is the root, so callers can catch everything of ours in one
clause. The command line turns each of them into a one-line message and an
exit code, never a traceback.
"""
from __future__ import annotations


class RiskGraphError(Exception):
    """Base class of every error riskgraph raises on purpose."""


class InputError(RiskGraphError):
    """A file or option cannot be used at all: missing, unreadable, wrong format.

    Row-level problems are not raised; they are collected in a
    :class:`riskgraph.chain.validate.ValidationReport` and the rows quarantined.
    """

    def __init__(self, message: str, *, path: object | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path is not None else message)


class ChainError(RiskGraphError):
    """The chain's structure makes a computation impossible.

    Raised, for example, for a closed material loop (a cycle that never leaks
    material), where upstream weights would be infinite. ``actors`` names the
    actors involved so the user can find them.
    """

    def __init__(self, message: str, *, actors: list[str] | None = None) -> None:
        self.actors = list(actors or [])
        super().__init__(message)


class StoreError(RiskGraphError):
    """A graph store cannot be reached, refused the credentials, or failed a write."""


MISSING_EXTRA = "{package} is needed for this; install it with: pip install 'riskgraph[{extra}]'"


def missing_dependency(package: str, extra: str) -> RiskGraphError:
    """The one-line error for an optional dependency that is not installed."""
    return RiskGraphError(MISSING_EXTRA.format(package=package, extra=extra))
