"""The fast paths of the concordance rule against the slow ones: Arrow CSV lines against pandas' to_csv, and the
folding of whitespace that rewrites only the lines that change against Python's re."""

import io as bytes_io
import re
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.arrow_csv import write_csv_rows

HOSTILE = ["a", "", "x,y", 'q"q', "n\nl", "c\rr", "\r\n", "sp ace", " lead ", "tab\tt", "semi;", "'s'", "\x00nul", "é€😀",
           "x\u2028y", "#", "=1+1", "-", "NA", "None", "nan", '"', '""', ",", "\n", 'a"b,c\nd', "True", "1.0", None]


def pandas_bytes(df: pd.DataFrame, *, header: bool = True) -> bytes:
    return df.to_csv(index=False, header=header, lineterminator="\n").encode("utf-8")


def arrow_bytes(table: pa.Table, **options) -> bytes:
    out = bytes_io.BytesIO()
    n = write_csv_rows(table, out, **options)
    assert n == len(out.getvalue())
    return out.getvalue()


def frame() -> pd.DataFrame:
    n = len(HOSTILE)
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "text": pd.array(HOSTILE, dtype="str"),
        "back": pd.array(HOSTILE[::-1], dtype="str"),
        "flag": rng.random(n) < 0.5,
        "maybe": pd.array([True, False, None] * (n // 3) + [None] * (n % 3), dtype="boolean"),
        "count": rng.integers(-10**12, 10**12, n),
        "small": pd.array(list(range(n - 1)) + [None], dtype="Int32"),
        "obj": pd.Series(HOSTILE, dtype=object),
        'we,ird "name"\n': pd.array(HOSTILE[1:] + ["z"], dtype="str"),
    })


def test_arrow_csv_lines_are_the_bytes_pandas_writes():
    df = frame()
    table = pa.Table.from_pandas(df, preserve_index=False)
    assert arrow_bytes(table) == pandas_bytes(df)
    assert arrow_bytes(table, header=False) == pandas_bytes(df, header=False)
    for col in df.columns:  # one column: an empty cell is written "" (else it is an empty line)
        one = df[[col]]
        assert arrow_bytes(pa.Table.from_pandas(one, preserve_index=False)) == pandas_bytes(one), col
    # slices and several chunks, dictionary-encoded and 32-bit-offset strings
    sliced = pa.concat_tables([table.slice(3, 7), table.slice(0, 2), table.slice(11)])
    expect = pd.concat([df.iloc[3:10], df.iloc[0:2], df.iloc[11:]])
    assert sliced.column("text").num_chunks == 3
    assert arrow_bytes(sliced) == pandas_bytes(expect)
    narrow = pa.table({"d": pa.array(HOSTILE).dictionary_encode(), "s": pa.array(HOSTILE, type=pa.string())})
    assert arrow_bytes(narrow) == pandas_bytes(pd.DataFrame({"d": HOSTILE, "s": HOSTILE}))
    # no rows: the header only
    assert arrow_bytes(table.slice(0, 0)) == pandas_bytes(df.iloc[:0])
    assert arrow_bytes(table.slice(0, 0), header=False) == b""


def test_arrow_csv_refuses_what_it_cannot_write_as_pandas_does():
    with pytest.raises(TypeError):
        arrow_bytes(pa.table({"x": [1.5, 2.0]}))
    with pytest.raises(TypeError):
        arrow_bytes(pa.table({"x": pa.nulls(2)}))
    with pytest.raises(TypeError):
        arrow_bytes(pa.table({}))
