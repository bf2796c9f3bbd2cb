"""PNG charts for the README and docs (matplotlib, an optional extra: ``pip install govledger[docs]``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govledger.errors import ReportError


def series_chart(rows: Sequence[dict[str, Any]], path: str | Path, title: str = "") -> None:
    """Target (lower end, with its range) and official outturn per year, as a line chart."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ReportError(str(path), "matplotlib is not installed (pip install 'govledger[docs]')") from None
    years = [r["year"] for r in rows]
    target = [r["target_value"] for r in rows]
    outturn = [r["outturn_value"] for r in rows]
    fig, ax = plt.subplots(figsize=(11, 4.5), dpi=120)
    ax.plot(years, outturn, marker="o", ms=3, lw=1.6, label="official outturn (statistical communiqué)")
    ty = [y for y, t in zip(years, target, strict=True) if t is not None]
    tv = [t for t in target if t is not None]
    ax.plot(ty, tv, marker="s", ms=3, lw=0, color="crimson", label="target (government work report)")
    for r in rows:
        if r["target_value_max"] is not None and r["target_value"] is not None:
            ax.vlines(r["year"], r["target_value"], r["target_value_max"], color="crimson", lw=2)
    ax.set_title(title)
    ax.set_xlabel("year")
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
