"""反馈 → 审核, the one review flow behind task feedback (``feedback``) and project 月报 (``project_reports``).

A department files a report with evidence; a supervisor approves it (its
figures then count) or returns it with a reason; nobody reviews their own.
What the approved figures do differs (a task's progress, a project's 累计
完成投资 and milestones), so each service keeps that part and its audit row;
the checks, the review columns (``store.columns.ReviewedColumns``) and the
stored evidence (``StoredFileColumns``) are handled here, once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy.orm import Session

from govledger.errors import Conflict, Forbidden, Invalid, NotFound
from govledger.limits import clean_text
from govledger.store.project_models import ProjectAttachmentRow, ProjectReportRow
from govledger.store.work_models import AttachmentRow, ExtensionRow, FeedbackRow
from govledger.workspace.base import Actor, now, require
from govledger.workspace.evidence import check_attachment
from govledger.workspace.rules import workspace_rules

Claimed = TypeVar("Claimed", FeedbackRow, ProjectReportRow, ExtensionRow)
CheckedFile = tuple[str, str, bytes]  # (file name, content type, bytes)


def checked_files(files: Sequence[tuple[str, bytes]]) -> list[CheckedFile]:
    """The evidence of a report, each file with its content type; too many files or a refused one raises before
    anything is written."""
    limit = int(workspace_rules()["attachments"]["max_files"])
    if len(files) > limit:
        raise Invalid(f"附件最多 {limit} 个")
    return [(name, check_attachment(name, data), data)
            for name, data in ((clean_text(n, "filename"), d) for n, d in files)]


def store_files(session: Session, filed: FeedbackRow | ProjectReportRow, checked: Sequence[CheckedFile]) -> None:
    """Store the evidence in the database, in the report's transaction (a failed upload leaves nothing behind)."""
    for name, ctype, data in checked:
        stored = dict(filename=name[-255:], content_type=ctype, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), data=data, created_at=now())
        if isinstance(filed, FeedbackRow):
            session.add(AttachmentRow(feedback_id=filed.id, **stored))
        else:
            session.add(ProjectAttachmentRow(report_id=filed.id, **stored))


def review_note(actor: Actor, approve: bool, note: str) -> str:
    """The reviewer's note, checked before the transaction: only a supervisor reviews, and 退回 needs a reason."""
    require(actor, "review")
    note = clean_text(note, "note")
    if not approve and not note:
        raise Invalid("退回必须写明理由")
    return note


def claim_for_review(session: Session, model: type[Claimed], row_id: int, actor: Actor, noun: str, *,
                     done: str = "审核过", act: str = "审核", author: str = "author_id") -> Claimed:
    """The pending request ``row_id``, locked for this decision; ``noun`` (反馈, 月报, 延期申请) names it in the
    refusals, ``done``/``act`` say what deciding it is (审核 / 审批), ``author`` is the column of who filed it."""
    row = session.get(model, row_id, with_for_update=True)
    if row is None:
        raise NotFound(f"{noun} {row_id} 不存在")
    if row.state != "pending":
        raise Conflict(f"{noun} {row_id} 已经{done}")
    if getattr(row, author) == actor.id:
        raise Forbidden(f"不能{act}自己提交的{noun}")
    return row


def record_review(row: FeedbackRow | ProjectReportRow, actor: Actor, approve: bool, note: str) -> str:
    """Write the decision on the report; the audit action's verb (``approve`` or ``return``) comes back."""
    row.state = "approved" if approve else "returned"
    row.review_note, row.reviewer_id, row.reviewed_at = note or None, actor.id, now()
    return "approve" if approve else "return"
