"""The ``GraphStore`` interface and everything the backends share.

A backend (Neo4j, FalkorDB) only knows how to connect, run one Cypher
statement with parameters, and which of its errors are worth retrying. The
rest — which files to run, batching, de-duplication, progress, turning rows
back into a :class:`~riskgraph.chain.model.Chain`, the matrices — lives here, once.
"""
from __future__ import annotations

import json
import math
import re
import time
import warnings
from abc import ABC, abstractmethod
from contextlib import nullcontext
from typing import Callable, ClassVar, Iterator, TypeVar

import numpy as np
import pandas as pd

from riskgraph.errors import InputError, StoreError
from riskgraph.chain.model import ACTOR_COLUMNS, FLOW_COLUMNS, THEMES, Chain, conform, stage_order
from riskgraph.store._cypher import CypherFile, bundled, query_file
from riskgraph.store._lock import PushLock, staged

#: Levels of suppliers that queries/node_shares.cypher and node_matrix.cypher
#: follow at most (they spell out this many levels).
MAX_DEPTH = 12
#: Properties riskgraph writes itself; chain columns may not use these names.
FLOW_KEY = "flow_key"
RISK_PREFIX = "risk_"
_FLOW_KEY_COLUMNS = ("commodity", "year")
T = TypeVar("T")


def without_credentials(uri: str | None) -> str:
    """A store URI fit to print: user name and password (``user:secret@``) taken out.

    >>> without_credentials("neo4j://neo4j:s3cret@db.example:7687"), without_credentials("bolt://localhost")
    ('neo4j://db.example:7687', 'bolt://localhost')
    """
    from urllib.parse import urlsplit, urlunsplit

    text = str(uri or "")
    try:
        parts = urlsplit(text)
    except ValueError:
        return re.sub(r"//[^/@]*@", "//", text)
    if "@" not in parts.netloc:
        return text
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, parts.fragment))


#: The one line a user sees when no server answers at the URI.
UNREACHABLE = "cannot reach the graph store at {location} after {tries} attempts: is the server running? ({reason})"


class DepthWarning(UserWarning):
    """An in-database propagation stopped at ``max_depth`` while material still came from further upstream."""


# --------------------------------------------------------------------------- chain ⇄ rows


def _column(frame: pd.DataFrame, column: str) -> list:
    """A column as plain Python values, ``None`` for missing (what both drivers accept)."""
    return frame[column].to_numpy(dtype=object, na_value=None).tolist()


