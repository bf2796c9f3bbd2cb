"""The demo looks like June (issue 12 item 7): mid-year date, half a year of activity, a realistic spread."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPORTS

YAAN = REPORTS / "yaan_2024.txt"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[tuple[str, int]], str]:
    from argon2 import PasswordHasher

    from govledger import security
    from govledger.serve.cli_workspace import DEMO_DEPARTMENTS, import_reports, seed_demo
    from govledger.serve.demo_run import run_half_year
    from govledger.store import open_store
    from govledger.workspace import Workspace

    if not YAAN.is_file():
        pytest.skip(f"sample report {YAAN} missing")
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    original = security._hasher
    security._hasher = lambda: hasher  # type: ignore[assignment]
    try:
        folder: Path = tmp_path_factory.mktemp("demo")
        ws = Workspace(open_store(str(folder / "ws.db")))
        import_reports(ws, [YAAN])
        _, password = seed_demo(ws)
        run_half_year(ws, password, DEMO_DEPARTMENTS, fixed_today=False)
        from govledger.serve.demo_seed import seed_half_year

        phases: list[tuple[str, int]] = []
        again = seed_half_year(ws, progress=lambda text, n: phases.append((text, n)))
        assert again is None and phases == []  # a second run adds nothing
        return ws, phases, password
    finally:
        security._hasher = original  # type: ignore[assignment]


def test_the_demo_opens_in_mid_june(seeded: Any) -> None:
    ws, _, password = seeded
    assert ws.today() == date(2024, 6, 15)
    assert ws.authenticate("nyj", password) is not None  # every demo department has a liaison


def test_the_dashboard_shows_a_spread_not_a_wall_of_red(seeded: Any) -> None:
    ws, _, _ = seeded
    report = ws.report_by_doc("yaan_2024")
    d = ws.dashboard(report.id)
    counts = d.counts
    assert counts["done"] >= 8 and counts["in_progress"] >= 20 and counts["overdue"] <= 5
    assert counts["behind"] < d.total / 3
    assert 30 <= d.progress <= 70
    done = [n for n in d.burnup["done"] if n is not None]
    assert len(done) == 6 and done[0] < done[2] < done[-1]  # completions spread over January to June
    scores = [dept["score"] for dept in d.departments]
    assert len(set(scores)) >= 4  # not six departments tied
    assert d.pending_reviews >= 3 and d.pending_extensions == 1


def test_the_half_year_has_a_return_an_extension_and_project_reports(seeded: Any) -> None:
    ws, _, _ = seeded
    report = ws.report_by_doc("yaan_2024")
    actions = [a.action for a in ws.history(limit=5000)]
    assert actions.count("feedback.return") == 1 and actions.count("extension.grant") == 1
    assert actions.count("project_report.return") == 1 and actions.count("project_report.approve") > 250
    board = ws.project_board(report.id)
    assert len(board.red) >= 5 and len(board.black) >= 5
    assert {g.board for g in board.departments} >= {"red", "black"}
    ledger = ws.project_ledger(report.id)
    assert ledger.placeholders == 327 - 72 and ledger.pending >= 1
    assert all(p.name.startswith("演示") for p in ledger.projects if not p.placeholder)
