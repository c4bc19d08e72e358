"""Scenarios: from validated data to the engine's numbers.

:mod:`.schema` (the scenario format and its validation), :mod:`.resolve` (checks against the
Council), :mod:`.build` (the vote model a scenario defines), :mod:`.council` (who sat on the
Council on a date), :mod:`.names` (member names and codes), :mod:`.calibrated` (the calibrated
defaults for a draft). Pure: no I/O.
"""
