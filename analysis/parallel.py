"""Work shared among forked processes, for the few jobs that use more than one core (rule ``threads`` > 1).

A forked process inherits the parent's memory: the function and everything
it reads are not copied or pickled, only the items handed out and the
results. Forking is used on Linux only (macOS does not support forking a
process that has loaded some system libraries; Windows cannot fork);
elsewhere, and for one process, the items are done in turn in this process.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["forked_map"]

_FN: Callable[[Any], Any] | None = None


def forked_map(fn: Callable[[Any], Any], items: Iterable[Any], *, processes: int) -> list:
    """``[fn(item) for item in items]``, the items handed in order to ``processes`` forked processes as they come
    free."""
    items = list(items)
    processes = min(int(processes), len(items))
    if processes <= 1 or not sys.platform.startswith("linux"):
        return [fn(item) for item in items]
    global _FN
    _FN = fn  # inherited by the forked processes
    try:
        with mp.get_context("fork").Pool(processes) as pool:
            return pool.map(_call, items, chunksize=1)
    finally:
        _FN = None


def _call(item: Any) -> Any:
    return _FN(item)
