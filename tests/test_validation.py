"""Validation of frame dictionaries: agreement, gold, accuracy and the coding sample, against hand counts.

Every text here is invented. The FrAC tests read ../shared/data at run time
(skipped when it is not beside the project); no FrAC sentence is stored in
the repository.
"""

import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import binary_distance, interval_distance
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from analysis.errors import InputError
from analysis.framing import match_frames
from analysis.lexicons import load_lexicon
from analysis.tokenization import multiword_tuples, punkt_from_params, tokenize_documents, train_punkt
from analysis.validation import (
    METRIC_COLUMNS,
    SAMPLE_COLUMNS,
    SHEET_COLUMNS,
    adjudicate,
    agreement_by_frame,
    alpha_with_ci,
    by_frame,
    codebook,
    coding_sheets,
    compare_to_labels,
    confusion,
    document_predictions,
    draw_coding_sample,
    draw_coding_sample_sharded,
    frac_sentences,
    frac_validation,
    krippendorff_alpha,
    precision_recall,
    read_codes,
    reliability_matrix,
    stratify,
    worst_errors,
)

ROOT = Path(__file__).resolve().parents[1]
FRAC_CSV = ROOT.parent / "shared" / "data" / "frac-frames" / "final_gold_single_v2025-06-28.csv"
FRAC_LEXICON = ROOT / "data" / "lexicons" / "frac_frames.yaml"
FRAC_MD = ROOT / "data" / "lexicons" / "FRAC.md"
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
    d_o = sum(distance(u[i], u[j]) / (len(u) - 1) for u in units for i in range(len(u)) for j in range(len(u)) if i != j) / n
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
    assert krippendorff_alpha(table) == pytest.approx(AnnotationTask(data=data, distance=binary_distance).alpha(), abs=1e-9)
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


# --------------------------------------------------------------------------
# codes in, gold


SAMPLE = pd.DataFrame({
    "item_id": ["war:t:1:comment", "war:t:2:comment", "war:t:3:comment", "tax:t:1:comment"],
    "frame": ["war", "war", "war", "tax"],
})


def test_read_codes_stacks_sheets_and_keeps_blanks_missing():
    sheets = {
        "ann": pd.DataFrame({"item_id": ["war:t:2:comment", "war:t:1:comment", "tax:t:1:comment"],
                             "code": ["1", " 0 ", ""], "note": ["", "", "unclear"]}),
        "bob": pd.DataFrame({"item_id": ["war:t:1:comment", "war:t:2:comment", "war:t:3:comment", "tax:t:1:comment"],
                             "frame": ["war", "war", "war", ""], "code": [0, 1.0, NAN, "1.0"]}),
    }
    codes = read_codes(sheets, SAMPLE)
    assert list(codes.columns) == ["item_id", "coder", "code"]
    assert str(codes["code"].dtype) == "Int64"
    got = [(i, c, None if pd.isna(v) else int(v)) for i, c, v in codes.itertuples(index=False)]
    assert got == [
        ("war:t:2:comment", "ann", 1), ("war:t:1:comment", "ann", 0), ("tax:t:1:comment", "ann", None),
        ("war:t:1:comment", "bob", 0), ("war:t:2:comment", "bob", 1), ("war:t:3:comment", "bob", None),
        ("tax:t:1:comment", "bob", 1),
    ]
    wide = reliability_matrix(codes)
    assert list(wide.columns) == ["ann", "bob"] and list(wide.index) == sorted(SAMPLE["item_id"])
    assert wide.loc["war:t:3:comment"].isna().all()  # ann's sheet lacks it, bob left it blank


@pytest.mark.parametrize("sheet, message", [
    (pd.DataFrame({"item_id": ["war:t:1:comment", "war:t:9:comment"], "code": ["1", "0"]}),
     r"coding sheet of coder 'ann', record 2: unknown item id 'war:t:9:comment'"),
    (pd.DataFrame({"item_id": ["war:t:1:comment", "war:t:1:comment"], "code": ["1", "0"]}),
     r"record 2: item id 'war:t:1:comment' appears twice \(first at record 1\)"),
    (pd.DataFrame({"item_id": ["war:t:1:comment", "war:t:2:comment"], "code": ["1", "yes"]}),
     r"record 2: item 'war:t:2:comment': invalid code 'yes'; expected 0, 1 or blank"),
    (pd.DataFrame({"item_id": ["war:t:1:comment"], "code": [2]}), r"record 1: .*invalid code 2"),
    (pd.DataFrame({"item_id": ["war:t:1:comment"], "code": [True]}), r"record 1: .*invalid code True"),
    (pd.DataFrame({"item_id": [""], "code": ["1"]}), r"record 1: empty item_id"),
    (pd.DataFrame({"item_id": ["war:t:1:comment"], "frame": ["tax"], "code": ["1"]}),
     r"record 1: item 'war:t:1:comment' has frame 'tax'; the sample says 'war'"),
    (pd.DataFrame({"item_id": ["war:t:1:comment"], "Code": ["1"]}), r"coding sheet of coder 'ann': missing column\(s\) \['code'\]"),
])
def test_read_codes_errors_name_the_sheet_and_record(sheet, message):
    with pytest.raises(InputError, match=message):
        read_codes({"ann": sheet}, SAMPLE)


