"""The whole per-file job: read → structure → extract, as plain data.

``build_ledger`` is what every front end calls (CLI extract/import, the API,
the benchmark). It never touches a database.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from govledger import __version__
from govledger.data import USER_CATALOGUE, read_user_catalogue
from govledger.errors import ReportError
from govledger.read import SourceText, read_report
from govledger.records import Record
from govledger.structure.layout import Sentence


@dataclass
class Ledger:
    """One report turned into records, with what is needed to store it."""

    doc: str
    path: str
    format: str
    place: str | None
    year: int | None
    text: str
    sha256: str  # of the text and the rule tables: re-importing after a rule change re-extracts
    records: list[Record] = field(default_factory=list)
    level: str | None = None  # "national", "province", "city", "county" when known
    sentences: list[Sentence] = field(default_factory=list)  # body sentences, for full-text search
    delivered: str | None = None  # ISO date of delivery when the header or text gives it
    notes: list[str] = field(default_factory=list)  # where header, path and text disagreed, and who won
    kind: str = "report"  # "report" (政府工作报告) or "communique" (统计公报): decided here from the text, once


def ledger_from_source(
    source: SourceText, *, doc: str | None = None, place: str | None = None, year: int | None = None
) -> Ledger:
    """Structure and extract an already-read report."""
    from govledger.extract import extract_records
    from govledger.structure import analyse_report
    from govledger.structure.doctype import document_type

    kind = document_type(source.text)
    if kind.kind == "communique":
        from govledger.extract.outturns import communique_records

        doc_id = doc or (f"communique_{source.doc}" if source.doc.isdigit() else source.doc)
        records, level = communique_records(source, kind, doc=doc_id, place=place, year=year)
        return Ledger(
            doc=doc_id, path=source.path, format=source.format, place=records[0].place, year=records[0].year,
            text=source.text, sha256=_fingerprint(source.text), records=records, level=level, kind="communique",
        )
    layout = analyse_report(source.text, file_name=source.path, place=place, year=year)
    if not layout.is_report:
        why = layout.why_not if kind.kind == "work_report" else f"{layout.why_not}; found {kind.label}"
        raise ReportError(source.path, f"not a government work report ({why})")
    # a corpus tree's files are all named 2024.md: the tree gives the id (yaan_2024)
    doc_id = doc or (layout.facts.doc if layout.facts else None) or source.doc
    records = extract_records(layout, doc_id)
    return Ledger(
        doc=doc_id,
        path=source.path,
        format=source.format,
        place=layout.place,
        year=layout.year,
        text=source.text,
        sha256=_fingerprint(source.text),
        records=records,
        level=layout.level,
        sentences=layout.sentences,
        delivered=layout.facts.delivered if layout.facts else None,
        notes=list(layout.facts.notes) if layout.facts else [],
    )


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8") + rules_fingerprint()).hexdigest()


# tables that do not change what is extracted (the workspace's roles and labels, its task decomposition)
_NOT_RULES = frozenset({"workspace.json", "tasks.json"})


@lru_cache(maxsize=1)
def rules_fingerprint() -> bytes:
    """Digest of the package version and every rule table, so stored ledgers know what made them."""
    digest = hashlib.sha256(__version__.encode())
    folder = resources.files("govledger.data")
    tables = (p.name for p in folder.iterdir() if p.name.endswith((".json", ".txt")) and p.name not in _NOT_RULES)
    for name in sorted(tables):
        digest.update(name.encode())
        digest.update(folder.joinpath(name).read_bytes())
    user = os.environ.get(USER_CATALOGUE)
    if user:  # a user's own catalogue changes what is extracted too
        digest.update(json.dumps(read_user_catalogue(user), sort_keys=True).encode())
    return digest.digest()


def build_ledger(
    path: str | os.PathLike[str], *, doc: str | None = None, place: str | None = None, year: int | None = None
) -> Ledger:
    """Read, structure and extract one report file; raises ``ReportError`` on bad input."""
    return ledger_from_source(read_report(path), doc=doc, place=place, year=year)
