"""Reply-chain dynamics: do frames spread, or get contested, down reply chains?

A *reply pair* is a comment and the comment it replies to (its parent); a
top-level comment and its thread's article form an *article pair*. A
document *uses* frame F when it has at least one counted hit of F.

Frame uptake of F: P(reply uses F | parent uses F) − P(reply uses F), over
reply pairs. Higher means a frame is taken up by those who answer it more
often than its base rate would predict; near 0, replies ignore their
parent's frame; negative, replies avoid it. Caveat: uptake is association,
not influence; a thread's topic makes both parent and reply use a frame.

The transition matrix gives P(reply uses G | parent uses F) for every pair
of frames, plus a "no frame" row and column; a reply may use several frames,
so a row can sum to more than 1. Counter-framing shows as a high
P(reply uses B | parent uses A) for competing frames A and B.

Uses of a frame (:func:`frame_uses`) tell three things apart: *adopted*, the
frame's term in the writer's own words; *copied*, inside a passage quoted
from another document (:mod:`analysis.quotes`); *contested*, in own words
but inside quotation marks (scare quotes, "so-called") or under negation
("not in a Syrian civil war"). Uptake counts only own-word uses (rule
``annotate`` leaves quoted passages out), so copying a parent's frame is
not uptake.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.frame_rates import choose_cluster, cluster_codes
from analysis.stats import percentile_interval, replicate_sums

__all__ = ["frame_dynamics", "frame_uses", "reply_pairs", "frame_uptake", "transition_matrix"]

NONE = "(no frame)"


def reply_pairs(docs: pd.DataFrame, comments: pd.DataFrame, *, frames: Sequence[str]) -> pd.DataFrame:
    """One row per reply: thread, kind ('reply' or 'article'), and which frames child and parent use.

    ``docs`` has ``thread_id``, ``comment_id``, ``doc`` and ``hits_<frame>``;
    ``comments`` has ``thread_id``, ``comment_id``, ``parent_id``. Pairs whose
    child or parent has no tokens (no row in ``docs``) are left out. A missing
    ``hits_<frame>`` means the frame is not measured in that document (its
    language has no dictionary for it): ``measured_<frame>`` is false for a
    pair where the child or the parent is such a document, and the measures
    leave the pair out for that frame.

    Documents are looked up by one integer per (thread, comment, doc) key
    (:func:`_key_codes`): each string is hashed once, no tuple index is built.
    """
    is_article = (comments["parent_id"] == "").to_numpy()
    doc_row, child_row, parent_row = _key_codes(docs, comments, is_article)
    index = pd.Index(doc_row)
    if not index.is_unique:
        raise ValueError("docs: expected one row per (thread_id, comment_id, doc); some key occurs twice")
    child_at, parent_at = index.get_indexer(child_row), index.get_indexer(parent_row)
    ok = (child_at >= 0) & (parent_at >= 0)
    uses, measured = _uses(docs, frames)
    out = pd.DataFrame({"thread_id": comments["thread_id"].to_numpy()[ok],
                        "kind": np.where(is_article, "article", "reply")[ok]})
    child_uses, parent_uses = uses[child_at[ok]], uses[parent_at[ok]]
    both_measured = measured[child_at[ok]] & measured[parent_at[ok]]
    for i, f in enumerate(frames):
        out[f"child_{f}"] = child_uses[:, i]
        out[f"parent_{f}"] = parent_uses[:, i]
        out[f"measured_{f}"] = both_measured[:, i]
    return out


def _uses(docs: pd.DataFrame, frames: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per document and frame: whether it uses the frame (``hits_<frame>`` > 0), and whether the frame is measured
    in it (not missing; a column that is absent is not measured anywhere)."""
    uses = np.zeros((len(docs), len(frames)), dtype=bool)
    measured = np.zeros((len(docs), len(frames)), dtype=bool)
    for j, f in enumerate(frames):
        if f"hits_{f}" in docs.columns:
            hits = docs[f"hits_{f}"]
            measured[:, j] = hits.notna().to_numpy(dtype=bool)
            uses[:, j] = hits.to_numpy(dtype=float, na_value=0.0) > 0
    return uses, measured


