"""Inputs that must fail cleanly and fast: exit code 2, one line on stderr naming the file and
the field, no traceback, bounded memory and time (issue 11, "Unbreakable in use")."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.files import read_scenario, scenario_from_bytes

ROOT = Path(__file__).resolve().parents[1]
UKRAINE = ROOT / "scenarios" / "ukraine_2022_russia_veto.toml"
#: A child that goes over this address space fails instead of swapping the machine.
MEMORY_CAP = 2 << 30


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def cli(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    """Run ``unsc-sim`` in a child with a time and memory cap; return (exit code, stderr)."""
    done = subprocess.run(
        [sys.executable, "-c", "from sim.cli import main; main()", *args],
        capture_output=True, text=True, timeout=30, preexec_fn=_cap_memory, cwd=cwd,
    )
    return done.returncode, done.stderr


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr[-2000:]
    assert "Traceback" not in stderr
    return lines[0]


def study(tmp_path: Path, base: Path | str = UKRAINE, vary: str = '[vary.grid]\n"votes.CHN.no" = [0.1]\n') -> Path:
    path = tmp_path / "study.toml"
    path.write_text(f'[study]\nname = "bad"\nbase = "{base}"\n\n{vary}\n')
    return path


# 1. Deep nesting ---------------------------------------------------------------------------

DEEP = "[" * 500 + "]" * 500


def deep_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "deep.toml"
    path.write_text(UKRAINE.read_text().replace('sponsor = "United States and Albania"', f"sponsor = {DEEP}"))
    return path


def test_deep_nesting_read_scenario(tmp_path: Path) -> None:
    path = deep_scenario(tmp_path)
    with pytest.raises(ScenarioError, match=r"deep\.toml: draft\.sponsor: nested deeper than \d+ levels"):
        read_scenario(path)


def test_deep_nesting_in_inline_tables_and_dotted_keys() -> None:
    inline = "x = " + "{a = " * 300 + "1" + "}" * 300
    with pytest.raises(ScenarioError, match=r"up\.toml: x: nested deeper than \d+ levels"):
        scenario_from_bytes(inline.encode(), "up.toml")
    dotted = "[draft]\nx." + ".".join(["a"] * 2000) + " = 1\n"
    with pytest.raises(ScenarioError, match=r"up\.toml: draft\.x\.a\.a.*: nested deeper than \d+ levels"):
        scenario_from_bytes(dotted.encode(), "up.toml")


def test_deep_nesting_not_fooled_by_brackets_in_strings() -> None:
    text = UKRAINE.read_text().replace("[draft]", "[draft]  # " + "[" * 100, 1)
    text = text.replace('sponsor = "United States and Albania"', "sponsor = '''" + "[" * 100 + "'''''")
    text = text.replace('topic = "Ukraine', 'topic = "\\"' + "[" * 100 + "{" * 100 + ' Ukraine')
    scenario_from_bytes(text.encode(), "ok.toml")


def test_deep_nesting_run(tmp_path: Path) -> None:
    code, err = cli("run", str(deep_scenario(tmp_path)))
    assert code == 2
    assert one_line(err).endswith("deep.toml: draft.sponsor: nested deeper than 32 levels")


def test_deep_nesting_sweep(tmp_path: Path) -> None:
    code, err = cli("sweep", str(study(tmp_path, vary=f'[vary.grid]\n"votes.CHN.no" = {DEEP}\n')),
                    "--out", str(tmp_path / "out.parquet"))
    assert code == 2
    assert 'study.toml: vary.grid."votes.CHN.no": nested deeper than 32 levels' in one_line(err)


def test_deep_nesting_study_base(tmp_path: Path) -> None:
    code, err = cli("sweep", str(study(tmp_path, base=deep_scenario(tmp_path))),
                    "--out", str(tmp_path / "out.parquet"))
    assert code == 2
    assert one_line(err).endswith("deep.toml: draft.sponsor: nested deeper than 32 levels")