def _extra_columns(frame: pd.DataFrame, spec: dict[str, str]) -> list[str]:
    return [c for c in frame.columns if c not in spec]


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as ``{column: value}`` maps (``None`` kept: it removes a stale property on re-push)."""
    values = [_column(frame, c) for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def flow_keys(flows: pd.DataFrame) -> pd.Series:
    """The ``flow_key`` of each flow: JSON text ``[commodity, year, seq]``.

    ``seq`` numbers the flows that repeat the same (source, target, commodity,
    year) in order of appearance (validation warns about them, ``duplicate_flow``),
    so that every flow of a chain is its own relationship and a re-push finds it.
    """
    seq = flows.groupby(["source", "target", *_FLOW_KEY_COLUMNS], dropna=False, sort=False).cumcount()
    commodity = _column(flows, "commodity")
    year = _column(flows, "year")
    keys = [json.dumps([c, y, int(s)], ensure_ascii=False) for c, y, s in zip(commodity, year, seq.tolist())]
    return pd.Series(keys, index=flows.index, name=FLOW_KEY, dtype=object)


def _check_names(chain: Chain) -> None:
    ids = chain.actors["id"]
    if ids.isna().any() or (ids == "").any():
        raise InputError("actors without an id cannot be stored; validate the chain first (riskgraph validate)")
    reserved = [c for c in _extra_columns(chain.actors, ACTOR_COLUMNS) if str(c).startswith(RISK_PREFIX)]
    reserved += [c for c in _extra_columns(chain.flows, FLOW_COLUMNS) if c == FLOW_KEY]
    if reserved:
        raise InputError(
            f"column(s) {reserved} cannot be stored: '{RISK_PREFIX}…' on actors and '{FLOW_KEY}' on flows "
            "are properties riskgraph writes itself; rename the column(s)"
        )


def _actor_rows(chain: Chain) -> list[dict]:
    # Last row wins for a repeated id, as FalkorDB would otherwise keep the first.
    actors = chain.actors.drop_duplicates("id", keep="last")
    props = [c for c in actors.columns if c != "id"]
    return [{"id": i, "props": p} for i, p in zip(_column(actors, "id"), _records(actors, props))]


def _country_rows(chain: Chain) -> tuple[list[dict], list[dict]]:
    from riskgraph.chain.countries import country_name

    actors = chain.actors.drop_duplicates("id", keep="last")
    actors = actors[actors["country"].notna()]
    located = [{"id": i, "country": c} for i, c in zip(_column(actors, "id"), _column(actors, "country"))]
    countries = [{"iso2": iso2, "name": country_name(iso2)} for iso2 in sorted(set(actors["country"]))]
    return countries, located


def _flow_rows(chain: Chain) -> list[dict]:
    flows = chain.flows
    props = [c for c in flows.columns if c not in ("source", "target")]
    return [
        {"source": s, "target": t, "key": k, "props": p}
        for s, t, k, p in zip(_column(flows, "source"), _column(flows, "target"), flow_keys(flows).tolist(),
                              _records(flows, props))
    ]


def _ordered(frame: pd.DataFrame, spec: dict[str, str], sort: list[str]) -> pd.DataFrame:
    extras = sorted(c for c in _extra_columns(frame, spec) if frame[c].notna().any())
    frame = frame.sort_values(sort, kind="mergesort", na_position="last")
    return frame[list(spec) + extras].reset_index(drop=True)


def as_stored(chain: Chain) -> Chain:
    """The chain as a store gives it back: what :meth:`GraphStore.pull` returns after a push.

    Actors sorted by id; flows sorted by (source, target, commodity, year),
    repeated keys in their original order; extra columns after the data
    contract's in name order, without the ones that hold no value (a graph
    has no empty properties); the optional tables (plots, indicators,
    relevance) left out, as the graph holds actors and flows only.

    Examples
    --------
    >>> from riskgraph.testing import assert_chain_equal
    >>> with open_store("falkordb://localhost:6379/acme") as store:  # doctest: +SKIP
    ...     store.push(chain)
    ...     assert_chain_equal(store.pull(), as_stored(chain))
    """
    actors = _ordered(chain.actors, ACTOR_COLUMNS, ["id"])
    flows = _ordered(chain.flows, FLOW_COLUMNS, ["source", "target", *_FLOW_KEY_COLUMNS])
    return Chain(actors=actors, flows=flows, name=chain.name)


def _chain_from_records(actor_props: list[dict], flow_rows: list[tuple[str, str, dict]], name: str) -> Chain:
    actors = pd.DataFrame.from_records(actor_props) if actor_props else pd.DataFrame(columns=["id"])
    actors = actors.drop(columns=[c for c in actors.columns if str(c).startswith(RISK_PREFIX)])
    records, seq = [], []
    for source, target, props in flow_rows:
        record = dict(props)
        key = record.pop(FLOW_KEY, None)
        record["source"], record["target"] = source, target
        records.append(record)
        seq.append(json.loads(key)[2] if key else 0)
    flows = conform(pd.DataFrame.from_records(records) if records else None, "flows")
    # Repeated (source, target, commodity, year) keys come back in their pushed order.
    order = flows.assign(_seq=seq).sort_values(["source", "target", *_FLOW_KEY_COLUMNS, "_seq"],
                                                kind="mergesort", na_position="last").index
    flows = flows.loc[order]
    return Chain(actors=_ordered(conform(actors, "actors"), ACTOR_COLUMNS, ["id"]),
                 flows=_ordered(flows, FLOW_COLUMNS, ["source", "target", *_FLOW_KEY_COLUMNS]), name=name)


def _batches(rows: list, size: int) -> Iterator[tuple[int, list]]:
    for start in range(0, len(rows), size):
        yield start, rows[start:start + size]


def _what(table: str, first: int, batch: list) -> str:
    return f"writing {table} rows {first + 1}–{first + len(batch)}"


def _progress_bar(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
        TimeElapsedColumn(), console=Console(stderr=True),
    )


def _wide(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Long ``stage, country, value`` rows → stages × countries, stages in chain order, zeros left out.

    The same layout as :meth:`riskgraph.risk.Assessment.shares` and ``.matrix``.
    """
    frame = frame[frame[value] != 0]
    if frame.empty:
        return pd.DataFrame(index=pd.Index([], name="stage"), columns=pd.Index([], name="country"), dtype=float)
    order = stage_order()
    table = frame.pivot_table(index="stage", columns="country", values=value, aggfunc="sum", fill_value=0.0)
    stages = sorted(table.index, key=lambda s: (order.get(s, len(order)), s))
    table = table.reindex(index=stages, columns=sorted(table.columns))
    table.index.name, table.columns.name = "stage", "country"
    return table.astype(float)


