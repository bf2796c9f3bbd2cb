"""Reading tasks: views with derived status and rolled-up progress (cached per report version), lists, details, queues."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govledger.errors import Forbidden, Invalid, NotFound
from govledger.limits import clean_text
from govledger.store.models import RecordRow, ReportRow, SentenceRow
from govledger.store.work_models import (
    AttachmentRow,
    AuditRow,
    DepartmentRow,
    ExtensionRow,
    FeedbackRow,
    ReportSettingRow,
    TaskRow,
    UserRow,
)
from govledger.workspace.base import (
    STATUSES,
    Actor,
    TaskFilter,
    ViewsCopy,
    _extension_view,
    _matches,
    _utc,
    require,
)
from govledger.workspace.reports import ReportsMixin
from govledger.workspace.rules import (
    TaskFacts,
    classify_pace,
    counted_progress,
    derive_status,
    rollup,
    status_label,
    time_share,
)
from govledger.workspace.views import (
    AttachmentView,
    AuditView,
    ExtensionView,
    FeedbackView,
    IndicatorView,
    Page,
    TaskDetail,
    TaskView,
    indicator_text,
)

URGENCY = ("overdue", "behind", "in_progress", "not_started", "done")  # 我的任务's order, the most pressing first
_URGENCY_ORDER = {s: n for n, s in enumerate(URGENCY)}


def record_row_deadline(record: RecordRow, fallback: date) -> date:
    """A stored record's ISO deadline, else 31 December of the year it targets, else ``fallback``'s year end."""
    if record.deadline:
        try:
            return date.fromisoformat(record.deadline[:10])
        except ValueError:
            pass
    return date(record.period or record.year or fallback.year, 12, 31)


def indicator_views(task: TaskRow, records: Mapping[str, RecordRow]) -> list[IndicatorView]:
    """The task's indicators from its ``record_ids``, main first; ids the report no longer has are left out."""
    found = [records[i] for i in dict.fromkeys(task.record_ids or []) if i in records]
    quotes = Counter(r.quote for r in found)
    out = []
    for n, r in enumerate(found):
        deadline = record_row_deadline(r, task.deadline)
        out.append(IndicatorView(
            record_id=r.record_id, text=indicator_text(r.quote, r.metric, quotes[r.quote] > 1, deadline, task.deadline),
            quote=r.quote, metric=r.metric, indicator=r.indicator, measure=r.measure, value=r.value,
            value_max=r.value_max, unit=r.unit, bound=r.bound, deadline=deadline, main=n == 0))
    return out


def _family(where: Any) -> Any:
    """What the roll-up and the cache need of every task of a report: a narrow read, no text columns (a
    ``Select``; typed ``Any`` because SQLAlchemy 2.0 and 2.1 spell its row type differently)."""
    return select(TaskRow.id, TaskRow.parent_id, TaskRow.weight, TaskRow.progress, TaskRow.has_progress,
                  TaskRow.stage, TaskRow.version).where(where)


def _derived(family: Sequence[Any]) -> dict[int, tuple[float, bool, int]]:
    """Per task: the progress its view shows (a parent's rolled up from all its descendants, a leaf's own),
    whether it has any approved progress (a parent has when any descendant has), and its number of children."""
    rows = [tuple(t) for t in family]  # perf: plain tuples; attribute access on result rows cost ~2 ms per 573 tasks
    parent_of = {i: parent for i, parent, *_ in rows}
    # a closed (办结) part counts as complete in its parent's roll-up; a closed leaf's own view keeps its figures
    own = {i: counted_progress(progress, stage == "closed") for i, _, _, progress, _, stage, _ in rows}
    rolled = rollup(parent_of, {i: weight for i, _, weight, *_ in rows}, own)
    n_children = Counter(parent for _, parent, *_ in rows if parent is not None)
    has_progress = {i: bool(has) for i, _, _, _, has, _, _ in rows}
    for _i, parent, _, _, has, _, _ in rows:  # a parent has progress when any descendant has
        while has and parent is not None and not has_progress.get(parent, True):
            has_progress[parent] = True
            parent = parent_of.get(parent)
    return {i: (rolled.get(i, progress) if n_children.get(i) else round(progress, 1), has_progress[i],
                n_children.get(i, 0)) for i, _, _, progress, _, _, _ in rows}