def test_adjudicate_majority_and_ties():
    codes = pd.DataFrame({
        "item_id": ["a"] * 3 + ["b"] * 2 + ["c"] * 3 + ["d"] * 2 + ["e"] * 2,
        "coder": ["x", "y", "z", "x", "y", "x", "y", "z", "x", "y", "x", "y"],
        "code": pd.array([1, 1, 0, 1, 0, 0, 0, pd.NA, pd.NA, pd.NA, 1, pd.NA], dtype="Int64"),
    })
    gold = adjudicate(codes)
    assert list(gold.columns) == ["item_id", "gold", "n_codes", "n_ones", "tie"]
    rows = {r.item_id: (None if pd.isna(r.gold) else int(r.gold), r.n_codes, r.n_ones, bool(r.tie))
            for r in gold.itertuples(index=False)}
    assert rows == {
        "a": (1, 3, 2, False),     # 2 to 1
        "b": (None, 2, 1, True),   # 1 to 1: a tie, no gold
        "c": (0, 2, 0, False),     # a blank is not a 0 vote
        "d": (None, 0, 0, False),  # nobody coded it
        "e": (1, 1, 1, False),     # a single code decides
    }


# --------------------------------------------------------------------------
# precision, recall, F1


def test_precision_recall_against_hand_counts():
    pred = pd.Series([1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1])
    gold = pd.Series([1, 0, 1, 1, 0, 1, 0, 0, 0, 0, NAN])  # the last item has no gold
    # tp: items 0, 2, 5 = 3; fp: 1, 8 = 2; fn: 3 = 1; tn: 4, 6, 7, 9 = 4
    r = precision_recall(pred, gold, n_boot=500, seed=1)
    assert set(r) == set(METRIC_COLUMNS)
    assert (r["tp"], r["fp"], r["fn"], r["tn"]) == (3, 2, 1, 4)
    assert (r["n"], r["n_unlabelled"], r["support"], r["n_predicted"]) == (10, 1, 4, 5)
    assert r["precision"] == pytest.approx(3 / 5) and r["recall"] == pytest.approx(3 / 4)
    assert r["f1"] == pytest.approx(2 * 3 / (2 * 3 + 2 + 1))
    for m in ("precision", "recall", "f1"):
        assert r[f"{m}_low"] <= r[m] <= r[f"{m}_high"]
    assert r == precision_recall(pred, gold, n_boot=500, seed=1)
    # each item its own cluster: the very same replicates
    same = precision_recall(pred, gold, n_boot=500, seed=1, clusters=np.arange(11))
    assert same == r
    # clusters: fewer units to resample
    clustered = precision_recall(pred, gold, n_boot=500, seed=1, clusters=[0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
    assert clustered["n_clusters"] == 5 and clustered["precision"] == r["precision"]
    table = confusion(pred, gold)
    assert table.loc[1, 1] == 3 and table.loc[0, 1] == 2 and table.loc[1, 0] == 1 and table.loc[0, 0] == 4
    assert table.index.name == "gold" and table.columns.name == "predicted"


def test_precision_recall_undefined_weighted_and_bad_input():
    none = precision_recall(pd.Series([0, 0, 0]), pd.Series([1, 0, 0]), n_boot=50)
    assert math.isnan(none["precision"]) and none["recall"] == 0.0 and none["f1"] == 0.0
    assert math.isnan(none["precision_low"])
    # weights (as sampling weights): items 0-1 weigh 5, items 2-4 weigh 10
    pred = [True, True, False, False, False]
    gold = [1, 0, 1, 0, 0]
    w = precision_recall(pred, gold, weights=[5, 5, 10, 10, 10], n_boot=0)
    assert (w["tp"], w["fp"], w["fn"], w["tn"]) == (5.0, 5.0, 10.0, 20.0)
    assert w["precision"] == 0.5 and w["recall"] == pytest.approx(5 / 15)
    assert math.isnan(w["recall_low"])
    with pytest.raises(ValueError, match="predicted"):
        precision_recall([1, None, 0], [1, 0, 0])
    with pytest.raises(ValueError, match="gold"):
        precision_recall([1, 0], [1, 2])
    with pytest.raises(ValueError, match="same index"):
        precision_recall(pd.Series([1, 0], index=[0, 1]), pd.Series([1, 0], index=[1, 2]))


def test_by_frame_is_tidy_over_frames():
    table = pd.DataFrame({
        "frame": ["a"] * 4 + ["b"] * 3,
        "dict_label": [1, 1, 0, 0, 1, 0, 0],
        "gold": pd.array([1, 0, 1, 0, 1, 1, pd.NA], dtype="Int64"),
    })
    got = by_frame(table, n_boot=100, seed=0)
    assert list(got.columns) == ["frame"] + METRIC_COLUMNS
    assert list(got["frame"]) == ["a", "b"]
    assert got.loc[0, ["tp", "fp", "fn", "tn"]].tolist() == [1, 1, 1, 1]
    assert got.loc[1, ["tp", "fp", "fn", "tn", "n_unlabelled"]].tolist() == [1, 0, 1, 0, 1]
    assert got.loc[1, "precision"] == 1.0 and got.loc[1, "recall"] == 0.5


def test_compare_to_labels_against_a_label_column():
    preds = pd.DataFrame({"thread_id": ["t"] * 4, "comment_id": ["1", "2", "3", "4"], "doc": "comment",
                          "hits_crime": [2, 0, 1, 0], "hits_money": [0, 1, 0, 0]})
    labels = pd.DataFrame({"thread_id": ["t"] * 6, "comment_id": ["1", "2", "3", "4", "5", "6"],
                           "label": ["5", "7", "1", " 1", "", "5"]})
    got = compare_to_labels(preds, labels, mapping={"crime": ["5", 7], "money": 1}, n_boot=0)
    crime = got.set_index("frame").loc["crime"]
    # items 1-4 and 6 labelled (5 has no label); comment 6 has no prediction row -> predicted 0
    # crime gold: 1 (5), 2 (7), 6 (5); predicted: 1, 3 -> tp 1, fp 1, fn 2, tn 1
    assert crime[["n", "n_unlabelled", "tp", "fp", "fn", "tn"]].tolist() == [5, 1, 1, 1, 2, 1]
    assert crime["codes"] == "5; 7"
    money = got.set_index("frame").loc["money"]
    # money gold: 3, 4 (" 1" stripped); predicted: 2 -> tp 0, fp 1, fn 2, tn 2
    assert money[["tp", "fp", "fn", "tn"]].tolist() == [0, 1, 2, 2]
    with pytest.raises(ValueError, match="hits_police"):
        compare_to_labels(preds, labels, mapping={"police": "5"})


# --------------------------------------------------------------------------
# the coding sample


LEXICON = """
name: test_validation
version: "1"
frames:
  war:
    label: War
    description: The conflict as a war.
    terms: [civil war, war, armed conflict*]
  tax:
    label: Taxes
    description: Taxes and what things cost.
    terms: [tax*, cost of living]
"""

TEXTS = [
    ("t1", "1", "The civil war goes on."),               # war: hit
    ("t1", "2", 'He called it "civil war" twice.'),       # war: quoted, not counted -> near miss
    ("t1", "3", "A civil servant spoke."),                # war: partial (civil) -> near miss
    ("t1", "4", "Nothing to see here."),                  # neither
    ("t2", "1", "Taxes are high."),                       # tax: hit
    ("t2", "2", "The cost was high."),                    # tax: partial (cost) -> near miss
    ("t2", "3", "Of course, said the living."),           # tax: 'of' is a stopword; 'living' -> near miss
    ("t2", "4", "   "),                                   # empty: never sampled
    ("t3", "1", "Armed conflicts and more taxation."),    # war: hit (armed conflict*); tax: hit
    ("t3", "2", "The conflictual armed guards."),         # war: 'armed' and 'conflictual' (prefix) -> near miss
    ("t3", "3", "Weather today."),
    ("t3", "4", "More weather."),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("lex") / "test_validation.yaml"
    path.write_text(textwrap.dedent(LEXICON), encoding="utf-8")
    lx = load_lexicon(path)
    docs = pd.DataFrame(TEXTS, columns=["thread_id", "comment_id", "text"]).assign(doc="comment")
    docs = docs[["thread_id", "comment_id", "doc", "text"]]
    tokens = tokenize_documents(docs, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms()))
    texts = {(t, c, d): x for t, c, d, x in docs.itertuples(index=False)}
    matches = match_frames(tokens, lx, texts=texts)
    return lx, docs, matches


def test_stratify_puts_each_document_in_one_stratum(corpus):
    lx, docs, matches = corpus
    st = stratify(docs, matches, frames=["war", "tax"], lexicons=lx)
    assert len(st) == 2 * 11  # the empty document is left out
    got = {(r.frame, r.thread_id, r.comment_id): (r.stratum, r.partial) for r in st.itertuples(index=False)}
    assert got[("war", "t1", "1")] == ("hit", "")
    assert got[("war", "t1", "2")] == ("near_miss", "")  # an uncounted (quoted) match
    assert got[("war", "t1", "3")] == ("near_miss", "civil")
    assert got[("war", "t1", "4")] == ("random_non_hit", "")
    assert got[("war", "t3", "1")] == ("hit", "")
    assert got[("war", "t3", "2")] == ("near_miss", "armed; conflictual")
    assert got[("tax", "t2", "1")] == ("hit", "")
    assert got[("tax", "t2", "2")] == ("near_miss", "cost")
    assert got[("tax", "t2", "3")] == ("near_miss", "living")  # 'of' alone would not be
    assert got[("tax", "t3", "3")] == ("random_non_hit", "")
    quoted = st[(st["frame"] == "war") & (st["comment_id"] == "2") & (st["thread_id"] == "t1")].iloc[0]
    assert (quoted["n_counted"], quoted["n_matches"], quoted["terms"]) == (0, 1, "civil war")
    # without the lexicon there are no partial matches
    plain = stratify(docs, matches, frames=["war"])
    assert plain.set_index(["thread_id", "comment_id"]).loc[("t1", "3"), "stratum"] == "random_non_hit"
    with pytest.raises(ValueError, match="unknown"):
        stratify(docs, matches, frames=["peace"], lexicons=lx)


def test_draw_coding_sample_is_stratified_seeded_and_nested(corpus):
    lx, docs, matches = corpus
    sample = draw_coding_sample(docs, matches, frames=["war", "tax"], per_stratum=2, seed=11, lexicons=lx)
    assert list(sample.columns) == SAMPLE_COLUMNS
    sizes = sample.groupby(["frame", "stratum"])["item_id"].count().to_dict()
    # war: 2 hits, 3 near misses, 6 others; tax: 2 hits, 2 near misses, 7 others
    assert sizes == {("war", "hit"): 2, ("war", "near_miss"): 2, ("war", "random_non_hit"): 2,
                     ("tax", "hit"): 2, ("tax", "near_miss"): 2, ("tax", "random_non_hit"): 2}
    war = sample[sample["frame"] == "war"].set_index("stratum")
    assert war.loc["near_miss", "stratum_size"].tolist() == [3, 3]
    assert war.loc["random_non_hit", "weight"].tolist() == [3.0, 3.0]
    assert (sample["dict_label"] == (sample["stratum"] == "hit").astype(int)).all()
    assert (sample["item_id"] == sample["frame"] + ":" + sample["thread_id"] + ":" + sample["comment_id"] + ":comment").all()
    assert sample["item_id"].is_unique
    assert ("t3", "1") in set(zip(sample.loc[sample["frame"] == "war", "thread_id"], sample.loc[sample["frame"] == "war", "comment_id"]))
    assert ("t3", "1") in set(zip(sample.loc[sample["frame"] == "tax", "thread_id"], sample.loc[sample["frame"] == "tax", "comment_id"]))
    assert "" not in set(sample["text"].str.strip())
    # deterministic, independent of row order and of the other frames listed
    again = draw_coding_sample(docs.iloc[::-1], matches, frames=["war", "tax"], per_stratum=2, seed=11, lexicons=lx)
    pd.testing.assert_frame_equal(sample, again)
    alone = draw_coding_sample(docs, matches, frames=["tax"], per_stratum=2, seed=11, lexicons=lx)
    pd.testing.assert_frame_equal(alone, sample[sample["frame"] == "tax"].reset_index(drop=True))
    # nested: a larger sample starts with the smaller one
    big = draw_coding_sample(docs, matches, frames=["war", "tax"], per_stratum=5, seed=11, lexicons=lx)
    small_ids = set(sample["item_id"])
    assert small_ids == set(big.loc[big["draw"] <= 2, "item_id"])
    assert len(big[(big["frame"] == "war") & (big["stratum"] == "near_miss")]) == 3  # the whole stratum
    # another seed, another sample of the random stratum
    seeds = {tuple(sorted(draw_coding_sample(docs, matches, frames=["war"], per_stratum=2, seed=s, lexicons=lx)
                          .query("stratum == 'random_non_hit'")["item_id"])) for s in range(8)}
    assert len(seeds) > 1
    with pytest.raises(ValueError, match="per_stratum"):
        draw_coding_sample(docs, matches, frames=["war"], per_stratum=0, seed=1)


EXTRA_TEXTS = [
    ("t4", "1", "Civil. . . and so on"),                  # spaced ellipsis: split whole; war: partial (civil)
    ("t4", "2", "ARMED\x1cmen, COSTLY"),                  # U+001C: not space to the word pattern (its own token)
    ("t4", "3", "(conflicts) and living."),               # war: prefix 'conflict' inside brackets; tax: 'living'
    ("t5", "1", "The war, the war."),                     # war: hit
    ("t5", "2", "Nothing at all"),
    ("t0", "9", "Civil servants."),                       # sorts before t1: war: near miss
]


def _shards(docs, matches, parts):
    """A load_shard function over ``parts`` (lists of row positions of ``docs``), matches going with their documents."""
    def load(i):
        d = docs.iloc[parts[i]].reset_index(drop=True)
        keys = set(zip(d["thread_id"], d["comment_id"], d["doc"]))
        m = matches[[k in keys for k in zip(matches["thread_id"], matches["comment_id"], matches["doc"])]]
        return d, m.reset_index(drop=True)
    return load


@pytest.mark.parametrize("per_stratum", [1, 2, 5])
def test_sharded_sample_equals_the_one_pass_sample(corpus, per_stratum):
    lx, docs, _ = corpus
    docs = pd.concat([docs, pd.DataFrame(EXTRA_TEXTS, columns=["thread_id", "comment_id", "text"]).assign(doc="comment")],
                     ignore_index=True)[["thread_id", "comment_id", "doc", "text"]]
    tokens = tokenize_documents(docs, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms()))
    matches = match_frames(tokens, lx, texts={(t, c, d): x for t, c, d, x in docs.itertuples(index=False)})
    # shards hold interleaved keys, in no sorted order
    parts = [[17, 3, 0, 12, 8, 5], [1, 14, 9, 2, 15], [4, 6, 7, 10, 11, 13, 16]]
    assert sorted(sum(parts, [])) == list(range(len(docs)))
    for frames, lexicons in ((["war", "tax"], lx), (["tax"], lx), (["war"], ())):
        one = draw_coding_sample(docs, matches, frames=frames, per_stratum=per_stratum, seed=11, lexicons=lexicons)
        sharded = draw_coding_sample_sharded(_shards(docs, matches, parts), len(parts), frames=frames,
                                             per_stratum=per_stratum, seed=11, lexicons=lexicons)
        pd.testing.assert_frame_equal(sharded, one)
    st = stratify(docs, matches, frames=["war", "tax"], lexicons=lx).set_index(["frame", "thread_id", "comment_id"])
    assert st.loc[("war", "t4", "1"), "partial"] == "civil"
    assert st.loc[("war", "t4", "2"), "partial"] == "armed"
    assert st.loc[("war", "t4", "3"), "partial"] == "conflicts"
    assert st.loc[("tax", "t4", "3"), "partial"] == "living"
    big = draw_coding_sample_sharded(_shards(docs, matches, parts), len(parts), frames=["war", "tax"], per_stratum=50,
                                     seed=11, lexicons=lx)
    sizes = big.groupby(["frame", "stratum"])["stratum_size"].first().to_dict()
    assert sizes == st.reset_index().groupby(["frame", "stratum"]).size().to_dict()
    assert sizes[("war", "near_miss")] == 7  # t1/2, t1/3, t3/2, t4/1, t4/2, t4/3, t0/9


def test_sharded_sample_refuses_a_document_in_two_shards(corpus):
    lx, docs, matches = corpus
    with pytest.raises(ValueError, match="t1"):
        draw_coding_sample_sharded(_shards(docs, matches, [[0, 1, 2], [2, 3]]), 2, frames=["war"], per_stratum=2,
                                   seed=1, lexicons=lx)


def _arrow_shards(docs, matches, parts):
    """load_shard as the rule has it: Arrow keys, comments (reversed order) and threads through documents_with_text, Arrow matches."""
    import pyarrow as pa

    from analysis.validation import documents_with_text

    def load(i):
        d = docs.iloc[parts[i]].reset_index(drop=True)
        keys = set(zip(d["thread_id"], d["comment_id"], d["doc"]))
        m = matches[[k in keys for k in zip(matches["thread_id"], matches["comment_id"], matches["doc"])]]
        comments = d.loc[d["doc"] == "comment", ["thread_id", "comment_id", "text"]].iloc[::-1]
        threads = d.loc[d["doc"] == "article", ["thread_id", "text"]].rename(columns={"text": "article_text"})
        def arrow(df):  # in two chunks, as a Parquet file of several row groups reads
            half = len(df) // 2
            return pa.concat_tables([pa.Table.from_pandas(df.iloc[:half], preserve_index=False),
                                     pa.Table.from_pandas(df.iloc[half:], preserve_index=False)])

        table = documents_with_text(arrow(d[["thread_id", "comment_id", "doc"]]), arrow(comments), arrow(threads))
        return table, arrow(m.reset_index(drop=True))
    return load


@pytest.mark.parametrize("per_stratum", [1, 2, 5])
def test_sharded_sample_from_arrow_shards_equals_the_one_pass_sample(corpus, per_stratum):
    """The rule's path (Arrow tables, texts joined in Arrow, articles, blank-looking texts) draws the one-pass sample."""
    lx, docs, _ = corpus
    extra = pd.DataFrame(EXTRA_TEXTS + [("t6", "1", "\x1c\u3000 \x85"), ("t6", "2", "\u200b"), ("t6", "3", "civil\u2028servant"),
                                        ("t4", "4", "The civil war.")],
                         columns=["thread_id", "comment_id", "text"]).assign(doc="comment")
    articles = pd.DataFrame({"thread_id": ["t1", "t5", "t6"], "comment_id": "", "doc": "article",
                             "text": ["An armed truce, a war report.", "", "Civil rights."]})
    docs = pd.concat([docs, extra, articles], ignore_index=True)[["thread_id", "comment_id", "doc", "text"]]
    tokens = tokenize_documents(docs, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms()))
    matches = match_frames(tokens, lx, texts={(t, c, d): x for t, c, d, x in docs.itertuples(index=False)})
    rng = np.random.default_rng(3)
    order = rng.permutation(len(docs)).tolist()
    parts = [order[:7], order[7:8], order[8:20], order[20:]]
    for frames, lexicons in ((["war", "tax"], lx), (["tax"], lx), (["war"], ())):
        one = draw_coding_sample(docs, matches, frames=frames, per_stratum=per_stratum, seed=11, lexicons=lexicons)
        for load in (_arrow_shards(docs, matches, parts), _shards(docs, matches, parts)):
            sharded = draw_coding_sample_sharded(load, len(parts), frames=frames, per_stratum=per_stratum, seed=11,
                                                 lexicons=lexicons)
            pd.testing.assert_frame_equal(sharded, one)
    # the blank text is never drawn, the zero-width one is (it is not whitespace), the articles are
    big = draw_coding_sample_sharded(_arrow_shards(docs, matches, parts), len(parts), frames=["war"], per_stratum=50,
                                     seed=11, lexicons=lx)
    drawn = set(zip(big["thread_id"], big["comment_id"], big["doc"]))
    assert ("t6", "1", "comment") not in drawn and ("t5", "", "article") not in drawn
    assert {("t6", "2", "comment"), ("t1", "", "article"), ("t6", "", "article")} <= drawn
    assert len(big) == len(docs) - 3  # t2/4, t6/1 and the empty article are blank


