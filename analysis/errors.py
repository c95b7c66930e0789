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
