"""Bad input, named: every error a user can cause is an :class:`InputError`.

An input error says where the problem is (the file or upload, then the field) and what it is,
so that every interface can print it as one line: ``FILE: field.path: what is wrong``. The
command line prints it and exits 2 (:mod:`sim.cli.common`), the app shows it beside the input.

The kinds are subclasses, so ``except InputError`` catches them all:

* :class:`ScenarioError`: a scenario file or upload that cannot be simulated;
* :class:`StudyError`: a study file that cannot be expanded into points.

Two lower-level errors are reasons, not input errors: :class:`sim.io.inputs.FileRefused` (why a
path was not read) and :class:`sim.scenario.names.UnknownMemberError` (why a name was not found). Their
callers know the field and raise an input error that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    M = TypeVar("M", bound=BaseModel)


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


class StudyError(InputError):
    """A study that cannot be expanded: ``STUDY.toml: field: problem``."""


def first_validation_error(exc: ValidationError) -> tuple[Sequence[int | str], str]:
    """The location and a plain message of a pydantic error's first problem."""
    err = exc.errors()[0]
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    return err["loc"], msg


def validated(
    model: type[M], data: Any, error: type[InputError], field: Callable[[Sequence[int | str]], str],
    source: str | None = None,
) -> M:
    """``data`` validated as ``model``; else ``error`` naming the first problem's field (as
    ``field`` spells a pydantic location) and ``source``."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc, msg = first_validation_error(exc)
        raise error(field(loc), msg, source) from None
