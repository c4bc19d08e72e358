"""Helpers for the Assembly's file tests: write a scenario, and run a bad one through the CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sim.cli import main


def write(tmp_path: Path, name: str, text: str) -> Path:
    """``text`` as ``tmp_path/name.toml``."""
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def assert_refused(tmp_path: Path, name: str, text: str, expected: str) -> None:
    """``unsc-sim run`` on the file exits 2 with one line: the file, then ``expected``."""
    path = write(tmp_path, name, text)
    res = CliRunner().invoke(main, ["run", str(path), "--exact"])
    assert res.exit_code == 2, res.output
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith(f"{path}: {expected}"), res.stderr
