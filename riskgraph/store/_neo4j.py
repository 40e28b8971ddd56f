"""Neo4j backend: the official ``neo4j`` driver, Neo4j 5 (a server, Aura, or a cluster)."""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import neo4j
from neo4j import exceptions as errors
from neo4j.graph import Node, Path, Relationship

from riskgraph.errors import InputError, StoreError
from riskgraph.store._base import GraphStore, _batches, _what, without_credentials
from riskgraph.store._cypher import bundled

SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
#: Flow batches in flight at once when creating flows (see Neo4jStore._load_batches).
FLOW_SESSIONS = 2


class Neo4jStore(GraphStore):
    """A chain in Neo4j.

    Parameters
    ----------
    uri : str, optional
        ``neo4j://``, ``neo4j+s://``, ``bolt://`` or ``bolt+s://`` (``+ssc``
        accepts a self-signed certificate); default: ``$NEO4J_URI``.
    user, password : str, optional
        Default ``$NEO4J_USER`` (else ``neo4j``) and ``$NEO4J_PASSWORD``;
        without a password the driver connects without authentication.
    database : str, optional
        Default ``$NEO4J_DATABASE``, else the server's home database.
    connection_timeout : float
        Seconds to wait for a connection.
    retries, retry_delay
        See :class:`GraphStore`.

    Raises
    ------
    StoreError
        The server cannot be reached or refuses the credentials (one line).

    Examples
    --------
    >>> with Neo4jStore("neo4j://localhost:7687", password="…") as store:  # doctest: +SKIP
    ...     store.push(chain)
    """

    backend = "neo4j"
    schemes = SCHEMES
    _transient = (errors.TransientError, errors.ServiceUnavailable, errors.SessionExpired)
    _failures = (errors.Neo4jError, errors.DriverError)

    def __init__(self, uri: str | None = None, *, user: str | None = None, password: str | None = None,
                 database: str | None = None, connection_timeout: float = 10.0, retries: int = 3,
                 retry_delay: float = 0.25) -> None:
        super().__init__(retries=retries, retry_delay=retry_delay)
        given = uri or os.environ.get("NEO4J_URI")
        if not given:
            raise InputError("no Neo4j URI: pass one (--uri) or set NEO4J_URI")
        # Credentials in the URI (neo4j://user:secret@host) are used, never printed.
        from urllib.parse import unquote, urlsplit

        try:
            parts = urlsplit(given)
            user = user or (unquote(parts.username) if parts.username else None)
            password = password if password is not None else (unquote(parts.password) if parts.password else None)
        except ValueError:
            pass
        self.uri = without_credentials(given)
        scheme = self.uri.split("://", 1)[0].lower() if "://" in self.uri else ""
        if scheme not in SCHEMES:
            expected = ", ".join(f"{s}://" for s in SCHEMES)
            raise InputError(f"'{self.uri}' is not a Neo4j URI; expected one of {expected}")
        if without_credentials(self.uri) != self.uri:  # the driver refuses them, and would echo the password
            raise InputError(f"the Neo4j URI '{without_credentials(self.uri)}' must not carry a user or password: "
                             "pass them with --user/--password or NEO4J_USER/NEO4J_PASSWORD")
        self.database = database or os.environ.get("NEO4J_DATABASE") or None
        user = user or os.environ.get("NEO4J_USER") or "neo4j"
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        self.user = user
        try:
            self._driver = neo4j.GraphDatabase.driver(
                self.uri,
                auth=(user, password) if password is not None else None,
                connection_timeout=connection_timeout,
                # The store retries transient errors itself (bounded, see GraphStore).
                max_transaction_retry_time=0,
                # The statements are fixed files; the server's notes on them are noise for
                # users: that CALL { WITH x … } is deprecated in favour of CALL (x) { … }
                # (a backend difference: FalkorDB only understands the first form), or that
                # a relationship type does not exist yet in an empty database.
                notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
            )
        except (ValueError, errors.ConfigurationError) as exc:
            raise InputError(f"cannot use the Neo4j URI '{self.uri}': "
                             f"{str(exc).replace(given, self.uri)}") from None
        try:
            self._call("RETURN 1", {}, write=False, what="connecting")
        except StoreError:
            self._driver.close()
            raise

    @property
    def location(self) -> str:
        return self.uri + (f" (database {self.database})" if self.database else "")

    def _permanent(self, exc: BaseException) -> bool:
        return isinstance(exc, errors.AuthError)

    def _message(self, exc: BaseException) -> str:
        if isinstance(exc, errors.AuthError):
            return f"the server refused the credentials of user '{self.user}' (check NEO4J_USER / NEO4J_PASSWORD)"
        message = getattr(exc, "message", None) or str(exc)
        return str(message).strip().splitlines()[0] if str(message).strip() else type(exc).__name__

    def _execute(self, cypher: str, params: dict, *, write: bool) -> tuple[list[str], list[list]]:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        # Auto-commit transactions: each statement is one transaction, and the
        # driver does not retry them behind the store's back. The shared bookmark
        # manager makes a read in a cluster see the writes before it (pull after push).
        with self._driver.session(database=self.database, default_access_mode=mode,
                                  bookmark_manager=self._driver.execute_query_bookmark_manager) as session:
            result = session.run(cypher, params)
            keys = list(result.keys())
            rows = [[_plain(v) for v in record.values()] for record in result]
        return keys, rows

    def _load_batches(self, name: str, rows: list, batch_size: int) -> Iterator[tuple[int, list, int]]:
        # Backend difference (the only one in loading): flows pushed into a store
        # without any SUPPLIES relationship (a first push, or after clear) are
        # created (load/neo4j/flows_new.cypher) rather than merged, from
        # FLOW_SESSIONS sessions at once. MERGE locks both actors of each flow, so
        # concurrent MERGE batches deadlock on shared actors, and a Neo4j
        # transaction runs on one core: this roughly doubles the rows/s of a first
        # push. A store that has flows gets the shared MERGE upsert, batch by batch.
        if name != "flows" or not rows or self._holds_flows():
            yield from super()._load_batches(name, rows, batch_size)
            return
        create, merge = self._file("load/neo4j", "flows_new"), self._file("load", "flows")

        def load(first: int, batch: list) -> tuple[int, list, int]:
            # A retried batch MERGEs: the CREATE may have committed before its reply was lost.
            files = iter([create])

            def attempt():
                file = next(files, merge)
                return self._execute(file.text, file.bind({"rows": batch}), write=True)

            _, out = self._retrying(attempt, _what(name, first, batch))
            return first, batch, int(out[0][0]) if out else 0

        with ThreadPoolExecutor(FLOW_SESSIONS, thread_name_prefix="riskgraph-flows") as pool:
            pending = deque()
            for first, batch in _batches(rows, batch_size):
                pending.append(pool.submit(load, first, batch))
                if len(pending) >= FLOW_SESSIONS:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _holds_flows(self) -> bool:
        _, rows = self._run(bundled("load/neo4j", "any_flows"), what="counting flows")
        return bool(rows[0][0])

    def close(self) -> None:
        self._driver.close()


def _plain(value):
    """Driver values → plain Python: nodes and relationships become dicts of their properties."""
    if isinstance(value, (Node, Relationship)):
        return dict(value.items())
    if isinstance(value, Path):
        return [dict(n.items()) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
