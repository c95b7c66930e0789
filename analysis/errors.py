"""Errors a user can act on: which file, which line or record, which key."""

from __future__ import annotations


class ThreadscopeError(Exception):
    """Base class of the errors this toolkit raises on purpose."""


class InputError(ThreadscopeError):
    """An input file cannot be read at all.

    The message names the file and, where known, the line or record, and says
    what was expected, e.g. ``data/x.csv, line 12: unclosed quoted field``.
    """

    def __init__(self, file: str, message: str, *, line: int | None = None, record: int | None = None):
        where = file
        if line is not None:
            where += f", line {line}"
        elif record is not None:
            where += f", record {record}"
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.record = file, line, record


class ConfigError(ThreadscopeError):
    """A configuration value is missing or has the wrong form."""

    def __init__(self, key: str, message: str):
        super().__init__(f"config key {key!r}: {message}")
        self.key = key


def bad_value(name: str, value, expected: str) -> ValueError:
    """The one wording for a bad argument: ``name=value: expected ...``."""
    return ValueError(f"{name}={value!r}: expected {expected}")
