"""Issue 12 item 6: "today" and every displayed time are the office's (Asia/Shanghai by default), not the server's UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from govledger.serve.workspace.pages_common import when
from govledger.store import open_store
from govledger.workspace import Workspace


def test_today_is_the_offices_date(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "ws.db")) as store:
        default = Workspace(store)
        assert str(default.zone) == "Asia/Shanghai"
        assert default.today() == datetime.now(ZoneInfo("Asia/Shanghai")).date()
        # 26 hours apart: whatever the hour, the two zones never share a date, so the zone decides "today"
        east, west = Workspace(store, time_zone="Pacific/Kiritimati"), Workspace(store, time_zone="Etc/GMT+12")
        assert (east.today() - west.today()).days in (1, 2)


def test_displayed_times_are_in_the_office_zone() -> None:
    evening_utc = datetime(2024, 1, 1, 20, 30, tzinfo=UTC)  # 04:30 the next morning in Beijing
    assert when(evening_utc) == "2024-01-02 04:30"
    assert when(evening_utc, ZoneInfo("Europe/Berlin")) == "2024-01-01 21:30"
    assert when(evening_utc.replace(tzinfo=None)) == "2024-01-02 04:30"  # SQLite hands back naive UTC
