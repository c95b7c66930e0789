"""What the steps of the validation share: document keys (as text, as one Arrow string), argument checks, seeded
streams.

Helpers of the modules of :mod:`analysis.validation`, not a step of their own.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import bad_value
from analysis.lexicons import Lexicon

__all__ = ["KEYS", "require", "names_arg", "lexicons_arg", "frame_entries", "stream", "key_frame", "as_strings",
           "joined_key"]

#: The columns that identify a document.
KEYS = ["thread_id", "comment_id", "doc"]


def require(df, name: str, cols: Sequence[str]) -> None:
    """Fail unless ``df`` is a pandas DataFrame with the columns ``cols``."""
    if not isinstance(df, pd.DataFrame):
        raise bad_value(name, type(df).__name__, f"a pandas DataFrame with columns {list(cols)}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise bad_value(name, list(df.columns), f"a DataFrame with columns {list(cols)} (missing {missing})")


def names_arg(name: str, values, *, what: str) -> list[str]:
    """``values`` checked as a non-empty list of distinct, non-empty names (of ``what``)."""
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise bad_value(name, values, f"a non-empty list of {what} names")
    out = list(values)
    if any(not isinstance(v, str) or not v for v in out) or len(set(out)) != len(out):
        raise bad_value(name, values, f"distinct, non-empty {what} names (strings)")
    return out


def lexicons_arg(lexicons) -> list[Lexicon]:
    """A Lexicon or a list of them, as a list."""
    if isinstance(lexicons, Lexicon):
        return [lexicons]
    out = list(lexicons)
    if any(not isinstance(lx, Lexicon) for lx in out):
        raise bad_value("lexicons", lexicons, "a Lexicon or a list of Lexicon objects (analysis.lexicons.load_lexicon)")
    return out


def frame_entries(lexicons: Sequence[Lexicon]) -> dict[str, dict]:
    """Frame name -> its entry (label, description, terms), the first lexicon naming a frame winning."""
    out: dict[str, dict] = {}
    for lx in lexicons:
        for frame, spec in lx.frames.items():
            out.setdefault(frame, spec)
    return out


def stream(seed: int, *names) -> np.random.Generator:
    """A generator for ``seed`` and names: the same names always give the same stream."""
    keys = [zlib.crc32(str(n).encode("utf-8")) for n in names]
    return np.random.default_rng([seed, *keys])


def key_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The document keys of ``df`` as text."""
    return df[KEYS].astype(str)


def as_strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A table's column as plain strings (dictionary-encoded or large ones too)."""
    return column.cast(pa.string())


def joined_key(*columns: pa.ChunkedArray) -> pa.Array:
    """One string per row that identifies the row's values of ``columns`` (strings) without ambiguity.

    The byte lengths of all but the last value come first: ``"3:1:abc:x:y"``
    is ``("abc", "x", "y")`` and ``"4:0:a:bc::x:y"`` is ``("a:bc", "", "x:y")``,
    whatever characters the values hold.
    """
    lengths = [pc.binary_length(c).cast(pa.string()) for c in columns[:-1]]
    out = pc.binary_join_element_wise(*lengths, *columns, ":")
    return out.combine_chunks()
