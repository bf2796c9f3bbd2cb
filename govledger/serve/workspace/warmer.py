"""Keeps the workspace's task views built: at start-up and after each midnight of the office's time zone.

A new day moves every task's status (序时进度, 逾期), so every cached view is rebuilt; without this the
first request of the day (and of a new server process) pays for building ~14,000 views, 1–3 s.
The thread is a daemon and stops with the app; a failure is logged and retried the next night.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from govledger.workspace import Workspace

log = logging.getLogger("govledger.serve")
AFTER_MIDNIGHT = timedelta(seconds=5)


class ViewWarmer:
    """One background thread per app: ``start()`` on start-up, ``stop()`` on shutdown; ``ready`` is set once the
    first warm-up is done (tests and the bench wait on it)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="govledger-view-warmer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._warm()
            self.ready.set()
            if self.ws.fixed_today is not None:
                return  # a workspace pinned to one date (the demo, tests) never sees a new day
            self._stop.wait(self._until_next_day())

    def _warm(self) -> None:
        try:
            tasks = self.ws.warm_views()
            log.info("task views built: %d tasks", tasks)
        except Exception:  # the store may be down at start-up: requests build the views themselves then
            log.exception("building the task views in the background failed")

    def _until_next_day(self) -> float:
        now = datetime.now(self.ws.zone)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=self.ws.zone)
        return max((midnight + AFTER_MIDNIGHT - now).total_seconds(), 1.0)
