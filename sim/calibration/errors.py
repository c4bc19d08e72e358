"""Errors of the calibration layer."""

from __future__ import annotations

from pathlib import Path


class CalibrationInputError(ValueError):
    """Bad input data; ``str(err)`` is a one-line ``FILE: field: problem`` message."""

    def __init__(self, file: str | Path, field: str, problem: str) -> None:
        self.file = str(file)
        self.field = field
        self.problem = problem
        super().__init__(f"{self.file}: {field}: {problem}")
