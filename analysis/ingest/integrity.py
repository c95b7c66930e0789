"""Integrity checks: decide, for every record read, whether it is kept or quarantined.

Nothing is dropped silently. Each record set aside gets exactly one reason, the
first that applies in this order:

1. ``missing_id``: the record has no comment id.
2. ``duplicate_id``: the id was seen earlier in the same thread (the first is kept).
   A comment is known by its thread and its id (replies name their parent
   within the thread), so the same id in two threads is two comments: pages
   of scraped text number their comments ``c1, c2, …`` each.
3. ``orphan_parent``: the parent id is not a comment of the same thread
   (with ``orphans="attach"`` such a comment is kept as top level instead, and
   its ``rule`` notes ``orphan_attached``).
4. ``reply_cycle``: following parents from the record loops forever.
5. ``quarantined_ancestor``: a comment above it in its reply chain was set aside
   for one of the reasons above (or leads into a cycle).
6. ``empty_text`` / ``removed``: no text (or text deleted/removed on the
   platform) *and* no comment with text hangs below it. An empty comment with
   replies below it is kept as a placeholder (``is_placeholder``), so that the
   reply tree stays whole.

Everything is computed with arrays over parent pointers (pointer doubling for
ancestry), not a Python walk per comment.

Posts repeated verbatim within a thread (:func:`repeated_posts`) are kept, not
quarantined (a reply tree may hang from them), and listed in the ingest
report; term lists count a repeated text once, in any thread
(:func:`analysis.keyness.repeated_documents`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["check_integrity", "parent_index", "depths", "repeated_posts"]


def repeated_posts(comments: pd.DataFrame, *, rows_per_batch: int = 10_000) -> pd.DataFrame:
    """Comments whose text repeats an earlier comment's of the same thread verbatim (spaces at either end aside).

    ``comments`` needs ``thread_id``, ``comment_id`` and ``text``, in their
    canonical order; empty texts never repeat. Returns one row per repeat:
    ``thread_id``, ``comment_id``, and ``first_thread_id``,
    ``first_comment_id`` of the first comment with that text. Within a
    thread, so that a source read shard by shard lists the same repeats as
    read whole; term lists drop repeats across threads as well
    (:func:`analysis.keyness.repeated_documents`).

    When each thread's rows are contiguous (as in canonical order), whole threads
    are compared about ``rows_per_batch`` rows at a time: the keys (thread and
    stripped text) are copies of the texts, made for one batch at a time.
    """
    parts = [_repeated_posts(comments.iloc[a:b]) for a, b in _thread_batches(comments["thread_id"], rows_per_batch)]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _thread_batches(thread_id: pd.Series, rows: int) -> list[tuple[int, int]]:
    """Row ranges of about ``rows`` rows that split no thread; one range when a thread's rows are not contiguous."""
    n = len(thread_id)
    codes = pd.factorize(thread_id)[0]
    if n <= rows or (np.diff(codes) < 0).any():  # codes number threads by first row: contiguous iff non-decreasing
        return [(0, n)]
    starts = np.flatnonzero(np.diff(codes)) + 1  # the first row of every thread but the first
    at = np.unique(np.searchsorted(starts, np.arange(rows, n, rows)))  # the first thread start after each multiple
    bounds = [0, *(int(c) for c in starts[at[at < len(starts)]]), n]
    return list(zip(bounds[:-1], bounds[1:]))


def _repeated_posts(comments: pd.DataFrame) -> pd.DataFrame:
    """:func:`repeated_posts` of rows holding whole threads."""
    text = comments["text"].fillna("").str.strip()
    key = (comments["thread_id"] + "\0" + text).where(text != "", "")
    has_text = key.ne("")
    repeat = key.duplicated(keep="first") & has_text
    first = (~key.duplicated(keep="first")) & has_text
    origin = pd.DataFrame({"key": key[first], "first_thread_id": comments.loc[first, "thread_id"],
                           "first_comment_id": comments.loc[first, "comment_id"]}).set_index("key")
    out = comments.loc[repeat, ["thread_id", "comment_id"]].reset_index(drop=True)
    out["first_thread_id"] = key[repeat].map(origin["first_thread_id"]).to_numpy()
    out["first_comment_id"] = key[repeat].map(origin["first_comment_id"]).to_numpy()
    return out


