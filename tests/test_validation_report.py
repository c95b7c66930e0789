"""The validation round trip: sample out, codes back, alpha, gold, accuracy (analysis.validation.validation_report)."""

import pandas as pd
import pytest
from test_validation_sampling import draw, make_corpus

from analysis.validation.accuracy import by_frame, compare_to_labels, worst_errors
from analysis.validation.agreement import agreement_by_frame
from analysis.validation.codes import adjudicate, read_codes
from analysis.validation.sheets import coding_sheets
from analysis.validation.validation_report import read_sheets, validation_report


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory)


def test_round_trip_sample_codes_gold_accuracy_and_errors(corpus, tmp_path):
    lx, docs, matches = corpus
    sample = draw(docs, matches, frames=["war", "tax"], per_stratum=3, seed=5, lexicons=lx)
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
    # rule validation_report's function gives the same tables from the sheets as read back
    report = validation_report(docs, sample, read_sheets(tmp_path, ["ann", "bob", "cy"]), coders=["ann", "bob", "cy"],
                               label_column="", code_of_frame={}, cluster=None, n_boot=50, seed=0, n_errors=5)
    assert report["summary"] == {"coders_returned": ["ann", "bob"], "coders": ["ann", "bob", "cy"], "label_column": "",
                                 "n_codes": 2 * len(sample), "n_ties": 1, "n_gold": len(sample) - 1}
    pd.testing.assert_frame_equal(report["alpha"], agree)
    pd.testing.assert_frame_equal(report["coded"],
                                  by_frame(both.dropna(subset=["gold"]), weights="weight", n_boot=50, seed=0))
    pd.testing.assert_frame_equal(report["errors"], worst)
    assert report["labels"].empty


def test_validation_report_against_a_label_column():
    docs = pd.DataFrame({"thread_id": ["t"] * 5, "comment_id": ["1", "2", "3", "4", ""],
                         "doc": ["comment"] * 4 + ["article"], "hits_crime": [2, 0, 1, 0, 3],
                         "label": ["5", "5", "1", "", "5"], "source": ["a", "a", "b", "b", "c"]})
    sample = pd.DataFrame(columns=["item_id", "frame"])
    kwargs = dict(coders=["ann"], code_of_frame={"crime": "5"}, n_boot=20, seed=1, n_errors=3)
    report = validation_report(docs, sample, {}, label_column="label", cluster="source", **kwargs)
    assert report["summary"] == {"coders_returned": [], "coders": ["ann"], "label_column": "label"}
    assert report["alpha"].empty and report["coded"].empty and report["errors"].empty
    # comments only (the article is left out): gold 1, 2; predicted 1, 3; comment 4 unlabelled
    crime = report["labels"].set_index("frame").loc["crime"]
    assert crime[["n", "n_unlabelled", "tp", "fp", "fn", "tn", "n_clusters"]].tolist() == [3, 1, 1, 1, 1, 0, 2]
    comments = docs[docs["doc"] == "comment"]
    pd.testing.assert_frame_equal(report["labels"], compare_to_labels(docs, comments, mapping={"crime": "5"},
                                                                      clusters="source", n_boot=20, seed=1))
    # a cluster column the data lack resamples documents; a label column they lack is reported
    unclustered = validation_report(docs, sample, {}, label_column="label", cluster="article_id", **kwargs)
    assert unclustered["labels"].loc[0, "n_clusters"] == 3
    missing = validation_report(docs, sample, {}, label_column="mfc", cluster=None, **kwargs)
    assert missing["summary"]["label_problem"] == "no column 'mfc' in the data" and missing["labels"].empty
