"""How the seed city reports decompose into tasks: the figures of issue 12 (tasks, fragments, duplicates, targets).

Prints, per report: tasks (with indicators / qualitative), fragment tasks (no action verb with what it acts
on, or a text that starts or ends inside a clause of its sentence), duplicate tasks (the same text twice, or
one target figure as the indicator of two tasks), the share of target records attached to some task, and
the misses against the hand labels in ``tests/data/task_labels`` where there are labels.

    .venv/bin/python bench/task_quality.py [REPORT ...]   (default: yaan_2024 and guangyuan_2024)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from govledger.evaluation.task_quality import check_labels, task_quality
from govledger.pipeline import build_ledger
from govledger.workspace.decompose import decompose

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT.parent / "shared" / "reports"
LABELS = ROOT / "tests" / "data" / "task_labels"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", type=Path,
                        default=[REPORTS / "yaan_2024.txt", REPORTS / "guangyuan_2024.txt"])
    parser.add_argument("--show", action="store_true", help="list the fragment and duplicate tasks")
    args = parser.parse_args()
    print(f"{'report':<18}{'plan sent.':>11}{'tasks':>7}{'w/ ind.':>8}{'qual.':>7}{'fragm.':>8}{'bare':>6}{'dupl.':>7}"
          f"{'targets':>9}{'attached':>10}{'label misses':>14}")
    for path in args.reports:
        ledger = build_ledger(path)
        year = ledger.year or 2024
        drafts = decompose(ledger.sentences, ledger.records, year)
        q = task_quality(ledger.doc, drafts, ledger.records)
        label_file = LABELS / f"{ledger.doc}.json"
        misses = check_labels(drafts, json.loads(label_file.read_text(encoding="utf-8"))) \
            if label_file.is_file() else None
        groups = len(json.loads(label_file.read_text(encoding="utf-8"))["tasks"]) if label_file.is_file() else 0
        plan = sum(1 for s in ledger.sentences if s.part == "plan")
        label = f"{len(misses)} of {groups}" if misses is not None else "-"
        print(f"{ledger.doc:<18}{plan:>11}{q.tasks:>7}{q.with_indicators:>8}{q.qualitative:>7}{q.fragments:>8}{len(q.bare_targets):>6}"
              f"{q.duplicates:>7}{q.targets:>9}{q.attached_share:>9.1f}%{label:>14}")
        if args.show:
            for text in sorted(set(q.no_verb) | set(q.not_whole)):
                print(f"    fragment: {text}")
            for text in q.bare_targets:
                print(f"    bare target: {text}")
            for text in q.same_text + q.same_target:
                print(f"    duplicate: {text}")
            for miss in misses or []:
                print(f"    label: {miss}")


if __name__ == "__main__":
    main()
