"""The command line's one error boundary: how every command ends.

:class:`CommandLine` is the ``unsc-sim`` group and :class:`Command` each of its commands.
Whatever a command raises ends here, once:

* an :class:`~sim.errors.InputError` (and its kinds: scenario, study) is one line on stderr,
  naming the file and the field (the library's parameters named by the command's flags), exit 2;
* an ``OSError`` (a path the system refuses) and a ``ValueError`` without a field, likewise;
* a usage error (a bad option value, a missing argument) is one line, exit 2;
* a reader that has gone (``unsc-sim power | head -1``) is not an error: exit 0;
* Ctrl-C is ``unsc-sim: interrupted``, exit 130 (a sweep says what it saved first, and stops on
  SIGTERM as on Ctrl-C: :mod:`sim.cli.sweep`).

Nothing here imports the engine, so ``unsc-sim --help`` starts at once.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import click

from sim.errors import InputError

if TYPE_CHECKING:
    from sim.scenario.build import Calibrator

#: Commands whose usage errors name the command (``sweep: Invalid value ...``), as they always
#: have; the others name the program (``unsc-sim: Missing argument ...``).
_USAGE_BY_COMMAND = frozenset({"sweep"})


def fail(message: str) -> NoReturn:
    """Print one line on stderr and exit 2."""
    click.echo(message, err=True)
    sys.exit(2)


def reader_left() -> NoReturn:
    """The reader of our output has gone: not an error, exit 0.

    Standard output is pointed at /dev/null so that the interpreter's last flush is silent.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def os_error_line(exc: OSError) -> str:
    """``PATH: file: reason`` for a file the operating system refused."""
    return f"{exc.filename or '(file)'}: file: {exc.strerror or exc}"


#: A parameter named in a library message: ``force=True``, ``executor="dask"``, ``out=FILE``.
_PARAMETER = re.compile(r'\b([a-z][a-z_]*)=(True\b|"[^"]*"|[A-Z]+\b)')


def cli_message(exc: InputError, command: click.Command | None) -> str:
    """An input error as the command line says it: the library names its parameters
    (``draws``, ``force=True``), the command's options are named by their flags (``--draws``,
    ``--force``). Errors about a file are left as they are."""
    if exc.source is not None or command is None:
        return str(exc)
    flags = {
        p.name: p.opts[0]
        for p in command.params
        if isinstance(p, click.Option) and p.name and p.opts[0].startswith("--")
    }

    def flag(m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        if name not in flags:
            return m.group(0)
        return flags[name] if value == "True" else f"{flags[name]} {value.strip(chr(34))}"

    message = _PARAMETER.sub(flag, exc.message)
    return str(InputError(flags.get(exc.field, exc.field), message))


def usage_line(exc: click.UsageError) -> str:
    """``unsc-sim: Invalid value for '--draws': 'abc' is not a valid integer.``"""
    command = exc.ctx.command.name if exc.ctx is not None else None
    who = command if command in _USAGE_BY_COMMAND else "unsc-sim"
    return f"{who}: {exc.format_message()}"


class Command(click.Command):
    """A command that ends its errors as the module says (invoked alone, as in tests, too)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # before click's own handling, which exits 1
            reader_left()
        except InputError as exc:
            fail(cli_message(exc, self))
        except OSError as exc:  # an output or input path the system refuses
            fail(os_error_line(exc))
        except ValueError as exc:  # validation raised by lower layers without a field
            fail(f"error: {exc}")


class CommandLine(click.Group):
    """The ``unsc-sim`` group: each of its commands is a :class:`Command`; it ends usage errors,
    Ctrl-C and a reader that has gone (see the module's doc)."""

    command_class = Command

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, Command):
            raise TypeError(f"{cmd.name}: declare it with cls=sim.cli.common.Command")
        super().add_command(cmd, name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
            sys.stdout.flush()  # a reader that has gone shows here, not at the interpreter's exit
        except BrokenPipeError:
            reader_left()
        except click.UsageError as exc:
            fail(usage_line(exc))
        except click.ClickException as exc:
            fail(f"unsc-sim: {exc.format_message()}")
        except click.Abort:
            click.echo("unsc-sim: interrupted", err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


@dataclass(frozen=True)
class EngineDefault:
    """An option's default that is a constant of :mod:`sim.api`, read only when a command runs
    or shows its help, so that ``unsc-sim --help`` does not load the engine."""

    name: str

    def __call__(self) -> Any:
        from sim import api

        return getattr(api, self.name)

    def __str__(self) -> str:  # what ``show_default`` prints
        return str(self())


#: ``--history``'s help, the same for every command that takes it (``predict`` says it its way).
HISTORY_HELP = (
    "Votes recorded after the calibrated parameters' training data (the UN records format, with "
    "Vote; CSV or .csv.gz). The model reads the history at the start of a draft's year, so a draft "
    "is forecast from the votes of earlier calendar years only; rows of years already fitted are "
    "ignored."
)


def history_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--history VOTES.csv`` option (:func:`history_calibrator` reads it)."""
    return click.option("--history", "history_path", type=click.Path(path_type=Path), default=None,
                        help=HISTORY_HELP)(f)


def history_calibrator(path: Path | None) -> Calibrator | Literal["default"]:
    """The calibrator of ``--history`` (``"default"``, the shipped model, without it); a bad file
    is an input error naming it and the field."""
    if path is None:
        return "default"
    from sim import api

    return api.history_calibrator(api.read_history(path), source=str(path))


def command_line() -> str:
    """The command as typed, for the metadata of what it writes."""
    return "unsc-sim " + " ".join(shlex.quote(a) for a in sys.argv[1:])
