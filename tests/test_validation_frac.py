"""The FrAC dictionary, example config and adapter (analysis.validation.frac), on the real sentences when present.

The FrAC tests read ../shared/data at run time (skipped when it is not beside
the project); no FrAC sentence is stored in the repository.
"""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from analysis.lexicons import load_lexicon
from analysis.matcher import TokenIndex, match_frames
from analysis.punkt import punkt_from_params, train_punkt
from analysis.tokenization import multiword_tuples, token_table
from analysis.validation.frac import frac_sentences, frac_validation

ROOT = Path(__file__).resolve().parents[1]
FRAC_CSV = ROOT.parent / "shared" / "data" / "frac-frames" / "final_gold_single_v2025-06-28.csv"
FRAC_LEXICON = ROOT / "data" / "lexicons" / "frac_frames.yaml"
FRAC_MD = ROOT / "data" / "lexicons" / "FRAC.md"


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
    tokens = token_table(docs, punkt=PunktSentenceTokenizer(PunktParameters()),
                         mwes=multiword_tuples(lx.terms())).to_pandas()
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
    tokens = token_table(sentences[["thread_id", "comment_id", "doc", "text"]], punkt=punkt,
                                mwes=multiword_tuples(lx.terms()))
    texts = {(t, c, d): x for t, c, d, x in zip(sentences["thread_id"], sentences["comment_id"], sentences["doc"],
                                                sentences["text"])}
    matches = match_frames(TokenIndex(tokens), lx, texts=texts)
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
        line = (f"| `{frame}` | {code} | {row['support']} | {row['n_predicted']} | {row['tp']} | {row['fp']} "
                f"| {row['fn']} |")
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
