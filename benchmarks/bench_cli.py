"""CLI start-up: wall time of `unsc-sim --help` and of small `run`s, against Python's own start.

Each command runs in a fresh process, best of several repeats, so the figures are start-up cost
(imports) plus the work. The baseline is `python -c "import numpy"` in the same run: numpy is
the least any command needs, so the ratio shows what our imports add. Bar (issue 12): each
command starts in at most 0.5 s; the modules a command loads are listed for the slowest.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "jerusalem_2017_us_veto.toml"
REPEATS = 7
CLI = [sys.executable, "-c", "import sys; from sim.cli import main; sys.argv[0] = 'unsc-sim'; main()"]
HEAVY = ("pandas", "pyarrow", "streamlit", "altair", "matplotlib", "scipy.stats", "scipy.optimize", "dask")


def wall(cmd: list[str]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t)
    return best


def loaded(args: list[str]) -> list[str]:
    """Heavy modules that a command imports."""
    code = (
        "import sys; from sim.cli import main; sys.argv = ['unsc-sim', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('\\n'.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    return [line for line in out.stderr.splitlines() if line in HEAVY]


def main() -> None:
    base = wall([sys.executable, "-c", "import numpy"])
    print(f"python -c 'import numpy' {base * 1e3:7.0f} ms (baseline)")
    commands = {
        "--help": ["--help"],
        "run --exact": ["run", str(SCENARIO), "--exact"],
        "run (MC, 20,000 draws)": ["run", str(SCENARIO), "--draws", "20000"],
        "power": ["power"],
    }
    for label, args in commands.items():
        t = wall(CLI + args)
        heavy = ", ".join(loaded(args)) or "none"
        print(f"unsc-sim {label:24s} {t * 1e3:7.0f} ms  ratio {t / base:4.1f}x  (bar: <= 500 ms)  heavy: {heavy}")


if __name__ == "__main__":
    main()
