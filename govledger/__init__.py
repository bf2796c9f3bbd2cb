"""govledger: government work reports as ledgers of quantified promises and results."""

__version__ = "0.1.0"


def panel(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Lazy re-export of ``govledger.track.panel.panel`` (pandas is imported only when used)."""
    from govledger.track.panel import panel as _panel

    return _panel(*args, **kwargs)
