"""CSV rows of an Arrow table, byte for byte as :func:`analysis.io.write_csv` (pandas) writes them, built in Arrow.

For tables too big for pandas' row-by-row writer (the concordance: 2 M
lines, 500 MB): each column is turned into its CSV cells with Arrow
kernels, the cells are joined into lines, and the lines' data buffer is
written as it is.

The cells are those of ``DataFrame.to_csv(index=False, lineterminator="\\n")``
(Python's ``csv`` module, ``QUOTE_MINIMAL``, ``doublequote``, no escape
character):

- a string is quoted when it holds a comma, a double quote or ``\\n`` (the
  line terminator; a lone ``\\r`` is written bare, as ``csv`` does with
  ``lineterminator="\\n"``), with its double quotes doubled;
- a missing value (null) is an empty cell; booleans are ``True``/``False``;
  integers are written in decimal;
- a line with a single empty cell is written ``""`` (so that it is not an
  empty line).

Other types (floats, dates, ...) raise ``TypeError``: their text in pandas
is not reproduced here. A test checks these bytes against pandas' on
hostile text.
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["csv_cells", "string_buffers", "write_csv_rows"]

# the characters that make csv quote a field, as a RE2 class (delimiter, quote char, line terminator)
_QUOTE_WHEN = '[,"\n]'


def _s(value: str) -> pa.Scalar:
    return pa.scalar(value, type=pa.large_string())


def csv_cells(column: pa.Array | pa.ChunkedArray, *, single: bool = False) -> pa.ChunkedArray:
    """The CSV cells of one column, as large strings without nulls (``single``: the table has one column)."""
    col = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        text = col.cast(pa.large_string())
        quote = pc.match_substring_regex(text, _QUOTE_WHEN)  # null where the value is null
        if pc.any(quote).as_py():
            quoted = pc.binary_join_element_wise(_s('"'), pc.replace_substring(text, '"', '""'), _s('"'), _s(""))
            text = pc.if_else(quote, quoted, text)
        cells = text.fill_null("")
    elif pa.types.is_boolean(t):
        cells = pc.if_else(col, _s("True"), _s("False")).fill_null("")
    elif pa.types.is_integer(t):
        cells = col.cast(pa.large_string()).fill_null("")
    else:
        raise TypeError(f"no CSV cells for Arrow type {t}: write it with pandas")
    if single:
        cells = pc.if_else(pc.equal(cells, _s("")), _s('""'), cells)
    return cells  # every branch gives large strings


def write_csv_rows(table: pa.Table, out: BinaryIO, *, header: bool = True) -> int:
    """Write ``table`` as CSV lines (each ending in ``\\n``, UTF-8) to the binary file ``out``; the number of bytes.

    ``header`` writes the column names first, as pandas does (a table
    without rows gets its header only). Raises
    ``TypeError`` for a column type pandas would format otherwise (see the
    module) or a table without columns.
    """
    if not table.num_columns:
        raise TypeError("a table without columns: write it with pandas")
    single = table.num_columns == 1
    cols = [csv_cells(c, single=single) for c in table.columns]  # checks every type, even with no rows
    written = 0
    if header:
        head = pa.table({str(k): pa.array([n], type=pa.large_string()) for k, n in enumerate(table.column_names)})
        written += _write_lines([csv_cells(c, single=single) for c in head.columns], out)
    if table.num_rows:
        written += _write_lines(cols, out)
    return written


def _write_lines(cols: list[pa.ChunkedArray], out: BinaryIO) -> int:
    lines = pc.binary_join_element_wise(*cols, _s(",")) if len(cols) > 1 else cols[0]
    lines = pc.binary_join_element_wise(lines, _s(""), _s("\n"))  # 'line' + '\n' + '' : the terminator after each line
    written = 0
    for chunk in lines.chunks:
        offsets, data = string_buffers(chunk)
        written += out.write(data[offsets[0] : offsets[-1]])  # the chunk's lines, one after the other
    return written


def string_buffers(arr: pa.Array) -> tuple[np.ndarray, memoryview]:
    """Offsets (int64, ``len(arr) + 1``) and data bytes of a null-free large_string array: item i is ``data[off[i]:off[i+1]]``."""
    _, off, data = arr.buffers()
    offsets = np.frombuffer(off, dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1] if off is not None else np.zeros(1, np.int64)
    return offsets, memoryview(data if data is not None else b"")
