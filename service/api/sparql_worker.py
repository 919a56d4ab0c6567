"""A SPARQL worker process that can be killed: the hard time limit of ``/sparql``.

pyoxigraph cannot interrupt a query, so the public endpoint evaluates queries of the
embedded store in a worker process that opens the store read-only (beside the
server, which holds it for writing) and is killed when a query outlives its time
limit; the next query starts a fresh worker. The worker reopens the store when the
server's data version changed, so it sees every acknowledged write. One query runs
at a time per worker; ``WorkerPool`` keeps ``size`` of them.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Sequence
from typing import Any

from graph.errors import RegiomatchError, StoreError
from service.api.sparql_exec import QueryLimit, Result

__all__ = ["WorkerPool"]

_STARTUP_S = 120


def _serve(conn: Any, path: str) -> None:
    """Worker loop: answer ("ok", kind, data) or ("error", class name, message, code) per task."""
    from pathlib import Path

    from graph.store.embedded import OxigraphStore
    from service.api.sparql_exec import run_on

    store, version = None, None
    conn.send(("ready",))  # imports done: the parent starts the clock of the first query only now
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        try:
            for attempt in range(4):
                try:
                    if task["version"] != version or store is None or attempt:
                        # a read-only handle reads the files of one moment; the server's
                        # compactions may remove them, so a failed read reopens and retries
                        if store is not None:
                            store.close()
                        store, version = OxigraphStore(Path(path), read_only=True), task["version"]
                    res = run_on(store, task["query"], result_format=task["result_format"],
                                 graph_format=task["graph_format"], default_graphs=task["default_graphs"],
                                 named_graphs=task["named_graphs"], max_rows=task["max_rows"],
                                 anonymous=task["anonymous"])
                    break
                except (StoreError, OSError, RuntimeError):
                    if store is not None:
                        store.close()
                    store = None
                    if attempt == 3:
                        raise
                    time.sleep(0.05 * (attempt + 1))
            conn.send(("ok", res.kind, res.data))
        except RegiomatchError as exc:
            conn.send(("error", type(exc).__name__, str(exc), getattr(exc, "code", None)))
        except Exception as exc:  # noqa: BLE001 - reported to the server as one line
            conn.send(("error", "StoreError", f"query failed: {type(exc).__name__}: {str(exc)[:300]}", None))


class _Worker:
    def __init__(self, path: str) -> None:
        ctx = multiprocessing.get_context("spawn")  # the server has threads: never fork it
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, path), daemon=True, name="regiomatch-sparql")
        self.proc.start()
        child.close()
        if not self.conn.poll(_STARTUP_S) or self.conn.recv() != ("ready",):
            self.kill()
            raise StoreError(f"the SPARQL worker did not start within {_STARTUP_S} s; try again")

    def ask(self, task: dict[str, Any], timeout_s: float) -> tuple[Any, ...]:
        self.conn.send(task)
        if not self.conn.poll(timeout_s):
            self.kill()
            raise QueryLimit(f"the query ran longer than {timeout_s:g} s, the limit, and was stopped; "
                             "narrow it or add a LIMIT", "query_timeout")
        try:
            return self.conn.recv()
        except EOFError:
            self.kill()
            raise StoreError("the query worker ended without an answer; it may have run out of memory") from None

    def alive(self) -> bool:
        return self.proc.is_alive()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class WorkerPool:
    """``size`` killable workers over the embedded store at ``path``."""

    def __init__(self, path: str, size: int = 2) -> None:
        self.path = path
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(size):
            self._idle.put(None)  # started on first use
        self._lock = threading.Lock()
        self._all: list[_Worker] = []

    def run(self, query: str, *, version: int, result_format: str, graph_format: str, default_graphs: Sequence[str],
            named_graphs: Sequence[str], timeout_s: float, max_rows: int, anonymous: bool) -> Result:
        worker = self._idle.get()
        try:
            if worker is None or not worker.alive():
                worker = _Worker(self.path)
                with self._lock:
                    self._all.append(worker)
            msg = worker.ask({
                "version": version, "query": query, "result_format": result_format, "graph_format": graph_format,
                "default_graphs": list(default_graphs), "named_graphs": list(named_graphs),
                "max_rows": max_rows, "anonymous": anonymous,
            }, timeout_s)
        finally:
            self._idle.put(worker if worker is not None and worker.alive() else None)
        if msg[0] == "ok":
            return Result(msg[1], msg[2])
        if msg[3]:
            raise QueryLimit(msg[2], msg[3])
        from graph import errors

        cls = getattr(errors, msg[1], StoreError)
        raise (cls if isinstance(cls, type) and issubclass(cls, RegiomatchError) else StoreError)(msg[2])

    def close(self) -> None:
        with self._lock:
            for w in self._all:
                w.kill()
            self._all.clear()
