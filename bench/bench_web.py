"""Load benchmark of the one web app: reads and writes at 50 clients, cached and uncached service times.

The database is what an office would have after ``govledger serve --reports ../shared/reports --demo``:
all 67 sample reports imported (verdicts stored), their tasks dealt out among six departments, and
雅安 2024 split by the office into 568 tasks (each target in parts), some of them with approved
feedback; 雅安 2024 and 国务院 2024 are switched 公开.

Measured on 雅安 2024 (568 tasks):

- ``GET /api/v1/reports/{id}/dashboard`` — the dashboard (JSON);
- ``GET /api/v1/tasks?report_id=…&per_page=50`` — one page of the task list (JSON);
- ``GET /reports/{id}`` — the dashboard page (HTML, 红黑榜 and charts' data);
- ``GET /public/report/yaan_2024`` — the public report card; ``/public/yaan_2024`` — public task progress;
- ``GET /public/report/guowuyuan_2024`` — a report card with verdicts.

1. *Service time, cached and uncached* (in process, one request at a time): each read once with
   its caches warm, and once right after the caches were dropped (what the first request after a
   write pays: the task views of 568 tasks, the dashboard, the report card rebuilt from the store).
2. *Office load over HTTP*: uvicorn in its own process, 50 clients (threads) that each click every
   0.5–1.5 s; 10 % of the clicks are writes — a department files feedback on one of its tasks, the
   supervisor approves the oldest pending feedback, the supervisor edits a task (weight) — so the
   reads keep meeting caches a write has just invalidated. p50/p95 per request kind; target p95 < 100 ms.

Usage: ``.venv/bin/python bench/bench_web.py [--clients 50] [--seconds 30] [--db URL] [--keep FILE]``.
``--db postgresql+psycopg://…`` runs the same on PostgreSQL (an empty database). Prints figures,
asserts nothing (machines here are noisy).
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
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT.parent / "shared" / "reports"
PASSWORD = "bench password 1"
TODAY = date(2024, 9, 1)
DOC = "yaan_2024"


def build_database(url: str, min_tasks: int = 500) -> dict[str, Any]:
    """Every sample report with demo assignments; 雅安 2024 split to ≥ ``min_tasks`` tasks with some approved feedback."""
    from govledger.pipeline import build_ledger
    from govledger.serve.cli_workspace import seed_demo
    from govledger.serve.workspace.api_common import store_report
    from govledger.store import open_store
    from govledger.workspace import SYSTEM, Actor, TaskFilter, Workspace

    rng = random.Random(2024)
    ws = Workspace(open_store(url), today=TODAY)
    t0 = time.perf_counter()
    files = sorted(REPORTS.glob("*.txt"))
    for f in files:
        store_report(ws, SYSTEM, build_ledger(f))
    print(f"  imported {len(files)} reports in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    seed_demo(ws)  # demo accounts, six departments, every draft task assigned
    print(f"  demo assignments in {time.perf_counter() - t0:.1f} s", flush=True)
    ws.set_password(SYSTEM, "duchashi", PASSWORD)
    report = ws.report_by_doc(DOC)
    tasks = ws.list_tasks(TaskFilter(report_id=report.id), per_page=500).items
    parts = max(2, -(-(min_tasks - len(tasks)) // len(tasks)))
    for task in tasks:
        ws.split_task(SYSTEM, task.id, task.version, [(f"{task.content}（第{k}部分）", 1.0) for k in range(1, parts + 1)])
    leaves = [t for t in ws.all_views(report.id) if t.parent_id]
    depts = sorted({t.lead_id for t in leaves if t.lead_id is not None})
    contacts = {d: ws.add_user(SYSTEM, f"lx{d}", PASSWORD, "department", department_id=d) for d in depts}
    sup = next(u for u in ws.users(SYSTEM) if u.username == "duchashi")
    for t in leaves[::5]:
        c = contacts[t.lead_id] if t.lead_id is not None else None
        if c is None:
            continue
        fb = ws.submit_feedback(Actor(c.id, c.username, c.role, c.department_id), t.id, text="按计划推进",
                                percent=float(rng.randint(20, 100)))
        ws.review_feedback(Actor(sup.id, sup.username, sup.role), fb.id, True)
    for doc in (DOC, "guowuyuan_2024"):
        ws.set_public(SYSTEM, ws.report_by_doc(doc).id, True)
    total = ws.list_tasks(TaskFilter(report_id=report.id), per_page=1).total
    info = {"report_id": report.id, "tasks": total, "reports": len(ws.reports()),
            "all_tasks": ws.list_tasks(TaskFilter(), per_page=1).total,
            "leaves": {d: [t.id for t in leaves if t.lead_id == d] for d in depts},
            "contacts": {d: c.username for d, c in contacts.items()}}
    ws.store.close()
    return info


def read_paths(report_id: int, everything: bool = True) -> dict[str, str]:
    """The reads measured; the load mix leaves out the public task progress page (all 568 rows in one page)."""
    paths = {"dashboard (JSON)": f"/api/v1/reports/{report_id}/dashboard",
             "task list (JSON, 50)": f"/api/v1/tasks?report_id={report_id}&per_page=50",
             "task list (HTML, 50)": f"/reports/{report_id}/tasks",
             "dashboard (HTML)": f"/reports/{report_id}",
             "public report card": f"/public/report/{DOC}",
             "report card with verdicts": "/public/report/guowuyuan_2024"}
    if everything:
        paths["public task progress"] = f"/public/{DOC}"
    return paths


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


# ---------------------------------------------------------------------------- 1. service time in process


def service_times(url: str, report_id: int, n: int) -> None:
    from fastapi.testclient import TestClient

    from govledger.serve.workspace.app import create_app
    from govledger.store import open_store
    from govledger.workspace import Workspace

    ws = Workspace(open_store(url, create=False), today=TODAY)
    app = create_app(ws)
    client = TestClient(app)
    token = client.post("/api/v1/auth/token", json={"username": "duchashi", "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def drop_caches() -> None:
        ws._cache.clear()
        ws._dashboards.clear()
        app.state.public = None

    print(f"\n1. service time in process, one request at a time ({n} each; ms)")
    print(f"  {'request':<28}{'cached p50':>11}{'p95':>8}{'uncached p50':>14}{'p95':>8}")
    for name, path in read_paths(report_id).items():
        assert client.get(path, headers=headers).status_code == 200, path
        cached, uncached = [], []
        for _ in range(n):
            t0 = time.perf_counter()
            client.get(path, headers=headers)
            cached.append((time.perf_counter() - t0) * 1000)
            drop_caches()
            t0 = time.perf_counter()
            client.get(path, headers=headers)
            uncached.append((time.perf_counter() - t0) * 1000)
        print(f"  {name:<28}{pct(cached, 50):>11.1f}{pct(cached, 95):>8.1f}{pct(uncached, 50):>14.1f}"
              f"{pct(uncached, 95):>8.1f}")
    ws.store.close()


# ---------------------------------------------------------------------------- 2. office load over HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOVLEDGER_DB": url}
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


def token(base: str, username: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return str(r.json()["token"])


def office_load(base: str, info: dict[str, Any], clients: int, seconds: float, write_share: float) -> None:
    paths = read_paths(info["report_id"], everything=False)
    sup = token(base, "duchashi")
    dept_tokens = {d: token(base, u) for d, u in info["contacts"].items()}
    latencies: dict[str, list[float]] = {name: [] for name in [*paths, "write: feedback", "write: approve",
                                                              "write: edit task"]}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    gate = threading.Barrier(clients)

    def timed(name: str, call: Callable[[], httpx.Response], ok: tuple[int, ...] = (200, 201)) -> httpx.Response:
        t0 = time.perf_counter()
        r = call()
        elapsed = (time.perf_counter() - t0) * 1000
        with lock:
            latencies[name].append(elapsed)
            if r.status_code not in ok:
                errors.append(f"{name}: {r.status_code} {r.text[:80]}")
        return r

    def write(http: httpx.Client, rng: random.Random) -> None:
        kind = rng.choice(("feedback", "approve", "edit"))
        if kind == "feedback":
            dept = rng.choice(list(dept_tokens))
            task = rng.choice(info["leaves"][dept])
            timed("write: feedback", lambda: http.post(
                f"/api/v1/tasks/{task}/feedback", headers={"Authorization": f"Bearer {dept_tokens[dept]}"},
                data={"text": "本月推进情况", "percent": str(rng.randint(10, 100))}))
        elif kind == "approve":
            pending = http.get(f"/api/v1/feedback?report_id={info['report_id']}").json()
            if pending:
                fb = pending[0]["feedback"]["id"]
                # two supervisors' clicks may meet on the same feedback: the second gets 409
                timed("write: approve", lambda: http.post(f"/api/v1/feedback/{fb}/review",
                                                          json={"approve": True}), ok=(200, 409))
        else:
            dept = rng.choice(list(dept_tokens))
            task = rng.choice(info["leaves"][dept])
            version = http.get(f"/api/v1/tasks/{task}").json()["task"]["version"]
            timed("write: edit task", lambda: http.patch(
                f"/api/v1/tasks/{task}", json={"version": version, "weight": rng.choice((1, 2, 3))}), ok=(200, 409))

    def client(n: int) -> None:
        rng = random.Random(n)
        names = list(paths)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {sup}"}, timeout=60) as http:
            gate.wait()
            time.sleep(rng.uniform(0, 1.5))
            while time.perf_counter() < stop:
                if rng.random() < write_share:
                    write(http, rng)
                else:
                    name = names[rng.randrange(len(names))]
                    timed(name, lambda path=paths[name]: http.get(path))
                time.sleep(rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(len(v) for v in latencies.values())
    writes = sum(len(v) for k, v in latencies.items() if k.startswith("write"))
    print(f"\n2. office load: {clients} clients, a click every 0.5–1.5 s, {write_share:.0%} writes; "
          f"{total} requests in {seconds:.0f} s ({total / seconds:.0f} req/s, {writes} writes)")
    print(f"  {'request':<28}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  p95 < 100 ms")
    for name, values in latencies.items():
        if values:
            p95 = pct(values, 95)
            print(f"  {name:<28}{len(values):>6}{pct(values, 50):>9.1f}{p95:>9.1f}{pct(values, 99):>9.1f}  "
                  f"{'yes' if p95 < 100 else 'NO'}")
    if errors:
        print(f"  {len(errors)} unexpected answers, e.g. {errors[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--writes", type=float, default=0.10, help="share of clicks that write")
    parser.add_argument("--samples", type=int, default=30, help="requests per read for the service times")
    parser.add_argument("--min-tasks", type=int, default=500)
    parser.add_argument("--db", help="database URL (an empty one; default a temporary SQLite file)")
    parser.add_argument("--keep", type=Path, help="SQLite file to build once and reuse on later runs")
    args = parser.parse_args()
    if not REPORTS.is_dir():
        raise SystemExit(f"{REPORTS}: sample reports missing")
    with tempfile.TemporaryDirectory(prefix="govledger-bench-web-") as folder:
        path = args.keep or Path(folder) / "ws.db"
        url = args.db or f"sqlite:///{path}"
        info_file = path.with_suffix(".json")
        t0 = time.perf_counter()
        if args.keep and path.exists() and info_file.exists():
            import json

            info = json.loads(info_file.read_text())
            info["leaves"] = {int(k): v for k, v in info["leaves"].items()}
            info["contacts"] = {int(k): v for k, v in info["contacts"].items()}
        else:
            print(f"building the database ({url.split('://')[0]}) …", flush=True)
            info = build_database(url, args.min_tasks)
            if args.keep:
                import json

                info_file.write_text(json.dumps(info))
        print(f"workspace: {info['reports']} reports, {info['all_tasks']} tasks; {DOC}: {info['tasks']} tasks "
              f"(ready in {time.perf_counter() - t0:.1f} s); {os.cpu_count()} CPUs; uvicorn workers {args.workers}")
        service_times(url, info["report_id"], args.samples)
        port = free_port()
        server = start_server(url, port, args.workers)
        try:
            office_load(f"http://127.0.0.1:{port}", info, args.clients, args.seconds, args.writes)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
