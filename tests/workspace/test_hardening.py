"""Issue 13, item by item: no request can freeze the workspace, bloat it, or outlive a password.

Each test reproduces one probe of the issue against the app (SQLite and
PostgreSQL through ``api``) and checks the mechanism, not one symptom: the
bomb files are generated here (small on disk, large unpacked), refusals are
checked against the database rows, and no error body may name the database.
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from govledger.limits import SHEET_MAX_SCANNED_ROWS, TEXT_LIMITS, ZIP_LIMITS
from tests.workspace.conftest import PASSWORD, PDF, Api, form_login

NUL = "\u0000"


def sheet_bytes(api: Api, rows: list[list[str]] | None = None) -> bytes:
    """The report's own 任务分解表 (export), optionally with data rows replaced cell by cell."""
    r = api.call("admin", "GET", f"/reports/{api.report_id}/sheet")
    assert r.status_code == 200
    if rows is None:
        return bytes(r.content)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                ws.cell(row=3 + i, column=1 + j, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def swap_member(data: bytes, member: str, writer: Any) -> bytes:
    """``data`` (a zip) with ``member`` rewritten by ``writer(file)``, deflated: how a bomb is made."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == member:
                with dst.open(member, "w", force_zip64=True) as fh:
                    writer(fh)
            else:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def huge_cell_xml(fh: Any, size: int) -> None:
    fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
    chunk = b"a" * (1 << 20)
    for _ in range(size >> 20):
        fh.write(chunk)
    fh.write(b"</t></is></c></row></sheetData></worksheet>")


def sheet_member(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def no_configuration(body: str, api: Api) -> None:
    for secret in ("postgresql", "sqlite", "psycopg", "55432", "ws.db", "Traceback", api.url):
        assert secret not in body, (secret, body[:300])


# ----------------------------------------------------------------------------- 1. zip bombs, row and cell limits


def test_a_sheet_bomb_is_refused_before_parsing(api: Api) -> None:
    """One cell unpacking past the limit: refused in well under a second, nothing written."""
    plain = sheet_bytes(api)
    size = ZIP_LIMITS["sheet"]["member"] + (2 << 20)
    bomb = swap_member(plain, sheet_member(plain), lambda fh: huge_cell_xml(fh, size))
    assert len(bomb) < 1_000_000  # small on disk, > 50 MB unpacked
    before = api.state()
    started = time.monotonic()
    r = api.call("sup", "POST", f"/reports/{api.report_id}/sheet", files={"file": ("bomb.xlsx", bomb)})
    elapsed = time.monotonic() - started
    assert r.status_code == 422 and "解压后" in r.json()["error"], r.text
    assert elapsed < 3, elapsed
    assert api.state() == before


def test_millions_of_empty_rows_stop_at_the_scan_limit(api: Api) -> None:
    plain = sheet_bytes(api)

    def rows(fh: Any) -> None:
        fh.write(('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                  'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c>'
                  '<c r="B1" t="inlineStr"><is><t>任务内容</t></is></c></row>').encode())
        for n in range(2, SHEET_MAX_SCANNED_ROWS + 100):
            fh.write(b'<row r="%d"/>' % n)
        fh.write(b"</sheetData></worksheet>")

    bomb = swap_member(plain, sheet_member(plain), rows)
    before = api.state()
    r = api.call("sup", "POST", f"/reports/{api.report_id}/sheet", files={"file": ("rows.xlsx", bomb)})
    assert r.status_code == 422 and "含空行" in r.json()["error"], r.text
    assert api.state() == before


def test_a_docx_bomb_is_refused_before_parsing(api: Api) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("雅安市政府工作报告")
    plain = io.BytesIO()
    doc.save(plain)
    size = ZIP_LIMITS["report"]["member"] + (2 << 20)

    def body(fh: Any) -> None:
        fh.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                 b'2006/main"><w:body><w:p><w:r><w:t>')
        for _ in range(size >> 20):
            fh.write(b"x" * (1 << 20))
        fh.write(b"</w:t></w:r></w:p></w:body></w:document>")

    bomb = swap_member(plain.getvalue(), "word/document.xml", body)
    assert len(bomb) < 1_000_000
    before = api.state()
    started = time.monotonic()
    r = api.call("admin", "POST", "/reports", files={"file": ("bomb_2024.docx", bomb)})
    assert r.status_code == 413 and "解压后" in r.json()["error"], r.text
    assert time.monotonic() - started < 3
    assert api.state() == before


def test_sheet_cells_obey_the_text_limits_and_every_bad_row_is_named_at_once(api: Api) -> None:
    """Four bad rows of four kinds: one answer naming all four rows (the issue saw one per attempt)."""
    limit = TEXT_LIMITS["content"][0]
    rows = [
        [None, "长" * (limit + 1)],                      # row 3: 任务内容 over the limit
        [None, None, None, "不存在的局"],                  # row 4: unknown department (牵头单位)
        [None, None, None, None, None, "某个时候"],       # row 5: deadline nobody understands (完成时限)
        ["9999", None, None, None, None],                 # row 6: 序号 not in the report
    ]
    before = api.state()
    r = api.call("sup", "POST", f"/reports/{api.report_id}/sheet",
                 files={"file": ("bad.xlsx", sheet_bytes(api, rows))})
    assert r.status_code == 422, r.text
    named = {d["row"] for d in r.json()["details"]}
    assert {3, 4, 5, 6} <= named, r.json()
    assert "4000" in r.json()["error"] or any("4000" in d["error"] for d in r.json()["details"])
    assert api.state() == before
    longest = api.sql("SELECT max(length(content)) FROM tasks")[0][0]
    assert longest <= limit


# ----------------------------------------------------------------------------- 3. null weight, 4. NUL bytes


def test_patch_with_null_fields_is_a_422(api: Api) -> None:
    task = api.all_tasks()[0]
    for field in ("weight", "content", "deadline", "milestones", "co_ids"):
        r = api.call("sup", "PATCH", f"/tasks/{task['id']}", json={"version": task["version"], field: None})
        assert r.status_code == 422, (field, r.text)
    unassigned = api.call("sup", "PATCH", f"/tasks/{task['id']}", json={"version": task["version"], "lead_id": None})
    assert unassigned.status_code == 200


def test_nul_and_control_characters_are_422_everywhere_and_never_echo_configuration(api: Api) -> None:
    task = api.assign(api.all_tasks()[0], "市发展改革委")
    before = api.state()
    probes = [
        ("POST", "/auth/token", {"json": {"username": f"ad{NUL}min", "password": PASSWORD}}, (401, 422)),
        ("POST", f"/tasks/{task['id']}/feedback", {"data": {"text": f"进展{NUL}"}, "who": "fgw"}, (422,)),
        ("PATCH", f"/tasks/{task['id']}", {"json": {"version": task["version"], "content": f"任务{NUL}"}}, (422,)),
        ("PATCH", f"/tasks/{task['id']}", {"json": {"version": task["version"], "milestones": "一季度\x1b[31m"}},
         (422,)),
        ("POST", "/departments", {"json": {"name": f"市{NUL}局"}, "who": "admin"}, (422,)),
        ("POST", "/departments", {"json": {"name": "市审计局\r\n"}, "who": "admin"}, (201, 422)),
        ("GET", f"/tasks?q=%00&report_id={api.report_id}", {}, (422,)),
        ("POST", "/users", {"json": {"username": f"x{NUL}y", "password": "Plenty-long-9x", "role": "viewer"},
                            "who": "admin"}, (422,)),
    ]
    for method, path, kw, codes in probes:
        kw = dict(kw)
        who = kw.pop("who", "sup")
        r = api.call(None if path == "/auth/token" else who, method, path, **kw)
        assert r.status_code in codes, (method, path, r.status_code, r.text)
        no_configuration(r.text, api)
    # a file name with NUL (HTTP clients percent-encode it, so straight to the service every route calls)
    from govledger.errors import Invalid
    from govledger.workspace import Actor

    fgw = api.ok("fgw", "GET", "/me")
    with pytest.raises(Invalid, match="控制字符"):
        api.ws.submit_feedback(Actor(fgw["id"], "fgw", "department", fgw["department_id"]), task["id"],
                               text="进展", files=[(f"a{NUL}.pdf", PDF)])
    r = api.client.get("/public/yaan%00_2024")
    assert r.status_code == 422
    no_configuration(r.text, api)
    after = api.state()
    # 市审计局 with a trailing line break is stripped and accepted; nothing else was written
    assert {k: v for k, v in after.items() if k not in ("departments", "audit_log")} == \
           {k: v for k, v in before.items() if k not in ("departments", "audit_log")}
    assert not api.sql("SELECT count(*) FROM departments WHERE name LIKE '%' || :c || '%'", c="\r")[0][0]


# ----------------------------------------------------------------------------- 5. tokens expire and die with the password


def test_tokens_expire_and_are_revoked_by_a_password_reset(api: Api) -> None:
    from govledger.workspace import SYSTEM

    rows = api.sql("SELECT expires_at FROM credentials WHERE kind = 'token'")
    assert rows and all(r[0] is not None for r in rows)
    stored = rows[0][0] if isinstance(rows[0][0], datetime) else datetime.fromisoformat(str(rows[0][0]))
    expires = stored if stored.tzinfo else stored.replace(tzinfo=UTC)
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    old = api.tokens["zjj"]
    api.ws.set_password(SYSTEM, "zjj", "another Long passphrase 7")
    assert api.call("zjj", "GET", "/me").status_code == 401
    task = api.assign(api.all_tasks()[0], "市住房城乡建设局")
    r = api.client.post(f"/api/v1/tasks/{task['id']}/extensions", headers={"Authorization": f"Bearer {old}"},
                        json={"new_deadline": "2025-06-30", "reason": "x"})
    assert r.status_code == 401
    assert not api.sql("SELECT count(*) FROM credentials c JOIN users u ON u.id = c.user_id "
                       "WHERE u.username = 'zjj'")[0][0]
    # an expired token is refused
    with api.ws.store.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE credentials SET expires_at = :t WHERE kind = 'token' AND user_id = "
                          "(SELECT id FROM users WHERE username = 'guest')"),
                     {"t": datetime.now(UTC) - timedelta(minutes=1)})
    assert api.call("guest", "GET", "/me").status_code == 401


def test_tokens_are_listed_and_revoked_through_the_api(api: Api) -> None:
    listed = api.ok("fgw", "GET", "/tokens")
    assert len(listed) == 1 and listed[0]["expires_at"] and "token" not in listed[0]
    second = api.ok(None, "POST", "/auth/token", json={"username": "fgw", "password": PASSWORD, "name": "cron"})
    ids = [t["id"] for t in api.ok("fgw", "GET", "/tokens")]
    assert len(ids) == 2
    # another department cannot revoke it; its owner can
    assert api.call("zjj", "DELETE", f"/tokens/{ids[1]}").status_code == 403
    assert api.ok("fgw", "DELETE", f"/tokens/{ids[1]}")["revoked"] == 1
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {second['token']}"}).status_code == 401
    assert api.call("fgw", "GET", "/me").status_code == 200  # the other token lives on
    assert api.ok("admin", "GET", "/audit")[0]["action"] == "token.revoke"
    # changing one's own password ends every credential, this one included
    weak = api.call("fgw", "POST", "/me/password", json={"old_password": PASSWORD, "new_password": "password"})
    assert weak.status_code == 422
    wrong = api.call("fgw", "POST", "/me/password", json={"old_password": "nope", "new_password": "Fresh pass 2024!"})
    assert wrong.status_code == 422
    api.ok("fgw", "POST", "/me/password", json={"old_password": PASSWORD, "new_password": "Fresh pass 2024!"})
    assert api.call("fgw", "GET", "/me").status_code == 401


# ----------------------------------------------------------------------------- 6. brute force


def test_failed_log_ins_lock_the_account_and_are_audited(api: Api) -> None:
    from govledger.workspace import LOCKOUT

    for _ in range(LOCKOUT["per_account"]):
        r = api.client.post("/api/v1/auth/token", json={"username": "sup", "password": "wrong password"})
        assert r.status_code == 401
    locked = api.client.post("/api/v1/auth/token", json={"username": "sup", "password": PASSWORD})
    assert locked.status_code == 429 and "分钟后再试" in locked.json()["error"]
    page = form_login(api.client, {"username": "sup", "password": PASSWORD})
    assert page.status_code == 429 and "分钟后再试" in page.text
    fails = api.sql("SELECT count(*) FROM audit_log WHERE action = 'auth.fail'")[0][0]
    assert fails == LOCKOUT["per_account"]
    assert api.sql("SELECT count(*) FROM audit_log WHERE action = 'auth.locked'")[0][0] == 2
    # another account from the same address is not locked by these five
    assert api.client.post("/api/v1/auth/token", json={"username": "guest", "password": PASSWORD}).status_code == 200


def test_failed_log_ins_lock_the_address(api: Api) -> None:
    from govledger.workspace import LOCKOUT

    for i in range(LOCKOUT["per_address"]):
        r = api.client.post("/api/v1/auth/token", json={"username": f"nobody{i}", "password": "x"})
        assert r.status_code == 401
    r = api.client.post("/api/v1/auth/token", json={"username": "guest", "password": PASSWORD})
    assert r.status_code == 429


# ----------------------------------------------------------------------------- 7. passwords, 8. the last admin


@pytest.mark.parametrize("password", ["password", "12345678", "aaaaaaaaaa", "carol12345678", "          ",
                                      "qwertyuiop", "password123"])
def test_weak_passwords_are_refused(api: Api, password: str) -> None:
    before = api.state()
    r = api.call("admin", "POST", "/users", json={"username": "carol", "password": password, "role": "viewer"})
    assert r.status_code == 422, (password, r.text)
    assert "密码" in r.json()["error"]
    assert api.state() == before


def test_the_last_active_admin_keeps_the_role(api: Api) -> None:
    admin_id = api.ok("admin", "GET", "/me")["id"]
    before = api.state()
    for change in ({"role": "viewer"}, {"active": False}):
        r = api.call("admin", "PATCH", f"/users/{admin_id}", json=change)
        assert r.status_code in (409, 422), (change, r.text)
    assert api.state() == before
    second = api.ok("admin", "POST", "/users", 201,
                    json={"username": "admin2", "password": "Second admin 2024", "role": "admin"})
    api.ok("admin", "PATCH", f"/users/{admin_id}", json={"role": "supervisor"})
    r = api.call(None, "PATCH", f"/users/{second['id']}", json={"role": "viewer"},
                 headers={"Authorization": "Bearer " + api.ok(None, "POST", "/auth/token", json={
                     "username": "admin2", "password": "Second admin 2024"})["token"]})
    assert r.status_code == 409


# ----------------------------------------------------------------------------- 9. addresses, 10. log-in CSRF


@pytest.mark.parametrize("email", ["a@x.org, b@y.org", "a@x.org\r\nBcc: c@z.org", "Name <a@x.org>", "a@x.org;b@y.org",
                                   "no-at-sign"])
def test_a_department_has_one_address(api: Api, email: str) -> None:
    before = api.state()
    r = api.call("admin", "POST", "/departments", json={"name": "市审计局", "email": email})
    assert r.status_code == 422, r.text
    assert api.state() == before


def test_log_in_needs_the_form_token_and_our_origin(api: Api) -> None:
    c = api.client
    bare = c.post("/login", data={"username": "sup", "password": PASSWORD}, follow_redirects=False)
    assert bare.status_code == 403 and "gl_session" not in bare.cookies
    foreign = form_login(c, {"username": "sup", "password": PASSWORD}, follow_redirects=False,
                         headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "gl_session" not in foreign.cookies
    ok = form_login(c, {"username": "sup", "password": PASSWORD}, follow_redirects=False,
                    headers={"Origin": "http://testserver"})
    assert ok.status_code == 303 and "gl_session" in ok.cookies


# ----------------------------------------------------------------------------- 12. the smaller ones


def test_a_deactivated_departments_users_cannot_report(api: Api) -> None:
    task = api.assign(api.all_tasks()[0], "市发展改革委")
    api.ok("admin", "PATCH", f"/departments/{api.depts['市发展改革委']}", json={"active": False})
    before = api.state()
    r = api.feedback("fgw", task, percent=10)
    assert r.status_code == 403 and "停用" in r.json()["error"]
    ext = api.call("fgw", "POST", f"/tasks/{task['id']}/extensions", json={"new_deadline": "2025-06-30", "reason": "x"})
    assert ext.status_code == 403
    assert api.state() == before


def test_a_big5_report_is_read(api: Api) -> None:
    from tests.workspace.conftest import YAAN

    text = YAAN.read_text(encoding="utf-8")
    big5 = text.encode("big5", errors="ignore")
    r = api.call("admin", "POST", "/reports", files={"file": ("yaan_2023.txt", big5)})
    assert r.status_code == 201, r.text
    assert r.json()["new_tasks"] > 20
