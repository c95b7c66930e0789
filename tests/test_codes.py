"""analysis.codes: string columns as integer codes, checked against pandas.factorize."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.codes import combined_codes, key_codes, numbers, string_codes

VALUES = ["b", "a", None, "b", "é", "a", ""]


def _factorize(values):
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return codes.tolist(), list(uniques)


@pytest.mark.parametrize("make", [
    lambda v: pa.array(v, type=pa.string()),
    lambda v: pa.chunked_array([pa.array(v[:3], type=pa.string()), pa.array(v[3:], type=pa.string())]),
    # two chunks with different dictionaries, as Parquet's read_dictionary gives per row group
    lambda v: pa.chunked_array([pa.array(v[:3], type=pa.string()).dictionary_encode(),
                                pa.array(v[3:], type=pa.string()).dictionary_encode()]),
])
def test_string_codes_are_those_of_pandas_factorize(make):
    codes, dictionary = string_codes(make(VALUES))
    assert codes.dtype == np.int64
    assert (codes.tolist(), dictionary.to_pylist()) == _factorize(VALUES)


def test_string_codes_of_other_types_and_of_nothing():
    codes, dictionary = string_codes(pa.array([3, 1, 3]))  # not strings: compared as their text
    assert codes.tolist() == [0, 1, 0] and dictionary.to_pylist() == ["3", "1"]
    codes, dictionary = string_codes(pa.chunked_array([], type=pa.string()))
    assert codes.tolist() == [] and dictionary.to_pylist() == []


def test_numbers_of_arrow():
    table = pa.table({"n": [3, 1, 2], "f": [True, False, True]})
    assert numbers(table, "n").tolist() == [3, 1, 2] and numbers(table, "f").tolist() == [True, False, True]


def test_key_codes_number_both_tables_alike_and_combine():
    tokens = pa.table({"a": ["x", "x", "y", "z"], "b": ["1", "2", "1", "1"]})
    other = pa.table({"a": pa.array(["y", "x", "w", "x"]).dictionary_encode(), "b": ["1", "2", "1", "9"]})
    keys = key_codes(tokens, other, ["a", "b"])
    assert [(c.tolist(), o.tolist(), n) for c, o, n in keys] == [
        ([0, 0, 1, 2], [1, 0, -1, 0], 3),  # a: x y z; w is not among the tokens
        ([0, 1, 0, 0], [0, 1, 0, -1], 2),  # b: 1 2; 9 is not
    ]
    tok, hit = combined_codes(keys)
    assert tok.tolist() == [0, 1, 2, 4]  # a * 2 + b
    assert hit.tolist() == [2, 1, -1, -1]  # (y, 1) is token row 3's key; any unknown part: -1
    # codes that would overflow int64 are renumbered first, keeping which rows share a key
    big = [(np.array([0, 1, 1]), np.array([1, -1]), 2**40)] * 3
    tok, hit = combined_codes(big)
    assert tok[1] == tok[2] != tok[0] and hit[0] == tok[1] and hit[1] == -1
