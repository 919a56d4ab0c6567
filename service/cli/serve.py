"""``regiomatch serve`` (the HTTP API under uvicorn) and ``regiomatch keys`` (API keys)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from service.cli._common import JsonOpt, StoreOpt, emit, handle_errors, runtime

if TYPE_CHECKING:
    from service.api.auth import KeyStore

__all__ = ["serve", "keys_app"]

keys_app = typer.Typer(help="API keys of the HTTP service: create, list, revoke.", no_args_is_help=True)


@handle_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (more than 1 needs a remote store).", min=1, max=64)] = 1,
    store: StoreOpt = None,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Fit the matcher at start-up, not on the first /match.")] = True,
) -> None:
    """Serve the REST API, the SPARQL endpoint and the linked-data pages over HTTP."""
    import uvicorn

    from graph.errors import InvalidInput
    from graph.store import is_remote
    from service.api.state import check_store_exists

    location = runtime(store).location
    if workers > 1 and not is_remote(location):
        raise InvalidInput(
            f"--workers {workers} needs a remote store (REGIOMATCH_STORE=http…): the embedded store at "
            f"{location} can be opened for writing by one process only; use --workers 1"
        )
    check_store_exists(location)
    os.environ["REGIOMATCH_STORE"] = location  # the worker processes build their settings from it
    os.environ["REGIOMATCH_WARM"] = "1" if warm else "0"
    typer.echo(f"regiomatch serving {location} on http://{_url_host(host)}:{port}  (docs /docs, SPARQL /sparql)")
    uvicorn.run("service.api.main:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _keystore(store: str | None) -> KeyStore:
    from service.api.auth import KeyStore
    from service.api.state import keys_path

    return KeyStore(keys_path(runtime(store).settings))


@keys_app.command("create")
@handle_errors
def keys_create(
    scope: Annotated[str, typer.Option("--scope", help="admin | analyst | centre:<centre id>")],
    label: Annotated[str, typer.Option("--label", help="Who the key is for.")] = "",
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a key; it is printed once and only its hash is kept."""
    from service.schemas.keys import KeyCreated

    ks = _keystore(store)
    rec, token = ks.create(scope, label)
    if as_json:
        emit(KeyCreated(id=rec.id, scope=rec.scope, label=rec.label, created=rec.created, key=token, file=str(ks.path)))
        return
    typer.echo(token)
    typer.echo(f"key {rec.id} (scope {rec.scope}) saved to {ks.path}; the key is shown only now", err=True)


@keys_app.command("list")
@handle_errors
def keys_list(
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the keys (ids, scopes, labels, dates — never the keys themselves)."""
    from dataclasses import asdict

    from service.schemas.keys import KeyPublic, KeysList

    records = _keystore(store).list()
    if as_json:
        emit(KeysList(keys=[KeyPublic(**asdict(r)) for r in records]))
        return
    if not records:
        typer.echo("no API keys")
    for r in records:
        status = f"revoked {r.revoked}" if r.revoked else "active"
        typer.echo(f"{r.id}  {r.scope:<24} {status:<30} created {r.created}  {r.label}")


@keys_app.command("revoke")
@handle_errors
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see 'keys list').")],
    store: StoreOpt = None,
) -> None:
    """Revoke a key; a running server refuses it from the next request on."""
    rec = _keystore(store).revoke(key_id)
    typer.echo(f"revoked key {rec.id} (scope {rec.scope})")
