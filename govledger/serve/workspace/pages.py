"""The Chinese pages of the workspace: server-rendered with Jinja2, plain forms with a CSRF token.

Each route reads the form, calls ``Workspace`` and redirects (POST →
redirect → GET), so a refresh never repeats a change. Errors from the
workspace are shown as a page with the one-line message (``app.py``).
Which forms a page offers follows the roles table (``data/workspace.json``);
the workspace checks every change again, so a hidden form is a courtesy,
not the protection. One router per area: ``pages_auth`` (log-in),
``pages_reports`` (reports, dashboard, sheet, reviews, digest),
``pages_lists`` (待审核, 每日提醒, 我的任务, search across reports),
``pages_tasks`` (task list, task page, feedback, extensions, bulk 交办),
``pages_admin`` (departments, users, passwords, audit log); their helpers
are in ``pages_common``.
"""

from __future__ import annotations

from fastapi import APIRouter

from govledger.serve.workspace import pages_admin, pages_auth, pages_lists, pages_reports, pages_tasks
from govledger.serve.workspace.pages_common import highlight, when

router = APIRouter(include_in_schema=False)
for _area in (pages_auth, pages_reports, pages_lists, pages_tasks, pages_admin):
    router.routes.extend(_area.router.routes)  # the routes themselves (with their prefix and CSRF check)

__all__ = ["highlight", "router", "when"]
