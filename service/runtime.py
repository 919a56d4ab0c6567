"""Settings → an opened store, an encoder and fitted estimators: the one place that does it.

The command line (``match``, ``topics``, ``evaluate``, ``train``) and the HTTP API's
startup build their store, matcher and topic suggester here, so every edge ranks
with the same matcher: the settings' encoder and model, the store's vector cache and
its learned weights (``matching.weights``). Fitted estimators hold everything they
need (the catalogue is a snapshot), so the store may be closed after fitting and one
fitted matcher may serve many threads.

Nothing here prints or exits; errors are the domain's (``graph.errors``), which
``service.errors`` maps to exit codes and HTTP statuses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.settings import Settings, get_settings

if TYPE_CHECKING:
    from graph.store import Store
    from matching.catalogue import Catalogue
    from matching.encoder import Encoder
    from matching.ranker import CentreMatcher
    from matching.topics import TopicSuggester

__all__ = ["Runtime", "runtime", "apply_blas_threads"]


def apply_blas_threads(threads: int) -> int | None:
    """Run the process's BLAS (numpy's OpenBLAS) on ``threads`` threads from now on, as the
    service does once at start (``Settings.blas_threads``); 0 leaves BLAS at its own count.
    Returns the count set, None when nothing was set (0, or no ``threadpoolctl``).

    One thread for the whole process, not one around each encode: setting a limit and
    restoring the process's count after every encode woke OpenBLAS's other thread each time, and
    it spun on the second core (a need's forward pass 1.3-1.4 ms instead of 0.9 ms, measured
    on these 2-core machines)."""
    if threads <= 0:
        return None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # comes with scikit-learn (the match extra); without it BLAS keeps its count
        return None
    threadpool_limits(limits=threads, user_api="blas")  # not a context: the limit stays for the process
    return threads


def runtime(store: str | None = None, encoder: str | None = None, settings: Settings | None = None) -> Runtime:
    """The runtime of ``settings`` (default: the process's ``REGIOMATCH_*`` settings),
    with a store location or encoder kind given on the command line taking precedence."""
    base = settings or get_settings()
    overrides = {k: v for k, v in (("store", store), ("encoder", encoder)) if v is not None}
    return Runtime(base.model_copy(update=overrides) if overrides else base)


@dataclass(frozen=True)
class Runtime:
    """Builds stores and fitted estimators from one ``Settings``."""

    settings: Settings

    # ------------------------------------------------------------------ places

    @property
    def location(self) -> str:
        """The store: a directory or a SPARQL endpoint URL."""
        return self.settings.store

    @property
    def remote(self) -> bool:
        from graph.store import is_remote

        return is_remote(self.location)

    @property
    def cache_dir(self) -> Path:
        """Model exports (``models/``) and, for a remote store, its vectors and weights."""
        if self.settings.cache_dir:
            return Path(self.settings.cache_dir).expanduser()
        from matching.encoder import default_cache_dir

        return default_cache_dir().parent

    @property
    def vector_cache(self) -> Path:
        """The vector cache: inside an embedded store's directory, else in the cache directory."""
        return (self.cache_dir if self.remote else Path(self.location).expanduser()) / "vectors"

    @property
    def weights_file(self) -> Path:
        """Where the store's learned weights are (or will be) kept."""
        from matching.weights import weights_path

        return weights_path(self.location, self.cache_dir)

    def at(self, location: str | os.PathLike[str]) -> Runtime:
        """The same settings with another store (e.g. a temporary one built for ``evaluate``)."""
        return Runtime(self.settings.model_copy(update={"store": os.fspath(location)}))

    def hub_catalogue(self, csv_path: str | os.PathLike[str]) -> Catalogue:
        """``init --bare`` + ``load --format edih-csv CSV`` into this runtime's store (a new one,
        e.g. from :meth:`at` on a temporary directory), and its catalogue: how ``evaluate
        --catalogue`` and the rank model's build read an EU hub catalogue export."""
        from graph.build import build_store
        from graph.loader import load_files

        build_store(self.location, bare=True)
        with self.open_store(writable=True) as st:
            load_files(st, [Path(csv_path)], fmt="edih-csv")
            return self.catalogue(st)

    # ------------------------------------------------------------------ store

    def open_store(self, *, writable: bool = False, create: bool = True) -> Store:
        """Open the store; an embedded one read-only unless ``writable`` (a remote one as it is).

        A writable embedded store holds the writer lock (waiting ``lock_wait`` seconds
        for another writer); with ``create=False`` it must exist already.
        """
        from graph.store import open_store

        return open_store(
            self.location,
            read_only=not (writable or self.remote),
            create=create,
            lock_wait=self.settings.lock_wait,
            update_url=self.settings.update_url,
        )

    def catalogue(self, store: Store | None = None, *, regions: bool = True, region_details: bool = False) -> Catalogue:
        """The centres, concepts and regions of ``store`` (default: open the settings' store
        for the read) as a self-contained snapshot.

        The matchers need only a region's name and coordinates, which is what is read
        unless ``region_details`` (see ``Catalogue.from_store``); topic suggestion needs
        no regions at all (``regions=False``). An embedded store's catalogue is also kept
        as ``vectors/catalogue-<fingerprint>.json`` in its directory and read from there
        while the store's files are unchanged (0.5 s of a cold ``match`` otherwise).
        """
        if store is None:
            with self.open_store() as st:
                return self.catalogue(st, regions=regions, region_details=region_details)
        from matching.catalogue import Catalogue

        if region_details:
            return Catalogue.from_store(store, region_details=True)
        snapshot = _Snapshot.of(store)
        cat = snapshot.read() if snapshot is not None else None
        if cat is None and not regions:
            from graph import views

            return Catalogue(centres=tuple(views.centres(store)), concepts=tuple(views.concepts(store)))
        if cat is None:
            cat = Catalogue.from_store(store, region_details=False)
            if snapshot is not None:
                snapshot.write(cat)
        return cat if regions else Catalogue(centres=cat.centres, concepts=cat.concepts)

    # ------------------------------------------------------------------ estimators

    def model_options(self, encoder: Encoder | None = None) -> dict[str, Any]:
        """The encoder hyper-parameters every estimator takes: encoder kind (or ``encoder``, a loaded
        one of this kind to share), model, model cache, vector cache."""
        return {
            "encoder": self.settings.encoder if encoder is None else encoder,
            "model": self.settings.model,
            "model_cache_dir": str(self.cache_dir / "models"),
            "vector_cache": str(self.vector_cache),
        }

    def encoder(self) -> Encoder:
        """The settings' encoder (loads its model on first use)."""
        from matching.encoder import make_encoder

        return make_encoder(self.settings.encoder, model=self.settings.model, cache_dir=self.cache_dir / "models")

    def weights(self, explicit: str | os.PathLike[str] | None = None) -> str | None:
        """The weights file the matcher uses: ``explicit`` if given, else the store's learned
        weights if there are any, else None (the defaults)."""
        if explicit is not None:
            return os.fspath(explicit)
        learned = self.weights_file
        return str(learned) if learned.exists() else None

    def matcher(
        self, catalogue: Catalogue, *, weights: str | os.PathLike[str] | None = None, encoder: Encoder | None = None
    ) -> CentreMatcher:
        """The hybrid matcher fitted on ``catalogue``, with the store's learned weights unless
        ``weights`` names another file (``encoder``: a loaded :meth:`encoder` to reuse). Every
        command that ranks centres uses this one."""
        from matching.ranker import CentreMatcher

        return CentreMatcher(**self.model_options(encoder), weights=self.weights(weights)).fit(catalogue)

    def suggester(
        self, catalogue: Catalogue, scheme: str = "technology", *, centre: bool = False, encoder: Encoder | None = None
    ) -> TopicSuggester:
        """A topic suggester for one concept scheme, fitted on ``catalogue``. A need's topics
        come from the need alone; for a centre's description (``centre``) the hub catalogue's
        topic model and the topics' frequency among centres break ties (``encoder``: a loaded
        :meth:`encoder` to reuse, except where the topic model asks for its own)."""
        from matching.topic_model import TOPIC_MODEL_ENCODER
        from matching.topics import NEED_CLASSIFIER_WEIGHT, TopicSuggester

        options = self.model_options(encoder)
        if centre and scheme == "technology" and self.settings.encoder == _DEFAULT_ENCODER:
            # a description is read with the encoder the hub topic model was trained with (USE scored
            # no better there); an encoder chosen explicitly is kept, without the model
            options["encoder"] = TOPIC_MODEL_ENCODER
        priors: dict[str, Any] = (
            {} if centre else {"prior_weight": 0.0, "model_weight": 0.0, "classifier_weight": NEED_CLASSIFIER_WEIGHT}
        )
        return TopicSuggester(**options, scheme=scheme, **priors).fit(catalogue)


_DEFAULT_ENCODER = Settings.model_fields["encoder"].default


@dataclass(frozen=True)
class _Snapshot:
    """An embedded store's catalogue kept on disk, valid while the store's files are unchanged.

    The fingerprint hashes the name, size, inode and mtime of every file in the store's
    directory (RocksDB's tables, write-ahead logs, manifest), except its info logs and lock
    file: every write to the store changes at least one of them. A snapshot is written only
    when the fingerprint is the same before and after reading the store, so a write during
    the read is never hidden.
    """

    directory: Path
    fingerprint: str

    @classmethod
    def of(cls, store: Store) -> _Snapshot | None:
        from graph.store import is_remote

        location = getattr(store, "location", None)
        if not location or is_remote(location) or not Path(location).is_dir():
            return None
        fingerprint = _fingerprint(Path(location))
        return cls(Path(location), fingerprint) if fingerprint else None

    @property
    def path(self) -> Path:
        return self.directory / "vectors" / f"catalogue-{self.fingerprint}.json"

    def read(self) -> Catalogue | None:
        from matching.catalogue import Catalogue

        try:
            return Catalogue.load(self.path)
        except (OSError, ValueError):
            return None  # none yet, unreadable or from another version: read the store

    def write(self, catalogue: Catalogue) -> None:
        if _fingerprint(self.directory) != self.fingerprint:
            return  # the store changed while it was read
        try:
            catalogue.save(self.path)
            for old in self.path.parent.glob("catalogue-*.json"):
                if old != self.path:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only directory: read the store next time too


def _fingerprint(directory: Path) -> str:
    import hashlib

    parts = []
    try:
        for entry in os.scandir(directory):
            if entry.name.startswith(("LOG", ".")) or entry.name == "LOCK" or not entry.is_file():
                continue
            st = entry.stat()
            parts.append(f"{entry.name}:{st.st_size}:{st.st_ino}:{st.st_mtime_ns}")
    except OSError:
        return ""
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:20] if parts else ""
