"""The what-if app's views and session state; ``app.py`` is its entry (``make run``).

:mod:`unsc_app.state` owns the session state and the share link; one module per part of the
page holds its widgets and their callbacks; every edit of the scenario is a pure function of
:mod:`sim.scenario.whatif`, every number comes from :mod:`sim` and every chart from :mod:`sim.render.charts`.
"""
