"""One writer at a time: an advisory lock file beside an embedded store.

``init`` (across its directory swap), ``load`` and any other write open the store
under :func:`writer_lock`. The lock is a ``flock`` on ``<store>.lock`` next to
the store directory (not inside it: ``init`` replaces the directory), holding the
writer's pid so a second writer can say who is busy. The kernel drops the lock
when its process ends, even on ``kill -9``, so a stale lock file blocks nobody.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graph.errors import StoreBusy, StoreError

__all__ = ["writer_lock", "lock_path", "DEFAULT_WAIT"]

DEFAULT_WAIT = 10.0  # seconds a second writer waits before giving up


def lock_path(store: Path) -> Path:
    """The lock file of the store directory ``store``."""
    return store.with_name(store.name + ".lock")


@contextmanager
def writer_lock(store: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold the store's writer lock; wait up to ``wait`` seconds, then raise ``StoreBusy``."""
    wait = DEFAULT_WAIT if wait is None else wait
    path = lock_path(store)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot create the lock file {path}: {exc.strerror}") from exc
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(_busy_message(store, fd, wait)) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _busy_message(store: Path, fd: int, wait: float) -> str:
    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    who = f"pid {holder}" if holder.isdigit() else "another process"
    return (
        f"the store {store} is busy ({who} is writing to it, e.g. `regiomatch init` or `load`); "
        f"waited {wait:g} s — try again when it has finished"
    )
