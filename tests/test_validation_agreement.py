"""Krippendorff's alpha (analysis.validation.agreement) against hand counts, published values and a pairwise method."""

import math

import numpy as np
import pandas as pd
import pytest
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import binary_distance, interval_distance

from analysis.validation.agreement import agreement_by_frame, alpha_with_ci, krippendorff_alpha
from analysis.validation.codes import read_codes

NAN = np.nan


# --------------------------------------------------------------------------
# an independent implementation: Krippendorff's alpha from pairs of values


def pairwise_alpha(table, distance) -> float:
    """alpha = 1 - D_o / D_e with both disagreements summed over pairs of values, no coincidence matrix.

    D_o = 1/n * sum over units u (with m_u >= 2 values) of sum over ordered pairs i != j of
          values in u of distance(v_i, v_j) / (m_u - 1);
    D_e = 1/(n (n - 1)) * sum over ordered pairs i != j of all n pairable values of distance(v_i, v_j).
    """
    units = [[v for v in row if not (isinstance(v, float) and math.isnan(v))] for row in table]
    units = [u for u in units if len(u) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    d_o = sum(distance(u[i], u[j]) / (len(u) - 1)
              for u in units for i in range(len(u)) for j in range(len(u)) if i != j) / n
    d_e = sum(distance(values[i], values[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    return 1.0 - d_o / d_e


def nominal(a, b):
    return 0.0 if a == b else 1.0


def squared(a, b):
    return float(a - b) ** 2


# --------------------------------------------------------------------------
# Krippendorff's alpha


def test_alpha_two_coders_binary_by_hand():
    # Units 1-10 (rows), coders A and B:
    #   units 1, 2: (1, 1); unit 3: (1, 0); unit 4: (0, 1); units 5-10: (0, 0).
    # Each unit has m_u = 2 values, so each ordered pair adds 1/(2-1) = 1:
    #   o_11 = 2 units x 2 ordered pairs = 4, o_00 = 6 x 2 = 12, o_01 = o_10 = 2 (units 3 and 4).
    #   n_1 = o_11 + o_10 = 6, n_0 = 14, n = 20.
    # Nominal: alpha = 1 - (n - 1) (o_01 + o_10) / (n_0 n_1 + n_1 n_0) = 1 - 19 * 4 / 168 = 92/168 = 23/42.
    table = np.array([[1, 1], [1, 1], [1, 0], [0, 1]] + [[0, 0]] * 6, dtype=float)
    assert krippendorff_alpha(table) == pytest.approx(23 / 42, abs=1e-12)
    assert krippendorff_alpha(table) == pytest.approx(pairwise_alpha(table.tolist(), nominal), abs=1e-12)
    # Symmetric case: 4 units (0,0), 4 units (1,1), two disagreements:
    #   o_00 = o_11 = 8, o_01 = o_10 = 2, n_0 = n_1 = 10, n = 20: alpha = 1 - 19 * 4 / 200 = 0.62.
    sym = np.array([[0, 0]] * 3 + [[0, 1], [1, 1], [1, 1], [1, 1], [1, 0], [1, 1], [0, 0]], dtype=float)
    assert krippendorff_alpha(sym) == pytest.approx(0.62, abs=1e-12)


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the example with
# missing values: 4 observers x 12 units, values 1-5, written there as coders x units.
KRIPP_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]).T  # units x coders


def test_alpha_krippendorff_2011_example_with_missing_values():
    # published: nominal alpha = .743, interval alpha = .849; unit 12 has one value and is not pairable
    got = krippendorff_alpha(KRIPP_2011)
    assert round(got, 3) == 0.743
    assert got == pytest.approx(pairwise_alpha(KRIPP_2011.tolist(), nominal), abs=1e-12)
    interval = krippendorff_alpha(KRIPP_2011, level="interval")
    assert round(interval, 3) == 0.849
    assert interval == pytest.approx(pairwise_alpha(KRIPP_2011.tolist(), squared), abs=1e-12)
    # the same table as a DataFrame, as labels instead of numbers (nominal), and with the unpairable unit dropped
    df = pd.DataFrame(KRIPP_2011, columns=list("ABCD"))
    assert krippendorff_alpha(df) == got
    labels = np.where(np.isnan(KRIPP_2011), None, np.char.add("v", np.nan_to_num(KRIPP_2011).astype(int).astype(str)))
    assert krippendorff_alpha(labels.astype(object)) == pytest.approx(got, abs=1e-12)
    assert krippendorff_alpha(KRIPP_2011[:11]) == got


def test_alpha_perfect_agreement_is_one_and_no_variation_is_undefined():
    perfect = np.array([[1, 1, 1], [0, 0, NAN], [1, NAN, 1], [0, 0, 0]])
    assert krippendorff_alpha(perfect) == 1.0
    assert krippendorff_alpha(perfect, level="interval") == 1.0
    assert math.isnan(krippendorff_alpha(np.ones((5, 2))))  # one value only: D_e = 0
    assert math.isnan(krippendorff_alpha(np.array([[1, NAN], [NAN, 0]])))  # no pairable unit
    assert math.isnan(krippendorff_alpha(np.full((3, 2), NAN)))
    # a unit coded by one coder changes nothing
    base = np.array([[1, 1], [1, 0], [0, 0], [0, 0]], dtype=float)
    assert krippendorff_alpha(np.vstack([base, [[1, NAN]]])) == krippendorff_alpha(base)
    with pytest.raises(ValueError, match="level="):
        krippendorff_alpha(base, level="ordinal")
    with pytest.raises(ValueError, match="2-D"):
        krippendorff_alpha(np.array([1, 0, 1]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_matches_nltk_on_complete_data(seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, size=25)
    table = np.column_stack([np.where(rng.random(25) < 0.75, truth, rng.integers(0, 3, size=25)) for _ in range(3)])
    data = [(f"c{c}", f"u{u}", int(table[u, c])) for u in range(25) for c in range(3)]
    assert krippendorff_alpha(table) == pytest.approx(AnnotationTask(data=data, distance=binary_distance).alpha(),
                                                      abs=1e-9)
    assert krippendorff_alpha(table, level="interval") == pytest.approx(
        AnnotationTask(data=data, distance=interval_distance).alpha(), abs=1e-9)


def test_alpha_with_ci_is_deterministic_and_brackets_alpha():
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 2, size=60)
    table = np.column_stack([np.where(rng.random(60) < 0.85, truth, 1 - truth) for _ in range(2)]).astype(float)
    table[::9, 1] = NAN  # some missing codes
    a = alpha_with_ci(table, n_boot=400, seed=3)
    assert a == alpha_with_ci(table, n_boot=400, seed=3)
    assert a["alpha"] == krippendorff_alpha(table)
    assert a["ci_low"] <= a["alpha"] <= a["ci_high"]
    assert a["n_units"] == 60 - len(range(0, 60, 9)) and a["n_values"] == 2 * a["n_units"] and a["n_coders"] == 2
    assert a["n_valid"] == 400 and set(a["p_below"]) == {0.667, 0.8}
    assert 0 <= a["p_below"][0.667] <= a["p_below"][0.8] <= 1
    assert alpha_with_ci(table, n_boot=400, seed=4)["ci_low"] != a["ci_low"]
    none = alpha_with_ci(table, n_boot=0)
    assert none["alpha"] == a["alpha"] and math.isnan(none["ci_low"])
    empty = alpha_with_ci(np.array([[1.0, NAN]]), n_boot=10)
    assert math.isnan(empty["alpha"]) and empty["n_units"] == 0


def test_agreement_by_frame_per_frame_and_pooled():
    # war: items 1-4, coders agree on 1, 2, 4 and not on 3; tax: both give 1 to item 5, 0 to item 6
    sample = pd.DataFrame({"item_id": ["w1", "w2", "w3", "w4", "t5", "t6"], "frame": ["war"] * 4 + ["tax"] * 2})
    sheets = {"ann": pd.DataFrame({"item_id": sample["item_id"], "code": ["1", "0", "1", "0", "1", "0"]}),
              "bob": pd.DataFrame({"item_id": sample["item_id"], "code": ["1", "0", "0", "0", "1", "0"]})}
    got = agreement_by_frame(read_codes(sheets, sample), sample, n_boot=0).set_index("frame")
    assert list(got.index) == ["war", "tax", "(all)"]
    # war: o_11 = 2, o_00 = 4, o_01 = o_10 = 1; n_1 = 3, n_0 = 5, n = 8: alpha = 1 - 7 * 2 / 30 = 8/15
    assert got.loc["war", "alpha"] == pytest.approx(8 / 15, abs=1e-12)
    assert got.loc["tax", "alpha"] == 1.0
    # pooled: o_11 = 4, o_00 = 6, o_01 = o_10 = 1; n_1 = 5, n_0 = 7, n = 12: alpha = 1 - 11 * 2 / 70 = 24/35
    assert got.loc["(all)", "alpha"] == pytest.approx(24 / 35, abs=1e-12)
    assert got.loc["war", "n_items"] == 4 and got.loc["war", "n_units"] == 4 and got.loc["(all)", "n_values"] == 12
    assert math.isnan(got.loc["war", "ci_low"])