def test_documents_with_text_gives_the_texts_of_document_texts():
    """The Arrow join of texts to documents against the dict of analysis.framing.document_texts, on awkward keys."""
    import pyarrow as pa

    from analysis.framing import document_texts
    from analysis.validation import documents_with_text

    comments = pd.DataFrame({"thread_id": ["a", "a", "b", "a:b", "a", "c", "3:a"],
                             "comment_id": ["1", "2", "1", "", "1", "x\x00y", "b"],
                             "text": ["one", "two", "b1", "colon", "one again", "nul", "prefix"]})
    threads = pd.DataFrame({"thread_id": ["a", "b", "c", "c", "d", "d"],
                            "article_text": ["art a", "", "art c", "", "first", "second"]})
    keys = [("a", "1", "comment"), ("a", "2", "comment"), ("a", "b", "comment"), ("a:b", "", "comment"), ("a", "", "article"),
            ("b", "", "article"), ("c", "", "article"), ("a", "1", "article"), ("z", "", "article"), ("c", "x\x00y", "comment"),
            ("a", "1", "title"), ("d", "", "article"), ("3:a", "b", "comment"), ("3", "a:b", "comment"), ("b", "1", "comment")]
    texts = document_texts(comments, threads)
    want = [texts.get(k, "") for k in keys]
    assert want[:7] == ["one again", "two", "", "colon", "art a", "", "art c"] and want[11] == "second"
    docs = pa.table({k: [key[j] for key in keys] for j, k in enumerate(["thread_id", "comment_id", "doc"])})
    for d in (docs, pa.table({k: docs.column(k).dictionary_encode() for k in docs.column_names})):
        got = documents_with_text(d, pa.Table.from_pandas(comments), pa.Table.from_pandas(threads))
        assert got.column("text").to_pylist() == want
        assert got.select(["thread_id", "comment_id", "doc"]).to_pylist() == docs.to_pylist()
    none = documents_with_text(docs, pa.Table.from_pandas(comments.iloc[:0]), pa.Table.from_pandas(threads.iloc[:0]))
    assert none.column("text").to_pylist() == [""] * len(keys)


