"""Coding sheets and codebook (analysis.validation.sheets): blind, shuffled per coder, safe in a spreadsheet."""

import pandas as pd
import pytest
from test_validation_sampling import draw, make_corpus

from analysis.validation.sheets import SHEET_COLUMNS, codebook, coding_sheets


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory)


def test_coding_sheets_are_blind_and_shuffled_per_coder(corpus):
    lx, docs, matches = corpus
    sample = draw(docs, matches, frames=["war", "tax"], per_stratum=3, seed=5, lexicons=lx)
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
