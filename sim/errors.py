"""Input errors that name the file and the field, so every interface can print one line."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError


class InputError(ValueError):
    """A bad input: ``FILE: field.path: what is wrong``."""

    def __init__(self, field: str, message: str, source: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.source = source

    def with_source(self, source: str) -> InputError:
        """The same error attributed to a file (or upload) name."""
        return type(self)(self.field, self.message, source)

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join([*parts, self.message])


class ScenarioError(InputError):
    """A scenario that cannot be simulated."""


def first_validation_error(exc: ValidationError) -> tuple[Sequence[int | str], str]:
    """The location and a plain message of a pydantic error's first problem."""
    err = exc.errors()[0]
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    return err["loc"], msg