@pytest.mark.parametrize("n_frames", [3, 62, 63, 70])
def test_partial_finder_flags_agree_with_partial_text(n_frames):
    """flags (bit sets, cached texts) against partial_text, word by word, for few and for more frames than int64 bits."""
    from analysis.validation import _PartialFinder

    words = ["arms", "bear", "civil", "cost", "living", "right"]
    frames = [f"f{j}" for j in range(n_frames)]
    patterns = {f: ({words[j % 6]} if j % 3 else set(), {"IS"} if j % 4 == 1 else set(),
                    ("conflict",) if j % 5 == 0 else (), ("Tax",) if j % 7 == 0 else ()) for j, f in enumerate(frames)}
    finder = _PartialFinder(patterns, frames)
    texts = ["Civil arms", "conflicts and Taxes", "IS is", "nothing", "", "bear. . . cost", "taxes (conflictual)",
             "Civil arms", "right-wing living\ncosts"]
    want = np.array([[finder.partial_text(t, f) != "" for f in frames] for t in texts])
    assert want.any() and not want.all()
    for _ in range(2):  # the second call reads the cache
        np.testing.assert_array_equal(finder.flags(texts), want)
    np.testing.assert_array_equal(finder.flags(texts[::-1]), want[::-1])


def test_coding_sheets_are_blind_and_shuffled_per_coder(corpus):
    lx, docs, matches = corpus
    sample = draw_coding_sample(docs, matches, frames=["war", "tax"], per_stratum=3, seed=5, lexicons=lx)
    context = pd.DataFrame({"thread_id": ["t1", "t1", "t2", "t2"], "comment_id": ["1", "3", "1", "2"],
                            "parent_id": ["", "1", "", "1"], "text": ["The civil war goes on.", "x", "=SUM(A1)", "y"]})
    sheets = coding_sheets(sample, coders=["ann", "bob"], context=context, lexicons=lx, seed=2)
    assert list(sheets) == ["ann", "bob"]
    for sheet in sheets.values():
        assert list(sheet.columns) == SHEET_COLUMNS
        assert sorted(sheet["item_id"]) == sorted(sample["item_id"])
        assert (sheet["code"] == "").all() and (sheet["note"] == "").all()
        assert not {"dict_label", "stratum", "terms", "n_counted"} & set(sheet.columns)
    assert sheets["ann"]["item_id"].tolist() != sheets["bob"]["item_id"].tolist()
    assert coding_sheets(sample, coders=["bob"], context=context, lexicons=lx, seed=2)["bob"].equals(sheets["bob"])
    by_id = sheets["ann"].set_index("item_id")
    # both are near misses, and those strata are drawn whole
    assert by_id.loc["war:t1:3:comment", "context"] == "The civil war goes on."
    assert by_id.loc["tax:t2:2:comment", "context"] == "'=SUM(A1)"  # neutralised for spreadsheets
    assert by_id.loc["war:t1:1:comment", "context"] == ""  # top level
    assert set(by_id["definition"]) == {"War: The conflict as a war.", "Taxes: Taxes and what things cost."}
    assert set(coding_sheets(sample, coders=["c"])["c"]["definition"]) == {"see the codebook, frame war",
                                                                           "see the codebook, frame tax"}
    with pytest.raises(ValueError, match="coders"):
        coding_sheets(sample, coders=["a", "a"])


