"""Writes survive SIGKILL: every acknowledged write is in the store, none is half there.

A real ``regiomatch serve`` process takes 100 concurrent company writes and is killed
with SIGKILL while they are in flight; the store is then opened again and searched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

BASE = "https://w3id.org/regiomatch/"
N = 100


def _company(i: int) -> dict:
    return {"municipality": "15083270", "size_class": "micro", "employees": i % 9 + 1, "needs": ["cybersecurity"],
            "need_description": f"Bedarf Nummer {i}", "name": f"Firma {i}"}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_during_concurrent_writes_leaves_no_half_write(default_store_dir, tmp_path):
    from graph.store import open_store
    from service.api.auth import KeyStore

    store = tmp_path / "store"
    shutil.copytree(default_store_dir, store, ignore=shutil.ignore_patterns("LOCK"))
    admin = KeyStore(store / "auth" / "keys.json").create("admin")[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = Path(sys.executable).with_name("regiomatch")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3]), "REGIOMATCH_ENCODER": "hashing",
           "REGIOMATCH_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([*cmd, "serve", "--store", str(store), "--port", str(port), "--no-warm"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        acked: set[int] = set()
        refused: list[str] = []
        lock = threading.Lock()

        def write(i: int) -> None:
            try:
                r = httpx.put(f"{url}/companies/dur-{i:03d}", json=_company(i), headers={"X-API-Key": admin}, timeout=120)
                with lock:
                    if 200 <= r.status_code < 300:
                        acked.add(i)
                    else:
                        refused.append(f"{r.status_code} {r.text[:200]}")
            except httpx.TransportError:
                pass  # the server died before answering

        threads = [threading.Thread(target=write, args=(i,)) for i in range(N)]
        for t in threads:
            t.start()
        while len(acked) < N // 3 and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        for t in threads:
            t.join(timeout=130)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert not refused, refused[:3]
    assert 0 < len(acked) < N, f"the kill should land mid-batch ({len(acked)} of {N} acknowledged)"
    with open_store(str(store), read_only=True) as st:
        rows = st.select_values(f"""SELECT ?c (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/companies/api> {{ ?c ?p ?o }}
          FILTER(STRSTARTS(STR(?c), "{BASE}id/company/dur-")) }} GROUP BY ?c""")
        triples = {int(r["c"].rsplit("-", 1)[-1]): int(r["n"]) for r in rows}
        records = {int(r["c"].rsplit("-", 1)[-1]) for r in st.select_values(f"""SELECT ?c WHERE {{
          GRAPH <{BASE}graph/audit> {{ ?a <http://www.w3.org/ns/prov#generated> ?c }}
          FILTER(STRSTARTS(STR(?c), "{BASE}id/company/dur-")) }}""")}
    assert acked <= set(triples), f"acknowledged writes missing: {sorted(acked - set(triples))}"
    from service.api.models import CompanyIn
    from service.api.writes import company_graph

    full = {i: len(company_graph(f"dur-{i:03d}", CompanyIn(**_company(i)))) for i in triples}
    assert triples == full, f"half-written companies: { {i: n for i, n in triples.items() if n != full[i]} }"
    assert set(triples) == records, "a company without its write record, or a record without its company"
