"""Fixtures of the public views: real report pairs and two communiqués imported into a store, the one web app
(read-only setting), a live server.

The reports are imported the way ``govledger serve --reports`` imports them (``store_report``: records,
tasks, verdicts of each consecutive pair), so these tests read what a deployment reads: the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser, serve_in_thread
from tests.conftest import REPORTS

SAMPLE = ("guowuyuan_2023", "guowuyuan_2024", "guowuyuan_2025", "anhui_2025", "anhui_2026",
          "shanghai_2025", "shanghai_2026", "yunnan_2025", "yunnan_2026")
CORPUS = REPORTS.parent / "corpus"
COMMUNIQUES = (2023, 2024)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def build_store(folder: Path, stems: tuple[str, ...], communiques: tuple[int, ...] = ()) -> Any:
    """A SQLite workspace store with these sample reports (and national communiqués) imported."""
    from govledger.pipeline import build_ledger
    from govledger.serve.workspace.api_common import store_report
    from govledger.store import open_store
    from govledger.workspace import SYSTEM, Workspace

    ws = Workspace(open_store(f"sqlite:///{folder / 'public.db'}"))
    for stem in stems:
        src = REPORTS / f"{stem}.txt"
        if not src.exists():
            pytest.skip(f"sample report {src} missing")
        store_report(ws, SYSTEM, build_ledger(src))
    for year in communiques:
        src = CORPUS / "statistical_communiques" / f"{year}.md"
        if not src.exists():
            pytest.skip(f"communiqué {src} missing")
        store_report(ws, SYSTEM, build_ledger(src))
    return ws


@pytest.fixture(scope="session")
def public_ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not REPORTS.is_dir():
        pytest.skip(f"sample reports not found at {REPORTS}")
    return build_store(tmp_path_factory.mktemp("public_store"), SAMPLE, COMMUNIQUES)


@pytest.fixture(scope="session")
def client(public_ws: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from govledger.serve.workspace.app import create_app

    with TestClient(create_app(public_ws, read_only=True)) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(public_ws: Any) -> Iterator[str]:
    """uvicorn on 127.0.0.1 and a free port, in a thread, stopped at the end of the session."""
    from govledger.serve.workspace.app import create_app

    with serve_in_thread(create_app(public_ws, read_only=True)) as url:
        yield url


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
