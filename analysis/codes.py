"""String columns as integer codes, through Arrow: the one way measures number ids, words and labels.

Aggregates read shards as Arrow tables (often with dictionary-encoded
strings, ``read_dictionary``) and count with numpy on integer codes, never
on Python strings. Every helper here takes Arrow: a caller with a pandas
DataFrame converts it once (``pa.Table.from_pandas(df, preserve_index=False)``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["numbers", "strings", "string_codes", "run_starts", "key_codes", "combined_codes"]


def numbers(table: pa.Table, name: str) -> np.ndarray:
    """A numeric or boolean column of an Arrow table as a numpy array."""
    return np.asarray(table.column(name).to_numpy())


def strings(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """An Arrow column as strings (or dictionary-encoded strings, kept as they are); other types are cast to string."""
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if pa.types.is_dictionary(values.type) or pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return values
    return values.cast(pa.string())


def string_codes(values: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
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


def run_starts(key_codes: Sequence[np.ndarray], n: int) -> np.ndarray:
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


def key_codes(table: pa.Table, other: pa.Table, keys: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Per key column: ``table``'s codes (:func:`string_codes`), ``other``'s codes in the same dictionary
    (-1: not among ``table``'s values), and the dictionary's size (at least 1).

    E.g. the tokens' document keys and the matches' (or the documents'),
    numbered alike so that :func:`combined_codes` can join them.
    """
    out = []
    for name in keys:
        codes, dictionary = string_codes(table.column(name))
        other_values = strings(other.column(name)).cast(dictionary.type)
        other_codes = pc.fill_null(pc.index_in(other_values, value_set=dictionary), -1).to_numpy().astype(np.int64)
        out.append((codes, other_codes, max(len(dictionary), 1)))
    return out


def combined_codes(keys: list[tuple[np.ndarray, np.ndarray, int]]) -> tuple[np.ndarray, np.ndarray]:
    """One int64 code per key combination, for both sides of :func:`key_codes` (``other``: -1 if any part is unknown).

    Codes are mixed-radix numbers of the per-key codes; when they would
    overflow int64 the codes so far are renumbered first (unknown stays -1).
    """
    tok = np.zeros(len(keys[0][0]), dtype=np.int64)
    hit = np.zeros(len(keys[0][1]), dtype=np.int64)
    size = 1
    for codes, hit_codes, n in keys:
        if size * n >= 2**62:  # compact the codes so far before they overflow (unknown stays -1)
            both, uniq = pd.factorize(np.concatenate([tok, hit]))
            tok, hit, size = both[: len(tok)].astype(np.int64), np.where(hit < 0, -1, both[len(tok) :]), len(uniq)
        tok = tok * n + codes
        hit = np.where((hit < 0) | (hit_codes < 0), -1, hit * n + hit_codes)
        size *= n
    return tok, hit
