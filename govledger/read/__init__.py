"""Stage 1: read a report file into text.

Every format ends as one string, the *report text*. Quotes in records are
verbatim substrings of it, so later stages only ever replace characters one
for one (see ``normalize``) and never change its length.
"""

from govledger.read.files import MAX_BYTES, REPORT_SUFFIXES, SourceText, read_report
from govledger.read.normalize import normalize_text

__all__ = ["MAX_BYTES", "REPORT_SUFFIXES", "SourceText", "normalize_text", "read_report"]
