"""Fixtures of the public web views: a few real report pairs (linked, not copied), the app, a live server."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(public_data) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """uvicorn on 127.0.0.1 and a free port, in a thread, stopped at the end of the session."""
    import uvicorn

    from govledger.serve.public import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(public_data), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    reason = _browser_missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
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
