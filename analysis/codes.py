"""String columns as integer codes, through Arrow: the one way measures number ids, words and labels.

Aggregates read shards as Arrow tables (often with dictionary-encoded
strings, ``read_dictionary``) and count with numpy on integer codes, never
on Python strings. These helpers accept an Arrow table or a pandas
DataFrame alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["column", "numbers", "strings", "string_codes", "run_starts"]


def column(table, name: str):
    """Column ``name`` of an Arrow table or a pandas DataFrame."""
    return table.column(name) if isinstance(table, pa.Table) else table[name]


def numbers(table, name: str) -> np.ndarray:
    """A numeric or boolean column of an Arrow table or a DataFrame as a numpy array."""
    return np.asarray(column(table, name).to_numpy())


def strings(values) -> pa.ChunkedArray:
    """A column as Arrow strings (or dictionary-encoded strings): pandas values are compared as ``str``."""
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if isinstance(values, pa.ChunkedArray):
        if pa.types.is_dictionary(values.type) or pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            return values
        return values.cast(pa.string())
    series = pd.Series(values)
    if not (pd.api.types.is_string_dtype(series.dtype) and series.notna().all()):
        series = series.astype(str)
    return pa.chunked_array([pa.array(series, type=pa.string())])


def string_codes(values) -> tuple[np.ndarray, pa.Array]:
    """Codes (int64, -1 for a missing value) of a string column and its distinct values, in first-seen order.

    The codes and order are those of ``pandas.factorize``; ``values`` is
    anything :func:`strings` takes, Arrow columns already dictionary-encoded
    keep their encoding (the dictionaries of their chunks are unified).
    """
    values = strings(values)
    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values)
    values = values.unify_dictionaries()
    if values.num_chunks == 0:
        return np.zeros(0, dtype=np.int64), pa.array([], type=values.type.value_type)
    dictionary = values.chunk(0).dictionary
    codes = [c.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False) for c in values.chunks]
    return (codes[0] if len(codes) == 1 else np.concatenate(codes)), dictionary


def run_starts(key_codes, n: int) -> np.ndarray:
    """A mark of each of ``n`` rows that starts a run of equal keys: the first row, and every row whose code
    differs from the previous row's in any of ``key_codes`` (one code array per key column).

    Token tables hold each document's rows together, so runs are documents.
    """
    new = np.zeros(n, dtype=bool)
    if n:
        new[0] = True
        for codes in key_codes:
            new[1:] |= codes[1:] != codes[:-1]
    return new
