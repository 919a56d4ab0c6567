"""``GET /health``: store, model and index status, and the data's reference dates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.api.deps import StateDep
from service.api.models import Health

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(state: StateDep) -> Health:
    """Is the store readable, which models are loaded, and how old is each source graph."""
    from graph.errors import RegiomatchError
    from graph.store import is_remote
    from service.api.dataset import source_graphs

    store: dict[str, Any] = {
        "location": state.settings.store,
        "kind": "remote" if is_remote(state.settings.store) else "embedded",
    }
    data: dict[str, Any] = {}
    try:
        graphs = source_graphs(state.store)
        store["ok"] = True
        store["triples"] = sum(g.triples for g in graphs)
        data["graphs"] = [
            {"name": g.name, "triples": g.triples, "reference_date": g.generated, "private": g.private}
            for g in graphs
        ]
    except RegiomatchError as exc:
        store["ok"] = False
        store["problem"] = str(exc)
    loaded = state.models_loaded()
    models: dict[str, Any] = {"encoder": state.settings.encoder, "model": state.settings.model or "default", **loaded}
    if loaded["matcher"]:
        m = state.matcher()
        models["index"] = {"centres": int(m.centre_vectors_.shape[0]), "dim": int(m.centre_vectors_.shape[1])}
    return Health(status="ok" if store["ok"] else "degraded", store=store, models=models, data=data)
