"""Stage 3: extract ledger records from a structured report."""

from govledger.extract.extractor import extract_records

__all__ = ["extract_records"]
