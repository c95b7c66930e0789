"""Stable assignment of threads to shards.

A thread's shard is its id's BLAKE2b hash modulo ``n_shards``: the same on
every run and machine (unlike Python's ``hash``), so adding a thread changes
only the shard it falls in.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

__all__ = ["shard_of", "shards"]


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
