"""The public views — a read-only router of the one web app — through FastAPI's TestClient, on real report pairs
imported into a store."""

from __future__ import annotations

import re


def test_report_api_gdp_met_with_both_quotes(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/public/report/guowuyuan_2024")
    assert r.status_code == 200
    body = r.json()
    assert body["verified"] and body["next_doc"] == "guowuyuan_2025"
    gdp = next(row for row in body["rows"] if row["indicator"] == "gdp")
    assert gdp["verdict"] == "met" and gdp["verdict_label"] == "已完成"
    assert "5%左右" in gdp["target_quote"]
    assert gdp["outcome_quote"] and "5%" in gdp["outcome_quote"]
    counts = {c["verdict"]: c["count"] for c in body["counts"]}
    assert set(counts) == {"met", "missed", "partly_met", "not_reported", "not_comparable", "not_judged"}
    assert sum(counts.values()) == body["total"] == len(body["rows"])


def test_report_page_shows_quotes_side_by_side_and_verdict_text(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/public/report/guowuyuan_2024")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    row = next(tr for tr in re.findall(r"<tr class=\"row.*?</tr>", html, re.S) if "国内生产总值增长5%左右" in tr)
    assert "增长5%" in row and "已完成" in row and 'data-verdict="met"' in row
    for label in ("已完成", "未完成", "部分完成", "未报告", "不可比", "未评判"):
        assert label in html
    assert "Content-Security-Policy" in r.headers


def test_unknown_doc_is_404_with_json_error(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/public/report/nowhere_2024")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert "nowhere_2024" in r.json()["error"]
    page = client.get("/public/report/nowhere_2024")
    assert page.status_code == 404 and "未找到" in page.text


def test_unpaired_report_lists_targets_as_pending(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/public/report/anhui_2026").json()
    assert body["verified"] is False and body["counts"] is None and body["rows"]
    assert all(r["verdict"] is None for r in body["rows"])


def test_indicator_page_lists_places(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/public/indicator/gdp?year=2025")
    assert r.status_code == 200
    for place in ("安徽省", "上海市", "云南省"):
        assert place in r.text
    assert 'id="chart"' in r.text and 'id="chart-data"' in r.text
    api = client.get("/api/public/indicator/gdp", params={"year": 2025}).json()
    assert api["year"] == 2025 and api["measure"] == "growth" and api["unit"] == "%"
    by_place = {row["place"]: row for row in api["rows"]}
    assert {"安徽省", "上海市", "云南省", "全国"} <= set(by_place)
    assert by_place["上海市"]["target"] == 5 and by_place["上海市"]["outcome"] is not None


def test_indicator_default_year_is_latest_judged(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/public/indicator/gdp").json()["year"] == 2025
    assert client.get("/api/public/indicator/no_such_thing").status_code == 404
    assert client.get("/api/public/indicator/gdp?year=abc").status_code == 422


def test_place_view_year_over_year(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/public/place/guowuyuan").json()
    assert body["place"] == "全国" and body["years"] == [2023, 2024, 2025]
    gdp = next(s for s in body["indicators"] if s["indicator"] == "gdp" and s["measure"] == "growth")
    assert {y: c["target"] for y, c in gdp["years"].items()} == {"2023": 5, "2024": 5, "2025": 5}
    assert gdp["years"]["2024"]["verdict"] == "met"
    assert client.get("/api/public/place/安徽").json()["slug"] == "anhui"
    page = client.get("/public/place/guowuyuan")
    assert page.status_code == 200 and "全国：历年目标" in page.text
    assert client.get("/api/public/place/atlantis").status_code == 404


def test_index_links_every_place_and_year(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/public")
    assert r.status_code == 200
    assert client.get("/", follow_redirects=False).headers["location"] == "/public"  # the read-only deployment's home
    for href in ("/public/report/guowuyuan_2024", "/public/report/anhui_2025", "/public/place/shanghai",
                 "/public/indicator/gdp"):
        assert f'href="{href}"' in r.text
    body = client.get("/api/public/index").json()
    assert body["pairs"] == 5 and body["errors"] == []


def test_read_only(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/public/report/guowuyuan_2024").status_code == 405
    assert client.delete("/public/report/guowuyuan_2024").status_code == 405


def test_echarts_served_locally(client) -> None:  # type: ignore[no-untyped-def]
    from govledger.serve.workspace.app import echarts_path

    r = client.get("/static/vendor/echarts.min.js")
    if echarts_path().is_file():
        assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    else:
        assert r.status_code == 404 and "npm ci" in r.json()["error"]
    assert "https://" not in client.get("/public/indicator/gdp").text.split("<footer")[0].split("</head>")[0]


def test_series_page_sets_targets_beside_official_outturns(client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 9: national GDP targets and the communiqués' figures, both quotes, from the store."""
    from fastapi.testclient import TestClient

    from govledger.serve.workspace.app import create_app
    from tests.web_public.conftest import build_store

    body = client.get("/api/public/series/gdp").json()
    by_year = {r["year"]: r for r in body["rows"]}
    assert by_year[2024]["target_value"] == 5 and by_year[2024]["outturn_value"] == 5.0
    assert "5%左右" in by_year[2024]["target_quote"] and "5.0%" in by_year[2024]["outturn_quote"]
    assert by_year[2023]["verdict"] == "met"
    page = client.get("/public/series/gdp")
    assert page.status_code == 200 and "统计公报" in page.text and "国内生产总值增长5%左右" in page.text
    assert client.get("/api/public/series/nonsense").status_code == 404
    # a store without communiqués has no series: a one-line Chinese 404
    bare = TestClient(create_app(build_store(tmp_path, ("guowuyuan_2024",)), read_only=True))
    r = bare.get("/api/public/series/gdp")
    assert r.status_code == 404 and "统计公报" in r.json()["error"]
