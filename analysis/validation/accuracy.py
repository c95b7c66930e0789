"""Accuracy of the dictionary: precision, recall and F1 with bootstrap intervals, and the errors to read.

The dictionary's decision (a document has a counted match of the frame) is
compared with gold labels: adjudicated hand codes
(:func:`analysis.validation.codes.adjudicate`) by :func:`by_frame`, or a
label column already in the data by :func:`compare_to_labels`.
:func:`worst_errors` lists the false positives and false negatives to read.
A metric is NaN when it is undefined (no predicted or no gold positive),
never 0 or 1 by convention. Texts are returned unchanged and are untrusted.

References: efron1994bootstrap, field2007bootstrapping, card2015media.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.errors import bad_value, int_arg, level_arg
from analysis.stats import percentile_interval, replicate_sums
from analysis.validation.codes import parse_code
from analysis.validation.common import KEYS, key_frame, names_arg, require

__all__ = [
    "ALL",
    "METRIC_COLUMNS",
    "precision_recall",
    "by_frame",
    "confusion",
    "document_predictions",
    "compare_to_labels",
    "worst_errors",
]

#: Columns of :func:`by_frame` after ``frame`` (also the keys of :func:`precision_recall`).
METRIC_COLUMNS = [
    "n", "n_unlabelled", "support", "n_predicted", "tp", "fp", "fn", "tn",
    "precision", "precision_low", "precision_high", "recall", "recall_low", "recall_high",
    "f1", "f1_low", "f1_high", "n_clusters", "n_boot", "confidence",
]


def _binary(x, name: str, *, allow_missing: bool) -> np.ndarray:
    """A float array of 0.0/1.0, NaN where missing (an error unless ``allow_missing``)."""
    s = x if isinstance(x, pd.Series) else pd.Series(list(np.asarray(x, dtype=object).reshape(-1)), dtype=object)
    if pd.api.types.is_numeric_dtype(s.dtype):  # bool, int, float and their nullable forms
        vals = s.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        parsed = [float(v) if isinstance(v, (bool, np.bool_)) else parse_code(v) for v in s.tolist()]
        vals = np.array([np.inf if v is None else v for v in parsed], dtype=np.float64)
    bad = ~np.isnan(vals) & ~np.isin(vals, (0.0, 1.0))
    if bad.any():
        raise bad_value(name, s.iloc[int(np.flatnonzero(bad)[0])], "0/1 or booleans (missing allowed only for gold)")
    if not allow_missing and np.isnan(vals).any():
        raise bad_value(name, "<missing value>", "a decision for every item (no missing values)")
    return vals


def _decisions(predicted, gold) -> tuple[np.ndarray, np.ndarray]:
    """``predicted`` (no missing value) and ``gold`` (NaN where missing) as float arrays of 0/1, checked to pair up."""
    if isinstance(predicted, pd.Series) and isinstance(gold, pd.Series) and not predicted.index.equals(gold.index):
        raise bad_value("gold", "<Series>", "a Series with the same index as predicted (align them first)")
    pred = _binary(predicted, "predicted", allow_missing=False)
    g = _binary(gold, "gold", allow_missing=True)
    if len(pred) != len(g):
        raise bad_value("gold", f"<{len(g)} items>", f"one label per predicted item ({len(pred)})")
    return pred, g


def _metrics(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 from rows (tp, fp, fn, ...); NaN where undefined."""
    tp, fp, fn = sums[:, 0], sums[:, 1], sums[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        r = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    return p, r, f


def precision_recall(
    predicted,
    gold,
    *,
    weights=None,
    clusters=None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict:
    """Precision, recall and F1 of binary decisions against gold labels, with bootstrap intervals.

    ``predicted`` (the dictionary's decision) and ``gold`` are 0/1 or
    boolean, one per item: pandas Series with the same index, or arrays of
    equal length. ``predicted`` has no missing value; items whose ``gold``
    is missing (a tie, not coded, unlabelled) are left out and counted in
    ``n_unlabelled``. With tp, fp, fn, tn the counts of (predicted, gold) =
    (1,1), (1,0), (0,1), (0,0)::

        precision = tp / (tp + fp)   recall = tp / (tp + fn)   F1 = 2 tp / (2 tp + fp + fn)

    ``weights`` (optional, >= 0, one per item) makes every count a weighted
    sum, e.g. the sampling weights of :func:`analysis.validation.sampling.draw_coding_sample`, which
    estimate the corpus-wide counts from a stratified sample.

    Intervals: percentile bootstrap (:func:`analysis.stats.replicate_sums`,
    same seed -> same replicates). The resampled unit is the item, or the
    cluster when ``clusters`` (one label per item, e.g. thread ids or the
    source article of a sentence) is given: items of one thread are not
    independent. ``n_boot=0`` gives no interval (NaN bounds).

    Returns a dict with the keys of :data:`METRIC_COLUMNS`: ``n`` (items with
    gold), ``n_unlabelled``, ``support`` (gold positives, tp + fn),
    ``n_predicted`` (tp + fp), ``tp``, ``fp``, ``fn``, ``tn`` (ints, or
    weighted sums with ``weights``), each metric with ``_low``/``_high``,
    ``n_clusters``, ``n_boot``, ``confidence``.

    Higher means: precision, the share of the dictionary's hits that people
    call the frame; recall, the share of the frame's texts that the
    dictionary finds; F1, their harmonic mean.

    Caveats: a metric is NaN when its denominator is 0 (no predicted or no
    gold positive), never 0 by convention; replicates where it is undefined
    are ignored. The bootstrap is not stratified: with ``weights`` from a
    stratified sample, replicates vary the strata's sizes too, which widens
    the intervals somewhat. F1 ignores true negatives, so it depends on the
    base rate.

    References: efron1994bootstrap, field2007bootstrapping (clusters),
    card2015media.
    """
    n_boot = int_arg("n_boot", n_boot, minimum=0)
    seed = int_arg("seed", seed, minimum=0)
    confidence = level_arg(confidence, name="confidence")
    pred, g = _decisions(predicted, gold)
    w = np.ones(len(pred))
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
        if len(w) != len(pred) or not np.isfinite(w).all() or (w < 0).any():
            raise bad_value("weights", f"<{len(w)} values>", f"{len(pred)} finite weights >= 0")
    if clusters is not None:
        cl = np.asarray(clusters, dtype=object).reshape(-1)
        if len(cl) != len(pred):
            raise bad_value("clusters", f"<{len(cl)} labels>", f"one cluster label per item ({len(pred)})")
        codes, _ = pd.factorize(pd.Series(cl))
        if (codes < 0).any():
            raise bad_value("clusters", "<missing label>", "a cluster label for every item")
    else:
        codes = np.arange(len(pred))
    keep = ~np.isnan(g)
    pred, g, w, codes = pred[keep], g[keep], w[keep], codes[keep]
    cells = np.column_stack([pred * g, pred * (1 - g), (1 - pred) * g, (1 - pred) * (1 - g)]) * w[:, None]
    totals = cells.sum(axis=0)
    p, r, f = (float(v[0]) for v in _metrics(totals[None, :]))
    as_count = (lambda v: int(round(v))) if weights is None else float
    _, dense = np.unique(codes, return_inverse=True) if len(codes) else (None, codes)
    n_clusters = int(dense.max()) + 1 if len(dense) else 0
    out = {
        "n": int(keep.sum()), "n_unlabelled": int((~keep).sum()),
        "support": as_count(totals[0] + totals[2]), "n_predicted": as_count(totals[0] + totals[1]),
        "tp": as_count(totals[0]), "fp": as_count(totals[1]), "fn": as_count(totals[2]), "tn": as_count(totals[3]),
        "precision": p, "precision_low": np.nan, "precision_high": np.nan,
        "recall": r, "recall_low": np.nan, "recall_high": np.nan,
        "f1": f, "f1_low": np.nan, "f1_high": np.nan,
        "n_clusters": n_clusters, "n_boot": n_boot, "confidence": confidence,
    }
    if n_boot and n_clusters:
        per_cluster = np.zeros((n_clusters, 4))
        np.add.at(per_cluster, dense, cells)
        reps = replicate_sums(per_cluster, n_boot=n_boot, seed=seed)
        for name, values in zip(("precision", "recall", "f1"), _metrics(reps)):
            if np.isfinite(values).any():
                out[f"{name}_low"], out[f"{name}_high"] = percentile_interval(values, level=confidence)
    return out


def by_frame(
    table: pd.DataFrame,
    *,
    predicted: str = "dict_label",
    gold: str = "gold",
    frame: str = "frame",
    weights: str | None = None,
    clusters: str | None = None,
    by: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`precision_recall` for each frame of a long table (one row per item), as a tidy table.

    ``table`` has one row per (frame, item) with the columns named by
    ``frame``, ``predicted`` and ``gold`` (e.g. a coding sample merged with
    :func:`analysis.validation.codes.adjudicate`), and optionally ``weights`` and ``clusters`` columns
    (e.g. ``weights="weight"``, ``clusters="thread_id"``). Returns one row
    per frame, in order of first appearance: ``frame`` then
    :data:`METRIC_COLUMNS`. Every frame is bootstrapped with the same
    ``seed``.

    ``by`` (optional) names a column of ``table``, e.g. ``"language"``:
    each frame's row over all its items (``by`` value :data:`ALL`) is then
    followed by one row per value of that column (sorted; missing values
    as ``und``), each :func:`precision_recall` of those items alone (same
    seed), and the table has the column ``by`` after ``frame``. With the
    sampling weights of a sample stratified by language, each language's
    rows estimate that language's documents.
    """
    cols = [frame, predicted, gold] + [c for c in (weights, clusters, by) if c is not None]
    require(table, "table", cols)
    rows = []
    for name in pd.unique(table[frame]):
        part = table[table[frame] == name]
        for value, sub in _parts(part, by):
            res = precision_recall(sub[predicted].reset_index(drop=True), sub[gold].reset_index(drop=True),
                                   weights=None if weights is None else sub[weights].to_numpy(),
                                   clusters=None if clusters is None else sub[clusters].to_numpy(),
                                   n_boot=n_boot, seed=seed, confidence=confidence)
            rows.append({"frame": name, **({by: value} if by else {}), **res})
    return pd.DataFrame(rows, columns=["frame"] + ([by] if by else []) + METRIC_COLUMNS)


#: The ``by`` value of a frame's row over all its items (:func:`by_frame`, :func:`compare_to_labels`).
ALL = "all"


def _parts(part: pd.DataFrame, by: str | None):
    """``(value, rows)``: all of ``part`` (value :data:`ALL`), then, with ``by``, its rows of each value of that
    column (sorted; missing as ``und``)."""
    yield ALL, part
    if by:
        values = part[by].astype(object).where(part[by].notna(), "und").astype(str)
        for value in sorted(set(values)):
            yield value, part[(values == value).to_numpy()]


def confusion(predicted, gold) -> pd.DataFrame:
    """The 2 x 2 confusion table: rows gold 0/1, columns predicted 0/1, item counts.

    Items with a missing gold label are left out (as in
    :func:`precision_recall`). Cell (gold=1, predicted=1) is tp, (0, 1) fp,
    (1, 0) fn, (0, 0) tn.
    """
    pred, g = _decisions(predicted, gold)
    keep = ~np.isnan(g)
    counts = np.zeros((2, 2), dtype=np.int64)
    np.add.at(counts, (g[keep].astype(int), pred[keep].astype(int)), 1)
    return pd.DataFrame(counts, index=pd.Index([0, 1], name="gold"), columns=pd.Index([0, 1], name="predicted"))


def document_predictions(docs: pd.DataFrame, matches: pd.DataFrame, *, frames: Sequence[str]) -> pd.DataFrame:
    """The dictionary's decision per document: counted matches of each frame.

    One row per row of ``docs`` (columns thread_id, comment_id, doc; order
    kept) with ``hits_<frame>``: the number of *counted* matches of that
    frame in ``matches`` (:func:`analysis.matcher.match_frames`). The
    dictionary says the document has the frame when ``hits_<frame> > 0``.
    The same columns as :func:`analysis.framing.doc_frame_counts`, which
    can be passed to :func:`compare_to_labels` instead.
    """
    require(docs, "docs", KEYS)
    require(matches, "matches", KEYS + ["frame", "counted"])
    frames = names_arg("frames", frames, what="frame")
    out = key_frame(docs).reset_index(drop=True)
    m = matches.loc[matches["counted"].astype(bool) & matches["frame"].isin(frames), KEYS + ["frame"]].astype(str)
    hits = m.groupby(KEYS + ["frame"]).size().unstack("frame", fill_value=0) if len(m) else pd.DataFrame(
        index=pd.MultiIndex.from_arrays([[], [], []], names=KEYS))
    hits = hits.reindex(columns=frames, fill_value=0).add_prefix("hits_")
    out = out.merge(hits, left_on=KEYS, right_index=True, how="left")
    cols = [f"hits_{f}" for f in frames]
    out[cols] = out[cols].fillna(0).astype("int64")
    return out


def _code_set(value) -> list[str]:
    values = [value] if isinstance(value, (str, int, np.integer)) else list(value)
    return [str(v).strip() for v in values]


def compare_to_labels(
    doc_predictions: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    mapping: Mapping[str, object],
    label_column: str = "label",
    clusters: str | None = None,
    by: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Precision, recall and F1 of the dictionary against a label column already in the data.

    ``doc_predictions`` has the document keys and ``hits_<frame>`` columns
    (:func:`document_predictions`, or the documents table of
    :func:`analysis.framing.score_frames`); ``labels`` has thread_id,
    comment_id, optionally doc (default ``"comment"``) and ``label_column``
    (e.g. a corpus's annotation kept as comment metadata). ``mapping`` maps
    each frame to the label value, or list of values, that means it (e.g.
    ``{"security_defense": "8", "legality_crime": ["5", "7"]}``); values are
    compared as text with surrounding spaces removed, so ``8`` and ``"8"``
    are the same.

    For frame f: gold = the label is one of mapping[f]; predicted =
    ``hits_f > 0``. Every labelled document is an item; a labelled document
    missing from ``doc_predictions`` (no word tokens) is predicted 0. A blank
    or missing label is *unlabelled* and left out (``n_unlabelled``).
    ``clusters`` names a column of ``labels`` to resample (e.g. the source
    article of each sentence).

    A document whose ``hits_f`` is *missing* in ``doc_predictions`` (its
    language has no dictionary of f: not measured, see
    :func:`analysis.framing.mark_not_measured`) is no item of f: it is left
    out, never predicted 0.

    Returns ``frame``, ``codes`` (the mapped values, ``"; "``-joined) and
    :data:`METRIC_COLUMNS`, one row per frame of ``mapping``. With ``by``
    (a column of ``labels``, e.g. ``"language"``), each frame's row
    (``by`` value :data:`ALL`) is followed by one per value of that column
    among the frame's measured documents, as in :func:`by_frame` (a
    language where the frame is not measured has no row).

    Caveats: a single-label annotation (one label per text) makes every
    other frame's "gold" 0 even when the text also uses it, so precision
    against it is a lower bound when texts can carry several frames.

    References: card2015media, guida2025frac.
    """
    if not isinstance(mapping, Mapping) or not mapping:
        raise bad_value("mapping", mapping, "a non-empty dict frame -> label value(s)")
    frames = names_arg("mapping", list(mapping), what="frame")
    require(doc_predictions, "doc_predictions", ["thread_id", "comment_id"] + [f"hits_{f}" for f in frames])
    require(labels, "labels", ["thread_id", "comment_id", label_column] + [c for c in (clusters, by) if c])
    lab = labels[["thread_id", "comment_id"]].astype(str).reset_index(drop=True)
    lab["doc"] = labels["doc"].astype(str).to_numpy() if "doc" in labels.columns else "comment"
    raw = labels[label_column].reset_index(drop=True)
    lab["_label"] = raw.where(raw.notna(), "").astype(str).str.strip()
    if clusters:
        lab["_cluster"] = labels[clusters].astype(str).to_numpy()
    if by:
        lab["_by"] = labels[by].to_numpy()
    if lab.duplicated(KEYS).any():
        raise bad_value("labels", lab.loc[lab.duplicated(KEYS), KEYS].iloc[0].tolist(), "one label row per document")
    pred = doc_predictions.copy()
    if "doc" not in pred.columns:
        pred["doc"] = "comment"
    pred[KEYS] = pred[KEYS].astype(str)
    if pred.duplicated(KEYS).any():
        raise bad_value("doc_predictions", pred.loc[pred.duplicated(KEYS), KEYS].iloc[0].tolist(),
                        "one row per document")
    hit_cols = [f"hits_{f}" for f in frames]
    pred["_row"] = True  # which labelled documents have a row: a missing hits_f there means "not measured"
    both = lab.merge(pred[KEYS + hit_cols + ["_row"]], on=KEYS, how="left")
    present = both["_row"].notna().to_numpy()
    labelled = both["_label"] != ""
    rows = []
    for f in frames:
        codes = _code_set(mapping[f])
        hits = both[f"hits_{f}"]
        measured = ~(present & hits.isna().to_numpy())  # a document without a row (no tokens) is predicted 0
        item = both.assign(_pred=(hits.fillna(0) > 0).astype("int64").to_numpy(),
                           _gold=np.where(labelled, both["_label"].isin(codes).astype(float), np.nan))[measured]
        for value, sub in _parts(item, "_by" if by else None):
            res = precision_recall(sub["_pred"].reset_index(drop=True), sub["_gold"].reset_index(drop=True),
                                   clusters=None if not clusters else sub["_cluster"].to_numpy(),
                                   n_boot=n_boot, seed=seed, confidence=confidence)
            rows.append({"frame": f, **({by: value} if by else {}), "codes": "; ".join(codes), **res})
    return pd.DataFrame(rows, columns=["frame"] + ([by] if by else []) + ["codes"] + METRIC_COLUMNS)


def worst_errors(sample_with_gold: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """The dictionary's clearest mistakes per frame: up to ``n`` false positives and ``n`` false negatives.

    ``sample_with_gold`` is a coding sample
    (:func:`analysis.validation.sampling.draw_coding_sample`) merged with
    :func:`analysis.validation.codes.adjudicate` on item_id; it needs item_id, frame,
    dict_label, gold and text, and uses n_counted, n_matches, terms, partial,
    stratum, n_codes and n_ones when present. A false positive has
    dict_label 1 and gold 0, a false negative dict_label 0 and gold 1;
    items without gold are skipped.

    "Worst" first: highest ``agreement`` (share of coders who gave the gold
    code, ``max(n_ones, n_codes - n_ones) / n_codes``: unanimous errors are
    the clearest), then most matches (``n_counted`` for false positives,
    ``n_matches`` for false negatives), then item_id.

    Returns: frame, error (``false_positive`` / ``false_negative``), item_id,
    stratum, gold, dict_label, agreement, n_counted, n_matches, terms (the
    matched terms, which explain a false positive), partial, text; and
    ``language`` after frame when the sample has that column. Texts are
    returned unchanged and are untrusted: escape them before showing.
    """
    n = int_arg("n", n, minimum=1)
    require(sample_with_gold, "sample_with_gold", ["item_id", "frame", "dict_label", "gold", "text"])
    t = sample_with_gold.copy()
    for col, default in (("stratum", ""), ("terms", ""), ("partial", ""), ("n_counted", 0), ("n_matches", 0)):
        if col not in t.columns:
            t[col] = default
    gold = pd.to_numeric(t["gold"], errors="coerce").astype("float64")
    pred = pd.to_numeric(t["dict_label"], errors="coerce").astype("float64")
    if {"n_codes", "n_ones"} <= set(t.columns):
        nc = t["n_codes"].astype("float64")
        no = t["n_ones"].astype("float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            t["agreement"] = np.where(nc > 0, np.maximum(no, nc - no) / nc, np.nan)
    else:
        t["agreement"] = np.nan
    t["error"] = np.select([(pred == 1) & (gold == 0), (pred == 0) & (gold == 1)],
                           ["false_positive", "false_negative"], default="")
    t = t[t["error"] != ""].copy()
    t["_matches"] = np.where(t["error"] == "false_positive", t["n_counted"], t["n_matches"])
    t["_frame_order"] = t["frame"].map({f: i for i, f in enumerate(pd.unique(sample_with_gold["frame"]))})
    t["_error_order"] = (t["error"] == "false_negative").astype(int)
    t["_agree"] = t["agreement"].fillna(-1.0)
    t = t.sort_values(["_frame_order", "_error_order", "_agree", "_matches", "item_id"],
                      ascending=[True, True, False, False, True], kind="stable")
    t = t.groupby(["_frame_order", "_error_order"], sort=False).head(n)
    cols = ["frame", *(["language"] if "language" in t.columns else []), "error", "item_id", "stratum", "gold",
            "dict_label", "agreement", "n_counted", "n_matches", "terms", "partial", "text"]
    return t[cols].reset_index(drop=True)
