"""One writer at a time: the push lock, and the staged graph of ``push --replace``.

Two pushes that write the same store at once used to both see an empty
store and create every flow twice (Neo4j), or interleave batches (FalkorDB).
A push now holds a lock *in the store*: a node ``(:RiskgraphLock {name,
owner, expires})`` taken by ``admin/lock_acquire.cypher`` in one statement
(Neo4j locks the node before reading its owner; FalkorDB runs queries one at
a time). The owner is ``host:pid:token``; the lease (10 minutes, renewed
while the push writes) is kept on the server's clock, so a push that dies
frees the store when its lease runs out — at once when the dead process ran
on this machine. A push that finds the lock taken waits up to ``wait``
seconds and then raises :class:`StoreBusy` (the command line exits 1).

``push --replace`` loads the chain *beside* the stored one, under the labels
``RiskgraphStagedActor`` and ``RiskgraphStagedCountry`` (the load files with
those labels for ``Actor`` and ``Country``: constants, never data), and
swaps in one statement at the end (``admin/swap.cypher``). A push killed
before the swap leaves the stored graph as it was.
"""
from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import replace as _replace

from riskgraph.errors import StoreError
from riskgraph.store._cypher import CypherFile, bundled

LOCK_NAME = "push"
LEASE_SECONDS = 600.0
STAGED_LABELS = {":Actor": ":RiskgraphStagedActor", ":Country": ":RiskgraphStagedCountry"}


class StoreBusy(StoreError):
    """Another push holds the store's lock (exit 1: try again later, or wait)."""


def staged(file: CypherFile) -> CypherFile:
    """The same load statement writing the staged labels instead of ``Actor`` and ``Country``."""
    text = file.text
    for label, staged_label in STAGED_LABELS.items():
        text = text.replace(label + " ", staged_label + " ").replace(label + ")", staged_label + ")") \
            .replace(label + "{", staged_label + "{")
    return _replace(file, text=text)


def _alive(owner: str) -> bool:
    """False only for an owner that ran on this machine and whose process is gone."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PushLock:
    """The store's push lock as a context manager: ``with PushLock(store, wait=60): …``.

    Parameters
    ----------
    store : GraphStore
    wait : float
        Seconds to wait for a lock another push holds (0: fail at once).
    lease : float
        Seconds the lock is held without renewal; :meth:`renew` extends it.
    """

    def __init__(self, store, *, wait: float = 0.0, lease: float = LEASE_SECONDS) -> None:
        self.store = store
        self.wait = max(float(wait), 0.0)
        self.lease = lease
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._renewed = 0.0

    def _try(self, steal: str = "") -> tuple[str, int, int]:
        _, rows = self.store._run(bundled("admin", "lock_acquire"),
                                  {"name": LOCK_NAME, "owner": self.owner, "lease_ms": int(self.lease * 1000),
                                   "steal": steal}, write=True, what="taking the push lock")
        holder, expires, now = rows[0]
        return holder, int(expires or 0), int(now or 0)

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        delay = 0.05
        while True:
            holder, expires, now = self._try()
            if holder == self.owner:
                self._renewed = time.monotonic()
                return
            if not _alive(holder):
                holder, expires, now = self._try(steal=holder)
                if holder == self.owner:
                    self._renewed = time.monotonic()
                    return
            if time.monotonic() >= deadline:
                seconds = max((expires - now) / 1000, 0)
                raise StoreBusy(
                    f"{self.store.location}: another push is writing this store (held by {holder}, for at most "
                    f"{seconds:,.0f} s more); try again when it is done, or wait for it (--wait SECONDS)")
            time.sleep(min(delay, max(deadline - time.monotonic(), 0.01)))
            delay = min(delay * 2, 1.0)

    def renew(self) -> None:
        """Extend the lease when a third of it has passed (called between batches)."""
        if time.monotonic() - self._renewed < self.lease / 3:
            return
        holder, _, _ = self._try()
        if holder != self.owner:
            raise StoreError(f"{self.store.location}: the push lock was taken over by {holder} (this push stalled "
                             "longer than its lease); push again")
        self._renewed = time.monotonic()

    def release(self) -> None:
        try:
            self.store._run(bundled("admin", "lock_release"), {"name": LOCK_NAME, "owner": self.owner},
                            write=True, what="giving the push lock back")
        except StoreError:
            pass  # the lease runs out on its own

    def __enter__(self) -> "PushLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
