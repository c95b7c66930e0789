"""Incivility in replies: is a reply across group lines more uncivil than one within a group?

Incivility is counted with a dictionary (``data/lexicons/incivility.yaml``:
name-calling, vulgarity, aspersion, lying, pejoratives for speech, after the
categories Coe, Kenski and Rains coded in news-site comments,
coe2014online) as counted hits of its frame ``incivility`` per reply. A
reply is *cross-group* when its author and the author of the comment it
answers belong to different groups (sides of a debate, stance labels from
:mod:`analysis.stance`, ...), *same-group* when they belong to the same one;
when either group is unknown the reply is excluded (and counted as such).

Two measures per reply type, each a ratio of sums over replies:

- **rate**: uncivil hits per 1,000 word tokens of the replies (long
  replies weigh more, as in every rate of :mod:`analysis.frame_rates`);
- **share**: the share of replies with at least one uncivil hit (every reply
  weighs the same).

and their **difference** (cross − same). Uncertainty: 95% percentile
intervals from a cluster bootstrap that resamples whole threads (replies in
one thread are not independent: they answer each other and share authors),
falling back to single replies when there are fewer than ``min_clusters``
threads (:func:`analysis.frame_rates.choose_cluster`); the ``unit`` column
says which and why. The interval of the difference comes from the *same*
replicates as the two groups' intervals (:func:`analysis.stats.replicate_sums`
with the same seed), so both groups use identical resampling weights in every
replicate and the difference keeps their covariance within threads.

References (bibtex keys): coe2014online (incivility in news comments),
field2007bootstrapping (cluster bootstrap), efron1994bootstrap (percentile
interval).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import bad_value
from analysis.frame_rates import choose_cluster
from analysis.stats import cluster_bootstrap_ratio, percentile_interval, replicate_sums

__all__ = ["REPLY_TYPES", "incivility_by_reply_type"]

#: Row labels of :func:`incivility_by_reply_type`, in order.
REPLY_TYPES = ("cross-group", "same-group", "difference")

_PAIR_COLUMNS = ["thread_id", "cross_group", "child_uncivil_hits", "child_tokens"]
_OUT_COLUMNS = [
    "reply_type", "n_replies", "n_uncivil", "hits", "tokens", "rate", "rate_low", "rate_high",
    "share", "share_low", "share_high", "n_clusters", "unit", "n_boot", "n_excluded",
]


def _known_groups(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(known, cross) boolean arrays: which replies have both groups known, and which of those are cross-group."""
    raw = values.astype(object).to_numpy()
    known = ~pd.isna(values).to_numpy()
    cross = np.zeros(len(raw), dtype=bool)
    for i in np.flatnonzero(known):
        v = raw[i]
        if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1)):
            cross[i] = bool(v)
        else:
            raise bad_value("pairs.cross_group", v,
                            "True, False (or 1/0), or missing (NaN/None) when a group is unknown")
    return known, cross


