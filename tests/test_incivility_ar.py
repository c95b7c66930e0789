"""The Arabic incivility dictionary: its structure, hand-made fixtures, and the documented test-half validation."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.lexicons import expand_wildcards, load_lexicon
from analysis.matcher import TokenIndex, match_frames
from analysis.tokenization import multiword_tuples, token_table
from analysis.validation.accuracy import compare_to_labels, document_predictions

ROOT = Path(__file__).resolve().parents[1]
LEXICON = ROOT / "data" / "lexicons" / "incivility_ar.yaml"
DOC = ROOT / "data" / "lexicons" / "STANCE_INCIVILITY.md"
DATA = ROOT.parent / "shared" / "data" / "arabic-comments"
SUBFRAMES = ["name_calling", "dehumanisation", "vulgarity", "curses"]


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(LEXICON)


def matches_of(lx, texts):
    d = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "doc": "comment",
                      "text": texts})
    tokens = token_table(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms()))
    m = match_frames(TokenIndex(tokens), lx)
    return m.groupby(["comment_id", "frame"]).size().unstack(fill_value=0).reindex(
        index=d["comment_id"], columns=["incivility", *SUBFRAMES], fill_value=0)


def test_language_and_union_of_subframes(lexicon):
    assert lexicon.name == "incivility_ar"
    assert __import__("yaml").safe_load(LEXICON.read_text(encoding="utf-8"))["language"] == "ar"
    assert list(lexicon.frames) == ["incivility", *SUBFRAMES]
    t = lexicon.term_table()
    key = t["words"].map(tuple)
    whole = sorted(key[t["frame"] == "incivility"])
    parts = key[t["frame"] != "incivility"]
    assert sorted(parts) == whole and not parts.duplicated().any()


def test_hand_made_sentences(lexicon):
    # invented sentences, counted by hand: (incivility, name_calling, dehumanisation, vulgarity, curses)
    cases = {
        "يا كلب يا حمار": (2, 0, 2, 0, 0),           # two animal insults
        "رأيك تافه وانت قليل الادب": (2, 2, 0, 0, 0),  # a wildcard hit and a two-word term
        "الله يلعنك تفو عليك": (2, 0, 0, 0, 2),        # yal'an* + spitting
        "كلامك زفت": (1, 0, 0, 1, 0),
        "تفوق الفريق في المباراة": (0, 0, 0, 0, 0),    # "excelled": no wildcard tafw* lists it
        "قرأت كتابا عن الحيوانات": (0, 0, 0, 0, 0),    # "animals" is left out
        "المريض في المستشفى": (0, 0, 0, 0, 0),         # bare "ill" is left out
    }
    got = matches_of(lexicon, list(cases))
    assert [tuple(int(v) for v in row) for row in got.to_numpy()] == list(cases.values())


def test_wildcards_do_not_reach_known_false_friends(lexicon):
    friends = ["تفوق", "تفوقت", "حيوانات", "مريض", "كلبشات", "غبار", "حماس"]
    ex = expand_wildcards(lexicon, friends)
    assert sorted(set(ex.loc[~ex["exclude"], "word"])) == []


def test_every_entry_is_documented(lexicon):
    doc = DOC.read_text(encoding="utf-8")
    t = lexicon.term_table()
    whole = t[t["frame"] == "incivility"]
    n_terms, n_excluded = int((~whole["exclude"]).sum()), int(whole["exclude"].sum())
    assert (f"| `incivility_ar.yaml` | `incivility_ar` | {lexicon.version} | `incivility` and its 4 sub-frames "
            f"(Arabic) | {n_terms} + {n_excluded} (frame `incivility`) |") in doc
    assert [term for term in t["term"] if f"`{term}`" not in doc] == []
    for frame in SUBFRAMES:
        assert f"### `{frame}`" in doc


def half(key: str) -> str:
    """The split documented in STANCE_INCIVILITY.md: SHA-256 of the key as a hex number, even = development."""
    return "dev" if int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def documented_rows() -> dict[str, list[float]]:
    doc = DOC.read_text(encoding="utf-8")
    rows = {}
    for name in ("MPOLD", "YouTube"):
        line = re.search(rf"^\| {name}, test \|(.*)\|$", doc, re.M).group(1)
        rows[name] = [float(x.replace(",", "")) for x in re.findall(r"[\d,.]+", line)]
    return rows


@pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent (real data live in ../shared/data)")
def test_documented_test_half_numbers_are_reproduced(lexicon):
    mp = pd.read_csv(DATA / "mpold.csv", dtype=str, keep_default_na=False)
    mp = mp.assign(thread_id="mpold:" + mp["comment_id"], label=(mp["offensive"] == "Offensive").astype(int),
                   split=mp["comment_id"].map(half), set="MPOLD")
    yt = pd.read_csv(DATA / "youtube_replies.csv", dtype=str, keep_default_na=False)
    yt = yt.assign(label=(yt["offensive"] == "1").astype(int), split=yt["thread_id"].map(half),
                   thread_id="youtube:" + yt["thread_id"], set="YouTube")
    d = pd.concat([mp, yt], ignore_index=True)
    d = d[d["split"] == "test"].assign(doc="comment", language="ar")[
        ["thread_id", "comment_id", "doc", "text", "label", "set", "language"]]
    tokens = token_table(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lexicon.terms()))
    pred = document_predictions(d, match_frames(TokenIndex(tokens), lexicon), frames=["incivility"])
    for name, expected in documented_rows().items():
        part = d[d["set"] == name]
        r = compare_to_labels(pred, part, mapping={"incivility": "1"}, label_column="label", clusters="thread_id",
                              n_boot=1000, seed=18).iloc[0]
        # the offensive and predicted counts also follow from the labels and the hits directly
        hit = pred.set_index(["thread_id", "comment_id"]).loc[list(zip(part["thread_id"], part["comment_id"])),
                                                                 "hits_incivility"].to_numpy() > 0
        assert [len(part), int(part["label"].sum()), int(hit.sum())] == expected[:3]
        got = [r[c] for c in ("precision", "precision_low", "precision_high", "recall", "recall_low", "recall_high",
                              "f1", "f1_low", "f1_high")]
        assert [round(float(v), 3) for v in got] == expected[3:]