def test_codebook_lists_rules_and_frames(corpus):
    lx, _, _ = corpus
    text = codebook(lx)
    assert "### War (`war`)" in text and "### Taxes (`tax`)" in text
    assert "in the author's own voice" in text and "blank" in text
    assert "civil war, war, armed conflict*" in text
    assert "civil war" not in codebook(lx, show_terms=False)
    assert codebook(lx, frames=["tax"]).count("### ") == 1


def test_round_trip_sample_codes_gold_accuracy_and_errors(corpus, tmp_path):
    lx, docs, matches = corpus
    sample = draw_coding_sample(docs, matches, frames=["war", "tax"], per_stratum=3, seed=5, lexicons=lx)
    sheets = coding_sheets(sample, coders=["ann", "bob"], lexicons=lx, seed=2)
    # the coders: 1 for every dictionary hit except the quoted 'civil war'; bob also 1 for the civil servant
    truth = dict(zip(sample["item_id"], sample["dict_label"]))
    truth["war:t1:2:comment"] = 1
    for coder, sheet in sheets.items():
        sheet["code"] = [str(truth[i]) for i in sheet["item_id"]]
        if coder == "bob":
            sheet.loc[sheet["item_id"] == "war:t1:3:comment", "code"] = "1"
        sheet.to_csv(tmp_path / f"{coder}.csv", index=False)
    back = {c: pd.read_csv(tmp_path / f"{c}.csv", dtype=str, keep_default_na=False) for c in sheets}
    codes = read_codes(back, sample)
    assert len(codes) == 2 * len(sample)
    agree = agreement_by_frame(codes, sample, n_boot=50, seed=0)
    assert list(agree["frame"]) == ["war", "tax", "(all)"]
    assert agree.set_index("frame").loc["tax", "alpha"] == 1.0
    gold = adjudicate(codes)
    assert gold.set_index("item_id").loc["war:t1:3:comment", "tie"]
    both = sample.merge(gold, on="item_id")
    acc = by_frame(both, weights="weight", n_boot=0).set_index("frame")
    assert acc.loc["tax", "precision"] == 1.0 and acc.loc["tax", "recall"] == 1.0
    assert acc.loc["war", "fn"] == 1.0  # the quoted match, weighted by its stratum (3 of 3 drawn)
    worst = worst_errors(both, n=5)
    assert worst[["frame", "error", "item_id"]].values.tolist() == [["war", "false_negative", "war:t1:2:comment"]]
    assert worst.loc[0, "terms"] == "civil war" and worst.loc[0, "agreement"] == 1.0


