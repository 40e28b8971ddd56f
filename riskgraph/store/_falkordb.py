"""FalkorDB backend: the official ``falkordb`` client (a Redis module speaking openCypher)."""
from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from riskgraph.errors import InputError, StoreError, missing_dependency
from riskgraph.store._base import GraphStore, without_credentials

DEFAULT_PORT = 6379
DEFAULT_GRAPH = "riskgraph"
_ASCII_SPACE = " \t\n\v\f\r"
_INDEX_BYTES = 4096


class FalkorDBStore(GraphStore):
    """A chain in a FalkorDB graph.

    Parameters
    ----------
    uri : str
        ``falkordb://[user[:password]@]host[:port][/graph]``; port 6379 and
        graph ``riskgraph`` by default.
    graph : str, optional
        The graph (a key on the server); overrides the URI's path.
    user, password : str, optional
        Override the URI's; default ``$FALKORDB_USER`` / ``$FALKORDB_PASSWORD``.
    socket_timeout : float, optional
        Seconds to wait for a reply (default: no limit; a big push sends
        large batches).
    retries, retry_delay
        See :class:`GraphStore`.

    Raises
    ------
    StoreError
        The server cannot be reached or refuses the credentials (one line).

    Examples
    --------
    >>> with FalkorDBStore("falkordb://localhost:6379/acme") as store:  # doctest: +SKIP
    ...     store.push(chain)
    """

    backend = "falkordb"
    schemes = ("falkordb",)

    def __init__(self, uri: str, *, graph: str | None = None, user: str | None = None,
                 password: str | None = None, socket_timeout: float | None = None,
                 connect_timeout: float = 10.0, retries: int = 3, retry_delay: float = 0.25) -> None:
        super().__init__(retries=retries, retry_delay=retry_delay)
        try:
            import falkordb
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError:
            raise missing_dependency("falkordb", "falkordb") from None
        parts = urlsplit(uri or "")
        if parts.scheme.lower() not in self.schemes or not parts.hostname:
            raise InputError(f"'{without_credentials(uri)}' is not a FalkorDB URI; expected falkordb://host:port/graph")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise InputError(f"'{without_credentials(uri)}' has an invalid port") from None
        self.host = parts.hostname
        self.port = port
        self.graph_name = graph or unquote(parts.path.strip("/")) or DEFAULT_GRAPH
        user = user or (unquote(parts.username) if parts.username else None) or os.environ.get("FALKORDB_USER")
        if password is None:
            password = unquote(parts.password) if parts.password else os.environ.get("FALKORDB_PASSWORD")
        self._transient = (redis.ConnectionError, redis.TimeoutError)
        self._failures = (redis.RedisError,)
        self._auth_error = redis.AuthenticationError
        # The client's own retries are switched off: the store's are bounded and reported.
        self._db = self._retrying(
            lambda: falkordb.FalkorDB(host=self.host, port=self.port, username=user, password=password,
                                      socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout,
                                      retry=Retry(NoBackoff(), 0)),
            "connecting",
        )
        self._graph = self._db.select_graph(self.graph_name)
        # A read query on a graph that does not exist yet is an error, so ask the server itself.
        self._retrying(self._db.connection.ping, "connecting")

    @property
    def location(self) -> str:
        return f"falkordb://{self.host}:{self.port}/{self.graph_name}"

    def _permanent(self, exc: BaseException) -> bool:
        return isinstance(exc, self._auth_error)

    def _message(self, exc: BaseException) -> str:
        if isinstance(exc, self._auth_error):
            return f"the server refused the credentials ({super()._message(exc)})"
        message = super()._message(exc).removeprefix("errMsg: ")
        if "empty key" in message:
            return f"there is no graph '{self.graph_name}' on the server yet (push a chain first)"
        return message

    def _check_chain(self, chain) -> None:
        # FalkorDB's range index (what MERGE and every lookup by id use) does not
        # keep every string as it is: it drops leading and trailing ASCII
        # whitespace, splits at \x01 and cuts strings at 4096 bytes, while the
        # value looked up is taken as it is. Such ids would not be found again
        # (a re-push would duplicate them) or would collide, so they are refused.
        ids = chain.actors["id"].dropna()
        problems = []
        padded = ids[ids != ids.str.strip(_ASCII_SPACE)]
        if len(padded):
            problems.append(("start or end with whitespace", padded))
        split = ids[ids.str.contains("\x01", regex=False)]
        if len(split):
            problems.append(("contain the control character \\x01", split))
        long = ids[ids.str.len() >= _INDEX_BYTES // 4]
        long = long[long.map(lambda i: len(i.encode("utf-8")) >= _INDEX_BYTES)]
        if len(long):
            problems.append((f"are {_INDEX_BYTES} bytes or longer", long.str.slice(0, 20) + "…"))
        if problems:
            reasons = "; ".join(f"{len(found)} {what} ({', '.join(repr(i) for i in found.head(3))})"
                                for what, found in problems)
            raise InputError(f"actor ids FalkorDB's index cannot hold faithfully: {reasons}. "
                             "Clean the ids (the readers strip whitespace) or use Neo4j")
        # The client writes parameters into the query text, which ends at a NUL.
        for table in ("actors", "flows"):
            frame = getattr(chain, table)
            for column in frame.columns:
                values = frame[column]
                if values.dtype.kind not in "fiub" and values.astype("string").str.contains("\x00", regex=False).any():
                    raise InputError(f"{table} column '{column}' holds a NUL character, which FalkorDB cannot take")

    def _run_schema_statement(self, statement: str) -> None:
        # Backend difference: FalkorDB has no CREATE INDEX … IF NOT EXISTS and
        # answers an existing index with an error, which here means "done".
        try:
            super()._run_schema_statement(statement)
        except StoreError as exc:
            if "already indexed" not in str(exc):
                raise

    def _execute(self, cypher: str, params: dict, *, write: bool) -> tuple[list[str], list[list]]:
        run = self._graph.query if write else self._graph.ro_query
        try:
            result = run(cypher, params)
        except ValueError as exc:
            # The client writes parameters into the query header and refuses map
            # keys it cannot quote there (a backtick in a column name).
            raise InputError(f"FalkorDB cannot take this value: {exc}") from None
        keys = [column[1] for column in (result.header or [])]
        rows = [[_plain(v) for v in row] for row in (result.result_set or [])]
        return keys, rows

    def close(self) -> None:
        try:
            self._db.connection.close()
        except Exception:  # closing a connection that already failed
            pass


def _plain(value):
    """Client values → plain Python: nodes and edges become dicts of their properties."""
    properties = getattr(value, "properties", None)
    if isinstance(properties, dict):
        return dict(properties)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