def _key_codes(docs: pd.DataFrame, comments: pd.DataFrame, is_article: np.ndarray,
               matches: pd.DataFrame | None = None) -> tuple[np.ndarray, ...]:
    """One int64 per document, per comment and per comment's parent, equal exactly when the keys are equal
    (and, given ``matches``, one per match read as a comment's: (thread, comment_id, "comment")).

    Keys are (thread_id, comment_id, doc): a comment's own document is
    (thread, comment_id, "comment"), its parent's (thread, parent_id,
    "article" for a top-level comment, else "comment"). Each key column is
    numbered jointly over the tables it is looked up in, then the three
    numbers are combined into one.
    """
    n_docs, n_comments = len(docs), len(comments)
    extra = [] if matches is None else [matches]
    thread, n_thread = _joint_codes([docs["thread_id"], comments["thread_id"], *(t["thread_id"] for t in extra)])
    comment, n_comment = _joint_codes([docs["comment_id"], comments["comment_id"], comments["parent_id"],
                                       *(t["comment_id"] for t in extra)])
    doc, kinds = pd.factorize(docs["doc"], use_na_sentinel=False)
    kinds = list(kinds)
    # absent from docs: a code no document has
    as_comment = kinds.index("comment") if "comment" in kinds else len(kinds)
    as_article = kinds.index("article") if "article" in kinds else len(kinds) + 1
    n_kind = len(kinds) + 2
    if n_thread * n_comment * n_kind >= 2**62:  # cannot happen for tables that fit in memory
        raise ValueError("reply_pairs: too many distinct keys to number")
    parent_kind = np.where(is_article, as_article, as_comment)
    thread_docs = thread[:n_docs]

    def combine(t, c, k):
        return (t.astype(np.int64) * n_comment + c) * n_kind + k

    thread_comments = thread[n_docs:n_docs + n_comments]
    out = (combine(thread_docs, comment[:n_docs], doc),
           combine(thread_comments, comment[n_docs:n_docs + n_comments], as_comment),
           combine(thread_comments, comment[n_docs + n_comments:n_docs + 2 * n_comments], parent_kind))
    if matches is not None:
        out += (combine(thread[n_docs + n_comments:], comment[n_docs + 2 * n_comments:], as_comment),)
    return out


def _joint_codes(columns: list[pd.Series]) -> tuple[np.ndarray, int]:
    """Codes of the values of several columns numbered together (equal values, equal codes), and how many."""
    codes, uniques = pd.factorize(pd.concat([c.reset_index(drop=True) for c in columns], ignore_index=True),
                                  use_na_sentinel=False)
    return codes.astype(np.int64), len(uniques)


#: The columns of :func:`frame_uptake` (also of its table with no frame).
UPTAKE_COLUMNS = ["kind", "frame", "n_pairs", "n_parent_uses", "n_reply_uses", "n_both", "p_reply_given_parent",
                  "p_reply", "uptake", "ci_low", "ci_high", "unit", "n_boot"]