def test_worst_errors_ranks_unanimous_and_many_matches_first():
    t = pd.DataFrame({
        "item_id": ["a", "b", "c", "d", "e"], "frame": "f", "text": "x",
        "dict_label": [1, 1, 1, 0, 0], "gold": [0, 0, 0, 1, 1],
        "n_codes": [3, 3, 3, 2, 2], "n_ones": [1, 0, 0, 2, 2], "n_counted": [5, 1, 2, 0, 0], "n_matches": [5, 1, 2, 1, 0],
        "terms": ["w", "w", "w", "w", ""],
    })
    got = worst_errors(t, n=2)
    assert got[["error", "item_id"]].values.tolist() == [
        ["false_positive", "c"], ["false_positive", "b"], ["false_negative", "d"], ["false_negative", "e"]]
    assert got.loc[0, "agreement"] == 1.0


def test_document_predictions_count_counted_matches_only(corpus):
    _, docs, matches = corpus
    preds = document_predictions(docs, matches, frames=["war", "tax"])
    assert len(preds) == len(docs)
    row = preds.set_index(["thread_id", "comment_id"])
    assert row.loc[("t1", "1"), "hits_war"] == 1 and row.loc[("t1", "2"), "hits_war"] == 0
    assert row.loc[("t3", "1"), ["hits_war", "hits_tax"]].tolist() == [1, 1]