def _counts(pairs: pd.DataFrame, name: str) -> np.ndarray:
    v = pd.to_numeric(pairs[name], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(v).all() or (v < 0).any() or (v != np.round(v)).any():
        raise ValueError(f"pairs.{name}: expected whole numbers >= 0 in every row")
    return v


def _no_ci_for_few(low, high, n_clusters):
    """No interval from fewer than two clusters: resampling one cluster returns it unchanged."""
    few = np.asarray(n_clusters) < 2
    return np.where(few, np.nan, low), np.where(few, np.nan, high)


def incivility_by_reply_type(
    pairs: pd.DataFrame,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    min_clusters: int = 10,
    level: float = 0.95,
) -> pd.DataFrame:
    """Incivility of cross-group vs same-group replies, with cluster-bootstrap intervals.

    ``pairs`` has one row per reply: ``thread_id``; ``cross_group`` (True when
    the reply's author and the parent's author are in different groups, False
    when in the same group, missing (NaN/None/``pd.NA``) when either group is
    unknown: such replies are excluded and counted in ``n_excluded``);
    ``child_uncivil_hits`` (counted hits of the frame ``incivility`` in the
    reply, a whole number) and ``child_tokens`` (its word tokens).

    Returns three rows, ``reply_type`` = ``cross-group``, ``same-group`` and
    ``difference`` (cross − same), with columns:

    - ``n_replies``, ``n_uncivil`` (replies with >= 1 hit), ``hits``,
      ``tokens`` (nullable integers; missing on the ``difference`` row, where
      ``n_replies`` is the number of replies compared);
    - ``rate``: hits per 1,000 word tokens, pooled over the group's replies,
      with ``rate_low`` / ``rate_high`` (percentile interval at ``level``);
    - ``share``: share of replies with at least one uncivil hit, with
      ``share_low`` / ``share_high``;
    - ``n_clusters``: clusters (threads, or replies) that hold replies of the
      group (of either group on the ``difference`` row); fewer than 2 gives
      no interval;
    - ``unit``: the resampling unit and why (threads, or single replies when
      there are fewer than ``min_clusters`` threads); ``n_boot``;
      ``n_excluded``: replies left out because a group is unknown.

    Meaning: whether replies that cross group lines are more uncivil than
    replies within a group. Higher means: a higher ``rate`` or ``share`` is
    more incivility; a positive ``difference`` is more incivility across
    groups, and an interval excluding 0 says the difference is larger than
    between-thread resampling variation.

    Caveats: a dictionary count, not a judgement of civility (sarcasm,
    quoted insults, insults without listed words and banter among friends are
    all misread; see ``data/lexicons/STANCE_INCIVILITY.md``); an association,
    not an effect (in CreateDebate a reply marked "disputed" is placed on the
    opposing side by the site, so cross-side replies are mostly disagreements
    by design); the group of a reply's author may itself come from the text
    (e.g. a stance label), which ties the two measures together; few threads
    give too-narrow intervals (field2007bootstrapping). Replies with 0 tokens
    count for ``share`` but not for ``rate``.

    References: coe2014online, field2007bootstrapping, efron1994bootstrap.
    """
    missing = [c for c in _PAIR_COLUMNS if c not in pairs.columns]
    if missing:
        raise ValueError(f"pairs: missing column(s) {missing}; has {list(pairs.columns)}")
    if isinstance(min_clusters, bool) or not isinstance(min_clusters, (int, np.integer)) or min_clusters < 1:
        raise bad_value("min_clusters", min_clusters, "an integer >= 1")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise bad_value("n_boot", n_boot, "an integer >= 1")
    known, cross = _known_groups(pairs["cross_group"])
    hits_all = _counts(pairs, "child_uncivil_hits")
    tokens_all = _counts(pairs, "child_tokens")
    n_excluded = int((~known).sum())

    sub = pairs.loc[known, ["thread_id"]].reset_index(drop=True)
    is_cross = cross[known]
    hits, tokens = hits_all[known], tokens_all[known]
    sub["doc_key"] = np.arange(len(sub))
    unit, reason = choose_cluster(sub, preferred="thread_id", min_clusters=min_clusters)
    codes = np.arange(len(sub)) if unit == "doc_key" else pd.factorize(sub["thread_id"].astype(str), sort=True)[0]
    n_c = int(codes.max()) + 1 if len(codes) else 0

    # per-cluster sums; columns: hits, tokens, uncivil replies, replies -- cross-group, then same-group
    uncivil = (hits > 0).astype(float)
    cols = []
    for mask in (is_cross, ~is_cross):
        for v in (hits, tokens, uncivil, np.ones(len(sub))):
            cols.append(np.bincount(codes, weights=np.where(mask, v, 0.0), minlength=n_c))
    sums = np.column_stack(cols) if n_c else np.zeros((0, 8))
    total = sums.sum(axis=0)
    groups_per_cluster = np.column_stack([sums[:, 3] > 0, sums[:, 7] > 0]) if n_c else np.zeros((0, 2), bool)
    n_clusters = [int(groups_per_cluster[:, 0].sum()), int(groups_per_cluster[:, 1].sum()),
                  int(groups_per_cluster.any(axis=1).sum())]

    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.array([1000.0 * total[0] / total[1] if total[1] else np.nan,
                         1000.0 * total[4] / total[5] if total[5] else np.nan])
        share = np.array([total[2] / total[3] if total[3] else np.nan, total[6] / total[7] if total[7] else np.nan])
    rate_ci = share_ci = (np.full(2, np.nan), np.full(2, np.nan))
    diff_ci = {"rate": (np.nan, np.nan), "share": (np.nan, np.nan)}
    if n_c:
        r = cluster_bootstrap_ratio(sums[:, [0, 4]], sums[:, [1, 5]], n_boot=n_boot, seed=seed, level=level,
                                    scale=1000.0)
        s = cluster_bootstrap_ratio(sums[:, [2, 6]], sums[:, [3, 7]], n_boot=n_boot, seed=seed, level=level)
        rate_ci = _no_ci_for_few(r["ci_low"].to_numpy(), r["ci_high"].to_numpy(), n_clusters[:2])
        share_ci = _no_ci_for_few(s["ci_low"].to_numpy(), s["ci_high"].to_numpy(), n_clusters[:2])
        # the same replicates (same seed, same clusters) for both groups: their difference per replicate
        reps = replicate_sums(sums, n_boot=n_boot, seed=seed)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate_reps = 1000.0 * (_ratio(reps[:, 0], reps[:, 1]) - _ratio(reps[:, 4], reps[:, 5]))
            share_reps = _ratio(reps[:, 2], reps[:, 3]) - _ratio(reps[:, 6], reps[:, 7])
        if min(n_clusters[:2]) >= 2:
            diff_ci = {"rate": percentile_interval(rate_reps, level), "share": percentile_interval(share_reps, level)}

    na = pd.NA
    out = pd.DataFrame(
        {
            "reply_type": list(REPLY_TYPES),
            "n_replies": pd.array([int(total[3]), int(total[7]), int(total[3] + total[7])] if n_c else [0, 0, 0],
                                  dtype="Int64"),
            "n_uncivil": pd.array([int(total[2]), int(total[6]), na] if n_c else [0, 0, na], dtype="Int64"),
            "hits": pd.array([int(total[0]), int(total[4]), na] if n_c else [0, 0, na], dtype="Int64"),
            "tokens": pd.array([int(total[1]), int(total[5]), na] if n_c else [0, 0, na], dtype="Int64"),
            "rate": [rate[0], rate[1], rate[0] - rate[1]],
            "rate_low": [rate_ci[0][0], rate_ci[0][1], diff_ci["rate"][0]],
            "rate_high": [rate_ci[1][0], rate_ci[1][1], diff_ci["rate"][1]],
            "share": [share[0], share[1], share[0] - share[1]],
            "share_low": [share_ci[0][0], share_ci[0][1], diff_ci["share"][0]],
            "share_high": [share_ci[1][0], share_ci[1][1], diff_ci["share"][1]],
            "n_clusters": n_clusters,
            "unit": reason,
            "n_boot": n_boot,
            "n_excluded": n_excluded,
        }
    )
    float_cols = ["rate", "rate_low", "rate_high", "share", "share_low", "share_high"]
    out[float_cols] = out[float_cols].astype(float)
    return out[_OUT_COLUMNS]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den per replicate; NaN where the denominator is 0 (the group was not drawn)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
