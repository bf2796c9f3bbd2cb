"""The panel: places normalised, verdicts joined, queries, CSV/Parquet export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import govledger
from govledger.errors import ReportError
from govledger.structure.places import normalise_place, same_place
from govledger.track.panel import PANEL_COLUMNS, export_panel, panel, target_changes, target_gaps, targets_for
from tests.conftest import REPORTS
from tests.test_verify import rec


def test_place_names_are_normalised() -> None:
    assert normalise_place("广元") == normalise_place("广元市")
    assert normalise_place("广元市").name == "广元市"  # type: ignore[union-attr]
    assert normalise_place("广元市").level == "city"  # type: ignore[union-attr]
    assert normalise_place("广元市").province == "四川省"  # type: ignore[union-attr]
    assert normalise_place("西藏").name == "西藏自治区"  # type: ignore[union-attr]
    assert normalise_place("西藏自治区人民政府").name == "西藏自治区"  # type: ignore[union-attr]
    assert normalise_place("广西").name == "广西壮族自治区"  # type: ignore[union-attr]
    assert normalise_place("国务院").name == "全国"  # type: ignore[union-attr]
    assert normalise_place("国务院").level == "national"  # type: ignore[union-attr]
    assert normalise_place("北京").level == "province"  # type: ignore[union-attr]
    assert normalise_place("吉林").name == "吉林省"  # type: ignore[union-attr]  # the province, not 吉林市
    assert normalise_place("凉山州").name == "凉山彝族自治州"  # type: ignore[union-attr]
    county = normalise_place("旺苍县")
    assert county is not None and county.name == "旺苍县" and county.level == "county"
    assert normalise_place(None) is None and normalise_place("  ") is None
    assert same_place("广元", "广元市") is True and same_place("广元", "雅安") is False
    assert same_place(None, "广元") is None


def _records() -> list[Any]:
    gy24 = dict(doc="guangyuan_2024", year=2024, place="广元市")
    gy25 = dict(doc="guangyuan_2025", year=2025, place="广元")
    ya24 = dict(doc="yaan_2024", year=2024, place="雅安市")
    return [
        rec("地区生产总值增长6.5%", 6.5, indicator="gdp", metric="地区生产总值", **gy24),
        rec("经济增长6.5%", 6.5, indicator="gdp", metric="经济增长", **gy24),  # restated
        rec("一般公共预算收入增长5%", 5, indicator="budget_revenue", metric="一般公共预算收入", **gy24),
        rec("森林覆盖率达到57%", 57, metric="森林覆盖率", measure="ratio", **gy24),
        rec("增长6.9%", 6.9, kind="achievement", indicator="gdp", metric="地区生产总值", **gy25),
        rec("一般公共预算收入增长4%", 4, kind="achievement", indicator="budget_revenue", metric="一般公共预算收入",
            **gy25),
        rec("地区生产总值增长7%", 7, indicator="gdp", metric="地区生产总值", **gy25),
        rec("一般公共预算收入增长4%", 4, indicator="budget_revenue", metric="一般公共预算收入", **gy25),
        rec("地区生产总值增长6%", 6, indicator="gdp", metric="地区生产总值", **ya24),
    ]


def test_panel_from_records_joins_verdicts() -> None:
    df = panel(_records())
    assert list(df.columns) == list(PANEL_COLUMNS)
    assert len(df) == 9
    assert set(df["place"]) == {"广元市", "雅安市"}
    assert set(df["level"]) == {"city"} and set(df["province"]) == {"四川省"}
    gdp24 = df[(df["doc"] == "guangyuan_2024") & (df["indicator"] == "gdp")]
    assert list(gdp24["verdict"]) == ["met", "met"] and list(gdp24["restated"]) == [False, True]
    assert gdp24["outcome_value"].iloc[0] == pytest.approx(6.9)
    rev = df[(df["doc"] == "guangyuan_2024") & (df["indicator"] == "budget_revenue")].iloc[0]
    assert rev["verdict"] == "missed" and rev["gap"] == pytest.approx(-1)
    # no next report in the panel: unknown, not "not_reported"
    assert df[df["doc"] == "yaan_2024"]["verdict"].isna().all()
    assert df[df["doc"] == "guangyuan_2025"]["verdict"].isna().all()
    assert df[df["kind"] == "achievement"]["restated"].isna().all()
    assert len(panel(_records(), indicators_only=True)) == 8


def test_queries() -> None:
    df = panel(_records())
    gdp = targets_for(df, "gdp", 2024, measure="growth", level="city")
    assert list(gdp["place"]) == ["广元市", "雅安市"]  # the restatement is not a second target
    assert list(gdp["value"]) == [6.5, 6.0]
    assert list(gdp["verdict"].fillna("")) == ["met", ""]
    gaps = target_gaps(df, "budget_revenue", years=range(2023, 2026))
    assert list(gaps["year"]) == [2024, 2025]
    assert gaps["gap"].iloc[0] == pytest.approx(-1)
    changes = target_changes(df, "广元")
    got = {(r.indicator, int(r.year)): r.change for r in changes.itertuples()}
    assert got == {("gdp", 2024): "new", ("gdp", 2025): "raised", ("budget_revenue", 2024): "new",
                   ("budget_revenue", 2025): "lowered"}
    assert changes[changes["year"] == 2025]["delta"].tolist() == pytest.approx([-1, 0.5])
    assert target_changes(df, "nowhere").empty


def test_export_csv_and_parquet(tmp_path: Path) -> None:
    df = panel(_records())
    csv_path = export_panel(df, tmp_path / "panel.csv")
    back = pd.read_csv(csv_path, encoding="utf-8-sig")
    assert len(back) == len(df) and back["place"].iloc[0] == "广元市"
    pq = export_panel(df, tmp_path / "panel.parquet")
    again = pd.read_parquet(pq)
    assert list(again.columns) == list(PANEL_COLUMNS) and len(again) == len(df)
    assert again["year"].dtype == "Int64"
    with pytest.raises(ReportError, match="csv or .parquet"):
        export_panel(df, tmp_path / "panel.xlsx")
    with pytest.raises(ReportError, match="cannot write"):
        export_panel(df, tmp_path / "missing" / "panel.csv")


def test_bad_sources() -> None:
    with pytest.raises(ReportError, match="no such file"):
        panel("/nonexistent/reports")
    with pytest.raises(ReportError, match="store"):
        panel("sqlite:///nowhere.db")
    with pytest.raises(TypeError):
        panel([object()])
    assert panel([]).empty


def test_lazy_package_export() -> None:
    df = govledger.panel(_records())
    assert isinstance(df, pd.DataFrame) and len(df) == 9


@pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/reports not beside the repository")
def test_panel_over_a_folder_of_real_reports(tmp_path: Path) -> None:
    for name in ("guowuyuan_2023", "guowuyuan_2024", "guowuyuan_2025", "xizang_2025", "xizang_2026"):
        (tmp_path / f"{name}.txt").symlink_to(REPORTS / f"{name}.txt")
    (tmp_path / "notes.csv").write_text("not a report", encoding="utf-8")
    df = panel(tmp_path)
    assert set(df["place"]) == {"全国", "西藏自治区"}
    assert set(df["level"]) == {"national", "province"}
    gdp = targets_for(df, "gdp", measure="growth")
    national = gdp[gdp["place"] == "全国"]
    assert list(national["year"]) == [2023, 2024, 2025]  # one GDP target a year, restatements folded
    assert list(national["verdict"].fillna("")) == ["met", "met", ""]
    changes = target_changes(df, "国务院", "cpi")
    assert list(changes["change"]) == ["new", "unchanged", "lowered"]  # 3% → 3% → 2%


def test_panel_sets_the_official_outturn_beside_the_target(tmp_path: Path) -> None:
    """National targets of 2024 with report 2025's outcome and the communiqué's official figure (issue 9)."""
    import shutil

    from govledger.track.panel import panel as build_panel

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    shutil.copy(corpus / "national" / "2024.md", tmp_path / "guowuyuan_2024.md")
    shutil.copy(corpus / "national" / "2025.md", tmp_path / "guowuyuan_2025.md")
    shutil.copy(corpus / "statistical_communiques" / "2024.md", tmp_path / "communique_2024.md")
    df = build_panel(tmp_path, indicators_only=True)
    gdp = df[(df["kind"] == "target") & (df["period"] == 2024) & (df["indicator"] == "gdp")].iloc[0]
    assert gdp["verdict"] == "met"  # the communiqué does not take report 2025's place as the next year
    assert gdp["official_base_value"] == 5.0 and "5.0%" in gdp["official_quote"]
    jobs = df[(df["kind"] == "target") & (df["period"] == 2024) & (df["indicator"] == "urban_new_jobs")].iloc[0]
    assert jobs["official_base_value"] == 12_560_000