# --------------------------------------------------------------------------
# the FrAC dictionary and example


@pytest.fixture(scope="module")
def frac_lexicon():
    return load_lexicon(FRAC_LEXICON)


def test_frac_dictionary_loads_and_is_documented(frac_lexicon):
    lx = frac_lexicon
    assert lx.name == "frac_frames" and lx.version == "1.0.0"
    assert list(lx.frames) == ["economic", "legality_crime", "security_defense", "health_safety"]
    table = lx.term_table()
    terms = table[~table["exclude"]]
    key = terms["words"].map(lambda w: tuple(x.casefold() for x in w))
    assert (terms.groupby(key)["frame"].nunique() == 1).all()  # no term in two frames
    doc = " ".join(FRAC_MD.read_text(encoding="utf-8").split())  # a term may wrap across lines
    assert [t for t in table["term"] if f"`{t}`" not in doc] == []
    for frame in lx.frames:
        assert f"### `{frame}`" in doc
    assert f"`{lx.short_hash}`" in doc  # the numbers in FRAC.md are for this exact file
    # multi-word terms without wildcard become one token
    mwe = table[(table["n_words"] > 1) & ~table["wildcard"]]
    docs = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(len(mwe))], "doc": "comment",
                         "text": [f"Then {t} came." for t in mwe["term"]]})
    tokens = tokenize_documents(docs, punkt=PunktSentenceTokenizer(PunktParameters()), mwes=multiword_tuples(lx.terms()))
    second = tokens[tokens["index"] == 1]["norm"].tolist()
    assert second == [" ".join(w) for w in mwe["words"]]


