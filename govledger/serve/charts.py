"""PNG charts for the README and docs (matplotlib, an optional extra: ``pip install govledger[docs]``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govledger.errors import ReportError

_CJK_FONTS = ("WenQuanYi", "Noto Sans CJK", "Noto Serif CJK", "Source Han", "SimHei", "PingFang", "Microsoft YaHei")
_LABELS_ZH = {"outturn": "统计公报公布数", "target": "政府工作报告预期目标（竖线为区间）", "year": "年份"}
_LABELS_EN = {"outturn": "official outturn (statistical communiqué)", "target": "target (government work report)",
              "year": "year"}


def series_chart(rows: Sequence[dict[str, Any]], path: str | Path, title: str = "") -> None:
    """Target (lower end, with its range) and official outturn per year, as a line chart."""
    try:
        import logging

        import matplotlib

        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ReportError(str(path), "matplotlib is not installed (pip install 'govledger[docs]')") from None
    from matplotlib import font_manager

    cjk = [f.name for f in font_manager.fontManager.ttflist if any(k in f.name for k in _CJK_FONTS)]
    if cjk:
        matplotlib.rcParams["font.family"] = [cjk[0], "DejaVu Sans"]
    labels = _LABELS_ZH if cjk else _LABELS_EN
    years = [r["year"] for r in rows]
    target = [r["target_value"] for r in rows]
    outturn = [r["outturn_value"] for r in rows]
    fig, ax = plt.subplots(figsize=(11, 4.5), dpi=120)
    ax.plot(years, outturn, marker="o", ms=3, lw=1.6, label=labels["outturn"])
    ty = [y for y, t in zip(years, target, strict=True) if t is not None]
    tv = [t for t in target if t is not None]
    ax.plot(ty, tv, marker="s", ms=3, lw=0, color="crimson", label=labels["target"])
    for r in rows:
        if r["target_value_max"] is not None and r["target_value"] is not None:
            ax.vlines(r["year"], r["target_value"], r["target_value_max"], color="crimson", lw=2)
    ax.set_title(title)
    ax.set_xlabel(labels["year"])
    ax.set_ylabel("%")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    except OSError as exc:
        raise ReportError(str(path), f"cannot write: {exc.strerror}") from None
    finally:
        plt.close(fig)
