"""The heavy state one API process holds: the store, cached records, the matcher.

Built once in the app's ``lifespan`` (``AppState.open``) and closed at shutdown.
The store is opened at start-up; the encoder, the fitted matcher and the topic
suggester are built on first use (or by ``warm()``), once, under a lock, so a
process that serves only reads never loads a model. Writes go through
``write_lock`` and bump ``version``, which drops the cached centres, exports and
fitted models (regions and concept schemes cannot change through the API), so the
next read sees the new data.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.records import Centre, Concept, Region
    from graph.store import Store
    from matching.encoder import Encoder
    from matching.ranker import CentreMatcher
    from matching.topics import TopicSuggester
    from service.api.auth import KeyStore
    from service.api.ratelimit import RateLimiter
    from service.api.sparql_worker import WorkerPool as SparqlPool
    from service.settings import Settings

__all__ = ["AppState", "PRIVATE_GRAPH_PREFIXES", "is_private_graph", "keys_path", "check_store_exists"]

# what API writes (centres, companies, outcomes) cannot change: kept across writes
_STABLE = frozenset({"regions", "regions_by_ags", "region_parts", "concepts", "adjacency", "sparql_pool", "encoder"})

# named graphs whose content is private: companies, outcomes, the API's write records
PRIVATE_GRAPH_PREFIXES = ("companies/", "companies", "outcomes", "audit")


def is_private_graph(name: str) -> bool:
    """True for a named graph (short name such as ``companies/api``) that only keys may read."""
    return any(name == p or name.startswith(p.rstrip("/") + "/") for p in PRIVATE_GRAPH_PREFIXES)


@dataclass
class AppState:
    settings: Settings
    store: Store
    keys: KeyStore
    limiter: RateLimiter
    started: float = field(default_factory=time.time)
    version: int = 0
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    # pySHACL parses SPARQL with rdflib's pyparsing grammar, which is not thread-safe
    validate_lock: threading.Lock = field(default_factory=threading.Lock)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _model_lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> AppState:
        from service.api.auth import KeyStore
        from service.api.ratelimit import RateLimiter
        from service.runtime import Runtime

        check_store_exists(settings.store)
        store = Runtime(settings).open_store(writable=True, create=False)
        return cls(
            settings=settings,
            store=store,
            keys=KeyStore(keys_path(settings)),
            limiter=RateLimiter(settings.rate_limit),
        )

    def close(self) -> None:
        pool = self._cache.pop("sparql_pool", None)
        if pool is not None:
            pool[1].close()
        self.store.close()

    def sparql_pool(self) -> SparqlPool | None:
        """Killable query workers for ``/sparql`` on an embedded store (None for a remote one,
        whose HTTP timeout stops a query)."""
        from graph.store import is_remote

        if is_remote(self.settings.store) or self.settings.sparql_workers == 0:
            return None
        with self._lock:
            hit = self._cache.get("sparql_pool")
            if hit is None:
                from service.api.sparql_worker import WorkerPool

                hit = (0, WorkerPool(str(Path(self.settings.store).expanduser()), self.settings.sparql_workers))
                self._cache["sparql_pool"] = hit
            return hit[1]

    # -- cached records (dropped on every write)
    def cached(self, name: str, build: Any) -> Any:
        with self._lock:
            version = self.version
            hit = self._cache.get(name)
            if hit is not None and (hit[0] == version or name in _STABLE):
                return hit[1]
        value = build()
        with self._lock:
            if self.version == version:
                self._cache[name] = (version, value)
        return value

    def centres(self) -> list[Centre]:
        from graph import views

        return self.cached("centres", lambda: views.centres(self.store))

    def regions(self) -> list[Region]:
        from graph import views

        return self.cached("regions", lambda: views.regions(self.store))

    def regions_by_ags(self) -> dict[str, Region]:
        return self.cached("regions_by_ags", lambda: {r.ags: r for r in self.regions()})

    def concepts(self) -> list[Concept]:
        from graph import views

        return self.cached("concepts", lambda: views.concepts(self.store))

    def changed(self) -> None:
        """Call after a write: cached records and fitted models are rebuilt on next use."""
        with self._lock:
            self.version += 1
            self._cache = {k: v for k, v in self._cache.items() if k in _STABLE}

    # -- models, built once per data version
    def matcher(self) -> CentreMatcher:
        with self._model_lock:  # one fit at a time: a concurrent caller waits and reuses it
            return self.cached("matcher", self._fit_matcher)

    def suggester(self) -> TopicSuggester:
        with self._model_lock:
            return self.cached("suggester", self._fit_suggester)

    def encoder(self) -> Encoder:
        """The settings' encoder, loaded once and shared by the matcher and the suggester of every
        data version (a write refits them without reloading the model or redoing its warm-up)."""
        return self.cached("encoder", self._load_encoder)

    def _load_encoder(self) -> Encoder:
        """The settings' encoder, prepared for the common words needs are written in
        (``Settings.warm_words``); without the word lists it still works, only slower on new words.
        The process's BLAS thread count is set first (``Settings.blas_threads``)."""
        import logging

        from graph.errors import RegiomatchError
        from matching.multilingual import common_words, warm_encoder, warmable
        from service.runtime import Runtime, apply_blas_threads

        apply_blas_threads(self.settings.blas_threads)
        encoder = Runtime(self.settings).encoder()
        if self.settings.warm_words and warmable(encoder):
            try:
                warm_encoder(encoder, common_words(self.settings.warm_words))
            except RegiomatchError as exc:
                logging.getLogger("regiomatch.api").warning("encoder not prepared for common words: %s", exc)
        return encoder

    def models_loaded(self) -> dict[str, bool]:
        with self._lock:
            return {k: k in self._cache for k in ("matcher", "suggester")}

    def _fit_matcher(self) -> CentreMatcher:
        """The matcher ``service.runtime`` builds for every edge, on the app's cached records."""
        from matching.catalogue import Catalogue
        from service.runtime import Runtime

        catalogue = Catalogue(
            centres=tuple(self.centres()),
            concepts=tuple(self.concepts()),
            regions=self.regions_by_ags(),
            district_adjacency=tuple(self._district_adjacency()),
        )
        matcher = Runtime(self.settings).matcher(catalogue, encoder=self.encoder())
        matcher.warm_up()  # the service answers many needs: prepare the encoder for their words once
        return matcher

    def _district_adjacency(self) -> list[tuple[str, str]]:
        from graph import views

        return self.cached("adjacency", lambda: views.adjacency(self.store, "district"))

    def _fit_suggester(self) -> TopicSuggester:
        from matching.catalogue import Catalogue
        from service.runtime import Runtime

        catalogue = Catalogue(centres=tuple(self.centres()), concepts=tuple(self.concepts()))
        return Runtime(self.settings).suggester(catalogue, encoder=self.encoder())


def check_store_exists(location: str) -> None:
    """``StoreError`` unless ``location`` is a remote endpoint or an existing embedded store,
    so the server never creates an empty store by mistake."""
    from graph.errors import StoreError
    from graph.store import is_remote

    if is_remote(location):
        return
    path = Path(location).expanduser()
    if not (path / "CURRENT").exists():
        raise StoreError(
            f"no store at {path}: run 'regiomatch init' first (or set REGIOMATCH_STORE / --store to an existing store)"
        )


def keys_path(settings: Settings) -> Path:
    """Where API keys are kept: ``REGIOMATCH_KEYS_FILE``, else ``<store>/auth/keys.json``
    (a remote store: ``<cache_dir>/auth/keys.json``)."""
    from service.runtime import Runtime

    if settings.keys_file:
        return Path(settings.keys_file).expanduser()
    rt = Runtime(settings)
    base = rt.cache_dir if rt.remote else Path(settings.store).expanduser()
    return base / "auth" / "keys.json"