class ReadingMixin(ReportsMixin):
    """Reading tasks."""

    def _views(self, session: Session, rows: Sequence[TaskRow], today: date) -> list[TaskView]:
        """Views of ``rows`` with status derived; parents' progress rolled up from all their descendants."""
        if not rows:
            return []
        report_ids = {r.report_id for r in rows}
        derived = _derived(session.execute(_family(TaskRow.report_id.in_(report_ids))).all())
        names = dict(session.execute(select(DepartmentRow.id, DepartmentRow.name)).all())
        docs = dict(session.execute(select(ReportRow.id, ReportRow.doc).where(ReportRow.id.in_(report_ids))).all())
        return [self._view(t, derived.get(t.id), names, docs.get(t.report_id, ""), today) for t in rows]

    def _view(self, t: TaskRow, derived: tuple[float, bool, int] | None, names: Mapping[int, str], doc: str,
              today: date) -> TaskView:
        """One task's view from its row and what its family gives it (rolled-up progress, has-progress, children)."""
        p, has_progress, n_children = derived if derived is not None else (round(t.progress, 1), t.has_progress, 0)
        facts = TaskFacts(t.start_date, t.deadline, p, has_progress, t.stage == "closed", t.completed_on)
        status = derive_status(facts, today, self.margin)
        expected = time_share(t.start_date, t.deadline, today)
        return TaskView(
            id=t.id, report_id=t.report_id, doc=doc, parent_id=t.parent_id, seq=t.seq,
            content=t.content, record_ids=list(t.record_ids or []), quote=t.quote, sentence=t.sentence,
            section=list(t.section or []), indicator=t.indicator, metric=t.metric, measure=t.measure,
            target_value=t.target_value, target_unit=t.target_unit, bound=t.bound, lead_id=t.lead_id,
            lead=names.get(t.lead_id) if t.lead_id else None, co_ids=list(t.co_ids or []),
            co=[names[i] for i in (t.co_ids or []) if i in names], start_date=t.start_date, deadline=t.deadline,
            weight=t.weight, milestones=t.milestones, stage=t.stage, progress=p, current_value=t.current_value,
            completed_on=t.completed_on, expected=round(expected, 1), status=status,
            status_label=status_label(status), pace=classify_pace(p, expected, self.margin),
            n_children=n_children, version=t.version, updated_at=_utc(t.updated_at),
        )

    def all_views(self, report_id: int) -> list[TaskView]:
        """Every task of a report with its status, in 序号 order.

        Deriving statuses and rolling up progress touches every task, and the
        dashboard and the list ask for it on every request. The result is
        kept per report until its version changes: every write that touches
        the report's tasks bumps ``report_settings.version`` in its own
        transaction (``_audit``), so the number tells whether the copy is
        still right, in this process or any other, and a write to another
        report leaves this copy alone. A changed version refreshes the copy
        (``_refresh``) rather than rebuilding it: only the tasks a write
        touched, and the parents whose roll-up it moved, get new views.
        """
        with self._read() as session:
            key = self._views_keys(session, [report_id])[report_id]
        return self._views_at(report_id, key)

    def _views_at(self, report_id: int, key: tuple[object, ...]) -> list[TaskView]:
        """The report's views, refreshed if the copy is older than ``key`` (a key read before the call)."""
        cached = self._cache.get(report_id)
        if cached is not None and cached.key == key:
            return cached.views
        if key is None or key[0] is None:  # no such report (or not set up): nothing worth keeping
            with self._read() as session:
                return self._refresh(session, report_id, key, None).views
        # perf: one thread refreshes a report's views after a write while the others wait for its copy; without
        # this, every request that arrived in the meantime rebuilt the same 568 views at once (50 clients, 10 %
        # writes: the queue grew to seconds)
        with self._build_locks.setdefault(report_id, threading.Lock()):
            with self._read() as session:
                key = self._views_keys(session, [report_id])[report_id]
                cached = self._cache.get(report_id)
                if cached is not None and cached.key == key:
                    return cached.views
                copy = self._refresh(session, report_id, key, cached)
            self._cache[report_id] = copy
        return copy.views

    def _refresh(self, session: Session, report_id: int, key: tuple[object, ...], old: ViewsCopy | None) -> ViewsCopy:
        """The report's views as of ``key``, reusing ``old``'s views of the tasks that did not change.

        One narrow query reads every task's version and what the roll-up needs;
        full rows are loaded and views built only for tasks that are new, whose
        version moved (every write to a task bumps it) or whose rolled-up
        figures moved (a parent of a task with new progress). A new day, a new
        margin, a renamed department or another doc rebuilds all of them. The
        result is the one a full rebuild gives (``tests/workspace/test_view_cache.py``).
        """
        today = self.today()
        family = session.execute(_family(TaskRow.report_id == report_id).order_by(TaskRow.position, TaskRow.seq)).all()
        derived = _derived(family)
        names = dict(session.execute(select(DepartmentRow.id, DepartmentRow.name)).all())
        doc = session.scalar(select(ReportRow.doc).where(ReportRow.id == report_id)) or ""
        same_basis = old is not None and old.key[1:] == key[1:] and old.names == names and old.doc == doc
        known = {v.id: v for v in old.views} if old is not None and same_basis else {}
        was = old.derived if old is not None else {}
        stale = [i for i, *_, version in family
                 if (v := known.get(i)) is None or v.version != version or was.get(i) != derived[i]]
        if len(stale) == len(family):
            rows = session.scalars(select(TaskRow).where(TaskRow.report_id == report_id)).all()
        else:
            rows = [r for i in range(0, len(stale), 500)
                    for r in session.scalars(select(TaskRow).where(TaskRow.id.in_(stale[i:i + 500])))]
        built = {r.id: self._view(r, derived.get(r.id), names, doc, today) for r in rows}
        views = [v for i, *_ in family if (v := built.get(i) or known.get(i)) is not None]
        return ViewsCopy(key=key, views=views, derived=derived, names=names, doc=doc)

    def _views_keys(self, session: Session, report_ids: Sequence[int] | None) -> dict[int, tuple[object, ...]]:
        """The cache keys of reports' views (of all reports when ``report_ids`` is None), in one query.

        The report's version is bumped in the transaction of every write to its tasks (``_audit``) and read
        before the rows: a copy is never older than its key says, so it is right while the key holds."""
        stmt = select(ReportSettingRow.report_id, ReportSettingRow.version)
        if report_ids is not None:
            stmt = stmt.where(ReportSettingRow.report_id.in_(list(report_ids)))
        today, margin = self.today(), self.margin
        keys: dict[int, tuple[object, ...]] = {rid: (None, today, margin) for rid in report_ids or ()}
        keys.update((rid, (version, today, margin)) for rid, version in session.execute(stmt).all())
        return keys

    def views_of(self, report_ids: Sequence[int] | None = None) -> dict[int, list[TaskView]]:
        """The views of several reports (every report, in the reports' order, when None) with one key query: the
        department's 我的任务 and an unfiltered task list read them all on every request."""
        with self._read() as session:
            if report_ids is None:
                report_ids = list(session.scalars(select(ReportRow.id).order_by(ReportRow.year.desc(), ReportRow.doc)))
            keys = self._views_keys(session, report_ids)
        return {rid: self._views_at(rid, keys[rid]) for rid in report_ids}

    def warm_views(self) -> int:
        """Build every report's views and every department's 我的任务 queue now; returns the tasks viewed.

        The server calls it when it starts and after each midnight (a new day changes every status), so the
        first 我的任务 of the day is not the one that waits 1–3 s for ~14,000 views to be built."""
        views = self.views_of()
        with self._read() as session:
            departments = list(session.scalars(select(DepartmentRow.id)))
        for department_id in departments:
            self.department_queue(department_id)
        return sum(len(v) for v in views.values())

    def report_labels(self) -> dict[int, str]:
        """report id → 「雅安市 2024 年」, what a list spanning several reports shows beside each task; one narrow read
        (``reports()`` also counts every report's tasks, ~5 ms over 14,000 tasks, on every 我的任务 request)."""
        with self._read() as session:
            return {i: f"{place or doc} {year or ''} 年".strip() for i, place, doc, year in session.execute(
                select(ReportRow.id, ReportRow.place, ReportRow.doc, ReportRow.year)
                .order_by(ReportRow.year.desc(), ReportRow.doc)).all()}

    def department_views(self, department_id: int) -> list[TaskView]:
        """Every task a department leads or helps with, in every report (the reports' order, 序号 within each).

        我的任务 and the department's task list read this on every request; a
        department's share of each report is kept until that report's views
        change, so a write re-filters one report, not the ~14,000 tasks of all.
        """
        parts: list[list[TaskView]] = []
        for rid, views in self.views_of().items():
            memo = self._by_department.get((department_id, rid))
            if memo is None or memo[0] is not views:
                memo = (views, [v for v in views if v.lead_id == department_id or department_id in v.co_ids])
                self._by_department[(department_id, rid)] = memo
            parts.append(memo[1])
        whole = self._department_lists.get(department_id)
        if whole is not None and len(whole[0]) == len(parts) and all(a is b for a, b in zip(whole[0], parts, strict=True)):
            return whole[1]  # the same list while nothing of the department's changed: callers may memoise on it
        out = [v for part in parts for v in part]
        self._department_lists[department_id] = (parts, out)
        return out

    def department_queue(self, department_id: int) -> list[TaskView]:
        """我的任务: the department's tasks that are not split in parts, the most pressing first (逾期, 滞后,
        推进中, 未开始, 已完成; then by deadline), across every report; sorted once per change."""
        views = self.department_views(department_id)
        memo = self._department_queues.get(department_id)
        if memo is None or memo[0] is not views:
            # perf: each report's share is keyed and sorted once per change and the sorted runs merged (a write
            # re-keyed all ~4,600 of a department's tasks: 16 ms of the 我的任务 page after every write)
            runs: list[list[tuple[Any, ...]]] = []
            for n, part in enumerate(self._department_lists[department_id][0]):
                run = self._queue_runs.get((department_id, n))
                if run is None or run[0] is not part:
                    run = (part, sorted((_URGENCY_ORDER.get(t.status, 9), t.deadline, n, k, t)
                                        for k, t in enumerate(part) if not t.n_children))
                    self._queue_runs[(department_id, n)] = run
                runs.append(run[1])
            queue = [key[-1] for key in sorted(chain.from_iterable(runs))]  # (…, report, position) never tie
            memo = self._department_queues[department_id] = (views, queue)
        return memo[1]

    def list_tasks(self, filters: TaskFilter | None = None, *, page: int = 1, per_page: int = 50) -> Page:
        """One page of tasks in 序号 order; status is derived, so it is filtered after deriving it."""
        f = filters or TaskFilter()
        if f.q is not None:
            f.q = clean_text(f.q, "search") or None
        if page < 1 or not 1 <= per_page <= 500:
            raise Invalid("page 从 1 开始，per_page 在 1–500 之间")
        if f.status is not None and f.status not in STATUSES:
            raise Invalid(f"status 必须是 {'、'.join(STATUSES)} 之一")
        if f.report_id is not None:
            views = [v for v in self.all_views(f.report_id) if _matches(v, f)]
        elif f.department_id is not None:
            views = self.department_views(f.department_id)
            if f != TaskFilter(department_id=f.department_id):  # perf: no other filter, nothing left to check
                views = [v for v in views if _matches(v, f)]
        else:
            views = [v for vs in self.views_of().values() for v in vs if _matches(v, f)]
        if f.status is not None:
            views = [v for v in views if v.status == f.status]
        total = len(views)
        start = (page - 1) * per_page
        return Page(items=views[start:start + per_page], total=total, page=page, per_page=per_page)

    def task(self, task_id: int) -> TaskView:
        """One task's view, taken from its report's cached views (the roll-up needs the whole family anyway)."""
        with self._read() as session:
            report_id = session.scalar(select(TaskRow.report_id).where(TaskRow.id == task_id))
        if report_id is None:
            raise NotFound(f"任务 {task_id} 不存在")
        found = next((v for v in self.all_views(report_id) if v.id == task_id), None)
        if found is None:  # deleted (merged) between the two reads
            raise NotFound(f"任务 {task_id} 不存在")
        return found

    def task_detail(self, task_id: int) -> TaskDetail:
        view = self.task(task_id)
        children = [v for v in self.all_views(view.report_id) if v.parent_id == task_id]
        with self._read() as session:
            row = session.get(TaskRow, task_id)
            if row is None:
                raise NotFound(f"任务 {task_id} 不存在")
            users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
            feedback = [self._feedback_view(session, f, users) for f in session.scalars(
                select(FeedbackRow).where(FeedbackRow.task_id == task_id).order_by(FeedbackRow.id.desc()))]
            extensions = [_extension_view(e, users) for e in session.scalars(
                select(ExtensionRow).where(ExtensionRow.task_id == task_id).order_by(ExtensionRow.id.desc()))]
            history = [AuditView(id=a.id, at=_utc(a.at), username=a.username, action=a.action, entity=a.entity,
                                 entity_id=a.entity_id, task_id=a.task_id, before=a.before, after=a.after)
                       for a in session.scalars(select(AuditRow).where(AuditRow.task_id == task_id)
                                                .order_by(AuditRow.id.desc()))]
            records = self._records_of(session, row.report_id, list(row.record_ids or []))
            return TaskDetail(task=view, indicators=indicator_views(row, records), children=children,
                              feedback=feedback, extensions=extensions, history=history,
                              paragraph=self._paragraph(session, row))

    @staticmethod
    def _records_of(session: Session, report_id: int, ids: Sequence[str] | None = None) -> dict[str, RecordRow]:
        """The report's records by id (those of ``ids`` only, when given): the indicators of its tasks."""
        stmt = select(RecordRow).where(RecordRow.report_id == report_id)
        if ids is not None:
            if not ids:
                return {}
            stmt = stmt.where(RecordRow.record_id.in_(list(ids)))
        return {r.record_id: r for r in session.scalars(stmt)}

    @staticmethod
    def _paragraph(session: Session, task: TaskRow) -> str | None:
        """The quote's paragraph: its sentence and the neighbours that follow on without a line break."""
        if task.quote_start is None:
            return task.sentence or None
        sentences = session.scalars(select(SentenceRow).where(SentenceRow.report_id == task.report_id)
                                    .order_by(SentenceRow.n)).all()
        here = next((i for i, s in enumerate(sentences) if s.start <= task.quote_start < s.end), None)
        if here is None:
            return task.sentence or None
        lo = hi = here
        while lo > 0 and sentences[lo - 1].end >= sentences[lo].start - 1 \
                and sentences[lo - 1].section == sentences[here].section:
            lo -= 1
        while hi + 1 < len(sentences) and sentences[hi].end >= sentences[hi + 1].start - 1 \
                and sentences[hi + 1].section == sentences[here].section:
            hi += 1
        return "".join(s.text for s in sentences[lo:hi + 1])

    @staticmethod
    def _feedback_view(session: Session, f: FeedbackRow, users: dict[int, str]) -> FeedbackView:
        files = [
            AttachmentView(id=i, filename=n, content_type=c, size=s) for i, n, c, s in session.execute(
                select(AttachmentRow.id, AttachmentRow.filename, AttachmentRow.content_type, AttachmentRow.size)
                .where(AttachmentRow.feedback_id == f.id).order_by(AttachmentRow.id)).all()]
        return FeedbackView(id=f.id, task_id=f.task_id, author=users.get(f.author_id, "?"), reported_on=f.reported_on,
                            text=f.text, current_value=f.current_value, percent=f.percent, state=f.state,
                            review_note=f.review_note, reviewer=users.get(f.reviewer_id) if f.reviewer_id else None,
                            reviewed_at=_utc(f.reviewed_at), created_at=_utc(f.created_at), attachments=files)

    def _pending(self, model: type[FeedbackRow] | type[ExtensionRow], report_id: int | None,
                 make: Callable[[Session, Any, dict[int, str]], Any]) -> list[tuple[TaskView, Any]]:
        """Rows of ``model`` waiting for a supervisor (state pending), oldest first, each with its task's view."""
        stmt = select(model, TaskRow.id, TaskRow.report_id).join(TaskRow, TaskRow.id == model.task_id) \
            .where(model.state == "pending").order_by(model.id)
        if report_id is not None:
            stmt = stmt.where(TaskRow.report_id == report_id)
        with self._read() as session:
            users = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
            pending = [(task_id, rid, make(session, row, users)) for row, task_id, rid in session.execute(stmt).all()]
        views = {rid: {v.id: v for v in self.all_views(rid)} for rid in {rid for _, rid, _ in pending}}
        return [(views[rid][task_id], view) for task_id, rid, view in pending]

    def pending_feedback(self, report_id: int | None = None) -> list[tuple[TaskView, FeedbackView]]:
        """Feedback waiting for review (审核), oldest first."""
        return self._pending(FeedbackRow, report_id, self._feedback_view)

    def pending_extensions(self, report_id: int | None = None) -> list[tuple[TaskView, ExtensionView]]:
        """Extension requests (延期申请) waiting for a decision, oldest first."""
        return self._pending(ExtensionRow, report_id, lambda _session, e, users: _extension_view(e, users))

    def attachment(self, actor: Actor, attachment_id: int) -> tuple[str, str, bytes, int]:
        """(filename, content type, bytes, task id) of an evidence file, for the task's own departments (lead or
        co-department), supervisors and admins; viewers and other departments get 403."""
        require(actor, "read_evidence")
        with self._read() as session:
            found = session.execute(select(AttachmentRow, FeedbackRow.task_id, TaskRow.lead_id, TaskRow.co_ids).join(
                FeedbackRow, FeedbackRow.id == AttachmentRow.feedback_id).join(TaskRow, TaskRow.id == FeedbackRow.task_id)
                .where(AttachmentRow.id == attachment_id)).first()
            if found is None:
                raise NotFound(f"附件 {attachment_id} 不存在")
            a, task_id, lead_id, co_ids = found
            if actor.role == "department" and actor.department_id not in ([lead_id] + list(co_ids or [])):
                raise Forbidden("只有任务的牵头、配合单位和督查人员可以查看佐证材料")
            return a.filename, a.content_type, a.data, task_id

