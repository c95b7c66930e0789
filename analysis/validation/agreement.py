"""Agreement among coders: Krippendorff's alpha, with a bootstrap interval, per frame.

All on the reliability matrix (units x coders, NaN where a coder gave no
code; :func:`analysis.validation.codes.reliability_matrix`). Alpha is NaN
when it is undefined (no pairable unit, or no variation among the values),
never 0 or 1 by convention. Bootstrap replicates are those of
:func:`analysis.stats.replicate_sums`.

References: krippendorff2011computing, krippendorff2018content, hayes2007answering.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.errors import bad_value, int_arg, level_arg
from analysis.stats import percentile_interval, replicate_sums
from analysis.validation.codes import reliability_matrix
from analysis.validation.common import require

__all__ = ["krippendorff_alpha", "alpha_with_ci", "agreement_by_frame"]

_LEVELS = ("nominal", "interval")


def _reliability_values(reliability) -> tuple[np.ndarray, np.ndarray]:
    """(values as object array, missing mask) of a units x coders table."""
    if isinstance(reliability, pd.DataFrame):
        arr = reliability.to_numpy(dtype=object)
    else:
        arr = np.asarray(reliability, dtype=object)
    if arr.ndim != 2:
        raise bad_value("reliability", f"<array of shape {arr.shape}>", "a 2-D table: units (rows) x coders (columns)")
    missing = np.asarray(pd.isna(arr), dtype=bool)
    return arr, missing


def _pairs(reliability, level: str) -> tuple[sp.csr_array, np.ndarray, int, int]:
    """Per pairable unit, its contribution to the coincidence matrix, flattened.

    Returns (X, delta2, n_coders, n_units_all): X is (pairable units x V*V)
    with X[u, c*V+k] = (number of ordered pairs of coders giving c and k in
    unit u) / (m_u - 1), so that ``X.sum(0)`` is the coincidence matrix o
    (krippendorff2011computing, eq. for o_ck); delta2 is the V x V squared
    difference function of the metric ``level``.
    """
    if level not in _LEVELS:
        raise bad_value("level", level, f"one of {list(_LEVELS)}")
    arr, missing = _reliability_values(reliability)
    n_units, n_coders = arr.shape
    present = ~missing
    if level == "interval":
        vals = np.full(arr.shape, np.nan)
        try:
            vals[present] = [float(v) for v in arr[present]]
        except (TypeError, ValueError):
            raise bad_value("reliability", "<non-numeric values>", "numbers (or NaN) for level='interval'") from None
        if not np.isfinite(vals[present]).all():
            raise bad_value("reliability", "<inf>", "finite numbers for level='interval'")
        uniq, inv = np.unique(vals[present], return_inverse=True)
        delta2 = (uniq[:, None] - uniq[None, :]) ** 2
    else:
        inv, uniq = pd.factorize(pd.Series(arr[present], dtype=object), sort=False)
        delta2 = 1.0 - np.eye(len(uniq))
    codes = np.full(arr.shape, -1, dtype=np.int64)
    codes[present] = inv
    v = len(uniq)
    m = present.sum(axis=1)
    pairable = np.flatnonzero(m >= 2)
    row_of = np.full(n_units, -1, dtype=np.int64)
    row_of[pairable] = np.arange(len(pairable))
    rows, cols, data = [], [], []
    for a in range(n_coders):
        for b in range(n_coders):
            if a == b:
                continue
            both = np.flatnonzero(present[:, a] & present[:, b] & (m >= 2))
            rows.append(row_of[both])
            cols.append(codes[both, a] * v + codes[both, b])
            data.append(1.0 / (m[both] - 1))
    if rows:
        x = sp.coo_array((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(len(pairable), v * v)).tocsr()
    else:
        x = sp.csr_array((0, v * v))
    return x, delta2, n_coders, n_units


def _alpha_rows(o_flat: np.ndarray, delta2: np.ndarray) -> np.ndarray:
    """Alpha for each row of flattened coincidence matrices: 1 - (n - 1) sum(o d2) / sum(n_c n_k d2)."""
    v = delta2.shape[0]
    o = np.asarray(o_flat, dtype=np.float64).reshape(-1, v, v)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    observed = np.einsum("bck,ck->b", o, delta2)
    expected = np.einsum("bc,bk,ck->b", n_c, n_c, delta2)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where(expected > 0, alpha, np.nan)


def krippendorff_alpha(reliability: pd.DataFrame | np.ndarray, *, level: str = "nominal") -> float:
    """Krippendorff's alpha for reliability data of units (rows) x coders (columns), NaN for missing.

    Computed through the coincidence matrix (krippendorff2011computing):
    within each unit u with m_u >= 2 values, every ordered pair of values
    from two different coders adds 1/(m_u - 1) to o_ck; n_c = sum_k o_ck and
    n = sum_c n_c is the number of pairable values. Then::

        alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck

    with d2 the squared difference of the metric ``level``: ``"nominal"``
    (0 if equal, else 1; values may be any hashable labels) or
    ``"interval"`` ((c - k)^2; numeric values). Units with fewer than two
    values are not pairable and are dropped, so missing codes are allowed.

    Note the orientation: Krippendorff's own tables are coders x units;
    pass their transpose.

    Higher means: more agreement beyond chance. 1 is perfect agreement, 0
    agreement at chance level, below 0 systematic disagreement.
    Krippendorff's guideline (krippendorff2018content): rely on variables
    with alpha >= .800, draw only tentative conclusions from .667 to .800.

    Caveats: NaN when alpha is undefined: no pairable unit, or no variation
    among the pairable values (every coder gave the same single value
    everywhere: D_e = 0). Alpha for a rare frame (few 1s) is unstable: a
    handful of disagreements on the rare value moves it a lot; give the
    bootstrap interval (:func:`alpha_with_ci`) with it.

    References: krippendorff2011computing, krippendorff2018content.
    """
    x, delta2, _, _ = _pairs(reliability, level)
    if x.shape[0] == 0:
        return float("nan")
    return float(_alpha_rows(np.asarray(x.sum(axis=0)).reshape(1, -1), delta2)[0])


def alpha_with_ci(
    reliability: pd.DataFrame | np.ndarray,
    *,
    level: str = "nominal",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    thresholds: Sequence[float] = (0.667, 0.8),
) -> dict:
    """Krippendorff's alpha with a bootstrap interval over units.

    Resampling scheme (the choice made here): the *pairable units* (those
    with at least two codes) are drawn with replacement, as many as there
    are, and alpha is recomputed from the coincidence matrix of each
    replicate, expected disagreement included. Replicates are the
    multinomial weights of :func:`analysis.stats.replicate_sums` applied to
    each unit's contribution to the coincidence matrix, so one sparse product
    gives every replicate. This is the ordinary nonparametric bootstrap with
    the unit (the item coded) as the sampled entity.

    Hayes and Krippendorff (hayes2007answering) bootstrap differently: they
    keep the expected disagreement fixed and resample the pairs of pairable
    values within units, and report q, the probability that alpha falls
    below a minimum. Their interval is usually somewhat narrower, since the
    chance term does not vary; ``p_below`` here is the analogue of their q.

    Returns a dict: ``alpha`` (as :func:`krippendorff_alpha`), ``ci_low``,
    ``ci_high`` (percentile interval at ``confidence``; NaN when
    ``n_boot=0``), ``confidence``, ``n_units`` (pairable units), ``n_values``
    (pairable values, n), ``n_coders``, ``n_boot``, ``n_valid`` (replicates
    where alpha is defined; the others are ignored) and ``p_below``: for each
    threshold t, the share of valid replicates with alpha < t.

    Higher means: as for alpha; a wider interval is more uncertainty.

    Caveats: with few units (under about 30) or a rare value, the percentile
    interval is rough and replicates without the rare value are undefined
    (see ``n_valid``).

    References: hayes2007answering, krippendorff2011computing, efron1994bootstrap.
    """
    n_boot = int_arg("n_boot", n_boot, minimum=0)
    seed = int_arg("seed", seed, minimum=0)
    confidence = level_arg(confidence, name="confidence")
    ts = [float(t) for t in thresholds]
    x, delta2, n_coders, _ = _pairs(reliability, level)
    total = np.asarray(x.sum(axis=0)).reshape(1, -1) if x.shape[0] else np.zeros((1, delta2.size))
    alpha = float(_alpha_rows(total, delta2)[0]) if x.shape[0] else float("nan")
    out = {
        "alpha": alpha, "ci_low": float("nan"), "ci_high": float("nan"), "confidence": confidence,
        "n_units": int(x.shape[0]), "n_values": int(round(float(total.sum()))), "n_coders": int(n_coders),
        "n_boot": n_boot, "n_valid": 0, "p_below": {t: float("nan") for t in ts},
    }
    if n_boot == 0 or x.shape[0] == 0:
        return out
    reps = _alpha_rows(replicate_sums(x, n_boot=n_boot, seed=seed), delta2)
    valid = np.isfinite(reps)
    out["n_valid"] = int(valid.sum())
    if valid.any():
        out["ci_low"], out["ci_high"] = percentile_interval(reps, level=confidence)
        out["p_below"] = {t: float((reps[valid] < t).mean()) for t in ts}
    return out


def agreement_by_frame(
    codes: pd.DataFrame,
    sample: pd.DataFrame,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Nominal alpha with its bootstrap interval, per frame and over all items.

    One row per frame of ``sample`` (in order of first appearance), then a
    row ``frame="(all)"`` pooling every item. Columns: frame, alpha, ci_low,
    ci_high, n_items (items of the frame in the sample), n_units (items
    coded by at least two coders), n_values, n_coders, n_valid, p_below_667,
    p_below_800 (see :func:`alpha_with_ci`).

    Caveats: pooling frames mixes items of different base rates; report the
    per-frame rows.

    References: krippendorff2011computing, hayes2007answering.
    """
    require(sample, "sample", ["item_id", "frame"])
    wide = reliability_matrix(codes)
    frame_of = pd.Series(sample["frame"].astype(str).to_numpy(), index=sample["item_id"].astype(str).to_numpy())
    rows = []
    groups = [(f, frame_of.index[frame_of.to_numpy() == f]) for f in pd.unique(frame_of)] + [("(all)", frame_of.index)]
    for frame, items in groups:
        r = alpha_with_ci(wide.reindex(items), n_boot=n_boot, seed=seed, confidence=confidence)
        rows.append({"frame": frame, "alpha": r["alpha"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "n_items": len(items), "n_units": r["n_units"], "n_values": r["n_values"],
                     "n_coders": r["n_coders"], "n_valid": r["n_valid"],
                     "p_below_667": r["p_below"][0.667], "p_below_800": r["p_below"][0.8]})
    return pd.DataFrame(rows)
