"""Schemathesis over every operation of the OpenAPI document, in process (ASGI).

No request may produce a 5xx, and every response must match the status codes,
content types and body schemas the document declares. Writes are fuzzed without a
key (they answer 401), so the fuzzed store stays as built.
"""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


@pytest.fixture(scope="module")
def fuzz_schema(default_store_dir: str, tmp_path_factory: pytest.TempPathFactory):
    from service.api import create_app
    from service.settings import Settings

    tmp = tmp_path_factory.mktemp("fuzz")
    store = tmp / "store"
    shutil.copytree(default_store_dir, store, ignore=shutil.ignore_patterns("LOCK"))
    # bodies of these types are text: send the generated strings as they are
    schemathesis.serializer.alias(["application/x-ndjson", "application/sparql-query"], "text/plain")
    app = create_app(Settings(store=str(store), encoder="hashing", cache_dir=str(tmp / "cache"), rate_limit=0))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_errors_and_responses_match_the_schema(fuzz_schema):
    # one hypothesis run per operation (schemathesis' pytest loader does not work with pytest 9)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for op in operations:
        try:
            _fuzz(op, checks)
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{op.method.upper()} {op.path}: {exc}")
    assert not failures, "\n\n".join(failures)


def _fuzz(op, checks) -> None:
    from hypothesis import given

    @given(case=op.as_strategy())
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        case.call_and_validate(checks=checks)

    run()
