"""End to end (issue 18): an English + Arabic corpus (hand-made fixture, a `language` column in the CSV) with
dictionaries in both languages and one English-only dictionary, run to a built book."""

import json

import pandas as pd
import pytest
from helpers import MIXED_FORUM
from test_workflow import ROOT, run_workflow

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mixed")
    config = {**MIXED_FORUM, "results": str(tmp / "results"), "n_shards": 2}
    done = run_workflow(config, tmp)
    assert done.returncode == 0, done.stderr[-5000:]
    return tmp / "results"


def test_frames_are_compared_across_languages_and_missing_ones_reported(mixed_run):
    comments = pd.read_csv(ROOT / "tests/fixtures/mixed/forum.csv", dtype=str)
    by = pd.read_csv(mixed_run / "framing/by_language.csv").set_index(["frame", "language"])
    # syria_frames has an Arabic list; syria_actors does not: its frames are missing in Arabic, with no count
    assert by.loc[("civil_war", "ar"), "status"] == "measured" and by.loc[("civil_war", "ar"), "reference"] == "en"
    assert by.loc[("government_as_regime", "ar"), "status"].startswith("missing")
    assert pd.isna(by.loc[("government_as_regime", "ar"), "hits"]) and pd.isna(by.loc[("government_as_regime",
                                                                                        "ar"), "rate"])
    # the documents of each language, counted from the fixture (no article text; one undetermined comment)
    n = comments["language"].value_counts()
    assert by.loc[("civil_war", "en"), "n_docs"] == n["en"] and by.loc[("civil_war", "ar"), "n_docs"] == n["ar"]
    docs = pd.read_parquet(mixed_run / "framing/docs")
    arabic = docs[docs["language"] == "ar"]
    assert arabic["hits_government_as_regime"].isna().all() and arabic["hits_civil_war"].notna().all()
    assert docs.loc[docs["language"] == "und"].filter(like="hits_").isna().all(axis=None)
    # the main tables hold the English documents only
    rates = pd.read_csv(mixed_run / "framing/rates.csv")
    assert rates.loc[(rates["by"] == "all") & (rates["frame"] == "civil_war"), "n_docs"].item() == n["en"]
    numbers = json.loads((mixed_run / "framing/numbers.json").read_text(encoding="utf-8"))
    assert numbers["languages"]["main"] == "en" and numbers["languages"]["n_compared"] == 8
    page = (mixed_run / "book/_build/html/framing.html").read_text(encoding="utf-8")
    assert "Frames compared across languages" in page and "missing (not measured)" in page
    assert "syria_frames_ar" in page and "not yet reviewed by a native speaker" in page
