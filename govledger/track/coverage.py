"""Coverage of a store: which facts and figures the pipeline got, by level and five-year period.

For each level (national, province, city) × five-year period (2021–2025 …)
the share of work reports with a place, a plan year that agrees with the
file name, a plan part, a one-year GDP target and a GDP outcome, and the
share of consecutive-year pairs of a place that got a real verdict (met,
missed or partly met). Every report that lacks something most of its
group has is listed, so the next fix is obvious. The facts are read from
the store (decided once upstream), never derived here again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from govledger.structure.places import normalise_place

if TYPE_CHECKING:
    from govledger.store.coverage import ReportFacts

FACTS: tuple[str, ...] = ("place", "plan_year", "plan_part", "gdp_target", "gdp_outcome")
FACT_LABELS = {
    "place": "place", "plan_year": "plan year = file name", "plan_part": "plan part", "gdp_target": "GDP target",
    "gdp_outcome": "GDP outcome", "judged_pair": "pairs with verdicts",
}
MOST = 0.5  # a report is "below the rest" when it lacks what at least this share of its group has


def period_of(year: int | None) -> str:
    """The five-year plan period of a year: 2021–2025 for 2023 (plans start in 1951, 1956, … 2021, 2026)."""
    if year is None:
        return "?"
    start = year - (year - 1) % 5
    return f"{start}–{start + 4}"


def _name_year(path: str) -> int | None:
    stem = PurePath(path).stem
    return int(stem[:4]) if len(stem) >= 4 and stem[:4].isdigit() and stem[:2] in ("19", "20") else None


@dataclass
class ReportCoverage:
    """One report: which facts it has, and whether its pair with the next year got a verdict."""

    doc: str
    path: str
    level: str
    period: str
    facts: dict[str, bool]
    has_pair: bool = False
    judged_pair: bool = False
    missing: list[str] = field(default_factory=list)  # what most of its group has and it lacks


@dataclass
class GroupCoverage:
    """Shares for one level × period."""

    level: str
    period: str
    reports: int
    shares: dict[str, float]
    pairs: int
    judged_pair_share: float | None


@dataclass
class Coverage:
    groups: list[GroupCoverage]
    reports: list[ReportCoverage]

    def below(self) -> list[ReportCoverage]:
        """Reports that lack something most of their group has, by level, period and doc."""
        return [r for r in self.reports if r.missing]

    def as_dict(self) -> dict[str, Any]:
        return {
            "groups": [asdict(g) for g in self.groups],
            "below": [{"doc": r.doc, "path": r.path, "level": r.level, "period": r.period, "missing": r.missing}
                      for r in self.below()],
        }


def _plan_year_ok(f: ReportFacts) -> bool:
    named = _name_year(f.path)
    return f.year is not None and (named is None or named == f.year)


def coverage(facts: list[ReportFacts], judged_docs: set[str]) -> Coverage:
    """The coverage of the work reports among ``facts``; ``judged_docs`` got a real verdict from Y+1."""
    work = [f for f in facts if f.kind == "report"]
    keys: dict[tuple[str, int], str] = {}
    for f in work:
        p = normalise_place(f.place)
        if p is not None and f.year is not None:
            keys.setdefault((p.name, f.year), f.doc)
    rows: list[ReportCoverage] = []
    for f in work:
        p = normalise_place(f.place)
        has = {
            "place": p is not None,
            "plan_year": _plan_year_ok(f),
            "plan_part": bool(f.has_plan),
            "gdp_target": f.gdp_target,
            "gdp_outcome": f.gdp_outcome,
        }
        first = p is not None and f.year is not None and keys.get((p.name, f.year)) == f.doc
        has_pair = first and p is not None and f.year is not None and (p.name, f.year + 1) in keys
        rows.append(ReportCoverage(f.doc, f.path, f.level or "?", period_of(f.year), has, has_pair,
                                   has_pair and f.doc in judged_docs))
    by_group: dict[tuple[str, str], list[ReportCoverage]] = defaultdict(list)
    for r in rows:
        by_group[(r.level, r.period)].append(r)
    groups: list[GroupCoverage] = []
    for (level, period), members in sorted(by_group.items()):
        n = len(members)
        shares = {k: sum(m.facts[k] for m in members) / n for k in FACTS}
        paired = [m for m in members if m.has_pair]
        judged = sum(m.judged_pair for m in paired) / len(paired) if paired else None
        groups.append(GroupCoverage(level, period, n, shares, len(paired), judged))
        for m in members:
            m.missing = [k for k in FACTS if not m.facts[k] and shares[k] >= MOST]
            if m.has_pair and not m.judged_pair and judged is not None and judged >= MOST:
                m.missing.append("judged_pair")
    rows.sort(key=lambda r: (r.level, r.period, r.doc))
    return Coverage(groups, rows)


def coverage_of_store(store: Any) -> Coverage:
    """``coverage`` of everything in ``store``."""
    from govledger.store.coverage import docs_with_judged_verdicts, report_facts

    return coverage(report_facts(store), docs_with_judged_verdicts(store))


def write_chart(cov: Coverage, path: str, levels: tuple[str, ...] = ("national", "province", "city")) -> None:
    """A PNG: one panel per level, the share of each fact per five-year period (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [lv for lv in levels if any(g.level == lv for g in cov.groups)]
    fig, axes = plt.subplots(len(shown) or 1, 1, figsize=(11, 3.2 * max(len(shown), 1)), squeeze=False)
    for ax, level in zip(axes[:, 0], shown, strict=False):
        groups = [g for g in cov.groups if g.level == level and g.period != "?"]
        x = list(range(len(groups)))
        for key in (*FACTS, "judged_pair"):
            ys = [(g.judged_pair_share if key == "judged_pair" else g.shares[key]) for g in groups]
            ax.plot(x, [float("nan") if y is None else y * 100 for y in ys], marker="o", label=FACT_LABELS[key])
        ax.set_xticks(x, [f"{g.period}\n(n={g.reports})" for g in groups], fontsize=7)
        ax.set_ylim(-5, 105)
        ax.set_ylabel("% of reports")
        ax.set_title(level)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="lower left", fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
