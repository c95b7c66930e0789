"""Framing tables from the matcher's matches (per-document word tokens and hits, attributes), checked by hand.

The matching rules themselves are tested in tests/test_matcher.py."""


import pandas as pd
import pytest
from helpers import comment_docs as docs
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.framing import doc_frame_counts, frames_of, score_frames
from analysis.matcher import TokenIndex, match_frames
from analysis.tokenization import multiword_tuples, token_table


def run(lexicon, *texts, join=True, **kw):
    d = docs(*texts)
    mwes = multiword_tuples(lexicon.terms()) if join else ()
    index = TokenIndex(token_table(d, punkt=PunktSentenceTokenizer(), mwes=mwes))
    texts_map = {("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])}
    return index, match_frames(index, lexicon, texts=texts_map, **kw)


def test_doc_counts_by_hand(lexicon):
    index, m = run(lexicon, "The civil war, the war!", "Nothing here :)")
    counts = doc_frame_counts(index, m, frames=frames_of([lexicon])).set_index("comment_id")
    # word tokens: The, civil war, the, war = 4 (punctuation excluded); second: Nothing, here = 2
    assert counts.loc["c0", "n_tokens"] == 4 and counts.loc["c1", "n_tokens"] == 2
    assert counts.loc["c0", "hits_civil_war"] == 1 and counts.loc["c0", "hits_war"] == 1
    assert counts.loc["c1", ["hits_civil_war", "hits_war", "hits_terrorism", "hits_both"]].sum() == 0


def test_frames_must_be_unique_across_dictionaries(lexicon):
    with pytest.raises(ValueError, match="unique"):
        frames_of([lexicon, lexicon])


def test_score_frames_attaches_attributes(lexicon):
    comments = pd.DataFrame({
        "thread_id": ["t"], "comment_id": ["c0"], "parent_id": [""], "depth": [1], "position": [1], "author_id": ["u1"],
        "created_at": [pd.Timestamp("2020-01-01", tz="UTC")], "text": ["rebels everywhere"], "source": ["s"],
        "file": ["f"], "record": [1], "rule": ["record"], "is_placeholder": [False], "shard": [0], "side": ["pro"]})
    threads = pd.DataFrame({"thread_id": ["t"], "source": ["s"], "article_text": ["An uprising began."]})
    d = pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["", "c0"], "doc": ["article", "comment"],
                      "text": ["An uprising began.", "rebels everywhere"]})
    tokens = token_table(d, punkt=PunktSentenceTokenizer())
    matches, out = score_frames(TokenIndex(tokens), comments, threads, [lexicon])
    out = out.set_index("doc")
    assert out.loc["article", "depth"] == 0 and out.loc["comment", "depth"] == 1
    assert out.loc["comment", "side"] == "pro" and out.loc["comment", "author_id"] == "u1"
    assert out.loc["article", "hits_civil_war"] == 1 and out.loc["comment", "hits_civil_war"] == 1


def test_doc_counts_without_any_match(lexicon):
    index, m = run(lexicon, "Nothing to see.")
    counts = doc_frame_counts(index, m, frames=frames_of([lexicon]))
    assert counts["n_tokens"].tolist() == [3]
    assert counts[["hits_civil_war", "hits_war", "hits_terrorism", "hits_both", "n_matches"]].sum().sum() == 0




def test_dictionary_encoded_tokens_give_the_same_matches_and_documents(lexicon):
    """score_frames on tokens read back dictionary-encoded (as the rules read them) equals it on the built table."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = ["The civil war is a war.", 'He said "terrorists" but it is not a rebel yell.', "The civil war is a war.",
             "IS is not terror. No rebels, no uprising.", "Nothing here.", "An uprising began."]
    d = pd.DataFrame({"thread_id": ["t", "t", "u", "u", "u", "u"], "comment_id": ["c0", "c1", "c2", "c3", "c4", ""],
                      "doc": ["comment"] * 5 + ["article"], "text": texts})
    d = d.sort_values(["thread_id", "comment_id", "doc"]).reset_index(drop=True)
    tokens = token_table(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lexicon.terms()))
    encoded = pa.table({name: pc.dictionary_encode(col) if name in ("thread_id", "comment_id", "doc", "token") else col
                        for name, col in zip(tokens.column_names, tokens.columns)})
    c = d[d["doc"] == "comment"]
    comments = pd.DataFrame({"thread_id": c["thread_id"], "comment_id": c["comment_id"], "parent_id": "", "depth": 1,
                             "position": 1, "author_id": "u1", "created_at": pd.Timestamp("2020-01-01", tz="UTC"),
                             "text": c["text"], "source": "s"}).reset_index(drop=True)
    threads = pd.DataFrame({"thread_id": ["t", "u"], "source": ["s", "s"], "article_text": ["", "An uprising began."]})
    m_pd, docs_pd = score_frames(TokenIndex(tokens), comments, threads, [lexicon])
    m_pa, docs_pa = score_frames(TokenIndex(encoded), comments, threads, [lexicon])
    pd.testing.assert_frame_equal(m_pa, m_pd)
    pd.testing.assert_frame_equal(docs_pa, docs_pd)
    # by hand: "terrorists" is quoted; "terror" (after "not"), "rebels" and "uprising" (after "no") are negated
    assert sorted(m_pd.loc[m_pd["quoted"], "match"]) == ["terrorists"]
    assert sorted(m_pd.loc[m_pd["negated"], "match"]) == ["rebels", "terror", "uprising"]
    assert docs_pd.set_index(["thread_id", "comment_id"]).loc[("u", "c2"), "hits_war"] == 1
