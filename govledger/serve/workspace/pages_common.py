"""What the workspace pages share: rendering with the user's abilities, redirects with a notice, time in the
office's zone, task grouping, the quote marked in its paragraph, the history table's Chinese lines, form parsing.

Every word shown for a code comes from the one label table (``govledger.serve.labels``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from govledger.errors import Invalid
from govledger.serve.labels import label, labels
from govledger.serve.workspace.api_common import parse_number
from govledger.serve.workspace.app import html_response
from govledger.workspace.rules import workspace_rules
from govledger.workspace.views import AuditView, TaskView, UserView

PER_PAGE = 50
OFFICE_ZONE = ZoneInfo("Asia/Shanghai")  # the default; a workspace's own zone (``data/workspace.json``) wins
# what a redirect's ``?ok=`` says at the top of the next page (only these words, never text from the URL)
NOTICES: dict[str, str] = labels()["notices"]
ACTIONS: dict[str, str] = labels()["actions"]
FIELDS: dict[str, str] = labels()["fields"]
REPORT_TYPES = ".txt,.docx,.pdf,.html,.htm"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """Only local paths: a crafted ``next`` must not send the user to another site after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def with_notice(url: str, notice: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}ok={notice}"


# the fields of a review (审核) or decision (延期审批) form: the reviewer's note, and the page it came from
Note = Annotated[str, Form(max_length=2000)]
Next = Annotated[str, Form(max_length=500)]


def yes_or_no(value: str, question: str) -> bool:
    """The button a two-button form was sent with ("1" or "0"); anything else, a crafted post, gets ``question``."""
    if value not in ("1", "0"):
        raise Invalid(question)
    return value == "1"


def back(next_url: str, fallback: str, notice: str) -> RedirectResponse:
    """After a review, back to the list it was made from (a local ``next`` only), else to the item's own page."""
    return redirect(with_notice(safe_next(next_url) if next_url else fallback, notice))


def when(value: datetime | date | None, zone: tzinfo = OFFICE_ZONE) -> str:
    """A stored time (UTC) in the office's time zone, to the minute; a date as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def office_when(request: Request) -> Any:
    """``when`` in the workspace's own time zone, for the templates."""
    zone = getattr(request.app.state.workspace, "zone", OFFICE_ZONE)
    return lambda value: when(value, zone)


def abilities(user: UserView | None) -> set[str]:
    if user is None:
        return set()
    role = workspace_rules()["roles"].get(user.role)
    return set(role["can"]) if role else set()


def render(request: Request, name: str, **context: Any) -> HTMLResponse:
    """``html_response`` plus what the workspace pages share: the user's abilities, time formatting, notices."""
    user = context.pop("me", None)
    notice = NOTICES.get(request.query_params.get("ok", ""))
    changed = request.query_params.get("changed", "")
    if notice and request.query_params.get("ok") == "sheet" and changed.isdigit():
        notice = f"任务分解表已导入，{int(changed)} 项任务有改动。"
    return html_response(request, name, can=abilities(user), when=office_when(request), notice=notice, **context)


def own_task(user: UserView, task: TaskView) -> bool:
    """A department user works only on its own tasks (lead or co-department); other roles on all."""
    if user.role != "department":
        return True
    return user.department_id is not None and (
        task.lead_id == user.department_id or user.department_id in task.co_ids)


def section_heading(task: TaskView) -> str:
    if len(task.section) > 1:
        return task.section[1]
    return task.section[0] if task.section else "其他"


def grouped(tasks: Sequence[TaskView]) -> list[tuple[str, list[TaskView]]]:
    """Tasks under their report section (second level, else first), in order, a heading each time it changes."""
    groups: list[tuple[str, list[TaskView]]] = []
    for task in tasks:
        heading = section_heading(task)
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        groups[-1][1].append(task)
    return groups


def highlight(paragraph: str | None, quote: str) -> list[tuple[str, bool]]:
    """The paragraph cut into (text, is_quote) pieces, the quote marked; the template escapes every piece.

    A merged task's quote is several quotes joined by 「；」: each one found
    in the paragraph is marked. Nothing found gives the paragraph unmarked.
    """
    text = paragraph or ""
    if not text:
        return []
    pieces = [quote] if quote and quote in text else [p for p in (quote or "").split("；") if p and p in text]
    spans = sorted((text.find(p), text.find(p) + len(p)) for p in pieces)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _show(key: str, value: object, names: dict[int, str], stages: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key == "lead_id" and isinstance(value, int):
        return names.get(value, f"单位 {value}")
    if key == "co_ids" and isinstance(value, list):
        return "、".join(names.get(int(i), f"单位 {i}") for i in value if isinstance(i, int | str)) or "—"
    if key == "stage" and isinstance(value, str):
        return stages.get(value, value)
    if key in ("role", "verdict", "status") and isinstance(value, str):
        table = {"role": "roles", "verdict": "verdicts", "status": "statuses"}[key]
        return label(table, value, value if not value.isascii() else None)
    if key == "department_id" and isinstance(value, int):
        return names.get(value, f"单位 {value}")
    if key == "public" and isinstance(value, bool):
        return "开启" if value else "关闭"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return str(value)


def describe(entry: AuditView, names: dict[int, str], zone: tzinfo = OFFICE_ZONE) -> dict[str, Any]:
    """One audit entry as the history table shows it: who, when, what, and each changed field before → after."""
    stages = workspace_rules()["stages"]
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for key, new in after.items():  # what the entry set; a field only in ``before`` was not changed by it
        old = before.get(key)
        if key in before and old == new:
            continue
        if key not in before and new in (None, "", []):
            continue
        changes.append({"field": FIELDS.get(key, "其他"),
                        "before": _show(key, old, names, stages) if key in before else "",
                        "after": _show(key, new, names, stages)})
    merged = before.get("tasks")
    if isinstance(merged, list) and "tasks" not in after:  # 合并: the tasks that went into this one
        joined = "；".join(f"{t.get('seq')}．{t.get('content')}" for t in merged if isinstance(t, dict))
        changes.insert(0, {"field": FIELDS["tasks"], "before": "", "after": joined})
    return {"at": when(entry.at, zone), "username": entry.username, "action": label("actions", entry.action),
            "changes": changes}


def _int_or_none(value: str | None, what: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise Invalid(f"{what}「{value}」不是编号") from None


def _version(value: str | None) -> int:
    number = _int_or_none(value, "版本")
    if number is None:
        raise Invalid("表单缺少版本号，请刷新页面后重试")
    return number


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on", "yes")


def parse_parts(text: str) -> list[tuple[str, float]]:
    """拆分 parts, one a line: 「内容|权重」 (权重 optional, default 1; a full-width ｜ works too)."""
    parts: list[tuple[str, float]] = []
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        content, sep, weight = line.replace("｜", "|").rpartition("|")
        if not sep:
            content, weight = line, ""
        value = parse_number(weight, f"第{n}行的权重") if weight.strip() else 1.0
        parts.append((content.strip(), value if value is not None else 1.0))
    return parts



def report_names(ws: Any) -> dict[int, str]:
    """report id → 「雅安市 2024 年」: what a list spanning several reports shows beside each task."""
    labels: dict[int, str] = ws.report_labels()
    return labels


def pager(total: int, page: int, per_page: int, url: Any) -> dict[str, Any]:
    """Page numbers and the previous/next links of a paged list (``url(n)`` makes the link of page n)."""
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    return {"page": page, "pages": pages, "total": total,
            "prev_url": url(page - 1) if page > 1 else None, "next_url": url(page + 1) if page < pages else None}
