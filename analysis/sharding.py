"""Stable assignment of threads to shards.

A thread's shard is its id's BLAKE2b hash modulo ``n_shards``: the same on
every run and machine (unlike Python's ``hash``), so adding a thread changes
only the shard it falls in.

A source read with ``shard_by: file`` is sharded by file instead: each input
file goes whole to the shard of its path relative to the source's folder
(:func:`shard_of_path`), so adding a file changes only the shard it falls in
and only that shard's ingest has to run again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import PurePath

import numpy as np
import pandas as pd

from analysis import columns

__all__ = ["shard_of", "shards", "shard_of_path", "shard"]


def shard_of(thread_id: str, n_shards: int) -> int:
    """Shard number in ``range(n_shards)`` for one thread id."""
    if n_shards < 1:
        raise ValueError(f"n_shards={n_shards!r}: expected a whole number >= 1")
    digest = hashlib.blake2b(thread_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n_shards


def shards(thread_ids: pd.Series, n_shards: int) -> np.ndarray:
    """Shard numbers for a Series of thread ids (each distinct id hashed once)."""
    codes, uniq = pd.factorize(thread_ids, sort=False)
    table = np.array([shard_of(str(t), n_shards) for t in uniq], dtype=np.int32)
    return table[codes] if len(codes) else np.zeros(0, dtype=np.int32)


def shard_of_path(relative_path: str, n_shards: int) -> int:
    """Shard number for an input file, from its path relative to its source's folder.

    Separators are normalised to ``/`` first, so the assignment is the same on
    every operating system; the hash is the one of :func:`shard_of`.
    """
    return shard_of("file:" + PurePath(relative_path).as_posix(), n_shards)


def shard(parts: Sequence[pd.DataFrame], table: str) -> tuple[pd.DataFrame, list[str]]:
    """Rule shard: one shard of every source (``parts``, in config order) combined into one table of contract
    ``table`` (comments, threads or mentions), sorted by thread (comments: then record and file; mentions: then
    comment and start); with the names of its metadata columns (beyond the contract, in order of first appearance;
    mentions have none). The rule first gives each part its language column
    (:func:`analysis.language.with_languages`); such columns (:data:`analysis.columns.OPTIONAL`) are not metadata.
    """
    frame = pd.concat(list(parts), ignore_index=True)
    optional = {c.name for c in columns.OPTIONAL.get(table, [])}
    meta = [c for p in parts for c in p.columns if c not in columns.core_names(table) and c not in optional]
    meta = list(dict.fromkeys(meta)) if table != "mentions" else []
    keys = (["thread_id", "comment_id", "start"] if table == "mentions"
            else ["thread_id"] + (["record", "file"] if table == "comments" else []))
    return frame.sort_values(keys, kind="stable").reset_index(drop=True), meta

