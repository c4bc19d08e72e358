"""``python -m sim.cli``: the same as the ``unsc-sim`` command."""

from .commands import main

main()
