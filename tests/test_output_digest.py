"""Extraction output is pinned: the JSONL of every sample report hashes to a stored digest.

A speed change must leave the output byte-identical; a rule change that is
meant to change it updates the digest on purpose:

    .venv/bin/python -m tests.test_output_digest --update
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from govledger.pipeline import build_ledger
from govledger.records import record_dict
from tests.conftest import REPORTS

DIGEST = Path(__file__).resolve().parent / "data" / "output_digest.txt"


def output_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(REPORTS.glob("*.txt")):
        for r in build_ledger(path).records:
            h.update(json.dumps(record_dict(r), ensure_ascii=False).encode())
            h.update(b"\n")
    return h.hexdigest()


@pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/reports not beside the repository")
def test_extraction_output_is_unchanged() -> None:
    assert output_digest() == DIGEST.read_text().strip(), (
        "extraction output changed; if that was meant, run: python -m tests.test_output_digest --update"
    )


if __name__ == "__main__" and "--update" in sys.argv:
    DIGEST.write_text(output_digest() + "\n")
    print(DIGEST.read_text().strip())
