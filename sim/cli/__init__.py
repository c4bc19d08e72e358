"""The command line, a thin layer over the Python API.

:mod:`.commands` (the ``unsc-sim`` group, ``run``, ``compare`` and ``power``), :mod:`.sweep`,
:mod:`.frontier` (outcomes along the alignment axis),
:mod:`.calibrate` (``fit``, ``backtest``, ``predict``) and :mod:`.common` (the one boundary that
turns input errors into a one-line message and exit code 2).
"""

from .commands import main

__all__ = ["main"]
