"""Every workspace change writes its audit row: ``_write`` refuses to commit one that does not (issue 10)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from govledger.store.work_models import AuditRow, TaskRow
from govledger.workspace import SYSTEM
from govledger.workspace.base import UnauditedChange
from tests.workspace.conftest import Api


def _audit_rows(api: Api) -> int:
    with api.ws._read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)


def test_a_change_without_its_audit_row_is_rolled_back(api: Api) -> None:
    task = api.ws.all_views(api.report_id)[0]
    rows = _audit_rows(api)
    with pytest.raises(UnauditedChange, match="TaskRow"), api.ws._write() as session:
        session.get(TaskRow, task.id).content = "无人记录的修改"  # type: ignore[union-attr]
    with pytest.raises(UnauditedChange), api.ws._write() as session:  # a statement, not an object, the same
        session.execute(update(TaskRow).where(TaskRow.id == task.id).values(weight=9.0))
    with api.ws._read() as session:  # the database itself, not the cached views
        row = session.get(TaskRow, task.id)
        assert row is not None and row.content == task.content and row.weight == task.weight  # nothing written
    assert _audit_rows(api) == rows


def test_the_same_change_with_its_audit_row_commits(api: Api) -> None:
    task = api.ws.all_views(api.report_id)[0]
    with api.ws._write() as session:
        session.get(TaskRow, task.id).content = "有记录的修改"  # type: ignore[union-attr]
        api.ws._audit(session, SYSTEM, "task.update", "task", task.id, task_id=task.id, report_id=api.report_id,
                      before={"content": task.content}, after={"content": "有记录的修改"})
    assert api.ws.task(task.id).content == "有记录的修改"


def test_setting_a_value_to_what_it_was_is_no_change(api: Api) -> None:
    task = api.ws.all_views(api.report_id)[0]
    with api.ws._write() as session:
        row = session.get(TaskRow, task.id)
        assert row is not None
        row.content = row.content  # a sheet re-import that changes nothing writes nothing and needs no row


def test_dealing_out_a_report_in_one_transaction_audits_every_task(api: Api) -> None:
    from govledger.errors import Forbidden
    from govledger.workspace.base import Actor

    tasks = api.ws.all_views(api.report_id)[:40]
    lead, co = list(api.depts.values())[:2]
    rows = _audit_rows(api)
    with pytest.raises(Forbidden):  # a department does not 交办
        api.ws.assign_tasks(Actor(99, "someone", "department", lead), api.report_id, {t.id: (lead, [co]) for t in tasks})
    assert _audit_rows(api) == rows
    assert api.ws.assign_tasks(SYSTEM, api.report_id, {t.id: (lead, [co]) for t in tasks}) == 40
    assert _audit_rows(api) == rows + 40
    after = {t.id: t for t in api.ws.all_views(api.report_id)}
    assert all(after[t.id].lead_id == lead and after[t.id].co_ids == [co] for t in tasks)
