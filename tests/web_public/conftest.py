"""Fixtures of the public web views: a few real report pairs (linked, not copied), the app, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser, serve_in_thread
from tests.conftest import REPORTS

SAMPLE = ("guowuyuan_2023", "guowuyuan_2024", "guowuyuan_2025", "anhui_2025", "anhui_2026",
          "shanghai_2025", "shanghai_2026", "yunnan_2025", "yunnan_2026")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not REPORTS.is_dir():
        pytest.skip(f"sample reports not found at {REPORTS}")
    folder = tmp_path_factory.mktemp("public_reports")
    for stem in SAMPLE:
        src = REPORTS / f"{stem}.txt"
        if not src.exists():
            pytest.skip(f"sample report {src} missing")
        (folder / src.name).symlink_to(src)
    return folder


@pytest.fixture(scope="session")
def public_data(sample_folder: Path):  # type: ignore[no-untyped-def]
    from govledger.serve.public import PublicData

    return PublicData.load(sample_folder)


@pytest.fixture(scope="session")
def client(public_data):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from govledger.serve.public import create_app

    with TestClient(create_app(public_data)) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(public_data) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """uvicorn on 127.0.0.1 and a free port, in a thread, stopped at the end of the session."""
    from govledger.serve.public import create_app

    with serve_in_thread(create_app(public_data)) as url:
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
