"""Validation per language (issue 18): documents carry their language into the coding sample, a frame is drawn
only where it is measured, and precision/recall per language equal each language's items alone.

Every text and label here is invented.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.book import page_conditions, valid_substitutions
from analysis.lexicons import Lexicon
from analysis.validation.accuracy import ALL, METRIC_COLUMNS, by_frame, compare_to_labels
from analysis.validation.coding_sample import documents_with_text
from analysis.validation.sampling import SAMPLE_COLUMNS, draw_coding_sample
from analysis.validation.validation_report import validation_report

ROOT = Path(__file__).resolve().parents[1]
KEYS = ["thread_id", "comment_id", "doc"]
LEXICON = Lexicon(name="t", version="1", frames={"war": {"label": "War", "terms": ["war"]},
                                                "tax": {"label": "Tax", "terms": ["tax"]}},
                  path="t.yaml", sha256="0" * 64)
NO_MATCHES = pa.table({**{k: pa.array([], pa.string()) for k in KEYS}, "frame": pa.array([], pa.string()),
                       "term": pa.array([], pa.string()), "counted": pa.array([], pa.bool_())})


# --------------------------------------------------------------------------
# the documents' language (rule coding_sample's input)


def test_documents_carry_their_comment_or_article_language_and_keep_their_hits():
    comments = pa.table({"thread_id": ["t1", "t1", "t2", "t2"], "comment_id": ["1", "2", "1", "1"],
                         "text": ["one", "two", "old", "new"], "language": ["en", "ar", "en", "ar"]})
    threads = pa.table({"thread_id": ["t1", "t2"], "article_text": ["body", ""], "article_language": ["ar", "en"]})
    docs = pa.table({"thread_id": ["t1", "t1", "t2", "t1", "t2", "t1"], "comment_id": ["1", "2", "1", "", "", "x"],
                     "doc": ["comment", "comment", "comment", "article", "article", "title"],
                     "hits_war": pa.array([1, None, 0, 2, None, 0], pa.int64())})
    got = documents_with_text(docs, comments, threads)
    # by hand: the comments' own languages (t2/1 repeated: the last row), t1's article 'ar', t2 has no article text,
    # a document of another kind has none
    assert got.column("text").to_pylist() == ["one", "two", "new", "body", "", ""]
    assert got.column("language").to_pylist() == ["en", "ar", "ar", "ar", None, None]
    assert got.column("hits_war").to_pylist() == [1, None, 0, 2, None, 0]  # kept, missing values included
    # comments without a language column: no language column (every document in the dictionaries' language)
    plain = documents_with_text(docs, comments.drop_columns(["language"]), threads.drop_columns(["article_language"]))
    assert "language" not in plain.column_names
    # threads without article_language: articles have none, comments keep theirs
    no_art = documents_with_text(docs, comments, threads.drop_columns(["article_language"])).column("language")
    assert no_art.to_pylist() == ["en", "ar", "ar", None, None, None]


# --------------------------------------------------------------------------
# a frame is drawn only where it is measured


def shards(docs: pd.DataFrame, n_shards: int = 2):
    parts = [pa.Table.from_pandas(docs[docs.index % n_shards == i].reset_index(drop=True), preserve_index=False)
             for i in range(n_shards)]
    return (lambda i: (parts[i], NO_MATCHES)), n_shards


def corpus(langs: list[str], *, tax_in: set[str] | None = None) -> pd.DataFrame:
    """Invented documents, none matching (all random non-hits); with ``tax_in``, hits_tax is missing outside those
    languages (the frame not measured there) and 0 inside."""
    n = len(langs)
    docs = pd.DataFrame({"thread_id": [f"t{i % 5}" for i in range(n)], "comment_id": [str(i) for i in range(n)],
                         "doc": "comment", "text": [f"text number {i}" for i in range(n)], "language": langs})
    docs["hits_war"] = pd.array([0] * n, dtype="Int64")
    if tax_in is not None:
        docs["hits_tax"] = pd.array([0 if lang in tax_in else pd.NA for lang in langs], dtype="Int64")
    return docs


def draw(docs, per_stratum=3, frames=("war", "tax")):
    load, n = shards(docs)
    return draw_coding_sample(load, n, frames=list(frames), per_stratum=per_stratum, seed=11, lexicons=[LEXICON])


def test_a_document_where_a_frame_is_not_measured_is_never_drawn_for_it():
    langs = ["en"] * 12 + ["ar"] * 6
    got = draw(corpus(langs, tax_in={"en"}), per_stratum=50)  # every document of each pool
    tax, war = got[got["frame"] == "tax"], got[got["frame"] == "war"]
    # tax is measured in English only: its 12 English documents, none of the 6 Arabic ones
    assert sorted(tax["comment_id"].astype(int)) == list(range(12)) and set(tax["language"]) == {"en"}
    assert tax["stratum_size"].eq(12).all() and tax["weight"].eq(1.0).all()
    # war is measured in both: every document, each language a stratum of its own
    assert len(war) == 18 and war.groupby("language")["stratum_size"].first().to_dict() == {"ar": 6, "en": 12}


def test_a_frame_measured_in_one_language_draws_as_that_language_alone():
    langs = ["en"] * 12 + ["ar"] * 6
    got = draw(corpus(langs, tax_in={"en"}), per_stratum=4)
    tax = got[got["frame"] == "tax"].drop(columns="language").reset_index(drop=True)
    # the second method: the English documents alone, without any language column or hits
    alone = corpus(langs[:12]).drop(columns=["language", "hits_war"])
    expected = draw(alone, per_stratum=4, frames=["tax"])
    pd.testing.assert_frame_equal(tax, expected)


def test_undetermined_documents_make_no_second_language():
    langs = ["en"] * 10 + ["und"] * 4
    got = draw(corpus(langs), per_stratum=4, frames=["war"])
    plain = draw(corpus(langs).drop(columns=["language", "hits_war"]), per_stratum=4, frames=["war"])
    pd.testing.assert_frame_equal(got.drop(columns="language"), plain)
    assert list(plain.columns) == SAMPLE_COLUMNS


# --------------------------------------------------------------------------
# precision / recall per language


def coded_items() -> pd.DataFrame:
    """Coded items of two frames in two languages, with sampling weights of their cells."""
    rows = [  # frame, language, dict_label, gold, weight
        ("war", "en", 1, 1, 2.0), ("war", "en", 1, 0, 2.0), ("war", "en", 0, 1, 5.0), ("war", "en", 0, 0, 5.0),
        ("war", "ar", 1, 1, 1.0), ("war", "ar", 1, 1, 1.0), ("war", "ar", 0, 1, 4.0), ("war", "ar", 0, 0, 4.0),
        ("war", "ar", 0, 0, 4.0), ("tax", "en", 1, 1, 3.0), ("tax", "en", 0, 0, 6.0), ("tax", "ar", 1, 0, 1.0),
        ("tax", "ar", 0, 1, 2.0),
    ]
    t = pd.DataFrame(rows, columns=["frame", "language", "dict_label", "gold", "weight"])
    t["thread_id"] = [f"t{i % 4}" for i in range(len(t))]
    return t


def test_per_language_rows_equal_each_language_alone_and_hand_counts():
    t = coded_items()
    kw = dict(weights="weight", clusters="thread_id", n_boot=200, seed=3)
    got = by_frame(t, by="language", **kw)
    assert list(got.columns) == ["frame", "language"] + METRIC_COLUMNS
    assert got[["frame", "language"]].values.tolist() == [["war", ALL], ["war", "ar"], ["war", "en"],
                                                           ["tax", ALL], ["tax", "ar"], ["tax", "en"]]
    # the overall rows are those without languages
    pd.testing.assert_frame_equal(got[got["language"] == ALL].drop(columns="language").reset_index(drop=True),
                                  by_frame(t, **kw))
    # each language's rows equal that language's items alone, intervals included
    for lang in ("en", "ar"):
        alone = by_frame(t[t["language"] == lang], **kw)
        mine = got[got["language"] == lang].drop(columns="language").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)
    # by hand, war in Arabic (weighted): tp 1 + 1 = 2, fp 0, fn 4, tn 8; precision 1, recall 2/6
    ar = got.set_index(["frame", "language"]).loc[("war", "ar")]
    assert (ar["tp"], ar["fp"], ar["fn"], ar["tn"]) == (2.0, 0.0, 4.0, 8.0)
    assert ar["precision"] == 1.0 and ar["recall"] == pytest.approx(2 / 6)
    # war in English: tp 2, fp 2, fn 5, tn 5
    en = got.set_index(["frame", "language"]).loc[("war", "en")]
    assert en["precision"] == 0.5 and en["recall"] == pytest.approx(2 / 7)


def label_docs() -> pd.DataFrame:
    """An Arabic incivility dictionary (hits missing in English documents: not measured) and labels in both."""
    return pd.DataFrame({
        "thread_id": ["a", "a", "a", "b", "b", "c", "c", "c"],
        "comment_id": ["1", "2", "3", "1", "2", "1", "2", ""],
        "doc": ["comment"] * 7 + ["article"],
        "language": ["ar", "ar", "ar", "ar", "en", "en", "en", "en"],
        "hits_incivility": pd.array([2, 0, 1, 0, pd.NA, pd.NA, pd.NA, pd.NA], dtype="Int64"),
        "offensive": ["1", "1", "0", "0", "1", "1", "0", "1"],
    })


def test_labels_leave_out_documents_where_the_frame_is_not_measured():
    docs = label_docs()
    comments = docs[docs["doc"] == "comment"]
    got = compare_to_labels(docs, comments, mapping={"incivility": "1"}, label_column="offensive", n_boot=0)
    # by hand, the four Arabic comments only: predicted 1, 0, 1, 0; gold 1, 1, 0, 0 -> tp 1, fp 1, fn 1, tn 1.
    # Read as 0, the three English comments would add two false negatives and a true negative.
    assert got.loc[0, ["n", "tp", "fp", "fn", "tn"]].tolist() == [4, 1, 1, 1, 1]
    # a labelled comment with no row in the predictions (no word tokens) is still predicted 0
    extra = pd.concat([comments, pd.DataFrame({"thread_id": ["d"], "comment_id": ["9"], "doc": ["comment"],
                                               "language": ["ar"], "offensive": ["1"]})], ignore_index=True)
    more = compare_to_labels(docs, extra, mapping={"incivility": "1"}, label_column="offensive", n_boot=0)
    assert more.loc[0, ["n", "tp", "fn"]].tolist() == [5, 1, 2]


def test_labels_per_language_equal_each_language_alone():
    docs = label_docs()
    docs["hits_incivility"] = pd.array([2, 0, 1, 0, 1, 0, 0, 3], dtype="Int64")  # now measured in both
    comments = docs[docs["doc"] == "comment"]
    kw = dict(mapping={"incivility": "1"}, label_column="offensive", clusters="thread_id", n_boot=100, seed=2)
    got = compare_to_labels(docs, comments, by="language", **kw)
    assert list(got.columns) == ["frame", "language", "codes"] + METRIC_COLUMNS
    assert got["language"].tolist() == [ALL, "ar", "en"]
    for lang in ("ar", "en"):
        alone = compare_to_labels(docs, comments[comments["language"] == lang], **kw)
        pd.testing.assert_frame_equal(got[got["language"] == lang].drop(columns="language").reset_index(drop=True),
                                      alone)
    # by hand, English: predicted 1, 0, 0; gold 1, 1, 0 -> tp 1, fn 1, tn 1
    en = got.set_index("language").loc["en"]
    assert (en["tp"], en["fp"], en["fn"], en["tn"]) == (1, 0, 1, 1)
    # not measured in English: no English row, and the overall row is the Arabic one
    only_ar = compare_to_labels(label_docs(), comments.assign(), by="language", **kw)
    assert only_ar["language"].tolist() == [ALL, "ar"]
    assert only_ar.iloc[0, 3:].tolist() == only_ar.iloc[1, 3:].tolist()


def test_validation_report_gives_rows_per_language_only_with_several_languages():
    docs = label_docs()
    opts = dict(coders=["ann"], code_of_frame={"incivility": "1"}, cluster=None, n_boot=50, seed=1, n_errors=3)
    empty = pd.DataFrame(columns=["item_id", "frame"])
    docs["hits_incivility"] = pd.array([2, 0, 1, 0, 1, 0, 0, 3], dtype="Int64")
    two = validation_report(docs, empty, {}, label_column="offensive", **opts)
    assert two["summary"]["label_languages"] == ["ar", "en"] and "coded_languages" not in two["summary"]
    assert two["labels"]["language"].tolist() == [ALL, "ar", "en"]
    # one determined language (an undetermined comment beside it): as without languages
    one = docs.assign(language=["ar", "ar", "und", "ar", "ar", "ar", "ar", "ar"])
    got = validation_report(one, empty, {}, label_column="offensive", **opts)
    assert "label_languages" not in got["summary"] and "language" not in got["labels"].columns
    plain = validation_report(one.drop(columns="language"), empty, {}, label_column="offensive", **opts)
    pd.testing.assert_frame_equal(got["labels"], plain["labels"])
    assert got["summary"] == plain["summary"]


def test_validation_report_coded_rows_per_language():
    langs = ["en"] * 12 + ["ar"] * 6
    sample = draw(corpus(langs), per_stratum=4, frames=["war"])
    sheet = sample[["item_id", "frame"]].assign(code="0")
    sheet.loc[sample["language"] == "ar", "code"] = "1"  # the coder sees the frame in every Arabic item
    opts = dict(coders=["ann"], code_of_frame={}, cluster=None, n_boot=50, seed=1, n_errors=3, label_column="")
    got = validation_report(pd.DataFrame(), sample, {"ann": sheet}, **opts)
    assert got["summary"]["coded_languages"] == ["ar", "en"]
    coded = got["coded"].set_index("language")
    # Arabic: 4 items, all gold 1, none predicted -> fn 4 x weight 6/4; English: 4 items, all gold 0
    assert coded.loc["ar", "fn"] == pytest.approx(6.0) and coded.loc["ar", "recall"] == 0.0
    assert coded.loc["en", "tn"] == pytest.approx(12.0) and np.isnan(coded.loc["en", "recall"])
    assert set(got["errors"]["language"]) == {"ar"}


# --------------------------------------------------------------------------
# the book's validation page


def page(subs_valid: dict) -> str:
    text = (ROOT / "book/validation.md").read_text(encoding="utf-8")
    return page_conditions(text, {"framing": {"frames": ["war"]}, "valid": subs_valid}, page="validation.md")


def test_the_page_shows_the_languages_only_when_the_tables_have_them():
    kw = dict(n_sample=10, results="results", coders=["ann"], label_column="offensive", cluster="", per_stratum=5,
              seed=1, coded_sheets="coded")
    one = valid_substitutions({"coders_returned": ["ann"]}, **kw)
    assert not any(k.endswith("_languages") for k in one)
    text = page(one)
    assert "several languages" not in text and "<!--%" not in text
    # a one-language page keeps its paragraphs as they were: no blank line added before the tables
    assert "estimate\nthe whole corpus.\n\n```{raw} html\n:file: _generated/tables/coded_prf.html" in text
    assert "{{ valid.labels_text }}\n\n```{raw} html\n:file: _generated/tables/labels_prf.html" in text
    two = valid_substitutions({"coders_returned": ["ann"], "coded_languages": ["ar", "en"],
                               "label_languages": ["ar", "en"]}, **kw)
    assert "(ar, en)" in two["coded_languages"] and "labelled documents" in two["label_languages"]
    text = page(two)
    assert "{{ valid.coded_languages }} The sample is stratified by language" in text
    assert "{{ valid.labels_text }}\n{{ valid.label_languages }}\n" in text


def test_the_report_counts_the_labelled_documents_left_out_as_not_measured():
    opts = dict(coders=["ann"], code_of_frame={"incivility": "1"}, cluster=None, n_boot=0, seed=1, n_errors=3)
    got = validation_report(label_docs(), pd.DataFrame(columns=["item_id", "frame"]), {}, label_column="offensive",
                            **opts)
    # by hand: the three English comments are labelled and have no measured hits (the article is no label row)
    assert got["summary"]["labels_not_measured"] == {"incivility": 3}
    assert got["labels"]["language"].tolist() == [ALL, "ar"]
    kw = dict(n_sample=0, results="results", coders=["ann"], label_column="offensive", cluster="", per_stratum=5,
              seed=1, coded_sheets="coded")
    text = valid_substitutions(got["summary"], **kw)["labels_text"]
    assert "not counted as misses: 3 for incivility." in text
    # every document measured: no such count, and no such sentence
    measured = label_docs().assign(hits_incivility=0)
    plain = validation_report(measured, pd.DataFrame(columns=["item_id", "frame"]), {}, label_column="offensive",
                              **opts)
    assert "labels_not_measured" not in plain["summary"]
    assert "not counted as misses" not in valid_substitutions(plain["summary"], **kw)["labels_text"]
