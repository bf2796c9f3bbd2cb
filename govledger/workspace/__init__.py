"""The supervision workspace (督查工作台): its rules and services, on top of the store's tables.

``Workspace`` (``service.py``) is the only code that changes the workspace
tables; ``rules.py`` derives status, pace and progress, ``views.py`` holds
the view objects the API and pages show, ``evidence.py`` checks uploaded
files, ``digest.py`` writes the 每日提醒 e-mail.
"""

from govledger.workspace.base import (
    LOCKOUT,
    ROLES,
    STATUSES,
    SYSTEM,
    TOKEN_DAYS,
    Actor,
    Dashboard,
    TaskFilter,
    Throttled,
    burnup,
    require,
)
from govledger.workspace.service import Workspace

__all__ = ["LOCKOUT", "ROLES", "STATUSES", "SYSTEM", "TOKEN_DAYS", "Actor", "Dashboard", "TaskFilter", "Throttled",
           "Workspace", "burnup", "require"]
