"""Errors a user can act on: which file, which line or record, which key.

A workflow script calls :func:`report_user_errors` once after setting up its
log: an error of this toolkit (:class:`ThreadscopeError`) then ends the job
with its one line in the rule's log and on stderr, and no traceback; the
workflow's ``onerror`` handler prints the lines again at the end of the
console output (:func:`stop_messages`).
"""

from __future__ import annotations

import reprlib
import sys
from pathlib import Path

#: The most characters of a message of this toolkit's errors (a longer one is cut, saying so).
MAX_MESSAGE = 600
#: How a script's log marks the line of a user error, for :func:`stop_messages`.
STOP_MARK = "threadscope stopped: "

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxlevel = 2


def excerpt(value, limit: int = 80) -> str:
    """A short printable excerpt of a bad value for an error message: never the whole of a long or nested value.

    Built lazily (:mod:`reprlib`), so a value with millions of shared parts
    (a YAML alias bomb) costs no more than its first few items.
    """
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def schema_problem(err) -> str:
    """What a ``jsonschema`` error expected and got, in words, quoting only an :func:`excerpt` of the bad value."""
    v = err.validator_value
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = err.schema.get("properties", {})
        extra = sorted(str(k) for k in err.instance if k not in allowed)
        return f"Additional properties are not allowed: {excerpt(extra)} (allowed: {sorted(allowed)})"
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [k for k in v if k not in err.instance]
        return f"{excerpt(missing[0] if len(missing) == 1 else missing)} is a required property"
    expected = {
        "type": f"a value of type {v}",
        "enum": f"one of {excerpt(v, 200)}",
        "minimum": f"a number >= {v}",
        "maximum": f"a number <= {v}",
        "pattern": f"text matching {v}",
        "minLength": f"text of at least {v} character(s)",
        "maxLength": f"text of at most {v} character(s)",
        "minItems": f"a list of at least {v} item(s)",
        "maxItems": f"a list of at most {v} item(s)",
        "minProperties": f"a mapping of at least {v} item(s)",
    }.get(err.validator, f"a value valid under the schema's {err.validator!r} rule")
    return f"expected {expected}, got {excerpt(err.instance)}"


def _capped(message: str) -> str:
    """``message`` on one line and at most :data:`MAX_MESSAGE` characters."""
    message = " ".join(str(message).split("\n"))
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 20] + " ... (message cut)"
    return message


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
        super().__init__(_capped(f"{where}: {message}"))
        self.file, self.line, self.record = file, line, record


class ConfigError(ThreadscopeError):
    """A configuration value is missing or has the wrong form."""

    def __init__(self, key: str, message: str):
        super().__init__(_capped(f"config key {key!r}: {message}"))
        self.key = key


def bad_value(name: str, value, expected: str) -> ValueError:
    """The one wording for a bad argument: ``name=value: expected ...``."""
    return ValueError(f"{name}={value!r}: expected {expected}")


def int_arg(name: str, value, *, minimum: int, maximum: int | None = None) -> int:
    """``value`` as an int, or the one-wording error when it is not a whole number in range (bools rejected)."""
    import numpy as np

    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum or (
        maximum is not None and value > maximum
    ):
        upper = f" and <= {maximum}" if maximum is not None else ""
        raise bad_value(name, value, f"an integer >= {minimum}{upper}")
    return int(value)


def level_arg(value, *, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1, or the one-wording error."""
    import numpy as np

    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not 0 < value < 1:
        raise bad_value(name, value, "a number strictly between 0 and 1, e.g. 0.95")
    return float(value)


def shape_text(x) -> str:
    """How an array argument is named in an error message: its shape, never its values."""
    return f"<array of shape {getattr(x, 'shape', '?')}>"


def count_matrix_arg(counts, *, rows: str):
    """``counts`` as a 2-D ``scipy.sparse.csr_array`` (a view of a CSR input), or a ValueError naming ``counts``.

    ``counts`` is a scipy.sparse matrix or a 2-D numeric or boolean array of ``rows`` x terms (e.g. ``rows="authors"``).
    Values and dtype are not checked here: each measure checks what it needs.
    """
    import numpy as np
    import scipy.sparse as sp

    if sp.issparse(counts):
        m = sp.csr_array(counts)
    else:
        a = np.asarray(counts)
        if a.ndim != 2 or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
            raise ValueError(f"counts={shape_text(a)}: expected a ({rows} x terms) scipy.sparse matrix or 2-D array")
        m = sp.csr_array(a)
    if m.ndim != 2:
        raise ValueError(f"counts={shape_text(m)}: expected a ({rows} x terms) matrix")
    return m


def report_user_errors(log) -> None:
    """From now on, end the process on a :class:`ThreadscopeError` with its one line, not a traceback.

    ``log`` is the script's logger (:func:`analysis.io.setup_logging`): the
    line goes to the rule's log file and to stderr, marked with
    :data:`STOP_MARK`, and the process exits with status 1. Any other
    exception keeps Python's traceback, and its last line is logged too, so
    the rule's log never holds only the first info line.
    """
    default = sys.excepthook

    def hook(kind, exc, tb):
        if isinstance(exc, ThreadscopeError):
            log.error("%s%s", STOP_MARK, _capped(str(exc)))
            return  # the interpreter then exits with status 1
        default(kind, exc, tb)
        log.error("%s%s", STOP_MARK, _capped(f"{kind.__name__}: {exc}"[:MAX_MESSAGE]) + " (traceback above)")

    sys.excepthook = hook


def stop_messages(folder: str | Path, *, since: float) -> list[str]:
    """The user-error lines of :func:`report_user_errors` in logs under ``folder`` modified at or after ``since``.

    Each as ``<log file>: <message>``, in file order; for the workflow's
    ``onerror`` handler, which prints them last on the console.
    """
    found = []
    for path in sorted(Path(folder).rglob("*.log")):
        try:
            if path.stat().st_mtime < since:
                continue
            with path.open(encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    _, mark, message = line.rstrip("\n").partition(STOP_MARK)
                    if mark:
                        found.append(f"{path}: {message}")
        except OSError:
            continue
    return found
