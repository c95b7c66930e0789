"""Reading and writing the files rules hand to each other.

Every write is deterministic, so that two runs on the same inputs give
byte-identical files: Parquet tables are checked against their contract in
:mod:`analysis.columns` and written without a pandas index; JSON is written
with sorted keys and a final newline; CSV without index, with '\\n' line ends.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import columns

__all__ = ["write_table", "write_arrow", "read_table", "read_tables", "read_arrow", "write_json", "read_json",
           "write_csv", "read_csv", "setup_logging"]


def write_table(df: pd.DataFrame, path: str | Path, table: str, *, metadata: Sequence[str] | None = None) -> None:
    """Check ``df`` against contract ``table`` and write it as Parquet (:func:`write_arrow`)."""
    write_arrow(columns.conform(df, table, metadata=metadata), path)


def write_arrow(table: pa.Table, path: str | Path) -> None:
    """Write an Arrow table that already has its contract's schema (e.g. ``analysis.annotate``'s tokens) as Parquet,
    as every table of the run is written: zstd, with statistics, without the pandas schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", write_statistics=True, store_schema=False)


def read_table(path: str | Path, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read one Parquet file (or a folder of shards) into pandas."""
    return pd.read_parquet(path, columns=list(columns) if columns else None)


def read_tables(paths: Sequence[str | Path], *, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read several Parquet files into one DataFrame (in the order given)."""
    frames = [read_table(p, columns=columns) for p in paths]
    frames = [f for f in frames if len(f.columns)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_json(obj, path: str | Path) -> None:
    """Write ``obj`` as stable, human-readable JSON (sorted keys, UTF-8, final newline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, default=_jsonable) + "\n",
                    encoding="utf-8")


def read_json(path: str | Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write a small table as CSV (no index, '\\n' line ends, UTF-8).

    Python's ``csv`` writer leaves a text cell holding a lone carriage return unquoted when lines end in
    ``'\\n'``, and every reader then splits the row there; such a table is written with every text cell quoted.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = df.select_dtypes(include=["object", "string"])
    carriage_return = any(text[c].astype(str).str.contains("\r", regex=False).any() for c in text.columns)
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8",
              quoting=csv.QUOTE_NONNUMERIC if carriage_return else csv.QUOTE_MINIMAL)


def read_csv(path: str | Path, **options) -> pd.DataFrame:
    """Read a small table written by :func:`write_csv`; an empty DataFrame when the measure had nothing to report.

    Only empty cells are missing values (text such as "NA" or "None" stays text).
    """
    options = {"keep_default_na": False, "na_values": [""], **options}
    try:
        return pd.read_csv(path, **options)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def setup_logging(path: str | Path | None, name: str) -> logging.Logger:
    """Log to the rule's log file (and to stderr), with timestamps, for progress on long work."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, mode="w", encoding="utf-8"))
    for h in handlers:
        h.setFormatter(fmt)
        logger.addHandler(h)
    return logger


def read_arrow(path: str | Path, *, columns: Sequence[str] | None = None, dictionary: Sequence[str] = (),
               use_threads: bool = True) -> pa.Table:
    """Read one Parquet file as an Arrow table (no conversion to pandas: for big tables read column-wise).

    ``dictionary`` names string columns to read dictionary-encoded (each
    distinct value stored once: ids and words of a token table);
    ``use_threads=False`` reads in this thread only (less CPU for a few columns).
    """
    return pq.read_table(path, columns=list(columns) if columns else None, read_dictionary=list(dictionary) or None,
                         use_threads=use_threads)
