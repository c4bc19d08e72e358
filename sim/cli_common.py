"""Helpers shared by the command-line modules: one-line errors with exit code 2."""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from .errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> None:
    """Print one line on stderr and exit 2."""
    click.echo(message, err=True)
    sys.exit(2)


def reader_left() -> None:
    """The reader of our output has gone (``unsc-sim power | head -1``): not an error, exit 0.

    Standard output is pointed at /dev/null so that the interpreter's last flush is silent.
    """
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def os_error_line(exc: OSError) -> str:
    """``PATH: file: reason`` for a file the operating system refused."""
    return f"{exc.filename or '(file)'}: file: {exc.strerror or exc}"


#: A parameter named in a library message: ``force=True``, ``executor="dask"``, ``out=FILE``.
_PARAMETER = re.compile(r'\b([a-z][a-z_]*)=(True\b|"[^"]*"|[A-Z]+\b)')


def cli_message(exc: InputError) -> str:
    """An input error as the command line says it: the library names its parameters
    (``draws``, ``force=True``), the command's options are named by their flags (``--draws``,
    ``--force``). Errors about a file are left as they are."""
    ctx = click.get_current_context(silent=True)
    if exc.source is not None or ctx is None:
        return str(exc)
    flags = {
        p.name: p.opts[0]
        for p in ctx.command.params
        if isinstance(p, click.Option) and p.name and p.opts[0].startswith("--")
    }

    def flag(m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        if name not in flags:
            return m.group(0)
        return flags[name] if value == "True" else f"{flags[name]} {value.strip(chr(34))}"

    message = _PARAMETER.sub(flag, exc.message)
    return str(InputError(flags.get(exc.field, exc.field), message))


def input_errors(fn: F) -> F:
    """Turn input errors into one line and exit code 2, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            reader_left()
        except InputError as exc:
            fail(cli_message(exc))
        except OSError as exc:  # an output or input path the system refuses
            fail(os_error_line(exc))
        except ValueError as exc:  # validation raised by lower layers without a field
            fail(f"error: {exc}")

    return wrapper  # type: ignore[return-value]


def command_line() -> str:
    return "unsc-sim " + " ".join(shlex.quote(a) for a in sys.argv[1:])
