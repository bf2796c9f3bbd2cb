"""``/api/v1``: the workspace's operations as JSON, for scripts and other systems.

Every route is a thin call into ``Workspace``; errors come back as
``{"error": "...", "details": [...]}`` with a 4xx code (see ``app.py``).
Scripts authenticate with ``POST /api/v1/auth/token`` and then send
``Authorization: Bearer <token>``. Lists paginate (``page``, ``per_page``)
and filter by report, department, status, indicator and deadline.

The routes live one area per module (``api_accounts``, ``api_reports``,
``api_tasks``) over the models and helpers of ``api_common``; this module
puts them together as one router.
"""

from __future__ import annotations

from fastapi import APIRouter

from govledger.serve.workspace import api_accounts, api_reports, api_tasks

router = APIRouter()
for _area in (api_accounts, api_reports, api_tasks):
    router.routes.extend(_area.router.routes)  # the routes themselves (with their prefix and CSRF check)
