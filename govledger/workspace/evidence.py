"""Checking an evidence file before it is stored: size and type, by its bytes and not only its name.

A department uploads scans, photos and spreadsheets as evidence. A name
ending in .pdf proves nothing, so the first bytes must match the type the
extension claims (the table is in ``data/workspace.json``). The check is
pure: bytes in, content type out or ``Invalid``/``TooLarge`` raised.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath
from typing import Any

from govledger.errors import Invalid, TooLarge
from govledger.workspace.rules import workspace_rules


def attachment_rules() -> dict[str, Any]:
    rules: dict[str, Any] = workspace_rules()["attachments"]
    return rules


def allowed_extensions() -> list[str]:
    return [ext for t in attachment_rules()["types"] for ext in t["ext"]]


def _matches(entry: dict[str, Any], data: bytes) -> bool:
    if not any(data.startswith(bytes.fromhex(m)) for m in entry["magic"]):
        return False
    also = entry.get("also")
    if also and data[also["offset"]: also["offset"] + len(also["hex"]) // 2] != bytes.fromhex(also["hex"]):
        return False
    member = entry.get("zip_member")
    if member:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return member in zf.namelist()
        except zipfile.BadZipFile:
            return False
    return True


def check_attachment(filename: str, data: bytes, max_bytes: int | None = None) -> str:
    """The content type of an acceptable evidence file, else a one-line Chinese reason."""
    rules = attachment_rules()
    limit = int(max_bytes if max_bytes is not None else rules["max_bytes"])
    name = PurePath(filename or "").name
    if not name:
        raise Invalid("附件缺少文件名")
    if not data:
        raise Invalid(f"附件「{name}」是空文件")
    if len(data) > limit:
        raise TooLarge(f"附件「{name}」大小 {len(data) / 1048576:.1f} MB，超过上限 {limit / 1048576:.0f} MB")
    ext = PurePath(name).suffix.lower().lstrip(".")
    for entry in rules["types"]:
        if ext in entry["ext"]:
            if not _matches(entry, data):
                raise Invalid(f"附件「{name}」的内容不是 {ext.upper()} 文件")
            return str(entry["content_type"])
    raise Invalid(f"附件「{name}」类型不允许（只接受 {'、'.join(allowed_extensions())}）")