def parent_index(thread_id: pd.Series, comment_id: pd.Series, parent_id: pd.Series) -> np.ndarray:
    """Row number of each row's parent within the same thread; -1 for top level, -2 if not found.

    Thread and comment ids are coded as integers first (comment and parent ids
    share one code book), so the lookup is one integer index, not a lookup of
    string pairs.
    """
    n = len(comment_id)
    thread = pd.factorize(pd.Series(thread_id, copy=False))[0].astype(np.int64)
    both = pd.concat([pd.Series(comment_id, copy=False), pd.Series(parent_id, copy=False)], ignore_index=True)
    ids, uniq = pd.factorize(both)
    width = np.int64(len(uniq) + 1)
    key = pd.Index(thread * width + ids[:n])
    if not key.is_unique:
        raise ValueError("parent_index needs unique (thread_id, comment_id) pairs")
    idx = key.get_indexer(thread * width + ids[n:])
    out = np.where(idx >= 0, idx, -2).astype(np.int64)
    out[(both.iloc[n:] == "").to_numpy(dtype=bool)] = -1
    return out


def _reaches_root(parent: np.ndarray) -> np.ndarray:
    """True where the chain of parents ends at a top-level comment (pointer doubling)."""
    n = len(parent)
    jump = parent.copy()  # -1: reached top; >=0: some ancestor; (-2 never passed in)
    for _ in range(max(1, int(np.ceil(np.log2(n + 1))) + 1)):
        alive = jump >= 0
        if not alive.any():
            break
        jump[alive] = jump[jump[alive]]
    return jump == -1


def depths(parent: np.ndarray) -> np.ndarray:
    """Depth of each node (1 for top level) given parent row numbers (-1 for top level).

    Every chain must reach a top-level node (check with integrity first).
    Computed level by level: as many passes as the deepest chain.
    """
    depth = np.zeros(len(parent), dtype=np.int32)
    depth[parent == -1] = 1
    level = 1
    todo = depth == 0
    while todo.any():
        ready = todo & (depth[np.where(parent >= 0, parent, 0)] == level) & (parent >= 0)
        if not ready.any():
            raise ValueError("depths: some chains do not reach a top-level comment")
        level += 1
        depth[ready] = level
        todo &= ~ready
    return depth


