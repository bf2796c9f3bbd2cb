"""Heavy work of the web workspace, away from the server's event loop and its interpreter lock.

Extracting an uploaded report is seconds of pure-Python CPU, and parts of it
(long regular-expression scans) hold the interpreter lock for a tenth of a
second at a time; in a thread, that alone held ``/healthz`` past 200 ms. So
the extraction runs in a worker process (one, made on first use, kept for
the server's life; ``forkserver`` so it does not inherit database
connections). The route awaits it from a worker thread, so the event loop
serves every other request meanwhile. Storing the ledger stays in the
server (one transaction on its own connection pool).
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from govledger.errors import ReportError

if TYPE_CHECKING:
    from govledger.pipeline import Ledger

EXTRACTION_TIMEOUT = 300  # seconds; a report that takes longer is refused rather than holding a worker
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _extract(path: str) -> tuple[Ledger | None, str]:
    """In the worker: the ledger, or ``(None, reason)`` (exceptions do not cross the process boundary intact)."""
    from govledger.pipeline import build_ledger

    try:
        return build_ledger(path), ""
    except ReportError as exc:
        return None, exc.reason
    except MemoryError:
        return None, "out of memory"


def _extractor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
        return _pool


def shutdown() -> None:
    """Stop the worker process (the app's shutdown hook, and at exit): it must not outlive the server."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


atexit.register(shutdown)


def extract_report(path: str) -> Ledger:
    """``build_ledger(path)`` in the worker process; ``ReportError`` as the reader would raise it."""
    global _pool
    try:
        ledger, reason = _extractor().submit(_extract, path).result(timeout=EXTRACTION_TIMEOUT)
    except BrokenProcessPool:
        with _lock:
            _pool = None  # the next upload gets a fresh worker
        raise ReportError(path, "the extraction worker died (out of memory?)") from None
    except TimeoutError:
        raise ReportError(path, f"extraction took longer than {EXTRACTION_TIMEOUT} s") from None
    if ledger is None:
        raise ReportError(path, reason)
    return ledger
