"""The coding sample stratified by language (analysis.validation.sampling) and sheets that carry the language."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from analysis.lexicons import Lexicon
from analysis.validation.sampling import SAMPLE_COLUMNS, draw_coding_sample
from analysis.validation.sheets import SHEET_COLUMNS, coding_sheets

KEYS = ["thread_id", "comment_id", "doc"]
LEXICON = Lexicon(name="t", version="1", frames={"war": {"label": "War", "terms": ["war"]}}, path="t.yaml",
                  sha256="0" * 64)
NO_MATCHES = pa.table({**{k: pa.array([], pa.string()) for k in KEYS}, "frame": pa.array([], pa.string()),
                       "term": pa.array([], pa.string()), "counted": pa.array([], pa.bool_())})


def shards(languages: list[str] | None, *, n_shards: int = 2):
    """Invented documents, none matching: 20 en and 5 ar (every one a random non-hit), split over shards."""
    langs = languages if languages is not None else ["en"] * 25
    docs = pd.DataFrame({"thread_id": [f"t{i % 7}" for i in range(25)], "comment_id": [str(i) for i in range(25)],
                         "doc": "comment", "text": [f"text number {i}" for i in range(25)]})
    if languages is not None:
        docs["language"] = langs
    parts = [pa.Table.from_pandas(docs[docs.index % n_shards == i].reset_index(drop=True), preserve_index=False)
             for i in range(n_shards)]
    return (lambda i: (parts[i], NO_MATCHES)), n_shards


def sample(languages, **kw):
    load, n = shards(languages)
    return draw_coding_sample(load, n, frames=["war"], per_stratum=3, seed=7, lexicons=[LEXICON], **kw)


def test_several_languages_are_strata_of_their_own():
    langs = ["en"] * 20 + ["ar"] * 5
    got = sample(langs)
    assert list(got.columns) == SAMPLE_COLUMNS + ["language"]
    cells = got.groupby("language").agg(n=("item_id", "size"), size=("stratum_size", "first"),
                                        weight=("weight", "first"))
    # by hand: 3 drawn from each language's random non-hits; weights 20/3 and 5/3
    assert cells.to_dict("index") == {"ar": {"n": 3, "size": 5, "weight": pytest.approx(5 / 3)},
                                      "en": {"n": 3, "size": 20, "weight": pytest.approx(20 / 3)}}
    ids = dict(zip(range(25), langs))
    assert all(ids[int(c)] == lang for c, lang in zip(got["comment_id"], got["language"]))  # each row's own language
    assert got["weight"].sum() == pytest.approx(25)  # the weights add up to the documents they stand for


def test_one_language_draws_as_without_the_column():
    with_col = sample(["en"] * 25)
    without = sample(None)
    assert with_col["language"].eq("en").all()
    pd.testing.assert_frame_equal(with_col.drop(columns="language"), without)
    assert list(without.columns) == SAMPLE_COLUMNS


def test_sheets_carry_the_language():
    got = sample(["en"] * 20 + ["ar"] * 5)
    sheets = coding_sheets(got, coders=["a"], lexicons=[LEXICON], seed=1)
    sheet = sheets["a"]
    assert list(sheet.columns) == ["item_id", "frame", "language", *SHEET_COLUMNS[2:]]
    assert dict(zip(sheet["item_id"], sheet["language"])) == dict(zip(got["item_id"], got["language"]))
    plain = coding_sheets(sample(None), coders=["a"], lexicons=[LEXICON], seed=1)["a"]
    assert list(plain.columns) == SHEET_COLUMNS
