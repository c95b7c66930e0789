"""Reading and writing the files rules hand to each other.

Every write is deterministic, so that two runs on the same inputs give
byte-identical files: Parquet tables are checked against their contract in
:mod:`analysis.columns` and written without a pandas index; JSON is written
with sorted keys and a final newline; CSV without index, with '\\n' line ends.

A job that logs (:func:`setup_logging`) also records what it cost, when it exits:
``<results>/benchmarks/<rule>[/<wildcards>].tsv`` beside its ``<results>/logs/<rule>[/<wildcards>].log``
(:func:`write_usage`), read by ``benchmarks/run.py``.
"""

from __future__ import annotations

import atexit
import csv
import json
import logging
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import columns

__all__ = ["write_table", "write_arrow", "read_table", "read_tables", "read_arrow", "write_json", "read_json",
           "write_csv", "read_csv", "setup_logging", "usage_path", "write_usage", "USAGE_COLUMNS"]

#: When this job's process first imported this module (every rule's script does so at its start).
_STARTED = time.monotonic()
_USAGE_RECORDED: set[Path] = set()


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


def setup_logging(path: str | Path | None, name: str, *, release_memory: bool = False) -> logging.Logger:
    """Log to the rule's log file (and to stderr), with timestamps, for progress on long work.

    ``release_memory``: Arrow allocates from the system allocator instead of
    its default (mimalloc), which keeps the buffers a job frees; for jobs
    that read many shards or drop large tables (annotate: peak 1.22 -> 1.12 GB
    on a 100k shard; frame_dynamics: 1.34 -> 1.18 GB at 1M; same outputs).
    """
    if release_memory:
        pa.set_memory_pool(pa.system_memory_pool())
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
    usage = usage_path(path) if path else None
    if usage is not None and usage not in _USAGE_RECORDED:
        _USAGE_RECORDED.add(usage)
        atexit.register(write_usage, usage)
    return logger


#: The columns of a job's usage record: wall seconds, peak resident memory (MiB), CPU seconds (Snakemake's
#: ``benchmark:`` names and units for the same quantities).
USAGE_COLUMNS = ("s", "max_rss", "cpu_time")


def usage_path(log: str | Path) -> Path | None:
    """Where the job logging to ``<results>/logs/<rule>[/<wildcards>].log`` records its usage.

    ``<results>/benchmarks/<rule>[/<wildcards>].tsv``; ``None`` for a log outside a ``logs`` folder.
    """
    parts = Path(log).parts
    if "logs" not in parts[:-1]:
        return None
    i = len(parts) - 1 - parts[::-1].index("logs")
    return Path(*parts[:i], "benchmarks", *parts[i + 1:]).with_suffix(".tsv")


def write_usage(path: str | Path) -> None:
    """Write this process's wall time, peak RSS and CPU (its own and its waited-for children's) to ``path``.

    From the kernel's own accounting (``getrusage``) at exit, so it costs nothing while the job runs. This
    replaces Snakemake's ``benchmark:`` directive, whose sampling thread (process tree and ``smaps_rollup`` of every
    job, every second) cost the Snakemake process 18 s of CPU on a 100,000-comment run (28.8 s against 10.4 s
    without it, run side by side). Wall time starts at the job's first import of :mod:`analysis.io` (the
    interpreter's own start, about 0.1 s, is not counted); peak RSS is the larger of the job's own and its largest
    child's, in MiB.
    """
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    rss_mib = max(own.ru_maxrss, kids.ru_maxrss) / 1024  # Linux reports KiB
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\t".join(USAGE_COLUMNS) + f"\n{time.monotonic() - _STARTED:.4f}\t{rss_mib:.2f}\t{cpu:.2f}\n",
                    encoding="utf-8")


def read_arrow(path: str | Path, *, columns: Sequence[str] | None = None, dictionary: Sequence[str] = (),
               use_threads: bool = True) -> pa.Table:
    """Read one Parquet file as an Arrow table (no conversion to pandas: for big tables read column-wise).

    ``dictionary`` names string columns to read dictionary-encoded (each
    distinct value stored once: ids and words of a token table);
    ``use_threads=False`` reads in this thread only (less CPU for a few columns).
    """
    return pq.read_table(path, columns=list(columns) if columns else None, read_dictionary=list(dictionary) or None,
                         use_threads=use_threads)
