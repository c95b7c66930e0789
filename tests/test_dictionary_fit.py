"""Issue 15 (honest defaults): each dictionary's fit on the corpus, on a hand-made corpus worked out by hand."""

import numpy as np
import pandas as pd
from helpers import comment_docs, lexicon_file
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.frame_rates import dictionary_fit, dictionary_fit_of_shards, fit_term_hits, shouted_matches
from analysis.framing import doc_frame_counts
from analysis.matcher import TokenIndex, match_frames
from analysis.tokenization import multiword_tuples, token_table

LEXICON = """
name: fit_frames
version: "1"
frames:
  war: {label: War, terms: [war]}
  terrorism: {label: Terrorism, terms: [terror*], case_sensitive: [IS]}
  peace: {label: Peace, terms: [truce]}
"""
TEXTS = [
    "The war goes on. The war is long.",    # c0: war x2
    "Terrorists came. WHY IS",              # c1: terror* and IS, IS in a sentence of capitals (one neighbour)
    "HTS, IS and the SAA fought a war.",    # c2: IS (an acronym among acronyms, not shouted) and war
    "Nothing to see here.",                 # c3: nothing
    "THIS IS WRONG.",                       # c4: IS with two shouted neighbours: the matcher does not count it
]


def _corpus(tmp_path):
    lx = lexicon_file(tmp_path, "fit.yaml", LEXICON)
    d = comment_docs(*TEXTS)
    tokens = token_table(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms()))
    index = TokenIndex(tokens)
    matches = match_frames(index, lx, texts={("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])})
    docs = doc_frame_counts(index, matches, frames=list(lx.frames))
    table = lx.term_table()
    cs = list(zip(table.loc[table["case_sensitive"], "frame"], table.loc[table["case_sensitive"], "term"]))
    tok = tokens.to_pandas() if hasattr(tokens, "to_pandas") else tokens
    return lx, docs, matches, tok, cs


def test_dictionary_fit_by_hand(tmp_path):
    lx, docs, matches, tokens, cs = _corpus(tmp_path)
    hits = fit_term_hits(matches, shouted=shouted_matches(matches, tokens))
    fit = dictionary_fit(docs, hits, frames=list(lx.frames), case_sensitive=cs)
    rows = {(r.frame, r.term): r for r in fit.itertuples(index=False)}
    assert list(fit["frame"]) == ["war", "terrorism", "terrorism", "peace"]
    # by hand: 5 documents; war in c0 (2) and c2 (1): 2 documents, 3 hits, all of them the one term "war"
    war = rows[("war", "war")]
    assert (war.n_docs, war.docs_with_hit, war.share_docs, war.hits) == (5, 2, 0.4, 3)
    assert (war.rank, war.term_hits, war.term_share) == (1, 3, 1.0)
    assert war.warning == ("Frame war: all 3 of its hits are the one term “war”, so its rate counts that word "
                           "more than the frame.")
    # terrorism: IS in c1 and c2 (c4's shouted IS is not a hit), terror* in c1: 2 documents, 3 hits; IS 2/3 < 0.8
    is_, terror = rows[("terrorism", "IS")], rows[("terrorism", "terror*")]
    assert (is_.docs_with_hit, is_.hits, is_.rank, is_.term_hits) == (2, 3, 1, 2)
    assert np.isclose(is_.term_share, 2 / 3) and np.isclose(terror.term_share, 1 / 3)
    assert (terror.rank, terror.case_sensitive, is_.case_sensitive) == (2, False, True)
    # c1's IS ends the sentence "WHY IS": its one other word is in capitals, so 1 of IS's 2 hits is shouted
    assert (is_.shouted_hits, terror.shouted_hits) == (1, 0)
    assert is_.warning.startswith("The case-sensitive term “IS” (terrorism) has 1 of its 2 hits in sentences "
                                  "written in capitals") and terror.warning == ""
    # peace: no hit at all, one row without a term
    peace = rows[("peace", "")]
    assert (peace.docs_with_hit, peace.share_docs, peace.hits, peace.rank, peace.warning) == (0, 0.0, 0, 0, "")
    # the term hits add up to the frame hits of the documents table (one definition of a hit)
    for f in lx.frames:
        assert hits.loc[hits["frame"] == f, "hits"].sum() == docs[f"hits_{f}"].sum()


def test_single_term_threshold_and_top(tmp_path):
    docs = pd.DataFrame({"hits_a": [4, 1, 0]})
    hits = pd.DataFrame({"frame": ["a"] * 3, "term": ["x", "y", "z"], "hits": [3, 1, 1], "shouted_hits": 0})
    # x gives 3 of 5 hits: 0.6, a warning only from a threshold of 0.6 down
    assert dictionary_fit(docs, hits, frames=["a"])["warning"].eq("").all()
    low = dictionary_fit(docs, hits, frames=["a"], single_term_share=0.6)
    assert low["warning"].iloc[0].startswith("Frame a: the one term “x” gives 60% of its 5 hits")
    one = dictionary_fit(pd.DataFrame({"hits_a": [1]}), hits.head(1).assign(hits=1), frames=["a"])
    assert one["warning"].iloc[0] == ("Frame a: its only hit is the term “x”, so its rate counts that word more than "
                                      "the frame.")
    top = dictionary_fit(docs, hits, frames=["a"], top=2)
    assert list(top["term"]) == ["x", "y"]  # y and z tie at 1: term order
    assert list(top["docs_with_hit"]) == [2, 2] and np.allclose(top["share_docs"], 2 / 3)


def test_shouted_sentences():
    tokens = pd.DataFrame({"thread_id": "t", "comment_id": "c", "doc": "comment",
                           "sentence": [0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2],
                           "index": list(range(11)),
                           "token": ["WHY", "IS", "HTS", ",", "IS", "and", "the", "SAA", "What", "IS", "this"]})
    matches = pd.DataFrame({"thread_id": "t", "comment_id": "c", "doc": "comment", "sentence": [0, 1, 2],
                            "token_start": [1, 4, 9], "token_end": [2, 5, 10]})
    # by hand: other words 1 of 1 capitals; 2 of 4 (not more than half); 0 of 2
    assert shouted_matches(matches, tokens).tolist() == [True, False, False]


def test_fit_of_shards_equals_the_fit_of_the_whole(tmp_path):
    lx, docs, matches, tokens, cs = _corpus(tmp_path)
    whole = dictionary_fit(docs, fit_term_hits(matches, shouted=shouted_matches(matches, tokens)),
                           frames=list(lx.frames), case_sensitive=cs)
    asked = []

    def reader(part):
        def read(ids):
            asked.append(sorted(ids))
            return part[part["comment_id"].isin(ids)]
        return read

    shards = [(matches[matches["comment_id"].isin(ids)], reader(tokens[tokens["comment_id"].isin(ids)]))
              for ids in (["c0", "c1"], ["c2", "c3", "c4"])]
    out = dictionary_fit_of_shards(docs, iter(shards), frames=list(lx.frames), lexicons=[lx])
    pd.testing.assert_frame_equal(out, whole)
    assert asked == [["c1"], ["c2"]]  # tokens only of the documents with a hit of IS
