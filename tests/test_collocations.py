"""Tests of analysis.collocations: counts worked out by hand, G² written out, a brute-force reference."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from nltk.metrics.association import BigramAssocMeasures
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.collocations import (
    MEASURES,
    add_collocation_counts,
    collocation_counts,
    frame_collocations,
    score_collocations,
)
from analysis.tokenization import stopword_set
from analysis.tokenization import token_table as tokenize


def token_table(docs: dict[str, list[list[str]]], stop=("the", "in", "a", "of")) -> pd.DataFrame:
    """TOKENS-like rows from {comment_id: [sentence, ...]}, each sentence a list of norms."""
    rows = []
    for cid, sentences in docs.items():
        index = 0
        for s, words in enumerate(sentences):
            for w in words:
                rows.append(
                    {"thread_id": "t1", "comment_id": cid, "doc": "comment", "sentence": s, "index": index,
                     "token": w, "norm": w, "is_stopword": w in stop}
                )
                index += 1
    return pd.DataFrame(rows)


def hit_rows(*hits: tuple[str, str, int, int]) -> pd.DataFrame:
    """Hits as (comment_id, frame, token_start, token_end)."""
    return pd.DataFrame(
        [{"thread_id": "t1", "comment_id": c, "doc": "comment", "frame": f, "token_start": a, "token_end": b}
         for c, f, a, b in hits]
    )


# Two comments. Word tokens (not stopwords, with a letter or digit) are marked *:
#  c1 sentence 0: 0 the, 1 assad*, 2 regime*, 3 bombed*, 4 aleppo*, 5 .
#  c1 sentence 1: 6 regime*, 7 bombed*, 8 homs*
#  c2 sentence 0: 0 rebels*, 1 bombed*, 2 the, 3 regime*, 4 ",", 5 assad*
# n_xx = 11 word tokens; corpus counts: bombed 3, assad 2, regime 3, aleppo 1, homs 1, rebels 1.
DOCS = {
    "c1": [["the", "assad", "regime", "bombed", "aleppo", "."], ["regime", "bombed", "homs"]],
    "c2": [["rebels", "bombed", "the", "regime", ",", "assad"]],
}
# dictatorship: "assad" c1[1,2), "regime" c1[2,3), "regime" c1[6,7), "regime" c2[3,4); civil_war: "rebels" c2[0,1)
HITS = [("c1", "dictatorship", 1, 2), ("c1", "dictatorship", 2, 3), ("c1", "dictatorship", 6, 7),
        ("c2", "dictatorship", 3, 4), ("c2", "civil_war", 0, 1)]


def test_counts_by_hand():
    out = frame_collocations(token_table(DOCS), hit_rows(*HITS), window=2, min_count=1, top=None)
    got = {(r.frame, r.word): (r.n_ii, r.n_ix, r.n_xi, r.n_xx) for r in out.itertuples()}
    # dictatorship, window 2:
    #  c1 "assad"@1: left 0 (stopword); right 2 (own: a dictatorship match), 3 bombed
    #  c1 "regime"@2: left 1 (own), 0 (stopword); right 3 bombed (same slot again), 4 aleppo
    #  c1 "regime"@6: left 5 and 4 are in sentence 0, not 1; right 7 bombed, 8 homs
    #  c2 "regime"@3: left 2 (stopword), 1 bombed; right 4 (no letter), 5 assad
    #  slots: c1 3, 4, 7, 8; c2 1, 5 -> n_ix = 6
    assert got == {
        ("dictatorship", "bombed"): (3, 6, 3, 11),
        ("dictatorship", "assad"): (1, 6, 2, 11),
        ("dictatorship", "aleppo"): (1, 6, 1, 11),
        ("dictatorship", "homs"): (1, 6, 1, 11),
        # civil_war "rebels"@0 in c2: right 1 bombed, 2 (stopword); "regime"@3 is 3 away
        ("civil_war", "bombed"): (1, 1, 3, 11),
    }
    assert list(out.columns) == ["frame", "word", "n_ii", "n_ix", "n_xi", "n_xx", "likelihood_ratio", "pmi"]
    # frames by name; within a frame by G² (highest first)
    assert list(out["frame"]) == ["civil_war"] + ["dictatorship"] * 4
    d = out[out["frame"] == "dictatorship"]
    assert list(d["likelihood_ratio"]) == sorted(d["likelihood_ratio"], reverse=True)


def test_likelihood_ratio_is_dunnings_g2():
    out = frame_collocations(token_table(DOCS), hit_rows(*HITS), window=2, min_count=1, top=None)
    row = out[(out["frame"] == "dictatorship") & (out["word"] == "bombed")].iloc[0]
    n_ii, n_ix, n_xi, n_xx = 3, 6, 3, 11
    observed = [n_ii, n_ix - n_ii, n_xi - n_ii, n_xx - n_ix - n_xi + n_ii]  # 3, 3, 0, 5
    expected = [n_ix * n_xi / n_xx, n_ix * (n_xx - n_xi) / n_xx, (n_xx - n_ix) * n_xi / n_xx,
                (n_xx - n_ix) * (n_xx - n_xi) / n_xx]
    g2 = 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected) if o > 0)
    # 2 * (3 ln(33/18) + 3 ln(33/48) + 0 + 5 ln(55/40)) = 2 * (1.8184 - 1.1241 + 1.5923)
    assert g2 == pytest.approx(4.5732, abs=1e-4)
    assert row["likelihood_ratio"] == pytest.approx(g2, rel=1e-9)
    assert row["pmi"] == pytest.approx(math.log2(n_ii * n_xx / (n_ix * n_xi)), rel=1e-12)


def test_every_measure_is_nltks_function():
    out = frame_collocations(token_table(DOCS), hit_rows(*HITS), window=2, min_count=1, top=None,
                             measures=["student_t", "chi_sq", "dice"])
    assert list(out.columns)[-3:] == ["student_t", "chi_sq", "dice"]
    for r in out.itertuples():
        marg = (r.n_ii, (r.n_ix, r.n_xi), r.n_xx)
        assert r.student_t == pytest.approx(BigramAssocMeasures.student_t(*marg))
        assert r.chi_sq == pytest.approx(BigramAssocMeasures.chi_sq(*marg))
        assert r.dice == pytest.approx(BigramAssocMeasures.dice(*marg))


def test_min_count_and_top():
    tokens, hits = token_table(DOCS), hit_rows(*HITS)
    out = frame_collocations(tokens, hits, window=2, min_count=2, top=None)
    assert list(zip(out["frame"], out["word"])) == [("dictatorship", "bombed")]
    out = frame_collocations(tokens, hits, window=2, min_count=1, top=2)
    assert out.groupby("frame").size().to_dict() == {"civil_war": 1, "dictatorship": 2}
    assert frame_collocations(tokens, hits, window=2, min_count=4).empty


def test_window_one_and_wider():
    tokens, hits = token_table(DOCS), hit_rows(*HITS)
    one = frame_collocations(tokens, hits, window=1, min_count=1, top=None)
    # dictatorship slots: c1 3 (after 2), 7; c2 none (2 is a stopword, 4 has no letter) -> bombed twice
    assert {(r.frame, r.word): (r.n_ii, r.n_ix) for r in one.itertuples()} == {
        ("dictatorship", "bombed"): (2, 2), ("civil_war", "bombed"): (1, 1)}
    wide = frame_collocations(tokens, hits, window=10, min_count=1, top=None)
    # civil_war now reaches the whole sentence of c2, including the dictatorship term "regime"
    cw = wide[wide["frame"] == "civil_war"].set_index("word")["n_ii"].to_dict()
    assert cw == {"bombed": 1, "regime": 1, "assad": 1}


def test_empty_inputs_and_bad_arguments():
    tokens, hits = token_table(DOCS), hit_rows(*HITS)
    empty = frame_collocations(tokens, hits.iloc[:0])
    assert empty.empty and list(empty.columns) == ["frame", "word", "n_ii", "n_ix", "n_xi", "n_xx", "likelihood_ratio",
                                                   "pmi"]
    with pytest.raises(ValueError, match="window"):
        frame_collocations(tokens, hits, window=0)
    with pytest.raises(ValueError, match="measures"):
        frame_collocations(tokens, hits, measures=["pmi", "nope"])
    with pytest.raises(ValueError, match="missing"):
        frame_collocations(tokens.drop(columns="sentence"), hits)
    with pytest.raises(ValueError, match="tokens"):
        frame_collocations(tokens, hit_rows(("c1", "x", 40, 41)))
    with pytest.raises(ValueError, match="token_start < token_end"):
        frame_collocations(tokens, hit_rows(("c1", "x", 3, 3)))
    with pytest.raises(ValueError, match="duplicate"):
        frame_collocations(pd.concat([tokens, tokens.iloc[:1]]), hits)
    assert set(MEASURES) >= {"likelihood_ratio", "pmi", "chi_sq", "student_t"}


def reference_counts(tokens: pd.DataFrame, hits: pd.DataFrame, window: int) -> dict:
    """Plain-Python counts of the same quantities, one token at a time."""
    words = {}
    for r in tokens.itertuples():
        words[(r.thread_id, r.comment_id, r.doc, r.index)] = (
            r.sentence, r.norm, (not r.is_stopword) and any(ch.isalnum() for ch in r.norm))
    n_xx = sum(1 for s, n, w in words.values() if w)
    n_xi: dict = {}
    for _s, n, w in words.values():
        if w:
            n_xi[n] = n_xi.get(n, 0) + 1
    own, slots = set(), set()
    for h in hits.itertuples():
        doc = (h.thread_id, h.comment_id, h.doc)
        for i in range(h.token_start, h.token_end):
            own.add((h.frame, doc, i))
    for h in hits.itertuples():
        doc = (h.thread_id, h.comment_id, h.doc)
        s_left = words[doc + (h.token_start,)][0]
        s_right = words[doc + (h.token_end - 1,)][0]
        for k in range(1, window + 1):
            for i, s in ((h.token_start - k, s_left), (h.token_end - 1 + k, s_right)):
                tok = words.get(doc + (i,))
                if tok and tok[0] == s and tok[2] and (h.frame, doc, i) not in own:
                    slots.add((h.frame, doc, i))
    out = {}
    n_ix: dict = {}
    for f, _doc, _i in slots:
        n_ix[f] = n_ix.get(f, 0) + 1
    for f, doc, i in slots:
        w = words[doc + (i,)][1]
        out[(f, w)] = out.get((f, w), 0) + 1
    return {k: (v, n_ix[k[0]], n_xi[k[1]], n_xx) for k, v in out.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_a_brute_force_count(seed):
    rng = random.Random(seed)
    vocab = ["war", "regime", "rebels", "the", "of", "syria", "isis", "aid", ".", "!", "assad", "iran", "2011"]
    docs = {}
    for d in range(12):
        docs[f"c{d}"] = [[rng.choice(vocab) for _ in range(rng.randint(1, 9))] for _ in range(rng.randint(1, 4))]
    tokens = token_table(docs)
    hits = []
    for r in tokens.itertuples():
        if r.norm in ("regime", "assad") and rng.random() < 0.8:
            hits.append((r.comment_id, "dictatorship", r.index, r.index + 1))
        elif r.norm in ("rebels", "war") and rng.random() < 0.8:
            # sometimes a two-token match
            end = (r.index + 2 if rng.random() < 0.3
                   and ((tokens["comment_id"] == r.comment_id) & (tokens["index"] == r.index + 1)).any()
                   else r.index + 1)
            hits.append((r.comment_id, "civil_war", r.index, end))
    hits = hit_rows(*hits)
    tokens = tokens.sample(frac=1, random_state=seed)  # input order must not matter
    for window in (1, 3, 6):
        out = frame_collocations(tokens, hits, window=window, min_count=1, top=None)
        got = {(r.frame, r.word): (r.n_ii, r.n_ix, r.n_xi, r.n_xx) for r in out.itertuples()}
        assert got == reference_counts(tokens, hits, window)
        # contingency cells are never negative
        assert ((out["n_ii"] <= out["n_ix"]) & (out["n_ii"] <= out["n_xi"]) & (out["n_ix"] <= out["n_xx"])).all()


def test_on_tokenized_text():
    texts = [
        "The regime shelled Homs. Rebels said the regime shelled Homs again.",
        "Nobody believes the regime. The regime shelled Daraa, rebels said.",
    ]
    docs = pd.DataFrame({"thread_id": "t", "comment_id": ["a", "b"], "doc": "comment", "text": texts})
    tokens = tokenize(docs, punkt=PunktSentenceTokenizer(), stopwords=stopword_set("english")).to_pandas()
    hits = tokens.loc[tokens["norm"] == "regime", ["thread_id", "comment_id", "doc", "index"]].rename(
        columns={"index": "token_start"})
    hits = hits.assign(frame="dictatorship", token_end=hits["token_start"] + 1)
    out = frame_collocations(tokens, hits, window=2, min_count=2, top=None)
    # "shelled" follows "regime" 3 times; "homs" is two after it twice; "rebels" is in a different sentence
    got = dict(zip(out["word"], out["n_ii"]))
    assert got == {"shelled": 3, "homs": 2}
    assert (out["n_xi"] == out["word"].map({"shelled": 3, "homs": 2})).all()
    assert set(out["frame"]) == {"dictatorship"}
    assert np.isfinite(out["likelihood_ratio"]).all()


# ---------------------------------------------------------------- per-shard counts, added up


def as_arrow(df: pd.DataFrame) -> pa.Table:
    """The table as the workflow reads a shard: Arrow, with dictionary-encoded strings."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    for name in ("thread_id", "comment_id", "doc", "norm"):
        if name in table.column_names:
            i = table.column_names.index(name)
            table = table.set_column(i, name, pc.dictionary_encode(table.column(name)))
    return table


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_shard_counts_add_up_to_the_brute_force_count(seed):
    """Documents split into shards (one with no match at all), counted per shard and added: the brute-force count of
    the whole."""
    rng = random.Random(seed)
    vocab = ["war", "regime", "rebels", "the", "of", "syria", "isis", "aid", ".", "assad", "iran", "2011", "aleppo"]
    docs = {f"c{d}": [[rng.choice(vocab) for _ in range(rng.randint(1, 9))] for _ in range(rng.randint(1, 4))]
            for d in range(15)}
    tokens = token_table(docs)
    rows = []
    for r in tokens.itertuples():
        if r.comment_id in ("c12", "c13", "c14"):
            continue  # the last shard has tokens but no match: it still adds to n_xi and n_xx
        if r.norm in ("regime", "assad") and rng.random() < 0.8:
            rows.append((r.comment_id, "dictatorship", r.index, r.index + 1))
        elif r.norm in ("rebels", "war") and rng.random() < 0.8:
            rows.append((r.comment_id, "civil_war", r.index, r.index + 1))
        elif r.norm == "isis" and r.comment_id in ("c0", "c1"):
            rows.append((r.comment_id, "terrorism", r.index, r.index + 1))  # a frame of one shard only
    hits = hit_rows(*rows)
    shards = [[f"c{d}" for d in range(0, 6)], [f"c{d}" for d in range(6, 12)], ["c12", "c13", "c14"]]
    for window in (1, 3):
        parts = []
        for k, ids in enumerate(shards):
            tok = tokens[tokens["comment_id"].isin(ids)]
            if k == 1:
                tok = tok.sample(frac=1, random_state=seed)  # not in the tokenizer's order: the sort-and-search path
            part_hits = hits[hits["comment_id"].isin(ids)]
            parts.append(collocation_counts(as_arrow(tok), as_arrow(part_hits), window=window))
        assert parts[2].n_xx > 0 and len(parts[2].pair_n) == 0
        total = add_collocation_counts(iter(parts))
        out = score_collocations(total, min_count=1, top=None)
        got = {(r.frame, r.word): (r.n_ii, r.n_ix, r.n_xi, r.n_xx) for r in out.itertuples()}
        assert got == reference_counts(tokens, hits, window)
        # and the one-pass table, to the last bit and row
        pd.testing.assert_frame_equal(out, frame_collocations(tokens, hits, window=window, min_count=1, top=None))
        pd.testing.assert_frame_equal(score_collocations(total), frame_collocations(tokens, hits, window=window))


