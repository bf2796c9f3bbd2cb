"""Schema-based fuzzing of ``/api/v1`` (schemathesis): whatever the OpenAPI schema allows, no answer is a 5xx.

Every request carries an admin token, so the generated cases reach the
handlers (and the store) rather than stopping at 401. The workspace holds
the real 雅安 2024 report; cases that change data change that database.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import REPORTS


@pytest.fixture(scope="module")
def app_and_token(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    from fastapi.testclient import TestClient

    from govledger.pipeline import build_ledger
    from govledger.serve.workspace.app import create_app
    from govledger.store import open_store
    from govledger.store.workspace import SYSTEM, Workspace

    folder: Path = tmp_path_factory.mktemp("schema")
    ws = Workspace(open_store(f"sqlite:///{folder / 'ws.db'}"), today=date(2024, 9, 1))
    dept = ws.add_department(SYSTEM, "市发展改革委")
    ws.add_user(SYSTEM, "admin", "correct horse battery", "admin")
    ws.add_user(SYSTEM, "fgw", "correct horse battery", "department", department_id=dept.id)
    ws.import_ledger(SYSTEM, build_ledger(REPORTS / "yaan_2024.txt"))
    app = create_app(ws)
    with TestClient(app) as client:
        r = client.post("/api/v1/auth/token", json={"username": "admin", "password": "correct horse battery"})
    return app, str(r.json()["token"])


def test_no_server_errors(app_and_token: tuple[Any, str]) -> None:
    """Every operation of the schema, 25 generated cases each (schemathesis strategies driven by hypothesis)."""
    app, token = app_and_token
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    seen: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, f"{where}: {response.status_code} {response.text}"
            ctype = response.headers.get("content-type") or [""]  # schemathesis keeps every value of a header
            if response.status_code >= 400 and str(ctype[0] if isinstance(ctype, list) else ctype).startswith(
                    "application/json"):
                body = response.json()
                assert isinstance(body.get("error"), str) and body["error"], (where, body)
            seen.append(where)

        run()
    assert len(seen) > 5 * len(operations)
