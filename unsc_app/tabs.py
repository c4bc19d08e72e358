"""The six tabs under the headline numbers, each a view (a module with its widgets and callbacks).

Why ``st.tabs`` and not ``st.navigation``: pages would give each view its own address and
draw only that view, but the headline numbers, the pin and the two summary charts sit above
every tab and the share link is the page's query string at ``/``; as pages, the views would
move to the sidebar or a top bar, links would carry a page path, and the tests that read and
choose the tabs (``AppTest.tabs``, the ``view`` key, the browser's tab bar) would change. Lazy
tabs (``on_change="rerun"``, ``tab.open``) already draw only the open view.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from unsc_app.amendments import amendments_tab
from unsc_app.compare import compare_tab
from unsc_app.compute import Page
from unsc_app.lobby import lobby_tab
from unsc_app.members import members_tab
from unsc_app.outcome import outcome_tab
from unsc_app.rules import rules_tab

#: Six tabs, so that their names fit the page at 1024 px with the sidebar open (eight did not:
#: the last hid behind the tab bar's scroll arrow). Who votes together sits with the blocs,
#: what would change the outcome with whom to lobby.
VIEWS: dict[str, Callable[[Page], None]] = {
    "Members' votes": members_tab,
    "Blocs and rules": rules_tab,
    "Yes votes and tallies": outcome_tab,
    "What would it take": lobby_tab,
    "Amendments": amendments_tab,
    "Compare": compare_tab,
}
TABS = tuple(VIEWS)


def tabs(page: Page) -> None:
    """The tab bar; only the open tab's view is drawn."""
    for tab, name in zip(st.tabs(list(TABS), key="view", on_change="rerun"), TABS, strict=True):
        if tab.open:
            with tab:
                VIEWS[name](page)
