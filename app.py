"""The what-if app: explore a draft's chances in the browser (``make run``).

Two bodies, two pages (``st.navigation``): the Security Council at ``/`` and the General
Assembly at ``/assembly`` (:mod:`unsc_app.assembly`). A thin entry: the Council page's parts live
in :mod:`unsc_app` (the session state and share link in :mod:`unsc_app.state`, one module per
tab), the edits in :mod:`sim.scenario.whatif`, every number in :mod:`sim`. Within the Council
page the views are ``st.tabs``, not pages: :mod:`unsc_app.tabs` says why.
"""

from __future__ import annotations

import time

import streamlit as st

from sim.engine.result import SimulationResult
from sim.errors import InputError
from sim.scenario.whatif import canonical
from unsc_app import state
from unsc_app.axis import alignment_section
from unsc_app.compute import Page, cached_result, cached_spec
from unsc_app.headline import headline, pin_row, summary_charts, title
from unsc_app.sidebar import sidebar
from unsc_app.state import METHOD_LABELS, session
from unsc_app.tabs import tabs

#: On a new page, how long the headline numbers are left to the browser before the rest of the
#: page is sent (benchmarks/bench_browser.py: without it the first number came with the rest).
FIRST_PAINT_S = 0.3
#: The Assembly's page, a script so that tests can open it (``AppTest.switch_page``).
ASSEMBLY_PAGE = "unsc_app/assembly_entry.py"


def council() -> None:
    """Render the Council page: the headline numbers first, then the rest.

    On a new page the browser has yet to load the code that draws each kind of element; sent
    all at once, the charts, tables and widgets held the first number back by seconds. So the
    headline comes first, and on a session's first run the rest waits ``FIRST_PAINT_S``.
    """
    first_run = state.start()
    data = state.scenario()
    canon = canonical(data)
    title()
    history = state.history()
    spec = cached_spec(canon, history)
    result: SimulationResult | None = None
    try:
        draws = int(session.draws) if session.method == "monte-carlo" else 0
        result = cached_result(canon, draws, int(session.seed), session.method, history)
    except (InputError, ValueError) as exc:  # ValueError: e.g. an exact grid over its node cap
        st.error(f"Could not compute: {exc}")
    if result is not None:
        headline(result)
        if first_run:
            time.sleep(FIRST_PAINT_S)  # let the browser draw the number before the rest comes
    sidebar(result)
    if result is None:
        return
    pin_row(result, f"{data['scenario']['name']} ({METHOD_LABELS[session.method]})")
    summary_charts(result)
    page = Page(data, canon, spec, result, history)
    alignment_section(page)
    tabs(page)
    state.update_link()


def main() -> None:
    """The two pages; the Council's is the default, at ``/`` (its share links are unchanged)."""
    st.set_page_config(page_title="UN vote what-if", page_icon="🗳️", layout="wide")
    pages = [
        st.Page(council, title="Security Council", url_path="council", default=True),
        st.Page(ASSEMBLY_PAGE, title="General Assembly", url_path="assembly"),
    ]
    st.navigation(pages, position="top").run()


if __name__ == "__main__":
    main()
