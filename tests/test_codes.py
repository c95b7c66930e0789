"""analysis.codes: string columns as integer codes, checked against pandas.factorize."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.codes import numbers, string_codes

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


def test_string_codes_of_pandas_text_and_of_nothing():
    codes, dictionary = string_codes(pd.Series(["x", "y", "x"], dtype="str"))
    assert codes.tolist() == [0, 1, 0] and dictionary.to_pylist() == ["x", "y"]
    codes, dictionary = string_codes(pa.chunked_array([], type=pa.string()))
    assert codes.tolist() == [] and dictionary.to_pylist() == []


def test_numbers_of_arrow_and_pandas_alike():
    df = pd.DataFrame({"n": [3, 1, 2], "f": [True, False, True]})
    table = pa.Table.from_pandas(df, preserve_index=False)
    for name in ("n", "f"):
        assert numbers(table, name).tolist() == numbers(df, name).tolist() == df[name].tolist()
