"""Verdicts against pairs of city reports judged by hand (tests/data/verdict_labels)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from govledger.cli import _register, app
from govledger.evaluation.verdicts import NOT_EXTRACTED, previous_year_path, score_verdicts
from govledger.pipeline import build_ledger
from govledger.track.verify import verify_reports
from tests.conftest import SHARED

LABELS = Path(__file__).resolve().parent / "data" / "verdict_labels" / "city_pairs.jsonl"


def _labels() -> list[dict[str, object]]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labels_are_data_a_reader_can_check() -> None:
    for label in _labels():
        text = (SHARED / str(label["next_path"])).read_text(encoding="utf-8")
        assert label["outcome_quote"] is None or label["outcome_quote"] in text, label
        assert previous_year_path(SHARED / str(label["next_path"])).exists()


def test_verdicts_agree_with_the_hand_judged_pairs() -> None:
    result = score_verdicts(_labels(), SHARED, lambda y, y1: verify_reports(
        build_ledger(y), build_ledger(y1), include_all=True))
    assert result.total == 71
    assert result.accuracy >= 0.92, [(lab["target_quote"], lab["verdict"], r and r.verdict)
                                     for lab, r in result.disagreements]
    assert result.confusion[("met", "missed")] == 0 and result.confusion[("missed", "met")] == 0


def test_a_target_never_extracted_is_a_disagreement() -> None:
    labels = _labels()[:3]
    result = score_verdicts(labels, SHARED, lambda y, y1: [])
    assert result.agree == 0 and all(p == NOT_EXTRACTED for (_, p) in result.confusion)


def test_eval_verdicts_command_prints_the_agreement() -> None:
    _register()
    out = CliRunner().invoke(app, ["eval-verdicts", str(LABELS), "--shared", str(SHARED), "--show", "0"])
    assert out.exit_code == 0, out.output
    assert "verdicts:" in out.output and "/71 agree" in out.output
