"""The daily reminder (每日提醒) of one department, as the text of an e-mail.

Pure: a digest entry from ``Workspace.digest`` in, subject and body out.
The page, the API and the e-mail show the same lists; this module only
decides how they read in a mail client (plain text, one task a line).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from email.message import EmailMessage
from typing import Any

from govledger.limits import is_one_address


def _line(task: Any, today: date) -> str:
    days = (task.deadline - today).days
    when = f"已逾期 {-days} 天" if days < 0 else "今天到期" if days == 0 else f"还有 {days} 天"
    return (f"  [{task.seq}] {task.content}（完成时限 {task.deadline.isoformat()}，{when}；"
            f"进度 {task.progress:g}%，{task.status_label}）")


def digest_text(entry: Mapping[str, Any], *, base_url: str | None = None) -> tuple[str, str]:
    """Subject and body of one department's reminder."""
    today: date = entry["today"]
    overdue, due_soon = list(entry["overdue"]), list(entry["due_soon"])
    subject = f"【督查提醒】{entry['department']}：逾期 {len(overdue)} 项，即将到期 {len(due_soon)} 项（{today.isoformat()}）"
    lines = [f"{entry['department']}：", "", f"截至 {today.isoformat()}，贵单位牵头的任务中："]
    if overdue:
        lines += ["", f"逾期未完成 {len(overdue)} 项："] + [_line(t, today) for t in overdue]
    if due_soon:
        lines += ["", f"即将到期 {len(due_soon)} 项："] + [_line(t, today) for t in due_soon]
    lines += ["", "请及时在督查工作台填报进展并上传佐证材料；确需延期的，请提交延期申请。"]
    if base_url:
        lines.append(f"工作台：{base_url.rstrip('/')}/digest")
    return subject, "\n".join(lines) + "\n"


def digest_message(entry: Mapping[str, Any], sender: str, *, base_url: str | None = None) -> EmailMessage:
    """The e-mail to the department's address (``entry['email']``), UTF-8 plain text.

    ``ValueError`` when the address is not exactly one address (a list, a
    line break: data stored before addresses were checked at entry), so the
    sender can report that department and go on with the next.
    """
    address = str(entry["email"])
    if not is_one_address(address):
        raise ValueError(f"not one e-mail address: {address[:80]!r}")
    subject, body = digest_text(entry, base_url=base_url)
    subject = " ".join(subject.split())  # a department name stored with a line break must not split the header
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = address
    message.set_content(body)
    return message
