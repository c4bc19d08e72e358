"""Reading untrusted input files: regular files only, at most a size cap, TOML of bounded depth.

Every file a user names (scenario, study, base scenario, records, parameters) goes through
here, so that ``/dev/zero``, a FIFO, a symbolic link loop or a 1 KB file nested 500 levels deep
fails at once with one line naming the file and the field, in bounded memory and time.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.errors import InputError

#: Deepest nesting of arrays and tables accepted in a TOML input (real files need fewer than 5;
#: Python's TOML parser recurses once per level and fails near 300).
MAX_NESTING = 32

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(ValueError):
    """A path that is not a readable regular file within the cap; ``str()`` says why."""


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return f"cannot be read: {exc.strerror or exc}"


def check_regular_file(path: str | Path, limit: int) -> int:
    """The size of ``path`` if it is a regular file of at most ``limit`` bytes, else
    :class:`FileRefused` (a directory, device, FIFO or socket is never read: it could be
    endless or block forever)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise FileRefused(_os_reason(exc)) from None
    _check_stat(st, limit)
    return st.st_size


def _check_stat(st: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise FileRefused("is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "special")
        raise FileRefused(f"is not a regular file ({kind})")
    if st.st_size > limit:
        raise FileRefused(f"is {st.st_size:,} bytes; the limit is {limit:,}")


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else :class:`FileRefused`.

    The file is opened without blocking and checked after opening, so a path swapped for a
    FIFO or a device after a check is still refused; at most ``limit + 1`` bytes are read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise FileRefused(_os_reason(exc)) from None
    try:
        _check_stat(os.fstat(fd), limit)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise FileRefused(_os_reason(exc)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileRefused(f"is more than {limit:,} bytes (the limit)")
    return data


# --- TOML -----------------------------------------------------------------------------------------

_SPECIAL = re.compile(r"[#\"'\n=\[\]{}]")
_STRING_STOP = {'"': re.compile(r'[\\"\n]'), "'": re.compile(r"['\n]")}


def _string_end(text: str, i: int) -> int:
    """Index just past the TOML string opening at ``text[i]`` (a quote)."""
    q = text[i]
    multi = text.startswith(q * 3, i)
    j = i + (3 if multi else 1)
    stop = _STRING_STOP[q]
    while (m := stop.search(text, j)) is not None:
        c, j = m.group(), m.start()
        if c == "\\":
            j += 2
        elif c == "\n":
            if not multi:
                return j  # unterminated: the parser will say so
            j += 1
        elif not multi:
            return j + 1
        elif text.startswith(q * 3, j):
            j += 3
            for _ in range(2):  # a closing run of four or five quotes ends with the last three
                if text.startswith(q, j):
                    j += 1
            return j
        else:
            j += 1
    return len(text)


def _too_deep_in_text(text: str, limit: int) -> str | None:
    """The key whose inline arrays or tables nest deeper than ``limit``, found by scanning the
    text (strings and comments skipped), or None. The TOML parser recurses once per level."""
    depth, table, stmt, key = 0, "", 0, None
    i, n = 0, len(text)
    while (m := _SPECIAL.search(text, i)) is not None:
        c, i = m.group(), m.start()
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'":
            i = _string_end(text, i)
            continue
        if c == "\n" and depth == 0:
            key, stmt = None, i + 1
        elif c == "=" and depth == 0 and key is None:
            key = text[stmt:i].strip()
        elif c == "[" and depth == 0 and key is None:  # a [table] or [[array of tables]] header
            j = text.find("\n", i)
            j = n if j < 0 else j
            table = text[i:j].split("#")[0].strip().strip("[]").strip()
            i = j
            continue
        elif c in "[{":
            depth += 1
            if depth > limit:
                return ".".join(p for p in (table, key) if p) or "(top level)"
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def field_path(loc: Sequence[int | str]) -> str:
    """``votes."Russian Federation".no``: a location in plain data, as a TOML key path."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = str(part)
            key = key if key.isidentifier() else f'"{key}"'
            out += ("." if out else "") + key
    return out or "(top level)"


def _too_deep_in_data(data: dict[str, Any], limit: int) -> str | None:
    """The first value nested in more than ``limit`` tables and arrays (dotted keys nest tables
    without brackets), or None; iterative, so any depth is safe."""
    stack: list[tuple[tuple[int | str, ...], Any, int]] = [((), data, 0)]
    while stack:
        loc, value, depth = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, v in items:
            if isinstance(v, dict | list):
                if depth + 1 > limit:
                    return field_path((*loc, k))
                stack.append(((*loc, k), v, depth + 1))
    return None


def parse_toml(text: str, source: str | None, error: type[InputError]) -> dict[str, Any]:
    """Parse TOML text nested at most :data:`MAX_NESTING` levels; problems raise ``error``
    naming ``source`` and the field."""
    deep = _too_deep_in_text(text, MAX_NESTING)
    if deep is None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise error("(toml)", f"not valid TOML: {exc}", source) from None
        except RecursionError:  # a nesting the scan missed; never a traceback
            raise error("(toml)", f"nested deeper than {MAX_NESTING} levels", source) from None
        deep = _too_deep_in_data(data, MAX_NESTING)
        if deep is None:
            return data
    raise error(deep, f"nested deeper than {MAX_NESTING} levels", source)
