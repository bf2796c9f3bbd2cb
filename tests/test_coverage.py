"""``govledger coverage`` (issue 8 item 6): shares per level × five-year period read from the store,
the reports below the rest listed, and the PNG chart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govledger.cli import _register, app
from govledger.store.coverage import ReportFacts
from govledger.track.coverage import coverage, period_of
from tests.conftest import REPORTS

_register()
runner = CliRunner()


def test_periods_follow_the_five_year_plans() -> None:
    assert [period_of(y) for y in (2021, 2023, 2025, 2026, 1954, None)] == [
        "2021–2025", "2021–2025", "2021–2025", "2026–2030", "1951–1955", "?"]


def _facts(doc: str, level: str, year: int, path: str, **kw: object) -> ReportFacts:
    data: dict[str, object] = dict(doc=doc, path=path, kind="report", place="雅安市", level=level, year=year,
                                   has_plan=True, n_records=10, gdp_target=True, gdp_outcome=True)
    data.update(kw)
    return ReportFacts(**data)  # type: ignore[arg-type]


def test_shares_pairs_and_reports_below_the_rest() -> None:
    facts = [
        _facts("yaan_2023", "city", 2023, "city/雅安市/2023.md"),
        _facts("yaan_2024", "city", 2024, "city/雅安市/2024.md"),
        _facts("guangyuan_2024", "city", 2024, "city/广元市/2024.md", place="广元市", gdp_outcome=False),
        _facts("x_2024", "city", 2025, "city/巴中市/2024.md", place="巴中市", has_plan=False),  # year ≠ file name
        _facts("communique_2023", "national", 2023, "statistical_communiques/2023.md", kind="communique"),
    ]
    cov = coverage(facts, judged_docs={"yaan_2023"})
    (g,) = cov.groups
    assert (g.level, g.period, g.reports, g.pairs) == ("city", "2021–2025", 4, 1)
    assert g.shares == {"place": 1.0, "plan_year": 0.75, "plan_part": 0.75, "gdp_target": 1.0, "gdp_outcome": 0.75}
    assert g.judged_pair_share == 1.0
    below = {r.doc: r.missing for r in cov.below()}
    assert below == {"guangyuan_2024": ["gdp_outcome"], "x_2024": ["plan_year", "plan_part"]}
    json.dumps(cov.as_dict(), ensure_ascii=False)


@pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/reports not beside the repository")
def test_coverage_command_over_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    for name in ("guowuyuan_2024", "guowuyuan_2025", "xizang_2025", "xizang_2026", "gansu_2025"):
        shutil.copy(REPORTS / f"{name}.txt", folder / f"{name}.txt")
    db, png = str(tmp_path / "c.db"), tmp_path / "coverage.png"
    res = runner.invoke(app, ["coverage", str(folder), "--db", db, "--chart", str(png)])
    assert res.exit_code == 0, res.output
    assert "national" in res.output and "province" in res.output and "2021–2025" in res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = runner.invoke(app, ["coverage", "--db", db, "-f", "json"])
    data = json.loads(res.stdout)
    province = next(g for g in data["groups"] if g["level"] == "province" and g["period"] == "2021–2025")
    assert province["reports"] == 2 and province["shares"]["plan_part"] == 1.0
    # gansu_2025 states its 2024 GDP only after a 十四五 clause (…连跨4个千亿台阶，2024年达到1.3万亿元),
    # which the extract stage reads as the GDP outcome: the whole group has one
    assert province["shares"]["gdp_outcome"] == 1.0
    assert not any(b["doc"] == "gansu_2025" and "gdp_outcome" in b["missing"] for b in data["below"])
    national = next(g for g in data["groups"] if g["level"] == "national")
    assert national["pairs"] == 1 and national["judged_pair_share"] == 1.0
