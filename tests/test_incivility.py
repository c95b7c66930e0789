"""Incivility of cross-group vs same-group replies, checked by hand; and the shipped incivility dictionary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.incivility import REPLY_TYPES, incivility_by_reply_type
from analysis.lexicons import expand_wildcards, hidden_terms, load_lexicon
from analysis.matcher import TokenIndex, match_frames
from analysis.stats import bootstrap_weights, percentile_interval
from analysis.tokenization import multiword_tuples, token_table

ROOT = Path(__file__).resolve().parents[1]
LEXICONS = ROOT / "data" / "lexicons"
DOC = LEXICONS / "STANCE_INCIVILITY.md"
SUBFRAMES = ["name_calling", "vulgarity", "aspersion", "lying", "pejorative_speech"]


def pairs_table():
    """Three threads, eight replies (two with an unknown group)."""
    return pd.DataFrame(
        {
            "thread_id": ["t1", "t1", "t1", "t2", "t2", "t3", "t3", "t3"],
            "cross_group": [True, True, False, True, False, False, None, np.nan],
            "child_uncivil_hits": [2, 0, 1, 1, 0, 0, 5, 5],
            "child_tokens": [100, 50, 200, 50, 100, 100, 10, 10],
        }
    )


def test_rates_and_shares_by_hand():
    out = incivility_by_reply_type(pairs_table(), n_boot=200, seed=1)
    assert list(out["reply_type"]) == list(REPLY_TYPES)
    cross, same, diff = (out.iloc[i] for i in range(3))
    # cross: 3 replies, hits 2+0+1 = 3 over 100+50+50 = 200 tokens: 15 per 1,000; 2 of 3 replies uncivil
    assert (cross["n_replies"], cross["n_uncivil"], cross["hits"], cross["tokens"]) == (3, 2, 3, 200)
    assert cross["rate"] == pytest.approx(15.0) and cross["share"] == pytest.approx(2 / 3)
    # same: 3 replies, hits 1 over 200+100+100 = 400 tokens: 2.5 per 1,000; 1 of 3 uncivil
    assert (same["n_replies"], same["n_uncivil"], same["hits"], same["tokens"]) == (3, 1, 1, 400)
    assert same["rate"] == pytest.approx(2.5) and same["share"] == pytest.approx(1 / 3)
    assert diff["rate"] == pytest.approx(12.5) and diff["share"] == pytest.approx(1 / 3)
    assert diff["n_replies"] == 6 and pd.isna(diff["hits"]) and pd.isna(diff["tokens"])
    # the two replies with an unknown group are excluded, and counted
    assert list(out["n_excluded"]) == [2, 2, 2]
    # 3 threads < min_clusters=10: replies are resampled
    assert out["unit"].iloc[0].startswith("documents (only 3 thread(s)")
    assert list(out["n_clusters"]) == [3, 3, 6]
    for lo, est, hi in (("rate_low", "rate", "rate_high"), ("share_low", "share", "share_high")):
        assert (out[lo].iloc[:2] <= out[est].iloc[:2]).all() and (out[est].iloc[:2] <= out[hi].iloc[:2]).all()


def test_threads_are_resampled_with_enough_of_them():
    out = incivility_by_reply_type(pairs_table(), n_boot=200, seed=1, min_clusters=3)
    assert out["unit"].iloc[0] == "threads (3 clusters)"
    # cross-group replies are in t1 and t2, same-group in all three threads
    assert list(out["n_clusters"]) == [2, 3, 3]


def test_difference_uses_the_same_replicates_as_the_groups():
    """Recompute every interval from bootstrap_weights: both groups and their difference share one weight matrix."""
    pairs = pairs_table()
    n_boot, seed = 300, 7
    out = incivility_by_reply_type(pairs, n_boot=n_boot, seed=seed, min_clusters=3)
    known = pairs[pairs["cross_group"].notna()]
    codes = pd.factorize(known["thread_id"], sort=True)[0]
    w = bootstrap_weights(3, n_boot=n_boot, seed=seed).astype(float)
    cross = known["cross_group"].astype(bool).to_numpy()

    def per_thread(values, mask):
        return np.bincount(codes, weights=np.where(mask, values, 0.0), minlength=3)

    hits, tokens = known["child_uncivil_hits"].to_numpy(float), known["child_tokens"].to_numpy(float)
    uncivil, ones = (hits > 0).astype(float), np.ones(len(known))
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = {g: 1000 * (w @ per_thread(hits, m)) / (w @ per_thread(tokens, m))
                for g, m in (("c", cross), ("s", ~cross))}
        share = {g: (w @ per_thread(uncivil, m)) / (w @ per_thread(ones, m)) for g, m in (("c", cross), ("s", ~cross))}
    for row, reps in ((0, rate["c"]), (1, rate["s"]), (2, rate["c"] - rate["s"])):
        low, high = percentile_interval(reps)
        assert (out["rate_low"].iloc[row], out["rate_high"].iloc[row]) == pytest.approx((low, high))
    for row, reps in ((0, share["c"]), (1, share["s"]), (2, share["c"] - share["s"])):
        low, high = percentile_interval(reps)
        assert (out["share_low"].iloc[row], out["share_high"].iloc[row]) == pytest.approx((low, high))


def test_deterministic_per_seed():
    pairs = pairs_table()
    a = incivility_by_reply_type(pairs, n_boot=100, seed=3)
    b = incivility_by_reply_type(pairs, n_boot=100, seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = incivility_by_reply_type(pairs, n_boot=100, seed=4)
    assert (not np.allclose(a["rate_low"], c["rate_low"], equal_nan=True)
            or not np.allclose(a["rate_high"], c["rate_high"], equal_nan=True))


def test_no_interval_from_fewer_than_two_clusters():
    pairs = pd.DataFrame({"thread_id": ["t1", "t1", "t1"], "cross_group": [True, False, False],
                          "child_uncivil_hits": [1, 0, 1], "child_tokens": [10, 10, 10]})
    out = incivility_by_reply_type(pairs, n_boot=50)
    # one cross-group reply: a rate but no interval; the difference has none either
    assert out["rate"].iloc[0] == pytest.approx(100.0) and np.isnan(out["rate_low"].iloc[0])
    assert not np.isnan(out["rate_low"].iloc[1])
    assert np.isnan(out["rate_low"].iloc[2]) and out["rate"].iloc[2] == pytest.approx(100.0 - 50.0)


def test_empty_and_missing_groups():
    pairs = pd.DataFrame({"thread_id": ["t1", "t2"], "cross_group": [None, None], "child_uncivil_hits": [1, 0],
                          "child_tokens": [5, 5]})
    out = incivility_by_reply_type(pairs, n_boot=20)
    assert list(out["n_replies"]) == [0, 0, 0] and list(out["n_excluded"]) == [2, 2, 2]
    assert out[["rate", "share", "rate_low"]].isna().all().all()
    # pandas' nullable booleans work as well
    pairs["cross_group"] = pd.array([True, pd.NA], dtype="boolean")
    assert list(incivility_by_reply_type(pairs, n_boot=20)["n_replies"]) == [1, 0, 1]


def test_bad_input_is_named():
    pairs = pairs_table()
    with pytest.raises(ValueError, match="child_tokens"):
        incivility_by_reply_type(pairs.drop(columns="child_tokens"))
    with pytest.raises(ValueError, match="cross_group"):
        incivility_by_reply_type(pairs.assign(cross_group="yes"))
    with pytest.raises(ValueError, match="child_uncivil_hits"):
        incivility_by_reply_type(pairs.assign(child_uncivil_hits=-1))
    with pytest.raises(ValueError, match="min_clusters"):
        incivility_by_reply_type(pairs, min_clusters=0)


# --------------------------------------------------------------------------
# the shipped incivility dictionary


@pytest.fixture(scope="module")
def lexicons():
    names = ["incivility", "syria_stance", "syria_frames", "syria_actors", "gun_control_stance", "gun_control_frames"]
    return {n: load_lexicon(LEXICONS / f"{n}.yaml") for n in names}


def test_incivility_is_the_union_of_its_subframes(lexicons):
    lx = lexicons["incivility"]
    assert list(lx.frames) == ["incivility", *SUBFRAMES]
    t = lx.term_table()
    terms = t[~t["exclude"]]
    key = terms["words"].map(lambda w: tuple(w)) + terms["case_sensitive"].map(lambda c: ("=",) if c else ())
    whole = sorted(key[terms["frame"] == "incivility"])
    parts = key[terms["frame"] != "incivility"]
    assert sorted(parts) == whole  # the same entries ...
    assert not parts.duplicated().any()  # ... each in exactly one sub-frame
    assert set(t.loc[t["exclude"], "frame"]) == {"incivility"}


def test_subframes_count_within_incivility(lexicons):
    lx = lexicons["incivility"]
    texts = ["You idiot, that is bullshit.", "What a ridiculous pack of lies.", "Shut up.",
             "A trolley and a Trollope novel.", "The bastardization of the law.", "Dick Cheney, you dick."]
    d = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "doc": "comment",
                      "text": texts})
    index = TokenIndex(token_table(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms())))
    m = match_frames(index, lx)
    by = m.groupby(["comment_id", "frame"]).size().unstack(fill_value=0).reindex(d["comment_id"], fill_value=0)
    assert list(by["incivility"]) == [2, 2, 1, 0, 0, 1]
    assert (by[SUBFRAMES].sum(axis=1) == by["incivility"]).all()
    assert list(by["name_calling"]) == [1, 0, 0, 0, 0, 0]
    assert list(by["vulgarity"]) == [1, 0, 0, 0, 0, 1]
    assert list(by["aspersion"]) == [0, 1, 0, 0, 0, 0]
    assert list(by["lying"]) == [0, 1, 0, 0, 0, 0]
    assert list(by["pejorative_speech"]) == [0, 0, 1, 0, 0, 0]


def test_incivility_multiword_terms_become_one_token(lexicons):
    lx = lexicons["incivility"]
    table = lx.term_table()
    table = table[(table["n_words"] > 1) & ~table["wildcard"] & ~table["case_sensitive"]].drop_duplicates("term")
    texts = [f"Then {term} came." for term in table["term"]]
    docs = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(len(texts))], "doc": "comment",
                          "text": texts})
    tokens = token_table(docs, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms())).to_pandas()
    second = tokens[tokens["index"] == 1].set_index("comment_id")["norm"]
    expected = pd.Series([" ".join(w) for w in table["words"]], index=docs["comment_id"])
    assert second[second != expected].to_dict() == {}


def test_incivility_hides_nothing_beside_the_other_dictionaries(lexicons):
    for combo in (["incivility", "syria_stance", "syria_frames", "syria_actors"],
                  ["incivility", "gun_control_stance", "gun_control_frames"]):
        got = hidden_terms([lexicons[n] for n in combo])
        assert got.empty, got.to_dict("records")


INCIVILITY_FALSE_POSITIVES = ["trolley", "trolleybus", "trollope", "cretinism", "bastardize", "bastardization",
                              "bastardise", "dumbbell", "dumbfounded", "damnation", "damning", "hell", "lies", "lying",
                              "lie", "crazy", "insane", "nuts", "fooled", "fooling", "sucks", "lieutenant", "lieu"]


def test_known_false_positives_are_not_counted(lexicons):
    lx = lexicons["incivility"]
    ex = expand_wildcards(lx, INCIVILITY_FALSE_POSITIVES)
    # exclusions are listed under `incivility` only (they consume their tokens for every frame, which
    # expand_wildcards, a per-frame review aid, does not model): check that frame, the union of all terms
    ex = ex[ex["frame"] == "incivility"]
    counted = ex[~ex["exclude"] & ~ex["excluded"]]
    counted = counted.loc[counted["term"].map(lambda t: " " not in t).to_numpy(dtype=bool)]
    assert list(counted["word"]) == []
    t = lx.term_table()
    single = t[(t["n_words"] == 1) & ~t["wildcard"] & ~t["exclude"]]
    assert sorted(set(INCIVILITY_FALSE_POSITIVES) & {w[0].casefold() for w in single["words"]}) == []


def test_every_incivility_entry_is_documented(lexicons):
    doc = DOC.read_text(encoding="utf-8")
    lx = lexicons["incivility"]
    t = lx.term_table()
    whole = t[t["frame"] == "incivility"]
    assert f"`incivility.yaml` | `incivility` | {lx.version} |" in doc
    assert f"| {int((~whole['exclude']).sum())} + {int(whole['exclude'].sum())} (frame `incivility`) |" in doc
    assert [term for term in t["term"] if f"`{term}`" not in doc] == []
    for frame in lx.frames:
        assert f"### `{frame}`" in doc or frame == "incivility"
