"""``Workspace``: every read and every change of the supervision workspace, one transaction each.

The API and the web pages are thin layers over ``Workspace``: they turn
requests into calls and ``WorkspaceError``s into 4xx answers. Each
changing method checks the actor's permission (``data/workspace.json``),
writes its rows and its audit entries in one transaction, and fails as a
whole, so nothing is ever partly saved. Rows that two people may edit at
once carry a ``version``; a change that names an older version gets
``Conflict`` instead of silently overwriting the other person's edit.

The services live one per module (accounts, reports, reading, tasks,
feedback, sheets, dashboard; projects, project_reports and office for key
projects, 催办 and quarterly milestones), each a mixin on the one before, on top of
``base.WorkspaceBase``; the tables and migrations stay in ``govledger.store``.
"""

from __future__ import annotations

from govledger.workspace.dashboard import DashboardMixin
from govledger.workspace.office import OfficeMixin
from govledger.workspace.project_reports import ProjectReportsMixin


class Workspace(ProjectReportsMixin, OfficeMixin, DashboardMixin):
    """The workspace over one migrated ``Store``; ``today`` and ``margin`` may be fixed for tests and demos."""
