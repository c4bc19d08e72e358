"""Progress bars on stderr: tqdm when it is wanted and installed, else a bar that does nothing.

tqdm is imported softly, when a bar is asked for (as emcee does), so that nothing that only
computes depends on it, and a missing tqdm costs the bar, never the run.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol


class ProgressBar(Protocol):
    """What the sweep and the calibration commands ask of a bar (tqdm has it all)."""

    def update(self, n: int = 1) -> Any: ...

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> Any: ...

    def close(self) -> Any: ...


class NoBar:
    """A progress bar that shows nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(enabled: bool = True, **options: Any) -> ProgressBar:
    """A tqdm bar on stderr with ``options`` (``total``, ``desc``, ``unit``, ...), or a
    :class:`NoBar` if it is not ``enabled`` or tqdm is not installed."""
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            bar: ProgressBar = tqdm(file=sys.stderr, **options)
            return bar
    return NoBar()