def _cells(frame: pd.DataFrame, node: str) -> pd.DataFrame:
    """Per-actor rows of queries/node_shares or node_matrix → cells per stage × country × commodity.

    ``share = Σ W[u, n] · f_k(u) / f_k(n)`` and ``exposure = Σ W[u, n] ·
    f_k(u) · r(u) / f_k(n)`` (DESIGN §3.7), with f the stored commodity mix
    (one unnamed commodity where none is stored); ``peak_likelihood`` and
    ``peak_actor`` name the cell's riskiest actor (the largest of those tied).
    """
    mixes = {}
    rows = []
    for r in frame.itertuples(index=False):
        commodities = r.commodities if isinstance(r.commodities, (list, tuple)) and len(r.commodities) else [None]
        fractions = r.fractions if isinstance(r.fractions, (list, tuple)) and len(r.fractions) else [1.0]
        mixes[r.actor] = dict(zip(commodities, fractions))
        score = float(r.score) if "score" in frame.columns and r.score is not None else np.nan
        for k, f in zip(commodities, fractions):
            rows.append((r.actor, r.stage, r.country, k, float(r.share) * float(f), score))
    table = pd.DataFrame(rows, columns=["actor", "stage", "country", "commodity", "weight", "score"])
    own = mixes.get(node, {})
    table["total"] = table["commodity"].map(lambda k: own.get(k, 0.0)).astype(float)
    table = table[(table["weight"] > 0) & (table["total"] > 0)]
    table["share"] = table["weight"] / table["total"]
    table["exposure"] = table["share"] * table["score"]
    table["commodity"] = table["commodity"].astype(object).where(table["commodity"].notna(), "")
    if table.empty:
        return pd.DataFrame(columns=["stage", "country", "commodity", "share", "likelihood", "exposure",
                                     "peak_likelihood", "peak_actor"])
    keys = ["stage", "country", "commodity"]
    cells = table.groupby(keys, sort=True)[["share", "exposure"]].sum().reset_index()
    cells["likelihood"] = np.where(cells["share"] > 0, cells["exposure"] / cells["share"], 0.0)
    top = table.sort_values(["score", "share", "actor"], ascending=[False, False, True], kind="stable")
    top = top.drop_duplicates(keys).set_index(keys)
    index = pd.MultiIndex.from_frame(cells[keys])
    cells["peak_likelihood"] = top["score"].reindex(index).to_numpy()
    cells["peak_actor"] = top["actor"].reindex(index).to_numpy()
    return cells[["stage", "country", "commodity", "share", "likelihood", "exposure", "peak_likelihood", "peak_actor"]]


def _wide_cells(cells: pd.DataFrame, value: str, commodity: str | None) -> pd.DataFrame:
    """Cells → the wide layout of :meth:`riskgraph.risk.Assessment.shares` (rows ``(commodity, stage)`` when several)."""
    if commodity is not None:
        cells = cells[cells["commodity"] == commodity]
    present = list(dict.fromkeys(cells.sort_values("share", ascending=False, kind="stable")["commodity"]))
    if len(present) <= 1:
        return _wide(cells[["stage", "country", value]], value)
    frame = cells[cells[value] != 0]
    order = stage_order()
    table = frame.pivot_table(index=["commodity", "stage"], columns="country", values=value, aggfunc="sum",
                              fill_value=0.0)
    rank = {k: i for i, k in enumerate(sorted(present))}
    rows = sorted(table.index, key=lambda r: (rank[r[0]], order.get(r[1], len(order)), r[1]))
    table = table.reindex(index=rows, columns=sorted(table.columns))
    table.columns.name = "country"
    return table.astype(float)


# --------------------------------------------------------------------------- the interface


