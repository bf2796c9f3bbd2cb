"""Shared test fixtures: where the sample reports live (read there, never copied)."""

from __future__ import annotations

from pathlib import Path

REPORTS = Path(__file__).resolve().parents[1].parent / "shared" / "reports"
SHARED = REPORTS.parent
GOLD = REPORTS.parent / "gold" / "indicators_dev.jsonl"