def frame_uptake(
    pairs: pd.DataFrame,
    *,
    frames: Sequence[str],
    kind: str = "reply",
    min_clusters: int = 10,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Uptake of each frame over pairs of ``kind`` with cluster-bootstrap CIs (threads, else pairs)."""
    sub = pairs[pairs["kind"] == kind].reset_index(drop=True)
    unit, reason = choose_cluster(sub.assign(doc_key=np.arange(len(sub))), preferred="thread_id",
                                  min_clusters=min_clusters)
    codes = cluster_codes(sub.assign(doc_key=np.arange(len(sub))), unit) if len(sub) else np.zeros(0, dtype=int)
    n_c = int(codes.max()) + 1 if len(codes) else 0
    per_frame = []
    for f in frames:
        m = sub[f"measured_{f}"].to_numpy(dtype=float) if f"measured_{f}" in sub.columns else np.ones(len(sub))
        c = sub[f"child_{f}"].to_numpy(dtype=float) * m
        p = sub[f"parent_{f}"].to_numpy(dtype=float) * m
        cols = np.column_stack([c * p, p, c, m])  # a, b, c, d: over the pairs where the frame is measured
        per_frame.append(np.column_stack([np.bincount(codes, weights=col, minlength=n_c) for col in cols.T]) if n_c
                         else np.zeros((0, 4)))
    # one pass of replicates for all frames (the draws of ``seed``, as a call per frame would make): columns are summed
    # independently, and all sums are counts, exact in any order
    all_reps = replicate_sums(np.hstack(per_frame), n_boot=n_boot, seed=seed) if n_c and len(frames) else None
    rows = []
    for i, (f, sums) in enumerate(zip(frames, per_frame)):
        a, b, cc, d = sums.sum(axis=0) if len(sums) else (0.0, 0.0, 0.0, 0.0)
        est = _uptake(np.array([[a, b, cc, d]]))[0]
        if len(sums):
            reps = all_reps[:, 4 * i:4 * i + 4]
            low, high = percentile_interval(_uptake(reps), level)
        else:
            low = high = np.nan
        rows.append({
            "kind": kind, "frame": f, "n_pairs": int(d), "n_parent_uses": int(b), "n_reply_uses": int(cc),
            "n_both": int(a), "p_reply_given_parent": a / b if b else np.nan, "p_reply": cc / d if d else np.nan,
            "uptake": est, "ci_low": low, "ci_high": high, "unit": reason, "n_boot": n_boot,
        })
    return pd.DataFrame(rows, columns=UPTAKE_COLUMNS)  # no frame: no row, the same columns


def _uptake(s: np.ndarray) -> np.ndarray:
    """a/b − c/d per row of [a, b, c, d]; NaN where a denominator is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((s[:, 1] > 0) & (s[:, 3] > 0), s[:, 0] / s[:, 1] - s[:, 2] / s[:, 3], np.nan)


def transition_matrix(pairs: pd.DataFrame, *, frames: Sequence[str], kind: str = "reply") -> pd.DataFrame:
    """P(reply uses G | parent uses F) in long form: parent_frame, reply_frame, n_parent, n_both, probability.

    Over the pairs where every frame is measured in both documents ("no frame" needs all of them)."""
    if not len(frames):  # no frame dictionary: nothing transits (a lone "(no frame)" cell would say nothing)
        return pd.DataFrame(columns=["kind", "parent_frame", "reply_frame", "n_parent", "n_both", "probability"])
    sub = pairs[pairs["kind"] == kind]
    measured = [f"measured_{f}" for f in frames if f"measured_{f}" in sub.columns]
    if measured:
        sub = sub[sub[measured].all(axis=1)]
    parent = np.column_stack([sub[f"parent_{f}"].to_numpy(bool) for f in frames])
    child = np.column_stack([sub[f"child_{f}"].to_numpy(bool) for f in frames])
    parent = np.column_stack([parent, ~parent.any(axis=1)])
    child = np.column_stack([child, ~child.any(axis=1)])
    both = _co_occurrences(parent, child)
    n_parent = parent.sum(axis=0)
    labels = list(frames) + [NONE]
    rows = []
    for i, pf in enumerate(labels):
        for j, cf in enumerate(labels):
            rows.append({"kind": kind, "parent_frame": pf, "reply_frame": cf, "n_parent": int(n_parent[i]),
                         "n_both": int(both[i, j]), "probability": both[i, j] / n_parent[i] if n_parent[i] else np.nan})
    return pd.DataFrame(rows)


def _co_occurrences(parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """``parent.T @ child`` for boolean matrices, as int64: rows where column i of one and j of the other are set.

    Row i counts the children of the rows whose parent column i is set (a
    selection and a column count per parent column), instead of numpy's
    integer matrix product, which has no fast kernel.
    """
    both = np.zeros((parent.shape[1], child.shape[1]), dtype=np.int64)
    for i in range(parent.shape[1]):
        both[i] = np.count_nonzero(child[parent[:, i]], axis=0)
    return both


USE_KINDS = ("adopted", "copied", "contested")


def frame_uses(matches: pd.DataFrame, docs: pd.DataFrame, comments: pd.DataFrame, *,
               frames: Sequence[str]) -> pd.DataFrame:
    """Per frame: adopted, copied and contested uses in the article, in the comments, and in replies to a parent
    that uses the frame.

    ``matches`` has the document keys, ``frame``, ``quoted``, ``negated`` and
    ``in_quote`` (every match, counted or not); ``docs`` the document keys
    and ``hits_<frame>`` (counted, own-word hits; only whether > 0 is read); ``comments`` ``thread_id``,
    ``comment_id``, ``parent_id``. One row per (frame, ``where``): "article",
    "comments", "reply to a user" (a comment whose parent comment, or for a
    top-level comment the article, uses the frame in its own words), with
    ``n_adopted``, ``n_copied``, ``n_contested``, ``n_uses`` and each share
    of uses. Higher ``share_copied`` means the frame circulates by quoting
    rather than by being taken up; higher ``share_contested``, by being
    disputed. Caveat: negation and quotation marks are cues, not a parse: "not
    only a civil war" counts as contested.
    """
    frames = list(frames)
    m = matches[matches["frame"].isin(frames)]
    kind = np.where(m["in_quote"].to_numpy(bool), 1,  # USE_KINDS: adopted 0, copied 1, contested 2
                    np.where(m["quoted"].to_numpy(bool) | m["negated"].to_numpy(bool), 2, 0))
    is_article = (m["doc"] == "article").to_numpy(bool)
    is_comment = (m["doc"] == "comment").to_numpy(bool)
    distinct = list(dict.fromkeys(frames))
    reply_to_user = is_comment & _parent_uses(m, docs, comments, frames=distinct)
    frame_at = pd.Index(distinct).get_indexer(m["frame"])
    rows = []
    counts = {where: np.bincount(frame_at[mask] * len(USE_KINDS) + kind[mask],
                                 minlength=len(distinct) * len(USE_KINDS)).reshape(len(distinct), len(USE_KINDS))
              for where, mask in (("article", is_article), ("comments", is_comment),
                                  ("reply to a user", reply_to_user))}
    for f in frames:
        for where, c in counts.items():
            n = dict(zip(USE_KINDS, (int(v) for v in c[distinct.index(f)])))
            total = sum(n.values())
            rows.append({"frame": f, "where": where, **{f"n_{k}": v for k, v in n.items()}, "n_uses": total,
                         **{f"share_{k}": v / total if total else np.nan for k, v in n.items()}})
    return pd.DataFrame(rows, columns=["frame", "where", *(f"n_{k}" for k in USE_KINDS), "n_uses",
                                       *(f"share_{k}" for k in USE_KINDS)])  # no frame: no row, the same columns


def _parent_uses(m: pd.DataFrame, docs: pd.DataFrame, comments: pd.DataFrame, *, frames: list[str]) -> np.ndarray:
    """For each row of ``m`` (document keys and ``frame``) read as a comment's match: whether the comment's parent
    (its parent comment, or the article for a top-level comment) uses the frame in its own words (``hits_<frame>``
    > 0). False where the comment or its parent has no row, or docs no ``hits_`` column for the frame.

    Keys are looked up as integer codes (:func:`_key_codes`), not by merging string columns: the
    matches table is the largest the rule reads.
    """
    is_top = (comments["parent_id"] == "").to_numpy()
    doc_code, child_code, parent_code, match_code = _key_codes(docs, comments, is_top, matches=m)
    comment_index = pd.Index(child_code)
    if not comment_index.is_unique:
        raise ValueError("comments: expected one row per (thread_id, comment_id); some key occurs twice")
    comment_at = comment_index.get_indexer(match_code)
    has_comment = comment_at >= 0
    parent_at = np.full(len(m), -1)
    doc_index = pd.Index(doc_code)
    if not doc_index.is_unique:
        raise ValueError("docs: expected one row per (thread_id, comment_id, doc); some key occurs twice")
    parent_at[has_comment] = doc_index.get_indexer(parent_code[comment_at[has_comment]])
    uses = np.zeros((len(docs) + 1, len(frames)), dtype=bool)  # the last row, no use: for "no parent" (-1)
    uses[:-1] = _uses(docs, frames)[0]  # a frame not measured in the parent is not used there
    frame_at = pd.Index(frames).get_indexer(m["frame"]) if len(frames) else np.zeros(len(m), dtype=np.int64)
    return uses[parent_at, frame_at]


def frame_dynamics(docs: pd.DataFrame, comments: pd.DataFrame, *, frames: Sequence[str], min_clusters: int, n_boot: int,
                   seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Rule frame_dynamics: the reply pairs (:func:`reply_pairs`), then each frame's uptake (:func:`frame_uptake`)
    and the transition matrix (:func:`transition_matrix`), over reply pairs and then article pairs.

    Returns ``(pairs, uptake, transitions)``.
    """
    pairs = reply_pairs(docs, comments, frames=frames)
    common = dict(frames=frames, min_clusters=min_clusters, n_boot=n_boot, seed=seed)
    uptake = pd.concat([frame_uptake(pairs, kind=k, **common) for k in ("reply", "article")], ignore_index=True)
    transitions = pd.concat([transition_matrix(pairs, frames=frames, kind=k) for k in ("reply", "article")],
                            ignore_index=True)
    return pairs, uptake, transitions
