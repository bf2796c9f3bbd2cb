"""Issue 13, items 2 and 12: an upload does not freeze other users, and a huge anonymous body is refused unread.

A real server (uvicorn in its own process, as deployed, so its event loop
and the test's client do not share one interpreter lock) on a SQLite
workspace. While one client uploads a 0.7 M-character report (the
extraction takes seconds of CPU), another polls ``/healthz``; every poll
must be answered within 200 ms. Before the fix the upload ran on the event
loop and ``/healthz`` waited 5.5 s.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser_support import free_port
from tests.conftest import REPORTS
from tests.workspace.conftest import PASSWORD

HEALTHZ_LIMIT = 0.200  # the bound, held by 95 % of the polls
# the single worst poll: on a 2-core machine shared with other jobs, the OS may not schedule the server's
# event-loop thread for a while whatever the code does; before the fix it was 5,500 ms
WORST_LIMIT = 0.400
REPORT_CHARS = 700_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, admin token) of a workspace served by uvicorn in a subprocess."""
    from govledger.store import open_store
    from govledger.workspace import SYSTEM, Workspace

    db = tmp_path_factory.mktemp("load") / "ws.db"
    with open_store(str(db)) as store:
        Workspace(store).add_user(SYSTEM, "admin", PASSWORD, "admin")
    port = free_port()
    env = {**os.environ, "GOVLEDGER_DB": str(db), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "govledger.serve.workspace.app:app_from_env",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env,
                            stdout=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("the workspace server did not start")
            time.sleep(0.2)
        token = httpx.post(f"{base}/api/v1/auth/token", json={"username": "admin", "password": PASSWORD},
                           timeout=30).json()["token"]
        yield base, token
    finally:  # the server and its extraction worker (same session), nothing else
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def big_reports() -> list[bytes]:
    """Real report text, reports one after another in chunks of 0.7 M characters (a long provincial report each)."""
    out: list[bytes] = []
    parts: list[str] = []
    total = 0
    for path in sorted(REPORTS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        parts.append(text)
        total += len(text)
        if total >= REPORT_CHARS:
            out.append("\n".join(parts).encode("utf-8"))
            parts, total = [], 0
    if not out:
        pytest.skip("not enough sample report text")
    return out


def test_healthz_stays_fast_while_a_report_is_uploaded(server: tuple[str, str]) -> None:
    base, token = server
    reports = big_reports()
    result: dict[str, Any] = {"statuses": []}

    def upload() -> None:
        """Upload the text again and again under new names (each a new report) for at least three seconds of work."""
        started = time.monotonic()
        for n in range(8):
            data = reports[n % len(reports)]
            r = httpx.post(f"{base}/api/v1/reports", headers={"Authorization": f"Bearer {token}"},
                           files={"file": (f"upload{n}_2024.txt", data)}, timeout=300)
            result["statuses"].append(r.status_code)
            result["bytes"] = result.get("bytes", 0) + len(data)
            if time.monotonic() - started > 3:
                break
        result["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=upload)
    latencies: list[float] = []
    with httpx.Client(timeout=10) as client:
        client.get(f"{base}/healthz")  # the connection is open before the clock starts
        worker.start()
        time.sleep(0.3)  # the upload has been sent and the server is working on it
        while worker.is_alive():
            started = time.monotonic()
            assert client.get(f"{base}/healthz").status_code == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.05)
    worker.join()
    assert result["statuses"] and set(result["statuses"]) <= {201, 422}, result
    assert result["seconds"] > 1.0, ("the uploads were too quick to tell anything", result)
    assert len(latencies) >= 10, (len(latencies), result)
    latencies.sort()
    worst = latencies[-1]
    print(f"\n{len(result['statuses'])} uploads, {result['bytes'] / 1e6:.1f} MB in {result['seconds']:.1f} s; "
          f"/healthz meanwhile: n={len(latencies)}, "
          f"median {latencies[len(latencies) // 2] * 1000:.1f} ms, worst {worst * 1000:.1f} ms")
    assert latencies[int(len(latencies) * 0.95) - 1] < HEALTHZ_LIMIT, latencies[-5:]
    assert worst < WORST_LIMIT, latencies[-5:]


def test_a_huge_anonymous_body_is_refused_before_it_is_read(server: tuple[str, str]) -> None:
    """Headers promising 200 MB, no credentials: the answer (401) comes before a byte of the body is sent."""
    base, _ = server
    host, port = base.removeprefix("http://").split(":")
    for path in ("/api/v1/reports", "/login"):
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                         f"Content-Length: {200 * 1024 * 1024}\r\n\r\n".encode())
            started = time.monotonic()
            answer = sock.recv(4096).decode("utf-8", "replace")
            assert time.monotonic() - started < 2
        assert answer.startswith("HTTP/1.1 401") or answer.startswith("HTTP/1.1 413"), answer[:200]
    # with a valid token, the same promise is over the largest upload: 413, also unread
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"POST /api/v1/reports HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {server[1]}\r\n"
                     f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {200 * 1024 * 1024}\r\n\r\n"
                     .encode())
        assert sock.recv(4096).decode("utf-8", "replace").startswith("HTTP/1.1 413")
