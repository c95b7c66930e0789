"""Stance scores, author pooling and agreement, each checked on examples worked out by hand;
and the shipped stance dictionaries."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import counted_false_positives, unjoined_multiword_terms
from nltk.metrics.agreement import AnnotationTask
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.lexicons import hidden_terms, load_lexicon
from analysis.matcher import TokenIndex, match_frames
from analysis.stance import agreement, author_stance, comment_stance, stance_poles, stance_summary
from analysis.tokenization import multiword_tuples, token_table

ROOT = Path(__file__).resolve().parents[1]
LEXICONS = ROOT / "data" / "lexicons"
DOC = LEXICONS / "STANCE_INCIVILITY.md"

LEXICON = """
name: test_stance
version: "1"
stance: {target: the government, pro: pro_gov, anti: anti_gov}
frames:
  pro_gov:
    label: Pro
    terms: [legitimate government, sovereignty]
  anti_gov:
    label: Anti
    terms: [regime, dictator]
    exclude: [regime change]
"""


@pytest.fixture(scope="module")
def lexicon_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("lex") / "test_stance.yaml"
    path.write_text(textwrap.dedent(LEXICON), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def lexicon(lexicon_path):
    return load_lexicon(lexicon_path)


def docs_of(*texts):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "doc": "comment",
                         "text": list(texts)})


def matched(lexicon, *texts, **kw):
    d = docs_of(*texts)
    index = TokenIndex(token_table(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lexicon.terms())))
    texts_map = {("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])}
    return d, match_frames(index, lexicon, texts=texts_map, **kw)


TEXTS = (
    "The regime of a dictator.",                                  # c0: anti 2
    "Sovereignty matters: the legitimate government fights the regime.",  # c1: pro 2, anti 1
    "He is not a dictator.",                                     # c2: negated anti
    "Nothing to see here.",                                      # c3: no cue
    "Regime or legitimate government?",                          # c4: 1 and 1
    'He called it "the regime" and talked of regime change.',    # c5: quoted; exclusion
)


# --------------------------------------------------------------------------
# comment_stance


def test_stance_key_is_read_and_validated(lexicon_path, tmp_path):
    assert stance_poles(lexicon_path) == {"target": "the government", "pro": "pro_gov", "anti": "anti_gov"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent(LEXICON).replace("anti: anti_gov}", "anti: nope}"), encoding="utf-8")
    with pytest.raises(ValueError, match="nope"):
        stance_poles(bad)


def test_scores_and_labels_by_hand(lexicon):
    d, m = matched(lexicon, *TEXTS)
    out = comment_stance(m, d, pro="pro_gov", anti="anti_gov")
    assert list(out.columns) == ["thread_id", "comment_id", "doc", "n_pro", "n_anti", "score", "label"]
    assert list(out["comment_id"]) == [f"c{i}" for i in range(6)]  # every document, in order
    assert list(out["n_pro"]) == [0, 2, 1, 0, 1, 0]
    assert list(out["n_anti"]) == [2, 1, 0, 0, 1, 0]
    # c0: (0-2)/2 = -1; c1: (2-1)/3; c2: the negated "dictator" flips to pro: 1/1; c4: (1-1)/2 = 0
    np.testing.assert_allclose(out["score"], [-1.0, 1 / 3, 1.0, np.nan, 0.0, np.nan])
    assert list(out["label"]) == ["anti", "pro", "pro", "abstain", "neutral", "abstain"]


def test_negation_flip_can_be_turned_off(lexicon):
    d, m = matched(lexicon, "He is not a dictator.", "Guns? No. The regime.")
    flipped = comment_stance(m, d, pro="pro_gov", anti="anti_gov")
    plain = comment_stance(m, d, pro="pro_gov", anti="anti_gov", flip_negated=False)
    assert list(flipped["label"]) == ["pro", "anti"]  # a negation in another sentence does not flip
    assert list(plain["label"]) == ["anti", "anti"]
    # with count_negated=False the negated cue is not counted at all: nothing to flip
    d, m = matched(lexicon, "He is not a dictator.", count_negated=False)
    assert list(comment_stance(m, d, pro="pro_gov", anti="anti_gov")["label"]) == ["abstain"]


def test_quoted_cues_are_not_counted_by_default(lexicon):
    d, m = matched(lexicon, 'They say "the regime" falls.')
    assert list(m["quoted"]) == [True]
    assert list(comment_stance(m, d, pro="pro_gov", anti="anti_gov")["label"]) == ["abstain"]
    d, m = matched(lexicon, 'They say "the regime" falls.', count_quoted=True)
    assert list(comment_stance(m, d, pro="pro_gov", anti="anti_gov")["label"]) == ["anti"]


def test_min_hits_abstains_on_thin_evidence(lexicon):
    d, m = matched(lexicon, *TEXTS)
    out = comment_stance(m, d, pro="pro_gov", anti="anti_gov", min_hits=2)
    # c2 has one cue only; c4 has two (one each side) and stays neutral
    assert list(out["label"]) == ["anti", "pro", "abstain", "abstain", "neutral", "abstain"]
    assert np.isnan(out["score"].iloc[2])


def test_comment_stance_on_a_hand_built_match_table():
    matches = pd.DataFrame(
        {
            "thread_id": ["t"] * 5,
            "comment_id": ["a", "a", "a", "b", "x"],
            "doc": "comment",
            "frame": ["pro", "anti", "other", "anti", "pro"],
            "negated": [False, True, False, False, False],
            "counted": [True, True, True, False, True],
        }
    )
    docs = pd.DataFrame({"thread_id": "t", "comment_id": ["b", "a"], "doc": "comment"})
    out = comment_stance(matches, docs, pro="pro", anti="anti")
    # a: pro 1 + the negated anti flipped to pro; "other" frames are ignored; b's only match is not counted;
    # x is not in docs and is left out
    assert out[["comment_id", "n_pro", "n_anti", "label"]].values.tolist() == [["b", 0, 0, "abstain"],
                                                                               ["a", 2, 0, "pro"]]
    with pytest.raises(ValueError, match="min_hits"):
        comment_stance(matches, docs, pro="pro", anti="anti", min_hits=0)
    with pytest.raises(ValueError, match="anti"):
        comment_stance(matches, docs, pro="pro", anti="pro")
    with pytest.raises(ValueError, match="once"):
        comment_stance(matches, pd.concat([docs, docs]), pro="pro", anti="anti")


# --------------------------------------------------------------------------
# author_stance and stance_summary


def comment_table(rows):
    out = pd.DataFrame(rows, columns=["comment_id", "n_pro", "n_anti"]).assign(thread_id="t", doc="comment")
    total = out["n_pro"] + out["n_anti"]
    out["score"] = np.where(total > 0, (out["n_pro"] - out["n_anti"]) / total.where(total > 0, 1), np.nan)
    out["label"] = np.select([total == 0, out["score"] > 0, out["score"] < 0], ["abstain", "pro", "anti"], "neutral")
    return out[["thread_id", "comment_id", "doc", "n_pro", "n_anti", "score", "label"]]


def test_author_pooling_differs_from_the_mean_of_comments():
    scores = comment_table([("a1", 3, 0), ("a2", 0, 1), ("b1", 0, 0), ("u1", 0, 2), ("u2", 1, 0), ("n1", 1, 1)])
    authors = pd.DataFrame({"thread_id": "t", "comment_id": ["a1", "a2", "b1", "u1", "u2"],
                            "author_id": ["A", "A", "B", "", ""]})
    out = author_stance(scores, authors).set_index(["author_id", "comment_id"])
    a = out.loc[("A", "")]
    # pooled: (3 - 1) / (3 + 1) = 0.5 ; mean of the comments' scores: (1 + -1) / 2 = 0
    assert (a["n_comments"], a["n_scored"], a["n_pro"], a["n_anti"]) == (2, 2, 3, 1)
    assert a["score"] == pytest.approx(0.5) and a["mean_comment_score"] == pytest.approx(0.0)
    assert a["label"] == "pro"
    b = out.loc[("B", "")]
    assert (b["n_comments"], b["n_scored"], b["label"]) == (1, 0, "abstain") and np.isnan(b["score"])
    # unknown authors ('' and a comment missing from `authors`) stay one unit per comment
    unknown = out.loc[""]
    assert list(unknown.index) == ["u1", "u2", "n1"]
    assert list(unknown["label"]) == ["anti", "pro", "neutral"]
    assert not unknown["known_author"].any() and out.loc[["A", "B"], "known_author"].all()


def test_min_comments_and_articles():
    scores = comment_table([("a1", 1, 0), ("a2", 1, 0), ("b1", 0, 3), ("u1", 0, 1)])
    scores = pd.concat([scores, scores.iloc[[0]].assign(comment_id="", doc="article")], ignore_index=True)
    authors = pd.DataFrame({"thread_id": "t", "comment_id": ["a1", "a2", "b1", "u1"], "author_id": ["A", "A", "B", ""]})
    out = author_stance(scores, authors, min_comments=2)
    assert list(out["author_id"]) == ["A", "B", ""]  # the article row is not a comment of anyone
    assert list(out["label"]) == ["pro", "abstain", "abstain"]
    assert list(out["n_comments"]) == [2, 1, 1]
    with pytest.raises(ValueError, match="min_comments"):
        author_stance(scores, authors, min_comments=0)


def test_stance_summary_counts_abstentions():
    scores = comment_table([("a1", 3, 0), ("a2", 0, 1), ("b1", 0, 0), ("u1", 0, 0)])
    authors = pd.DataFrame({"thread_id": "t", "comment_id": ["a1", "a2", "b1", "u1"], "author_id": ["A", "A", "B", ""]})
    s = stance_summary(scores, author_stance(scores, authors))
    assert s["n_comments"] == 4 and s["n_comments_abstain"] == 2 and s["share_comments_abstain"] == 0.5
    assert s["comment_labels"] == {"pro": 1, "anti": 1, "neutral": 0, "abstain": 2}
    assert s["n_authors"] == 2 and s["n_authors_abstain"] == 1 and s["share_authors_abstain"] == 0.5
    assert s["author_labels"] == {"pro": 1, "anti": 0, "neutral": 0, "abstain": 1}
    assert s["n_unknown_author_units"] == 1 and s["n_unknown_author_units_abstain"] == 1
    assert set(stance_summary(scores)) == {"n_comments", "n_comments_abstain", "share_comments_abstain",
                                           "comment_labels", "comment_label_shares"}


# --------------------------------------------------------------------------
# agreement


def two_by_two():
    """50 items: reference pro & predicted pro 20, pro/anti 5, anti/pro 10, anti/anti 15."""
    ref = ["pro"] * 25 + ["anti"] * 25
    pred = ["pro"] * 20 + ["anti"] * 5 + ["pro"] * 10 + ["anti"] * 15
    return pd.Series(pred), pd.Series(ref)


def test_kappa_accuracy_and_f1_by_hand():
    pred, ref = two_by_two()
    a = agreement(pred, ref)
    # p_o = (20 + 15) / 50 = 0.7; p_e = (30/50)(25/50) + (20/50)(25/50) = 0.3 + 0.2 = 0.5; kappa = 0.2/0.5
    assert a["accuracy"] == pytest.approx(0.7)
    assert a["kappa"] == pytest.approx(0.4)
    # pro: P = 20/30, R = 20/25, F1 = 16/22; anti: P = 15/20, R = 15/25, F1 = 2/3
    assert a["per_class"]["pro"]["precision"] == pytest.approx(2 / 3)
    assert a["per_class"]["pro"]["recall"] == pytest.approx(0.8)
    assert a["per_class"]["pro"]["f1"] == pytest.approx(16 / 22)
    assert a["per_class"]["anti"]["f1"] == pytest.approx(2 / 3)
    assert a["macro_f1"] == pytest.approx((16 / 22 + 2 / 3) / 2)
    assert a["confusion"] == {"anti": {"anti": 15, "pro": 10}, "pro": {"anti": 5, "pro": 20}}
    assert (a["n"], a["n_reference"], a["coverage"]) == (50, 50, 1.0)


def test_kappa_matches_nltk():
    pred, ref = two_by_two()
    task = AnnotationTask(data=[("pred", str(i), p) for i, p in enumerate(pred)]
                          + [("ref", str(i), r) for i, r in enumerate(ref)])
    assert agreement(pred, ref)["kappa"] == pytest.approx(task.kappa())
    # an unbalanced 3-label case too
    rng = np.random.default_rng(1)
    labels = np.array(["pro", "anti", "neutral"])
    p = pd.Series(labels[rng.integers(0, 3, 200)])
    r = pd.Series(np.where(rng.random(200) < 0.6, p, labels[rng.integers(0, 2, 200)]))
    task = AnnotationTask(data=[("p", str(i), x) for i, x in enumerate(p)]
                          + [("r", str(i), x) for i, x in enumerate(r)])
    assert agreement(p, r)["kappa"] == pytest.approx(task.kappa())


def test_agreement_leaves_out_abstentions_and_maps_the_reference():
    side = pd.Series(["prefers strict gun control", "opposes strict gun control", "opposes strict gun control",
                      "prefers strict gun control", None, "other"])
    pred = pd.Series(["pro", "anti", "abstain", "neutral", "pro", "anti"])
    mapping = {"prefers strict gun control": "pro", "opposes strict gun control": "anti"}
    a = agreement(pred, side, mapping=mapping)
    # references: items 0-3 ("other" is not in the mapping, item 4 has none); compared: 0, 1, 3
    assert (a["n_reference"], a["n"]) == (4, 3)
    assert a["coverage"] == pytest.approx(3 / 4)
    assert a["accuracy"] == pytest.approx(2 / 3)
    # neutral is no class of the reference: it lowers the recall of "pro" only
    assert a["per_class"]["pro"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert a["per_class"]["anti"]["f1"] == 1.0
    assert a["macro_f1"] == pytest.approx((2 / 3 + 1) / 2)
    assert a["confusion"]["pro"] == {"anti": 0, "neutral": 1, "pro": 1}
    assert a["labels"] == ["anti", "neutral", "pro"]


def test_agreement_edge_cases():
    a = agreement(pd.Series(["abstain", "abstain"]), pd.Series(["pro", "anti"]))
    assert (a["n"], a["coverage"]) == (0, 0.0) and math.isnan(a["kappa"])
    # a single label on both sides: p_e = 1, kappa undefined
    a = agreement(pd.Series(["pro", "pro"]), pd.Series(["pro", "pro"]))
    assert a["accuracy"] == 1.0 and math.isnan(a["kappa"])
    with pytest.raises(ValueError, match="same index"):
        agreement(pd.Series(["pro"], index=[1]), pd.Series(["pro"], index=[2]))


# --------------------------------------------------------------------------
# the shipped stance dictionaries

STANCE = {"syria_stance": ("pro_government", "anti_government", ["syria_frames", "syria_actors", "incivility"]),
          "gun_control_stance": ("pro_gun_control", "anti_gun_control", ["gun_control_frames", "incivility"])}
ALL = ["syria_stance", "gun_control_stance", "incivility", "syria_frames", "syria_actors", "gun_control_frames"]


@pytest.fixture(scope="module")
def shipped():
    return {name: load_lexicon(LEXICONS / f"{name}.yaml") for name in ALL}


@pytest.mark.parametrize("name", sorted(STANCE))
def test_stance_dictionaries_load_with_their_poles(shipped, name):
    pro, anti, _ = STANCE[name]
    lx = shipped[name]
    assert lx.version == "1.0.0"
    assert list(lx.frames) == [pro, anti]
    poles = stance_poles(LEXICONS / f"{name}.yaml")
    assert (poles["pro"], poles["anti"]) == (pro, anti) and poles["target"]


def test_frame_names_are_unique_across_all_dictionaries(shipped):
    names = [f for lx in shipped.values() for f in lx.frames]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", sorted(STANCE))
def test_no_cue_is_in_both_poles(shipped, name):
    t = shipped[name].term_table()
    t = t[~t["exclude"]]
    key = t["words"].map(lambda w: tuple(x.casefold() for x in w))
    assert list(t.groupby(key)["frame"].nunique().loc[lambda s: s > 1].index) == []


@pytest.mark.parametrize("name", sorted(STANCE))
def test_multiword_cues_become_one_token(shipped, name):
    assert unjoined_multiword_terms(shipped[name]) == {}


@pytest.mark.parametrize("name", sorted(STANCE))
def test_companions_hide_nothing(shipped, name):
    combo = [shipped[name]] + [shipped[c] for c in STANCE[name][2]]
    got = hidden_terms(combo)
    assert got.empty, got.to_dict("records")


def wildcard_phrases_holding_joined_expressions(lexicons, target):
    """Multi-word '*' terms of `target` that contain a joined expression of any of `lexicons`: they could never
    match."""
    joined = set()
    for lx in lexicons:
        t = lx.term_table()
        joined |= {tuple(w.casefold() for w in ws) for ws in t.loc[(t["n_words"] > 1) & ~t["wildcard"], "words"]}
    t = target.term_table()
    bad = []
    for term, words in zip(t["term"], t["words"]):
        if len(words) < 2 or not words[-1].endswith("*"):
            continue
        ws = [w.casefold() for w in words]
        for mwe in joined:
            for i in range(len(ws) - len(mwe) + 1):
                part = ws[i : i + len(mwe)]
                last = part[-1]
                ok = all(a == b for a, b in zip(part[:-1], mwe[:-1])) and (
                    mwe[-1].startswith(last[:-1]) if i + len(mwe) == len(ws) else last == mwe[-1])
                if ok:
                    bad.append((term, " ".join(mwe)))
    return bad


@pytest.mark.parametrize("name", sorted(STANCE))
def test_wildcard_cues_hold_no_joined_expression(shipped, name):
    combo = [shipped[name]] + [shipped[c] for c in STANCE[name][2]]
    assert wildcard_phrases_holding_joined_expressions(combo, shipped[name]) == []


# Known false positives found in the vocabulary checks: none of these words may be counted.
FALSE_POSITIVES = {"gun_control_stance": ["disarmingly", "ban", "banned", "tyranny", "licensed", "license"],
                   "syria_stance": ["terrorists", "terrorist", "rebels", "both", "propaganda", "resistance", "saa"]}


@pytest.mark.parametrize("name", sorted(FALSE_POSITIVES))
def test_known_false_positives_are_not_counted(shipped, name):
    assert counted_false_positives(shipped[name], FALSE_POSITIVES[name]) == []


def test_phrases_count_on_real_tokens(shipped):
    """A few cues as the workflow sees them: all companions active, negation flipped."""
    lexs = [shipped[n] for n in ("gun_control_stance", "gun_control_frames", "incivility")]
    texts = ["Guns should not be banned.", "Guns should be banned.", "Criminals will always get guns.",
             "I need to defend myself and my family.", "Our rights are not negotiable.", "Guns kill people."]
    d = docs_of(*texts)
    index = TokenIndex(token_table(d, punkt=PunktSentenceTokenizer(),
                                   mwes=multiword_tuples([t for lx in lexs for t in lx.terms()])))
    m = match_frames(index, shipped["gun_control_stance"],
                     texts={("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])})
    out = comment_stance(m, d, pro="pro_gun_control", anti="anti_gun_control")
    assert list(out["label"]) == ["anti", "pro", "anti", "anti", "anti", "pro"]
    # the frame dictionary still sees its own terms inside the '*' cues
    f = match_frames(index, shipped["gun_control_frames"])
    assert {"criminal*", "defend*", "kill*", "rights"} <= set(f["term"])


@pytest.mark.parametrize("name", sorted(STANCE))
def test_every_entry_is_documented(shipped, name):
    doc = DOC.read_text(encoding="utf-8")
    lx = shipped[name]
    t = lx.term_table()
    assert f"`{name}.yaml` | `{name}` | {lx.version} |" in doc
    assert f"| {int((~t['exclude']).sum())} + {int(t['exclude'].sum())} |" in doc
    assert [term for term in t["term"] if f"`{term}`" not in doc] == []
    for frame in lx.frames:
        assert f"### `{frame}`" in doc


def test_score_stance_equals_matching_each_dictionary_on_its_own(lexicon):
    """score_stance (one token index for both dictionaries) equals comment_stance over match_frames, dictionary by
    dictionary."""
    from analysis.matcher import document_texts
    from analysis.stance import score_stance

    incivility = load_lexicon(LEXICONS / "incivility.yaml")
    d = docs_of(*TEXTS, "You idiot, the regime lies.", "Nothing to see here.")
    index = TokenIndex(token_table(d, punkt=PunktSentenceTokenizer(),
                                   mwes=multiword_tuples(lexicon.terms() + incivility.terms())))
    comments = d.drop(columns="doc")
    threads = pd.DataFrame({"thread_id": ["t"], "article_text": [""]})
    texts = document_texts(comments, threads)
    expected = comment_stance(match_frames(index, lexicon, texts=texts), d[["thread_id", "comment_id", "doc"]],
                              pro="pro_gov", anti="anti_gov", flip_negated=False)
    unciv = match_frames(index, incivility, texts=texts)
    n_uncivil = unciv[unciv["counted"] & (unciv["frame"] == "incivility")].groupby("comment_id").size()
    expected["n_uncivil"] = expected["comment_id"].map(n_uncivil).fillna(0).astype("int64")
    out = score_stance(index, comments, threads, stance_lexicon=lexicon, incivility_lexicon=incivility)
    pd.testing.assert_frame_equal(out, expected.sort_values(["thread_id", "comment_id", "doc"]).reset_index(drop=True))
    # by hand: c0 anti 2; c6 anti 1 and one uncivil term; c7 (a copy of c3's text) abstains
    out = out.set_index("comment_id")
    assert (out.loc["c0", "n_anti"], out.loc["c6", "n_anti"], out.loc["c6", "n_uncivil"]) == (2, 1, 1)
    assert out.loc["c7", "label"] == "abstain" and out["n_uncivil"].sum() == 1
