"""Files in and out: :mod:`.inputs` (bounded, safe reading of user files), :mod:`.files` (scenario
files and result tables), :mod:`.records` (the UN voting records).
"""