class GraphStore(ABC):
    """A chain in a graph database: push, pull, query, and risk propagation in the database.

    Use :func:`riskgraph.store.open_store` to get one from a URI. Every store
    runs the same Cypher files (``cypher/``) and stores the graph model of
    DESIGN §5::

        (:Actor {id, name, stage, country, sector, commodity, lat, lon, …})
        (:Actor)-[:SUPPLIES {commodity, volume, unit, year, flow_key}]->(:Actor)
        (:Actor)-[:LOCATED_IN]->(:Country {iso2, name})
        (:Actor)-[:HAS_RISK {theme, score, source}]->(:Theme {name})

    Writes are upserts keyed on ids (``MERGE``), sent in batches
    (``UNWIND $rows``); a batch that fails with a transient error (a lost
    connection, a deadlock, a server restarting) is retried with exponential
    backoff, at most ``retries`` times — safe because an upsert applied
    twice changes nothing.

    Parameters
    ----------
    retries : int
        Retries of one statement after a transient error (default 3).
    retry_delay : float
        Seconds before the first retry; doubled for each further one, at most 5.
    """

    #: Short backend name, also the schema file's stem (``cypher/schema/<backend>.cypher``).
    backend: ClassVar[str]
    #: URI schemes this backend serves.
    schemes: ClassVar[tuple[str, ...]]
    #: Errors worth retrying (filled in by each backend).
    _transient: ClassVar[tuple[type[BaseException], ...]] = ()
    #: Every other error of the driver, turned into StoreError.
    _failures: ClassVar[tuple[type[BaseException], ...]] = ()

    def __init__(self, *, retries: int = 3, retry_delay: float = 0.25) -> None:
        if retries < 0 or retry_delay < 0:
            raise InputError("retries and retry_delay must be ≥ 0")
        self.retries = retries
        self.retry_delay = retry_delay
        self._schema_ready = False
        self._staging = False  # push --replace: load files write the staged labels (see _lock.py)

    # -- what a backend provides --------------------------------------------------------------

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the store is, for messages: URI and database or graph, without credentials."""

    @abstractmethod
    def _execute(self, cypher: str, params: dict, *, write: bool) -> tuple[list[str], list[list]]:
        """Run one statement; return column names and rows of plain Python values."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection; the store cannot be used afterwards."""

    def _permanent(self, exc: BaseException) -> bool:
        """True for an error that looks transient but is not (bad credentials)."""
        return False

    def _message(self, exc: BaseException) -> str:
        """The first line of a driver error."""
        text = str(exc).strip() or type(exc).__name__
        return text.splitlines()[0].strip()

    def _run_schema_statement(self, statement: str) -> None:
        self._call(statement, {}, write=True, what="schema")

    def _check_chain(self, chain: Chain) -> None:
        """Refuse what this backend cannot store faithfully (nothing, by default)."""

    # -- running statements ---------------------------------------------------------------------

    def _retrying(self, attempt: Callable[[], T], what: str) -> T:
        """``attempt()``, retried after transient errors with exponential backoff, at most ``retries`` times.

        Safe for writes too: every write is an upsert, so one applied twice
        (the reply lost after the commit) changes nothing.
        """
        delay = self.retry_delay
        for tries in range(1, self.retries + 2):
            try:
                return attempt()
            except self._transient as exc:
                if self._permanent(exc) or tries > self.retries:
                    if what == "connecting" and not self._permanent(exc):
                        raise StoreError(UNREACHABLE.format(location=without_credentials(self.location),
                                                            tries=tries, reason=self._message(exc))) from None
                    note = "" if self._permanent(exc) else f" (after {tries} attempts)"
                    raise StoreError(f"{self.location}: {what} failed{note}: {self._message(exc)}") from None
                time.sleep(delay)
                delay = min(2 * delay, 5.0)
            except self._failures as exc:
                raise StoreError(f"{self.location}: {what} failed: {self._message(exc)}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, cypher: str, params: dict, *, write: bool, what: str) -> tuple[list[str], list[list]]:
        return self._retrying(lambda: self._execute(cypher, params, write=write), what)

    def _run(self, file: CypherFile, params: dict | None = None, *, write: bool = False,
             what: str | None = None) -> tuple[list[str], list[list]]:
        return self._call(file.text, file.bind(params or {}), write=write, what=what or file.name)

    def _file(self, folder: str, name: str) -> CypherFile:
        """A bundled load file, writing the staged labels while a replacing push loads."""
        file = bundled(folder, name)
        return staged(file) if self._staging else file

    def _load(self, name: str, what: str, **params) -> int:
        """Run ``cypher/load/<name>.cypher``; the number of rows it reports written."""
        _, rows = self._run(self._file("load", name), params, write=True, what=what)
        return int(rows[0][0]) if rows else 0

    def _load_batches(self, name: str, rows: list, batch_size: int) -> Iterator[tuple[int, list, int]]:
        """Run ``load/<name>.cypher`` on each batch of ``rows``; yield ``(first, batch, written)`` in order.

        One batch after the other here; a backend may send batches side by side (Neo4jStore, flows).
        """
        for first, batch in _batches(rows, batch_size):
            yield first, batch, self._load(name, _what(name, first, batch), rows=batch)

    def ensure_schema(self) -> None:
        """Create the constraints or indexes of ``cypher/schema/<backend>.cypher`` (idempotent)."""
        if self._schema_ready:
            return
        for statement in bundled("schema", self.backend).statements:
            self._run_schema_statement(statement)
        self._schema_ready = True

    # -- the public API ---------------------------------------------------------------------------

    def push(self, chain: Chain, *, batch_size: int = 10_000, progress: bool = True,
             replace: bool = False, wait: float = 0.0) -> pd.DataFrame:
        """Write a chain's actors, countries and flows to the store (an idempotent upsert).

        Parameters
        ----------
        chain : Chain
            A validated chain.
        batch_size : int
            Rows per statement (``UNWIND $rows``).
        progress : bool
            Show a progress bar on stderr.
        replace : bool
            Make the store hold exactly this chain: it is loaded beside the
            stored graph and swapped in by one statement at the end, so a
            push that fails or is killed leaves the stored graph as it was.
            Otherwise actors and flows already stored and absent from
            ``chain`` stay.
        wait : float
            Seconds to wait while another push holds the store's lock
            (default 0: raise :class:`~riskgraph.store.StoreBusy` at once).

        Returns
        -------
        DataFrame
            Per table (``countries, actors, located_in, flows``): ``rows``,
            ``seconds``, ``rows_per_second``.

        Raises
        ------
        InputError
            Flows name actors that are in neither the chain nor the store, or
            columns use names riskgraph reserves (``risk_…``, ``flow_key``).
        StoreError
            The store cannot be reached or refused a write.

        Notes
        -----
        Pushing the same chain twice gives the same graph: actors are keyed
        by id, countries by ISO code, flows by (source, target, commodity,
        year, seq) — see :func:`flow_keys`. A property whose value is missing
        is removed, so a re-push mirrors changed values.
        """
        if batch_size < 1:
            raise InputError(f"batch_size must be ≥ 1, not {batch_size}")
        _check_names(chain)
        self._check_chain(chain)
        countries, located = _country_rows(chain)
        tables = [("countries", countries), ("actors", _actor_rows(chain)), ("located_in", located),
                  ("flows", _flow_rows(chain))]
        self.ensure_schema()
        # One writer at a time (Notes: the push lock); the loser waits or raises StoreBusy.
        with PushLock(self, wait=wait) as lock:
            if replace:
                self._clear_staged()
                outside = sorted(set(pd.concat([chain.flows["source"], chain.flows["target"]]).dropna())
                                 - set(chain.actors["id"].dropna()))
                if outside:
                    raise InputError(f"{len(outside)} actor id(s) named in flows are not in the chain's actors "
                                     f"({', '.join(map(repr, outside[:5]))}); --replace stores the chain alone")
            else:
                self._check_flow_ends(chain)
            self._staging = replace
            try:
                summary = self._write_tables(tables, batch_size, progress, lock)
            finally:
                self._staging = False
            if replace:
                lock.renew()
                self._run(bundled("admin", "swap"), write=True, what="swapping the new graph in")
        return pd.DataFrame(summary)

    def _write_tables(self, tables, batch_size: int, progress: bool, lock) -> list[dict]:
        summary = []
        with _progress_bar(progress) as bar:
            tasks = {name: bar.add_task(name, total=len(rows)) for name, rows in tables} if bar else {}
            for name, rows in tables:
                start = time.perf_counter()
                for first, batch, written in self._load_batches(name, rows, batch_size):
                    if name == "flows" and written < len(batch):
                        raise StoreError(f"{self.location}: {_what(name, first, batch)}: only {written} of "
                                         f"{len(batch)} flows found both their actors; was the store cleared "
                                         "during the push?")
                    lock.renew()
                    if bar:
                        bar.advance(tasks[name], len(batch))
                seconds = time.perf_counter() - start
                summary.append({"table": name, "rows": len(rows), "seconds": seconds,
                                "rows_per_second": len(rows) / seconds if seconds > 0 else math.inf})
        return summary

    def _clear_staged(self) -> None:
        """Delete what a replacing push that did not finish left staged."""
        while True:
            _, rows = self._run(bundled("admin", "clear_staged"), {"limit": 10_000}, write=True,
                                what="clearing an unfinished replace")
            if not rows or int(rows[0][0]) == 0:
                return

    def _check_flow_ends(self, chain: Chain) -> None:
        ends = pd.unique(pd.concat([chain.flows["source"], chain.flows["target"]]).dropna())
        outside = sorted(set(ends) - set(chain.actors["id"].dropna()))
        if not outside:
            return
        _, rows = self._run(bundled("admin", "existing_actors"), {"ids": outside}, what="looking up actors")
        unknown = sorted(set(outside) - {r[0] for r in rows})
        if unknown:
            shown = ", ".join(repr(u) for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
            raise InputError(f"{len(unknown)} actor id(s) named in flows are in neither the chain's actors "
                             f"nor the store: {shown}; validate the chain first (riskgraph validate)")

    def pull(self, *, page_size: int = 10_000, name: str | None = None) -> Chain:
        """Read the stored actors and flows back as a :class:`Chain`.

        Parameters
        ----------
        page_size : int
            Actors (with their flows) read per query.
        name : str, optional
            The chain's name; default: the store's location.

        Returns
        -------
        Chain
            Actors sorted by id, flows by (source, target, commodity, year)
            — the layout of :func:`as_stored`, so that
            ``assert_chain_equal(store.pull(), as_stored(chain))`` holds after
            ``store.push(chain)``.

        Notes
        -----
        Extra columns come back as text columns after the data contract's, in
        name order; columns without any value are not stored. Risk scores
        (``risk_<theme>`` properties, :meth:`write_risk`) are not part of a
        chain and are left out. FalkorDB returns floating-point numbers with
        15 significant digits, so coordinates and volumes round-trip within
        a relative 1e-15, not bit for bit.
        """
        actor_props: list[dict] = []
        flow_rows: list[tuple[str, str, dict]] = []
        actors_file, flows_file = bundled("queries", "chain_actors"), bundled("queries", "chain_flows")
        after = ""
        while True:
            _, rows = self._run(actors_file, {"after": after, "limit": page_size}, what="reading actors")
            if not rows:
                break
            ids = [row[0] for row in rows]
            actor_props.extend(row[1] for row in rows)
            _, flows = self._run(flows_file, {"sources": ids}, what="reading flows")
            flow_rows.extend((row[0], row[1], row[2]) for row in flows)
            after = ids[-1]
            if len(rows) < page_size:
                break
        return _chain_from_records(actor_props, flow_rows, self.location if name is None else name)

    def query(self, name_or_path, **params) -> pd.DataFrame:
        """Run a read query — a bundled one by name or a ``.cypher`` file — and return its rows.

        Parameters
        ----------
        name_or_path : str or Path
            ``"upstream"``, ``"downstream"``, ``"actors_by_stage_country"``,
            ``"chain_actors"``, ``"chain_flows"``, ``"node_shares"``,
            ``"node_matrix"`` (``cypher/queries/``), or a path to a file.
        **params
            The query's parameters, as declared in its header.

        Returns
        -------
        DataFrame
            One column per returned name; nodes and relationships become
            dicts of their properties.

        Examples
        --------
        >>> store.query("upstream", node="refiner_ch", max_depth=2)  # doctest: +SKIP
        """
        file = query_file(name_or_path)
        keys, rows = self._run(file, params, what=f"query '{file.name}'")
        return pd.DataFrame.from_records(rows, columns=keys) if rows else pd.DataFrame(columns=keys)

    def node_shares(self, node: str, *, max_depth: int = MAX_DEPTH, commodity: str | None = None) -> pd.DataFrame:
        """Share of node n's material *of each commodity* per stage × country, computed in the database.

        The same layout as :meth:`riskgraph.risk.Assessment.shares` (stages ×
        countries, zeros left out; rows ``(commodity, stage)`` when several
        commodities reach the node) and, on acyclic chains up to
        ``max_depth`` flows deep, the same values within 1e-9. The commodity
        mix of each actor is stored by :meth:`write_risk`; before that every
        actor's material counts as one commodity.

        Warns
        -----
        DepthWarning
            Material still enters from more than ``max_depth`` levels
            upstream (a deeper chain or a cycle): the shares are a lower bound.
        """
        cells = _cells(self._propagation("node_shares", node, max_depth), node)
        return _wide_cells(cells, "share", commodity)

    def node_matrix(self, node: str, theme: str, *, max_depth: int = MAX_DEPTH,
                    commodity: str | None = None) -> pd.DataFrame:
        """Exposure (share × likelihood) of node n for theme t per stage × country, computed in the database.

        Uses the likelihood and commodity mix stored on actors by
        :meth:`write_risk`. The same layout and, on acyclic chains, the same
        values (within 1e-9) as :meth:`riskgraph.risk.Assessment.matrix`.

        Raises
        ------
        StoreError
            Some actor upstream of ``node`` has no stored risk for ``theme``.
        """
        return _wide_cells(self.node_cells(node, theme, max_depth=max_depth), "exposure", commodity)

    def node_cells(self, node: str, theme: str, *, max_depth: int = MAX_DEPTH) -> pd.DataFrame:
        """``stage, country, commodity, share, likelihood, exposure`` of node n for theme t, in the database.

        Plus ``peak_likelihood`` (the highest likelihood of an actor in the
        cell) and ``peak_actor`` (the largest actor with it).
        """
        if theme not in THEMES:
            raise InputError(f"theme '{theme}' is not one of {list(THEMES)}")
        frame = self._propagation("node_matrix", node, max_depth, theme=theme)
        unscored = int(frame["score"].isna().sum())
        if unscored:
            raise StoreError(
                f"{self.location}: {unscored} actor(s) upstream of '{node}' have no {RISK_PREFIX}{theme}; store the "
                "risk first: write_risk(assess(chain)) or riskgraph db push --with-risk"
            )
        return _cells(frame, node)

    def node_summary(self, node: str, theme: str, *, max_depth: int = MAX_DEPTH,
                     thresholds: pd.Series | None = None) -> dict:
        """The JSON object of ``riskgraph matrix --format json``, computed in the database.

        ``{node, theme, cells: [{stage, country, commodity, share, likelihood,
        exposure}], unknown_share, stage_exposure, peak: {stage, country, commodity,
        likelihood, share, actor, category}}``; the same numbers (within
        1e-9) as :meth:`riskgraph.risk.Assessment.node_summary` on acyclic chains.
        """
        from riskgraph.risk import stage_exposure_of
        from riskgraph.risk.reference import category_thresholds

        frame = self._propagation("node_matrix", node, max_depth, theme=theme)
        if int(frame["score"].isna().sum()):
            self.node_cells(node, theme, max_depth=max_depth)  # raises the StoreError
        cells = _cells(frame, node)
        bounds = category_thresholds() if thresholds is None else pd.Series(thresholds, dtype=float).sort_values()
        unknown = float(frame.loc[frame["unknown"].fillna(False).astype(bool), "share"].sum())
        if len(cells):
            top = cells.sort_values(["peak_likelihood", "share"], ascending=False, kind="stable").iloc[0]
            index = int(np.searchsorted(bounds.to_numpy(), top["peak_likelihood"], side="right")) - 1
            peak = {"stage": top["stage"], "country": top["country"], "commodity": top["commodity"],
                    "likelihood": float(top["peak_likelihood"]), "share": float(top["share"]),
                    "actor": top["peak_actor"], "category": str(bounds.index[max(index, 0)])}
        else:
            peak = {"stage": None, "country": None, "commodity": None, "likelihood": 0.0, "share": 0.0,
                    "actor": None, "category": str(bounds.index[0])}
        rows = [{"stage": r.stage, "country": r.country, "commodity": r.commodity, "share": float(r.share),
                 "likelihood": float(r.likelihood), "exposure": float(r.exposure)} for r in cells.itertuples()]
        return {"node": node, "theme": theme, "cells": rows, "unknown_share": unknown,
                "stage_exposure": stage_exposure_of(rows), "peak": peak}

    def _propagation(self, name: str, node: str, max_depth: int, **params) -> pd.DataFrame:
        if not 0 <= max_depth <= MAX_DEPTH:
            raise InputError(f"max_depth must lie between 0 and {MAX_DEPTH}, not {max_depth}")
        frame = self.query(name, node=node, max_depth=max_depth, **params)
        if frame.empty:
            raise InputError(f"actor '{node}' is not in the store at {self.location}")
        if bool(frame["truncated"].any()):
            warnings.warn(
                f"{name} of '{node}': material still enters from beyond {max_depth} level(s) of suppliers "
                "(a deeper chain or a cycle); the values are a lower bound",
                DepthWarning, stacklevel=3,
            )
        return frame

    def write_risk(self, assessment, *, batch_size: int = 10_000, progress: bool = False) -> int:
        """Store inherent risk ``r_t(u)`` of every actor and theme from an assessment.

        Writes properties ``risk_<theme>`` on each actor (read by
        :meth:`node_matrix`), the commodity mix of its material
        (``risk_mix_commodities``, ``risk_mix_fractions``) and
        ``risk_origin_unknown``, and ``(:Actor)-[:HAS_RISK {theme, score,
        source}]->(:Theme)``, ``source`` being the indicator the likelihood
        came from. Actors of the assessment that are not in the store are
        skipped.

        Parameters
        ----------
        assessment : riskgraph.risk.Assessment
            What :func:`riskgraph.risk.assess` returns.

        Returns
        -------
        int
            Actors written (found in the store).
        """
        if batch_size < 1:
            raise InputError(f"batch_size must be ≥ 1, not {batch_size}")
        inherent = assessment.inherent
        themes = [str(t) for t in inherent.columns]
        sources = self._risk_sources(assessment, themes)
        ids = [str(i) for i in inherent.index]
        scores = inherent.to_numpy(dtype=float)
        composition = getattr(assessment, "composition", None)
        commodities = [str(k) for k in getattr(assessment, "commodities", [])]
        unknown = getattr(assessment, "unknown_origin", np.zeros(len(ids), dtype=bool))
        rows = []
        for position, actor in enumerate(ids):
            values = scores[position]
            risk = {f"{RISK_PREFIX}{t}": (None if np.isnan(v) else float(v)) for t, v in zip(themes, values)}
            if composition is not None:
                mix = np.flatnonzero(composition[position])
                risk[f"{RISK_PREFIX}mix_commodities"] = [commodities[i] for i in mix]
                risk[f"{RISK_PREFIX}mix_fractions"] = [float(composition[position, i]) for i in mix]
                risk[f"{RISK_PREFIX}origin_unknown"] = bool(unknown[position]) if len(unknown) else False
            entries = [{"theme": t, "score": float(v), "source": sources.get((actor, t))}
                       for t, v in zip(themes, values) if not np.isnan(v)]
            rows.append({"id": actor, "risk": risk, "themes": entries})
        self.ensure_schema()
        self._load("themes", "writing themes", names=themes)
        written = 0
        with _progress_bar(progress) as bar:
            task = bar.add_task("risk", total=len(rows)) if bar else None
            for first, batch in _batches(rows, batch_size):
                written += self._load("risk", f"writing risk rows {first + 1}–{first + len(batch)}", rows=batch)
                if bar:
                    bar.advance(task, len(batch))
        return written

    @staticmethod
    def _risk_sources(assessment, themes: list[str]) -> dict[tuple[str, str], str | None]:
        table = getattr(assessment, "actor_risk", None)
        if table is None or "source" not in getattr(table, "columns", ()):
            return {}
        table = table[table["theme"].isin(themes)]
        values = table["source"].astype(object).where(table["source"].notna(), None)
        return dict(zip(zip(table["actor"].astype(str), table["theme"].astype(str)), values))

    def counts(self) -> dict[str, int]:
        """Nodes and relationships held: ``actors, flows, countries, themes, located_in, has_risk``."""
        keys, rows = self._run(bundled("admin", "counts"), what="counting")
        return {k: int(v) for k, v in zip(keys, rows[0])}

    def clear(self) -> int:
        """Delete every Actor, Country and Theme node with their relationships; return how many nodes.

        Other data in the database is left alone. Deletes in transactions of
        10 000 nodes, so that a large graph does not need one huge transaction.
        """
        self._clear_staged()
        file = bundled("admin", "clear")
        total = 0
        while True:
            _, rows = self._run(file, {"limit": 10_000}, write=True, what="clearing")
            deleted = int(rows[0][0]) if rows else 0
            total += deleted
            if deleted == 0:
                return total

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location}>"