def check_integrity(
    records: pd.DataFrame,
    *,
    removed: pd.Series | None = None,
    orphans: str = "quarantine",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split reader records into kept and quarantined.

    Parameters
    ----------
    records
        Rows with at least ``thread_id``, ``comment_id``, ``parent_id``, ``text``
        and ``rule`` (see ``columns.RECORDS``), in input order.
    removed
        Optional boolean Series aligned with ``records``: text was deleted or
        removed on the platform (reported as ``removed`` instead of ``empty_text``).
    orphans
        ``"quarantine"`` (default) or ``"attach"`` (keep as top level).

    Returns
    -------
    kept
        The kept records with a new boolean column ``is_placeholder``.
    quarantined
        The set-aside records with columns ``reason`` and ``detail``.
    """
    if orphans not in ("quarantine", "attach"):
        raise ValueError(f"orphans={orphans!r}: expected 'quarantine' or 'attach'")
    recs = records.reset_index(drop=True)  # copy-on-write: a column is copied only when changed below
    n = len(recs)
    reason = np.full(n, "", dtype=object)
    detail = np.full(n, "", dtype=object)

    missing = (recs["comment_id"] == "").to_numpy()
    reason[missing] = "missing_id"
    detail[missing] = "the id field is empty"

    key = ["thread_id", "comment_id"]
    seen = recs.duplicated(key, keep="first").to_numpy()
    dup = seen & ~missing
    if dup.any():
        first_row = recs.loc[~seen].set_index(key)["record"]
        reason[dup] = "duplicate_id"
        detail[dup] = ["first seen at record " + str(first_row[k])
                       for k in recs.loc[dup, key].itertuples(index=False, name=None)]

    ok = reason == ""
    sub = recs.loc[ok, ["thread_id", "comment_id", "parent_id"]]  # not the texts
    parent = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(ok)
    p_local = parent_index(sub["thread_id"], sub["comment_id"], sub["parent_id"])
    parent[rows] = np.where(p_local >= 0, rows[np.clip(p_local, 0, None)], p_local)

    orphan = parent == -2
    if orphan.any():
        if orphans == "attach":
            parent[orphan] = -1
            recs.loc[orphan, "rule"] = recs.loc[orphan, "rule"] + "+orphan_attached"
        else:
            reason[orphan] = "orphan_parent"
            detail[orphan] = ["no comment " + p + " in thread " + t
                              for p, t in recs.loc[orphan, ["parent_id", "thread_id"]].itertuples(index=False)]
            parent[orphan] = -1  # cut here; descendants are handled below

    considered = reason == ""
    in_loop = considered & ~_reaches_root(np.where(considered, parent, -1))
    if in_loop.any():
        cyc = _cycle_members(parent, np.flatnonzero(in_loop))
        reason[cyc] = "reply_cycle"
        detail[cyc] = "parent chain loops back to this comment"

    # Cascade: a record is blocked when any comment above it was set aside
    # (or it hangs below a cycle). Resolved one level per pass.
    status = np.where(reason != "", 0, np.where(parent == -1, 1, -1))  # 1 ok, 0 blocked, -1 open
    while (status == -1).any():
        open_rows = np.flatnonzero(status == -1)
        par_status = status[parent[open_rows]]
        if (par_status == -1).all():  # only rows below a cycle remain
            status[open_rows] = 0
            break
        status[open_rows] = par_status
    cascade = (reason == "") & (status != 1)
    reason[cascade] = "quarantined_ancestor"
    detail[cascade] = "a comment above it in the reply chain was quarantined"

    # Empty text: keep as placeholder only when a comment with text hangs below.
    good = reason == ""
    empty = good & _blank(recs["text"])
    placeholder = np.zeros(n, dtype=bool)
    if empty.any():
        has_text_below = _has_text_below(parent, good, good & ~empty)
        placeholder = empty & has_text_below
        drop = empty & ~has_text_below
        rem = np.zeros(n, dtype=bool) if removed is None else removed.reset_index(drop=True).to_numpy(dtype=bool)
        reason[drop & rem] = "removed"
        detail[drop & rem] = "text deleted or removed on the platform"
        reason[drop & ~rem] = "empty_text"
        detail[drop & ~rem] = "no text"

    keep = reason == ""
    quarantined = _rows(recs, ~keep).assign(reason=reason[~keep], detail=detail[~keep])
    kept = _rows(recs, keep).assign(is_placeholder=placeholder[keep])
    return kept.reset_index(drop=True), quarantined.reset_index(drop=True)


def _rows(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``frame.loc[mask]``, without a row selection when it keeps all rows or none.

    (A row selection of an Arrow column made of many chunks, as read from
    many files, first joins the chunks: a copy of all texts even to select
    none of them.)
    """
    if mask.all():
        return frame
    if not mask.any():
        return frame.iloc[:0]
    return frame.loc[mask]


def _blank(text: pd.Series) -> np.ndarray:
    """``text.str.strip() == ""``, stripping only the texts that start with whitespace or are empty.

    (A text whose first character is not stripped cannot strip to nothing;
    stripping a million texts would copy them all.)
    """
    out = np.zeros(len(text), dtype=bool)
    maybe = (text.str[:1].str.strip() == "").to_numpy(dtype=bool)
    if maybe.any():  # a boolean mask filters Arrow chunks one by one (a take would first join them all)
        out[maybe] = (text.reset_index(drop=True)[maybe].str.strip() == "").to_numpy(dtype=bool)
    return out


def _cycle_members(parent: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Rows among ``candidates`` that lie on a parent cycle (rare: a short Python walk)."""
    members: set[int] = set()
    for start in candidates:
        seen: dict[int, int] = {}
        node, step = int(start), 0
        while node >= 0 and node not in seen:
            seen[node] = step
            node, step = int(parent[node]), step + 1
        if node >= 0 and node == start:
            members.add(int(start))
    return np.array(sorted(members), dtype=np.int64)


def _has_text_below(parent: np.ndarray, good: np.ndarray, with_text: np.ndarray) -> np.ndarray:
    """True where some descendant (kept, via kept parents) has text."""
    p = np.where(good, parent, -1)
    depth = depths(p)
    flag = np.zeros(len(parent), dtype=bool)
    for level in range(int(depth.max(initial=0)), 1, -1):
        at = np.flatnonzero((depth == level) & good & (with_text | flag))
        flag[p[at]] = True
    return flag
