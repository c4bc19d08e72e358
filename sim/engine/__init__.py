"""The engine: the vote model, the decision rule, and the two ways to compute outcomes.

:mod:`.model` (the model's arrays), :mod:`.votes` (the one vote order), :mod:`.rules` (who votes, the
quota, the veto), :mod:`.exact` with :mod:`.quadrature` (exact probabilities), :mod:`.montecarlo`
(draws), :mod:`.amendments` (votes in order), :mod:`.power` and :mod:`.sensitivity` (derived
measures), :mod:`.seeding` (every random stream) and :mod:`.result` (what a run returns). Pure: no
I/O, no UI.
"""
