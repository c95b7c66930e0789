"""Precision, recall, F1 and the errors to read (analysis.validation.accuracy), against hand counts."""

import math

import numpy as np
import pandas as pd
import pytest
from test_validation_sampling import make_corpus

from analysis.validation.accuracy import (
    METRIC_COLUMNS,
    by_frame,
    compare_to_labels,
    confusion,
    document_predictions,
    precision_recall,
    worst_errors,
)

NAN = np.nan


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory)


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


def test_worst_errors_ranks_unanimous_and_many_matches_first():
    t = pd.DataFrame({
        "item_id": ["a", "b", "c", "d", "e"], "frame": "f", "text": "x",
        "dict_label": [1, 1, 1, 0, 0], "gold": [0, 0, 0, 1, 1],
        "n_codes": [3, 3, 3, 2, 2], "n_ones": [1, 0, 0, 2, 2], "n_counted": [5, 1, 2, 0, 0],
        "n_matches": [5, 1, 2, 1, 0],
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
