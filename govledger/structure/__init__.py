"""Stage 2: find a report's structure.

Plain text in, a ``ReportLayout`` out: the report body without page
furniture and appendices, its headings, its sentences with their section
path, the split between the review part and the plan part, and the place
and year the report speaks for.
"""

from govledger.structure.layout import ReportLayout, Sentence, analyse_report
from govledger.structure.sentences import split_sentences

__all__ = ["ReportLayout", "Sentence", "analyse_report", "split_sentences"]
