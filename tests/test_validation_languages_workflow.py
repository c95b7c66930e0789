"""End to end (issue 18, validation per language): the hand-made English + Arabic forum's coding sample carries
each document's language and draws a frame only where it is measured; coded sheets and a label column come back as
P/R/F1 per language (the page's wording is tested in test_validation_languages.py)."""

import json

import pandas as pd
import pytest
from helpers import MIXED_FORUM
from test_workflow import ROOT, run_workflow

from analysis.lexicons import load_lexicon

pytestmark = pytest.mark.workflow

LEXICONS = MIXED_FORUM["lexicons"]
#: A stand-in label for the test: the fixture's `side` column, "pro" read as the frame's gold label.
CODE_OF_FRAME = {"civil_war": "pro", "government_as_regime": "pro"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mixed_validation")
    config = {
        **MIXED_FORUM,
        "results": str(tmp / "results"),
        "n_shards": 2,
        "validation": {"coders": ["ann"], "per_stratum": 4, "coded_sheets": str(tmp / "coded"),
                       "label_column": "side", "code_of_frame": CODE_OF_FRAME, "n_boot": 50},
    }
    results = tmp / "results"
    done = run_workflow(config, tmp, str(results / "validation/sample.csv"))
    assert done.returncode == 0, done.stderr[-5000:]
    sample = pd.read_csv(results / "validation/sample.csv", dtype=str, keep_default_na=False)
    sheet = pd.read_csv(results / "validation/sheets/ann.csv", dtype=str, keep_default_na=False)
    # the coder agrees with the dictionary on every item except one Arabic civil_war hit, which they reject
    truth = dict(zip(sample["item_id"], sample["dict_label"]))
    arabic_hits = sample[(sample["language"] == "ar") & (sample["frame"] == "civil_war")
                         & (sample["dict_label"] == "1")]
    rejected = arabic_hits["item_id"].iloc[0]
    truth[rejected] = "0"
    coded = sheet.assign(code=[truth[i] for i in sheet["item_id"]])
    (tmp / "coded").mkdir()
    coded.to_csv(tmp / "coded/ann.csv", index=False)
    done = run_workflow(config, tmp, *(str(results / f"validation/{n}") for n in (
        "summary.json", "coded_prf.csv", "labels_prf.csv")))
    assert done.returncode == 0, done.stderr[-5000:]
    return results, sample, sheet, rejected


def test_the_coding_sample_carries_the_language_and_draws_a_frame_only_where_it_is_measured(mixed):
    results, sample, sheet, _ = mixed
    forum = pd.read_csv(ROOT / "tests/fixtures/mixed/forum.csv", dtype=str)
    language_of = dict(zip(forum["comment_id"], forum["language"]))
    # each item's language is its comment's (the fixture's column): English and Arabic, never undetermined (with two
    # languages an undetermined comment is in no dictionary's language)
    assert (sample["doc"] == "comment").all()
    assert sample["language"].tolist() == [language_of[c] for c in sample["comment_id"]]
    assert set(sample["language"]) == {"en", "ar"}
    # syria_actors has no Arabic list: its frames are never drawn in Arabic, not even as random non-hits
    actors = set(load_lexicon(ROOT / LEXICONS[1], check_terms=False).frames)
    assert not sample[sample["frame"].isin(actors) & (sample["language"] == "ar")].shape[0]
    assert sample[sample["frame"].isin(actors)].shape[0] > 0
    # a frame of both languages is drawn in both, each language a stratum of its own
    war = sample[sample["frame"] == "civil_war"]
    n_lang = forum["language"].value_counts()
    # its strata in each language partition that language's comments (every comment of the fixture has a text)
    sizes = war.groupby(["language", "stratum"])["stratum_size"].first().astype(int).groupby(level=0).sum()
    assert sizes.to_dict() == {"ar": n_lang["ar"], "en": n_lang["en"]}
    # the sheet carries the language, item by item
    assert dict(zip(sheet["item_id"], sheet["language"])) == dict(zip(sample["item_id"], sample["language"]))


def test_precision_recall_per_language_from_the_coded_sheet(mixed):
    results, sample, _, rejected = mixed
    summary = json.loads((results / "validation/summary.json").read_text(encoding="utf-8"))
    assert summary["coded_languages"] == ["ar", "en"] and summary["label_languages"] == ["ar", "en"]
    coded = pd.read_csv(results / "validation/coded_prf.csv", dtype={"language": str})
    war = coded[coded["frame"] == "civil_war"].set_index("language")
    assert list(war.index) == ["all", "ar", "en"]
    # by hand: the coder rejected one Arabic hit, so Arabic precision = (hits - 1) / hits (unweighted: every hit of
    # the cell has the cell's weight); English agrees everywhere
    ar_hits = sample[(sample["frame"] == "civil_war") & (sample["language"] == "ar") & (sample["dict_label"] == "1")]
    assert rejected in set(ar_hits["item_id"])
    assert war.loc["ar", "precision"] == pytest.approx((len(ar_hits) - 1) / len(ar_hits))
    assert war.loc["en", "precision"] == 1.0 and war.loc["en", "recall"] == 1.0
    # a frame with no Arabic dictionary has no Arabic row
    regime = coded[coded["frame"] == "government_as_regime"]
    assert regime["language"].tolist() == ["all", "en"]


def test_labels_per_language_against_counts_from_the_documents(mixed):
    results, _, _, _ = mixed
    labels = pd.read_csv(results / "validation/labels_prf.csv", dtype={"language": str})
    docs = pd.read_parquet(results / "framing/docs")
    docs = docs[docs["doc"] == "comment"]
    for frame in CODE_OF_FRAME:
        got = labels[labels["frame"] == frame].set_index("language")
        for lang in ("en", "ar"):
            part = docs[(docs["language"] == lang) & docs[f"hits_{frame}"].notna()]
            if not len(part):  # not measured in this language: no row
                assert lang not in got.index
                continue
            pred, gold = part[f"hits_{frame}"] > 0, part["side"] == "pro"
            counts = [int((pred & gold).sum()), int((pred & ~gold).sum()), int((~pred & gold).sum())]
            assert got.loc[lang, ["tp", "fp", "fn"]].astype(int).tolist() == counts
    assert labels.loc[labels["frame"] == "government_as_regime", "language"].tolist() == ["all", "en"]
