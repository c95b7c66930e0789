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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.frame_measures import _cluster_codes, choose_cluster
from analysis.stats import percentile_interval, replicate_sums

__all__ = ["reply_pairs", "frame_uptake", "transition_matrix"]

NONE = "(no frame)"


def reply_pairs(docs: pd.DataFrame, comments: pd.DataFrame, *, frames: Sequence[str]) -> pd.DataFrame:
    """One row per reply: thread, kind ('reply' or 'article'), and which frames child and parent use.

    ``docs`` has ``thread_id``, ``comment_id``, ``doc`` and ``hits_<frame>``;
    ``comments`` has ``thread_id``, ``comment_id``, ``parent_id``. Pairs whose
    child or parent has no tokens (no row in ``docs``) are left out.
    """
    uses = docs.set_index(["thread_id", "comment_id", "doc"])[[f"hits_{f}" for f in frames]].gt(0)
    child = comments[["thread_id", "comment_id", "parent_id"]].copy()
    child["parent_doc"] = np.where(child["parent_id"] == "", "article", "comment")
    child_uses = uses.reindex(pd.MultiIndex.from_arrays([child["thread_id"], child["comment_id"], ["comment"] * len(child)]))
    parent_uses = uses.reindex(pd.MultiIndex.from_arrays([child["thread_id"], child["parent_id"], child["parent_doc"]]))
    ok = child_uses.notna().all(axis=1).to_numpy() & parent_uses.notna().all(axis=1).to_numpy()
    out = pd.DataFrame({"thread_id": child["thread_id"].to_numpy()[ok], "kind": np.where(child["parent_doc"] == "article", "article", "reply")[ok]})
    for f in frames:
        out[f"child_{f}"] = child_uses[f"hits_{f}"].to_numpy()[ok].astype(bool)
        out[f"parent_{f}"] = parent_uses[f"hits_{f}"].to_numpy()[ok].astype(bool)
    return out


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
    unit, reason = choose_cluster(sub.assign(doc_key=np.arange(len(sub))), preferred="thread_id", min_clusters=min_clusters)
    codes = _cluster_codes(sub.assign(doc_key=np.arange(len(sub))), unit) if len(sub) else np.zeros(0, dtype=int)
    rows = []
    for f in frames:
        c = sub[f"child_{f}"].to_numpy(dtype=float)
        p = sub[f"parent_{f}"].to_numpy(dtype=float)
        cols = np.column_stack([c * p, p, c, np.ones_like(c)])  # a, b, c, d
        sums = np.zeros((int(codes.max()) + 1 if len(codes) else 0, 4))
        np.add.at(sums, codes, cols)
        a, b, cc, d = sums.sum(axis=0) if len(sums) else (0.0, 0.0, 0.0, 0.0)
        est = _uptake(np.array([[a, b, cc, d]]))[0]
        if len(sums):
            reps = replicate_sums(sums, n_boot=n_boot, seed=seed)
            low, high = percentile_interval(_uptake(reps), level)
        else:
            low = high = np.nan
        rows.append({
            "kind": kind, "frame": f, "n_pairs": int(d), "n_parent_uses": int(b), "n_reply_uses": int(cc),
            "n_both": int(a), "p_reply_given_parent": a / b if b else np.nan, "p_reply": cc / d if d else np.nan,
            "uptake": est, "ci_low": low, "ci_high": high, "unit": reason, "n_boot": n_boot,
        })
    return pd.DataFrame(rows)


def _uptake(s: np.ndarray) -> np.ndarray:
    """a/b − c/d per row of [a, b, c, d]; NaN where a denominator is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((s[:, 1] > 0) & (s[:, 3] > 0), s[:, 0] / s[:, 1] - s[:, 2] / s[:, 3], np.nan)


def transition_matrix(pairs: pd.DataFrame, *, frames: Sequence[str], kind: str = "reply") -> pd.DataFrame:
    """P(reply uses G | parent uses F) in long form: parent_frame, reply_frame, n_parent, n_both, probability."""
    sub = pairs[pairs["kind"] == kind]
    parent = np.column_stack([sub[f"parent_{f}"].to_numpy(bool) for f in frames]) if len(frames) else np.zeros((len(sub), 0), bool)
    child = np.column_stack([sub[f"child_{f}"].to_numpy(bool) for f in frames]) if len(frames) else np.zeros((len(sub), 0), bool)
    parent = np.column_stack([parent, ~parent.any(axis=1)])
    child = np.column_stack([child, ~child.any(axis=1)])
    both = parent.T.astype(int) @ child.astype(int)
    n_parent = parent.sum(axis=0)
    labels = list(frames) + [NONE]
    rows = []
    for i, pf in enumerate(labels):
        for j, cf in enumerate(labels):
            rows.append({"kind": kind, "parent_frame": pf, "reply_frame": cf, "n_parent": int(n_parent[i]),
                         "n_both": int(both[i, j]), "probability": both[i, j] / n_parent[i] if n_parent[i] else np.nan})
    return pd.DataFrame(rows)
