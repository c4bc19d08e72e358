"""How numbers and charts are shown: percentages in words, Altair charts in the page's theme."""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st


def pct(p: float, digits: int = 1) -> str:
    """A probability in plain percent; tiny non-zero values are not shown as 0."""
    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    scale = 10.0**-digits
    if 100 * p < scale:
        return f"<{scale:g}%"
    if 100 * p > 100 - scale:
        return f">{100 - scale:g}%"
    return f"{100 * p:.{digits}f}%"


def one_column_legend(c: Any, columns: int = 1) -> Any:
    """The chart (or each layer of it) with its colour legend in ``columns`` columns: at part
    of a 1024 px page, a row of long labels is wider than the chart and was cut off."""
    out = c.copy(deep=True)
    for part in getattr(out, "layer", None) or [out]:
        encoding = getattr(part, "encoding", None)
        color = getattr(encoding, "color", None) if encoding is not alt.Undefined else None
        if color is None or color is alt.Undefined:
            continue
        legend = color["legend"]  # item access: .legend is Altair's setter
        if legend is not None and legend is not alt.Undefined:
            legend["columns"] = columns
    return out


def chart(c: Any) -> None:
    """Show an Altair chart in the Streamlit theme (light or dark)."""
    st.altair_chart(c, theme="streamlit", width="stretch")