def test_counts_by_hand_from_arrow_in_two_shards():
    """The hand-worked counts of DOCS, with c1 and c2 in different shards."""
    tokens, hits = token_table(DOCS), hit_rows(*HITS)
    parts = [collocation_counts(as_arrow(tokens[tokens["comment_id"] == c]), as_arrow(hits[hits["comment_id"] == c]),
                                window=2) for c in ("c1", "c2")]
    # c1 alone: 7 word tokens; c2 alone: 4 (rebels, bombed, regime, assad)
    assert [p.n_xx for p in parts] == [7, 4]
    total = add_collocation_counts(parts)
    assert total.n_xx == 11
    assert dict(zip(total.words, total.n_xi.tolist())) == {"assad": 2, "regime": 3, "bombed": 3, "aleppo": 1, "homs": 1,
                                                           "rebels": 1}
    out = score_collocations(total, min_count=1, top=None)
    pd.testing.assert_frame_equal(out, frame_collocations(tokens, hits, window=2, min_count=1, top=None))
    assert add_collocation_counts([]).n_xx == 0 and score_collocations(add_collocation_counts([])).empty


def test_a_hit_outside_the_shard_is_an_error():
    tokens, hits = token_table(DOCS), hit_rows(*HITS)
    with pytest.raises(ValueError, match="first and last token"):
        collocation_counts(as_arrow(tokens[tokens["comment_id"] == "c1"]), as_arrow(hits), window=2)
    with pytest.raises(ValueError, match="duplicate"):
        collocation_counts(as_arrow(pd.concat([tokens, tokens.iloc[:1]])), as_arrow(hits), window=2)
