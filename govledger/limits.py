"""The input-size policy: how much of anything may enter govledger, checked where it enters, before the work starts.

One table (``TEXT_LIMITS``, ``FILE_LIMITS``, ``ZIP_LIMITS``) and three checks:

- ``clean_text``: every text a user or a file hands in (API bodies, form
  fields, 任务分解表 cells, file names, log-in names) is refused with
  ``Invalid`` (HTTP 422) when it is longer than its kind allows or holds a
  control character. NUL in particular: PostgreSQL cannot store it, and the
  driver's error must never reach the user (it used to, with the database URL).
- ``check_zip``: an XLSX or DOCX is a zip; its central directory declares each
  member's unpacked size, and Python's ``zipfile`` never inflates a member past
  what it declares (the CRC check fails instead). So the declared sizes are a
  sound bound, read in microseconds before openpyxl or python-docx parse
  anything: a 300 KB file that unpacks to 300 MB is refused here.
- ``body_limit``: the largest request body a route family accepts (the
  server refuses a bigger ``Content-Length`` before reading it).

The README's "Input limits" table is this module; change both together.
Pure: no database, no web framework, so ``read/`` and the CLI can use it too.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import IO

from govledger.errors import Invalid, TooLarge

# kind → (most characters, may span lines)
TEXT_LIMITS: dict[str, tuple[int, bool]] = {
    "username": (64, False),
    "display_name": (100, False),
    "password": (256, False),
    "department": (100, False),
    "email": (200, False),
    "token_name": (100, False),
    "content": (4000, True),       # 任务内容
    "milestones": (4000, True),    # 季度形象进度
    "feedback": (8000, True),      # 进展情况
    "reason": (4000, True),        # 延期理由
    "note": (2000, True),          # 审核意见, 办结说明
    "filename": (255, False),
    "seq": (32, True),             # 序号 (only ever matched against the report's own)
    "search": (200, False),
    "doc": (200, False),
    "cell": (4000, True),          # any other cell of a 任务分解表
}
# bytes of one uploaded file
FILE_LIMITS: dict[str, int] = {
    "report": 50 * 1024 * 1024,
    "sheet": 20 * 1024 * 1024,
    "evidence": 10 * 1024 * 1024,
}
# what an XLSX or DOCX may unpack to: all members, one member, number of members
ZIP_LIMITS: dict[str, dict[str, int]] = {
    "sheet": {"total": 60 * 1024 * 1024, "member": 50 * 1024 * 1024, "members": 2000},
    "report": {"total": 80 * 1024 * 1024, "member": 60 * 1024 * 1024, "members": 2000},
}
SHEET_MAX_ROWS = 20000          # data rows of a 任务分解表
SHEET_MAX_SCANNED_ROWS = 50000  # rows read at all, empty ones included (4 M empty rows must not hold a worker)
SHEET_MAX_COLUMNS = 60
UNAUTHENTICATED_BODY = 64 * 1024  # a request without a session or token: a log-in form is far smaller
MAX_BODY = FILE_LIMITS["report"] + 1024 * 1024  # the largest upload plus its form fields

# C0 controls except TAB/LF/CR, DEL, C1 controls, and the non-characters U+FFFE/U+FFFF
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAK = re.compile("[\r\n\u2028\u2029]")
LABELS: dict[str, str] = {
    "username": "用户名", "display_name": "姓名", "password": "密码", "department": "单位名称", "email": "电子邮箱",
    "token_name": "令牌名称", "content": "任务内容", "milestones": "季度形象进度", "feedback": "进展情况",
    "reason": "理由", "note": "说明", "filename": "文件名", "seq": "序号", "search": "搜索词", "doc": "报告名",
    "cell": "单元格",
}


# one plain address (RFC 5321 dot-atom): no list "a@x, b@y", no display name, no line break
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


def is_one_address(text: str) -> bool:
    """Whether ``text`` is exactly one e-mail address (what the digest may send to)."""
    return len(text) <= TEXT_LIMITS["email"][0] and EMAIL.fullmatch(text) is not None


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character no user types (NUL, escape codes); TAB and line ends are allowed."""
    return _CONTROL.search(text) is not None


def clean_text(value: str | None, kind: str, *, label: str | None = None, strip: bool = True) -> str:
    """``value`` if it fits its kind (length, no control character, one line where one is expected); else ``Invalid``.

    ``None`` becomes "". Stripping happens first, so trailing spaces do not
    count against the limit. The message names the field, never echoes the text.
    """
    limit, multiline = TEXT_LIMITS[kind]
    what = label or LABELS.get(kind, kind)
    text = value or ""
    if strip:
        text = text.strip()
    if has_control(text):
        raise Invalid(f"{what}含有不允许的控制字符")
    if not multiline and _LINE_BREAK.search(text):
        raise Invalid(f"{what}不能换行")
    if len(text) > limit:
        raise Invalid(f"{what}超过 {limit} 个字符的上限（{len(text)} 个）")
    return text


def text_problem(value: str, kind: str, label: str) -> str | None:
    """The reason ``value`` is refused, or ``None``: for sheets, which collect every problem before answering."""
    try:
        clean_text(value, kind, label=label, strip=False)
    except Invalid as exc:
        return exc.message
    return None


def check_zip(data: bytes | IO[bytes], kind: str, name: str) -> None:
    """Refuse an XLSX/DOCX whose members would unpack past ``ZIP_LIMITS[kind]`` (``TooLarge``), before parsing it.

    A file that is not a zip at all passes: the reader then says what it is
    (its own one-line error), so this check never hides a better message.
    """
    limits = ZIP_LIMITS[kind]
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    finally:
        if not isinstance(data, bytes | bytearray):
            data.seek(0)
    if len(members) > limits["members"]:
        raise TooLarge(f"文件「{name}」内含 {len(members)} 个部件，超过 {limits['members']} 个的上限")
    total = 0
    for member in members:
        if member.file_size > limits["member"]:
            raise TooLarge(f"文件「{name}」解压后过大（{member.filename} 有 {member.file_size // 1048576} MB，"
                           f"上限 {limits['member'] // 1048576} MB）")
        total += member.file_size
    if total > limits["total"]:
        raise TooLarge(f"文件「{name}」解压后共 {total // 1048576} MB，超过 {limits['total'] // 1048576} MB 的上限")
