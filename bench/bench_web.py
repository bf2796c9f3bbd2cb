"""Load benchmark of the one web app: reads and writes at 50 clients, cached and uncached service times.

The database is what an office would have after ``govledger serve --reports ../shared/reports --demo``:
all 67 sample reports imported (verdicts stored), their tasks dealt out among six departments, and
雅安 2024 split by the office into 568 tasks (each target in parts), some of them with approved
feedback, and its key-project ledger (327 projects: the placeholders for the counts the report names,
a sixth of them named and dealt out); 雅安 2024 and 国务院 2024 are switched 公开.

Measured on 雅安 2024 (568 tasks):

- ``GET /api/v1/reports/{id}/dashboard`` — the dashboard (JSON);
- ``GET /api/v1/tasks?report_id=…&per_page=50`` — one page of the task list (JSON); ``/reports/{id}/tasks`` (HTML);
- ``GET /reports/{id}`` — the dashboard page (HTML, 红黑榜 and charts' data);
- ``GET /my`` as a department contact — 我的任务 (its tasks in every report, most pressing first), and its JSON
  twin ``/api/v1/tasks?department_id=…&per_page=50``;
- ``GET /public/report/yaan_2024`` — the public report card; ``/public/yaan_2024`` — public task progress;
- ``GET /public/report/guowuyuan_2024`` — a report card with verdicts.

1. *Service time* (in process, one request at a time): each read with its caches warm, right after a
   one-task write (what a read pays under writes: the report's views refreshed), and right after every
   cache was dropped (start-up, a new day: all views rebuilt, for 我的任务 those of all 67 reports).
2. *Office load over HTTP*: uvicorn in its own process, 50 clients (threads) that each click every
   0.5–1.5 s; 10 % of the clicks are writes — a department files feedback on one of its tasks, the
   supervisor approves the oldest pending feedback, the supervisor edits a task (weight), a department
   files a project's 月报 — so the reads keep meeting caches a write has just invalidated. p50/p95 per
   request kind; target p95 < 100 ms. The CPU the server and the load generator used is printed: both
   share the machine.

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
    # the key-project ledger: placeholders up to the counts the report names (27个省重点、300个市重点项目), a
    # sixth of them named and dealt out to the departments, so their lead departments can file 月报
    n_projects = ws.create_placeholders(SYSTEM, report.id)
    projects: dict[int, list[int]] = {d: [] for d in depts}
    for n, p in enumerate(ws.projects(report.id)[::6]):
        d = depts[n % len(depts)]
        ws.update_project(SYSTEM, p.id, p.version, {"name": f"雅安重点项目{n + 1}号", "lead_id": d,
                                                    "annual_plan": 1000.0 + 100 * n})
        projects[d].append(p.id)
    total = ws.list_tasks(TaskFilter(report_id=report.id), per_page=1).total
    info = {"report_id": report.id, "tasks": total, "reports": len(ws.reports()),
            "all_tasks": ws.list_tasks(TaskFilter(), per_page=1).total, "projects": n_projects,
            "leaves": {d: [t.id for t in leaves if t.lead_id == d] for d in depts},
            "contacts": {d: c.username for d, c in contacts.items()}, "dept_projects": projects}
    ws.store.close()
    return info


def read_paths(report_id: int, dept: int, everything: bool = True) -> dict[str, tuple[str, str]]:
    """The reads measured (name → path, who reads: the supervisor or a department contact); the load mix leaves
    out the public task progress page (all 568 rows in one page)."""
    paths = {"dashboard (JSON)": (f"/api/v1/reports/{report_id}/dashboard", "sup"),
             "task list (JSON, 50)": (f"/api/v1/tasks?report_id={report_id}&per_page=50", "sup"),
             "task list (HTML, 50)": (f"/reports/{report_id}/tasks", "sup"),
             "dashboard (HTML)": (f"/reports/{report_id}", "sup"),
             "我的任务 (HTML)": ("/my", "dept"),
             "我的任务 (JSON, 50)": (f"/api/v1/tasks?department_id={dept}&per_page=50", "dept"),
             "public report card": (f"/public/report/{DOC}", "sup"),
             "report card with verdicts": ("/public/report/guowuyuan_2024", "sup")}
    if everything:
        paths["public task progress"] = (f"/public/{DOC}", "sup")
    return paths


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


# ---------------------------------------------------------------------------- 1. service time in process


def service_times(url: str, info: dict[str, Any], n: int) -> None:
    from fastapi.testclient import TestClient

    from govledger.serve.workspace.app import create_app
    from govledger.store import open_store
    from govledger.workspace import SYSTEM, Workspace

    ws = Workspace(open_store(url, create=False), today=TODAY)
    app = create_app(ws)
    client = TestClient(app)
    dept = min(info["contacts"])

    def bearer(username: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        return {"Authorization": f"Bearer {r.json()['token']}"}

    who = {"sup": bearer("duchashi"), "dept": bearer(info["contacts"][dept])}

    def drop_caches() -> None:
        ws._cache.clear()
        ws._dashboards.clear()
        app.state.public = None

    leaf = next(v for v in ws.all_views(info["report_id"]) if v.n_children == 0 and v.lead_id == dept)

    def write_one_task() -> None:
        """What the office load does between reads: one task of the report edited (its version and roll-up move)."""
        v = ws.task(leaf.id)
        ws.update_task(SYSTEM, leaf.id, v.version, {"weight": 2.0 if v.weight == 1.0 else 1.0})

    print(f"\n1. service time in process, one request at a time ({n} each; ms): cached, right after a one-task "
          "write (the views refreshed), and with every cache dropped (start-up, a new day)")
    print(f"  {'request':<28}{'cached p50':>11}{'p95':>8}{'after write p50':>17}{'p95':>8}"
          f"{'uncached p50':>14}{'p95':>8}")
    for name, (path, reader) in read_paths(info["report_id"], dept).items():
        headers = who[reader]
        assert client.get(path, headers=headers).status_code == 200, path
        cached, written, uncached = [], [], []
        for _ in range(n):
            t0 = time.perf_counter()
            client.get(path, headers=headers)
            cached.append((time.perf_counter() - t0) * 1000)
            write_one_task()
            t0 = time.perf_counter()
            client.get(path, headers=headers)
            written.append((time.perf_counter() - t0) * 1000)
            drop_caches()
            t0 = time.perf_counter()
            client.get(path, headers=headers)
            uncached.append((time.perf_counter() - t0) * 1000)
        print(f"  {name:<28}{pct(cached, 50):>11.1f}{pct(cached, 95):>8.1f}{pct(written, 50):>17.1f}"
              f"{pct(written, 95):>8.1f}{pct(uncached, 50):>14.1f}{pct(uncached, 95):>8.1f}")
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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1] is the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def office_load(base: str, info: dict[str, Any], clients: int, seconds: float, write_share: float,
                server_pid: int, warmup: float) -> None:
    sup = token(base, "duchashi")
    dept_tokens = {d: token(base, u) for d, u in info["contacts"].items()}
    projects = {d: ids for d, ids in info.get("dept_projects", {}).items() if ids}
    names = list(read_paths(info["report_id"], 0, everything=False))
    latencies: dict[str, list[float]] = {name: [] for name in [*names, "write: feedback", "write: approve",
                                                              "write: edit task", "write: 月报 (project)"]}
    errors: list[str] = []
    lock = threading.Lock()
    # the first seconds warm each worker up (every report's views built once, ~2 s for the 14,000 tasks 我的任务
    # spans: what a server pays once after it starts) and are not counted
    measured_from = time.perf_counter() + warmup
    stop = measured_from + seconds
    gate = threading.Barrier(clients)

    def timed(name: str, call: Callable[[], httpx.Response], ok: tuple[int, ...] = (200, 201)) -> httpx.Response:
        t0 = time.perf_counter()
        r = call()
        elapsed = (time.perf_counter() - t0) * 1000
        with lock:
            if t0 >= measured_from:
                latencies[name].append(elapsed)
            if r.status_code not in ok:
                errors.append(f"{name}: {r.status_code} {r.text[:80]}")
        return r

    def write(http: httpx.Client, rng: random.Random) -> None:
        kind = rng.choice(("feedback", "approve", "edit", "project") if projects else ("feedback", "approve", "edit"))
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
        elif kind == "edit":
            dept = rng.choice(list(dept_tokens))
            task = rng.choice(info["leaves"][dept])
            version = http.get(f"/api/v1/tasks/{task}").json()["task"]["version"]
            timed("write: edit task", lambda: http.patch(
                f"/api/v1/tasks/{task}", json={"version": version, "weight": rng.choice((1, 2, 3))}), ok=(200, 409))
        else:  # a lead department files a project's 月报 (累计完成投资 to the end of August)
            dept = rng.choice(list(projects))
            project = rng.choice(projects[dept])
            timed("write: 月报 (project)", lambda: http.post(
                f"/api/v1/projects/{project}/reports", headers={"Authorization": f"Bearer {dept_tokens[dept]}"},
                data={"month": "2024-08", "completed": str(rng.randint(100, 900)), "text": "主体工程推进"}))

    def client(n: int) -> None:
        rng = random.Random(n)
        dept = sorted(dept_tokens)[n % len(dept_tokens)]  # the department this client reads 我的任务 as
        paths = read_paths(info["report_id"], dept, everything=False)
        readers = {"sup": {"Authorization": f"Bearer {sup}"}, "dept": {"Authorization": f"Bearer {dept_tokens[dept]}"}}
        with httpx.Client(base_url=base, headers=readers["sup"], timeout=60) as http:
            gate.wait()
            time.sleep(rng.uniform(0, 1.5))
            while time.perf_counter() < stop:
                if rng.random() < write_share:
                    write(http, rng)
                else:
                    name = names[rng.randrange(len(names))]
                    path, reader = paths[name]
                    timed(name, lambda path=path, reader=reader: http.get(path, headers=readers[reader]))
                time.sleep(rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, measured_from - time.perf_counter()))
    own0, server0, wall0 = time.process_time(), cpu_seconds(server_pid), time.perf_counter()
    for t in threads:
        t.join()
    own, server = time.process_time() - own0, cpu_seconds(server_pid) - server0
    wall = time.perf_counter() - wall0
    total = sum(len(v) for v in latencies.values())
    writes = sum(len(v) for k, v in latencies.items() if k.startswith("write"))
    print(f"\n2. office load: {clients} clients, a click every 0.5–1.5 s, {write_share:.0%} writes; "
          f"{total} requests in {seconds:.0f} s ({total / seconds:.0f} req/s, {writes} writes), after {warmup:.0f} s "
          "of warm-up")
    print(f"  CPU used: server {server / wall:.2f} cores, load generator (this process) {own / wall:.2f} cores, "
          f"of {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
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
    parser.add_argument("--warmup", type=float, default=10, help="seconds of load before measuring")
    parser.add_argument("--writes", type=float, default=0.10, help="share of clicks that write")
    parser.add_argument("--samples", type=int, default=30, help="requests per read for the service times")
    parser.add_argument("--min-tasks", type=int, default=500)
    parser.add_argument("--db", help="database URL (an empty one; default a temporary SQLite file)")
    parser.add_argument("--keep", type=Path, help="SQLite file to build once and reuse on later runs (with --db: "
                        "where to keep what the build made, to reuse the database as it is)")
    args = parser.parse_args()
    if not REPORTS.is_dir():
        raise SystemExit(f"{REPORTS}: sample reports missing")
    with tempfile.TemporaryDirectory(prefix="govledger-bench-web-") as folder:
        path = args.keep or Path(folder) / "ws.db"
        url = args.db or f"sqlite:///{path}"
        info_file = path.with_suffix(".json")
        t0 = time.perf_counter()
        if args.keep and info_file.exists() and (args.db or path.exists()):  # with --db, --keep names the info file
            import json

            info = json.loads(info_file.read_text())
            info["leaves"] = {int(k): v for k, v in info["leaves"].items()}
            info["contacts"] = {int(k): v for k, v in info["contacts"].items()}
            info["dept_projects"] = {int(k): v for k, v in info.get("dept_projects", {}).items()}
        else:
            print(f"building the database ({url.split('://')[0]}) …", flush=True)
            info = build_database(url, args.min_tasks)
            if args.keep:
                import json

                info_file.write_text(json.dumps(info))
        print(f"workspace: {info['reports']} reports, {info['all_tasks']} tasks; {DOC}: {info['tasks']} tasks, "
              f"{info.get('projects', 0)} projects "
              f"(ready in {time.perf_counter() - t0:.1f} s); {os.cpu_count()} CPUs; uvicorn workers {args.workers}")
        service_times(url, info, args.samples)
        port = free_port()
        server = start_server(url, port, args.workers)
        try:
            office_load(f"http://127.0.0.1:{port}", info, args.clients, args.seconds, args.writes, server.pid,
                        args.warmup)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
