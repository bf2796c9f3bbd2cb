"""Load benchmark of the supervision workspace: p50/p95/p99 of the dashboard and the task list, 50 clients.

Builds a SQLite workspace whose one report has at least 500 tasks (the real
雅安 2024 report, each target split into parts as an office would), starts
the real service with uvicorn on loopback in a separate process, and runs
50 concurrent clients (threads, one HTTP connection each) against:

- ``GET /api/v1/reports/{id}/dashboard`` (JSON),
- ``GET /api/v1/tasks?report_id=…&per_page=50`` (JSON, one page),
- ``GET /reports/{id}`` (the HTML dashboard).

Three loads are measured, because they answer different questions:

- *one client*: requests one after another: the service time of each endpoint,
  with no queue in front of it (where the time goes when nothing waits);
- *office*: 50 users who each click about once a second (think time 0.5–1.5 s):
  is the service quick for the people using it? The target is p95 < 100 ms.
- *saturation*: 50 clients with no think time: how many requests per second fit
  through one process, and how long the queue gets (with 50 requests always
  outstanding, the mean wait is 50 / throughput whatever the code does).

Usage: ``.venv/bin/python bench/bench_web.py [--clients 50] [--seconds 20] [--workers 1]``
(about 45 s with the defaults). Prints figures; asserts nothing (machines here are noisy).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT.parent / "shared" / "reports" / "yaan_2024.txt"
PASSWORD = "bench password 1"


def build_database(path: Path, min_tasks: int = 500) -> tuple[int, int]:
    """A workspace with one report of ≥ ``min_tasks`` tasks, assigned to six departments, some feedback approved."""
    from govledger.pipeline import build_ledger
    from govledger.store import open_store
    from govledger.workspace import SYSTEM, Actor, TaskFilter, Workspace

    rng = random.Random(2024)
    ws = Workspace(open_store(f"sqlite:///{path}"), today=date(2024, 9, 1))
    depts = [ws.add_department(SYSTEM, f"单位{i}").id for i in range(1, 7)]
    admin = ws.add_user(SYSTEM, "admin", PASSWORD, "admin")
    actor = Actor(admin.id, admin.username, admin.role)
    ws.import_ledger(SYSTEM, build_ledger(REPORT))
    report_id = ws.reports()[0].id
    tasks = ws.list_tasks(TaskFilter(report_id=report_id), per_page=500).items
    parts = max(2, -(-(min_tasks - len(tasks)) // len(tasks)))
    for i, task in enumerate(tasks):
        task = ws.update_task(SYSTEM, task.id, task.version, {"lead_id": depts[i % 6]})
        ws.split_task(SYSTEM, task.id, task.version, [(f"{task.content}（第{k}部分）", 1.0) for k in range(1, parts + 1)])
    leaves = [t for t in ws.list_tasks(TaskFilter(report_id=report_id), per_page=500, page=1).items if t.parent_id]
    # separation of duties: each department's contact reports, the admin (the office) reviews
    contacts = {d: ws.add_user(SYSTEM, f"lx{d}", PASSWORD, "department", department_id=d) for d in depts}
    for t in leaves[::5]:
        contact = contacts[t.lead_id] if t.lead_id is not None else None
        if contact is None:
            continue
        fb = ws.submit_feedback(Actor(contact.id, contact.username, contact.role, contact.department_id), t.id,
                                text="按计划推进", percent=float(rng.randint(20, 100)))
        ws.review_feedback(actor, fb.id, True)
    total = ws.list_tasks(TaskFilter(report_id=report_id), per_page=1).total
    ws.store.close()
    return report_id, total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOVLEDGER_DB": f"sqlite:///{db}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "govledger.serve.workspace.app:app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def run_load(base: str, token: str, paths: dict[str, str], clients: int, seconds: float,
             think: tuple[float, float] | None) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {name: [] for name in paths}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    start_gate = threading.Barrier(clients)

    def client(n: int) -> None:
        rng = random.Random(n)
        names = list(paths)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            start_gate.wait()
            if think:
                time.sleep(rng.uniform(0, think[1]))  # spread the first clicks
            while time.perf_counter() < stop:
                name = names[rng.randrange(len(names))]
                t0 = time.perf_counter()
                r = http.get(paths[name])
                elapsed = time.perf_counter() - t0
                with lock:
                    if r.status_code != 200:
                        errors.append(f"{name}: {r.status_code}")
                    latencies[name].append(elapsed * 1000)
                if think:
                    time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"  {len(errors)} errors, e.g. {errors[:3]}")
    return latencies


def run_sequential(base: str, token: str, paths: dict[str, str], n: int) -> dict[str, list[float]]:
    """One client, one request at a time: each endpoint's service time with nobody queueing."""
    latencies: dict[str, list[float]] = {name: [] for name in paths}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        for _ in range(n):
            for name, path in paths.items():
                t0 = time.perf_counter()
                http.get(path).raise_for_status()
                latencies[name].append((time.perf_counter() - t0) * 1000)
    return latencies


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(title: str, latencies: dict[str, list[float]], seconds: float) -> None:
    total = sum(len(v) for v in latencies.values())
    print(f"\n{title}: {total} requests in {seconds:.0f} s = {total / seconds:.0f} req/s")
    print(f"  {'endpoint':<28}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  p95 < 100 ms")
    for name, values in latencies.items():
        if not values:
            continue
        p95 = pct(values, 95)
        print(f"  {name:<28}{len(values):>7}{len(values) / seconds:>8.1f}{pct(values, 50):>9.1f}{p95:>9.1f}"
              f"{pct(values, 99):>9.1f}  {'yes' if p95 < 100 else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--min-tasks", type=int, default=500)
    args = parser.parse_args()
    if not REPORT.is_file():
        raise SystemExit(f"{REPORT}: sample report missing")
    with tempfile.TemporaryDirectory(prefix="govledger-bench-web-") as folder:
        db = Path(folder) / "ws.db"
        t0 = time.perf_counter()
        report_id, n_tasks = build_database(db, args.min_tasks)
        print(f"workspace: 1 report, {n_tasks} tasks (built in {time.perf_counter() - t0:.1f} s); "
              f"{args.clients} clients; uvicorn workers {args.workers}; {os.cpu_count()} CPUs")
        port = free_port()
        server = start_server(db, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            token = httpx.post(f"{base}/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}
                               ).json()["token"]
            paths = {"dashboard (JSON)": f"/api/v1/reports/{report_id}/dashboard",
                     "task list (JSON, 50)": f"/api/v1/tasks?report_id={report_id}&per_page=50",
                     "dashboard (HTML page)": f"/reports/{report_id}"}
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as warm:
                for path in paths.values():
                    assert warm.get(path).status_code == 200, path
            t0 = time.perf_counter()
            one = run_sequential(base, token, paths, 100)
            report("one client, sequential (service time)", one, time.perf_counter() - t0)
            office = run_load(base, token, paths, args.clients, args.seconds, think=(0.5, 1.5))
            report("office load (each client clicks every 0.5–1.5 s)", office, args.seconds)
            saturation = run_load(base, token, paths, args.clients, args.seconds / 2, think=None)
            report("saturation (no think time)", saturation, args.seconds / 2)
            rate = sum(len(v) for v in saturation.values()) / (args.seconds / 2)
            print(f"  (Little's law: {args.clients} requests always outstanding at {rate:.0f} req/s "
                  f"= {1000 * args.clients / rate:.0f} ms mean time in the system)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