def test_frac_example_config_names_the_dictionary_and_codes(frac_lexicon):
    cfg = yaml.safe_load((ROOT / "config" / "examples" / "frac.yaml").read_text(encoding="utf-8"))
    assert cfg["lexicons"] == ["data/lexicons/frac_frames.yaml"]
    assert cfg["sources"][0]["columns"] == {"thread_id": "type", "text": "sentence"}  # ids: row numbers
    v = cfg["validation"]
    assert set(v["code_of_frame"]) == set(frac_lexicon.frames)
    assert v["label_column"] == "label" and all(isinstance(c, str) for c in v["code_of_frame"].values())


def _frac_run(lx):
    raw = pd.read_csv(FRAC_CSV, dtype=str, keep_default_na=False)
    sentences = frac_sentences(raw)
    punkt = punkt_from_params(train_punkt(sentences["text"]))
    tokens = tokenize_documents(sentences[["thread_id", "comment_id", "doc", "text"]], punkt=punkt,
                                mwes=multiword_tuples(lx.terms()))
    texts = {(t, c, d): x for t, c, d, x in zip(sentences["thread_id"], sentences["comment_id"], sentences["doc"], sentences["text"])}
    matches = match_frames(tokens, lx, texts=texts)
    return raw, sentences, matches


# tp, fp, fn, tn per frame on all 523 sentences, as reported in data/lexicons/FRAC.md
FRAC_COUNTS = {
    "economic": (63, 28, 12, 420),
    "legality_crime": (48, 34, 7, 434),
    "security_defense": (37, 20, 5, 461),
    "health_safety": (37, 14, 16, 456),
}


@pytest.mark.skipif(not FRAC_CSV.exists(), reason="../shared/data/frac-frames is not beside the project")
def test_frac_validation_on_the_real_sentences(frac_lexicon):
    raw, sentences, matches = _frac_run(frac_lexicon)
    assert len(sentences) == len(raw) == 523 and sentences["comment_id"].is_unique
    cfg = yaml.safe_load((ROOT / "config" / "examples" / "frac.yaml").read_text(encoding="utf-8"))
    got = frac_validation(sentences, matches, code_of_frame=cfg["validation"]["code_of_frame"],
                          clusters="source_id", n_boot=200, seed=1).set_index("frame")
    counts = raw["label"].value_counts()
    doc = FRAC_MD.read_text(encoding="utf-8")
    for frame, code in cfg["validation"]["code_of_frame"].items():
        row = got.loc[frame]
        assert row["support"] == counts[code] and row["n"] == 523
        assert (row["tp"], row["fp"], row["fn"], row["tn"]) == FRAC_COUNTS[frame]
        assert row["precision_low"] <= row["precision"] <= row["precision_high"]
        line = f"| `{frame}` | {code} | {row['support']} | {row['n_predicted']} | {row['tp']} | {row['fp']} | {row['fn']} |"
        assert line in doc, line
    assert got["n_clusters"].iloc[0] == sentences["source_id"].nunique()


def test_frac_sentences_numbers_sentences_and_keeps_the_source_id():
    raw = pd.DataFrame({"sentence": ["A b.", "C d.", "E f."], "label": ["1", "8 ", ""],
                        "id": ["x", "x", ""], "type": ["article", "article", ""]})
    s = frac_sentences(raw)
    assert s["comment_id"].tolist() == ["1", "2", "3"]
    assert s["thread_id"].tolist() == ["article", "article", "unknown"]
    assert s["source_id"].tolist() == ["x", "x", "record-3"]
    assert s["label"].tolist() == ["1", "8", ""]
    assert re.fullmatch(r"[a-z]+", s["doc"].iloc[0])
