"""Quoted passages (analysis.quotes): each source on hand-made texts, the lookups against brute force, own words."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.annotate import annotate
from analysis.errors import ConfigError
from analysis.lexicons import load_lexicon
from analysis.quotes import combine_shares, find_quotes, in_quote, quoted_share, reuse_spans, tokens_in_quote
from analysis.tokenization import token_table

LEXICONS = Path(__file__).resolve().parents[1] / "data" / "lexicons"
PARENT = "One two three four five six seven eight nine ten."


def thread(texts, *, article="", authors=None, parents=None, extra=None):
    n = len(texts)
    comments = pd.DataFrame({
        "thread_id": "t", "comment_id": [f"c{i}" for i in range(n)],
        "parent_id": parents or ([""] + [f"c{i}" for i in range(n - 1)]),
        "author_id": authors or [f"a{i}" for i in range(n)],
        "created_at": pd.date_range("2020-01-01", periods=n, freq="min", tz="UTC"),
        "text": texts, **(extra or {}),
    })
    threads = pd.DataFrame({"thread_id": ["t"], "article_text": [article]})
    return comments, threads


def spans(found, comment, source=None):
    sub = found[(found["comment_id"] == comment) & ((found["source"] == source) if source else True)]
    return [(int(s), int(e), q) for s, e, q in zip(sub["start"], sub["end"], sub["quoted_id"])]


def test_declared_spans_are_read_and_checked():
    text = "you said so. I disagree."
    comments, threads = thread([PARENT, text], extra={"qs": ["", json.dumps([[0, 12, "c0"], [3, 3, None]])]})
    found = find_quotes(comments, threads, detect=[], declared_column="qs")
    assert spans(found, "c1") == [(0, 12, "c0")] and set(found["source"]) == {"declared"}
    bad, _ = thread([PARENT, text], extra={"qs": ["", "[[0, 99, null]]"]})
    with pytest.raises(ConfigError, match="qs.*c1.*outside the text"):
        find_quotes(bad, threads, detect=[], declared_column="qs")
    with pytest.raises(ConfigError, match="no comments column 'nope'"):
        find_quotes(comments, threads, detect=[], declared_column="nope")


def test_gt_lines_join_and_stop_at_own_text():
    text = "> you said this\n>and that\nI disagree.\n  &gt; again"
    comments, threads = thread(["x", text])
    found = find_quotes(comments, threads, detect=["markup"])
    assert spans(found, "c1", "gt") == [(0, text.index("\nI")), (text.index("  &gt;"), len(text))] or \
        spans(found, "c1", "gt") == [(0, text.index("\nI"), ""), (text.index("  &gt;"), len(text), "")]
    assert text[:text.index("\nI")] == "> you said this\n>and that"


def test_bbcode_outermost_quote_with_post_id_and_unclosed_tag():
    text = "[QUOTE=bob;42]a [quote]b[/quote] c[/QUOTE] mine [quote]never closed"
    comments, threads = thread(["x", text])
    found = find_quotes(comments, threads, detect=["markup"])
    end = text.index("[/QUOTE]") + len("[/QUOTE]")
    assert spans(found, "c1", "bbcode") == [(0, end, "42")]


@pytest.mark.parametrize("header", ["Originally Posted by Some One", "Quote: Originally posted by x", "bob wrote:",
                                    "On 3 May 2010, Bob Smith wrote:", "Quote:"])
def test_forum_headers_cover_the_next_paragraph(header):
    text = f"{header}\n quoted words here\n more of them\n \n my reply"
    comments, threads = thread(["x", text])
    found = find_quotes(comments, threads, detect=["markup"])
    assert spans(found, "c1", "header") == [(0, text.index("\n \n"), "")]


def test_no_header_inside_a_sentence():
    comments, threads = thread(["x", "My teacher wrote: be kind.\nand she quoted: him"])
    assert find_quotes(comments, threads, detect=["markup"]).empty


def test_reuse_from_parent_after_case_and_space_normalisation():
    reply = "ONE two\n  three, four five six seven eight. But I disagree entirely."
    comments, threads = thread([PARENT, reply])
    found = find_quotes(comments, threads, detect=["reuse"], min_words=5)
    assert spans(found, "c1") == [(0, reply.index("."), "c0")]
    assert spans(found, "c0") == []  # the original is own words
    assert find_quotes(comments, threads, detect=["reuse"], min_words=9).empty  # 8 words copied, 9 needed


def test_reuse_folds_the_case_of_letters_beyond_ascii_in_every_call():
    """Word characters and case folding of any script, also for letters first seen in a later call: a run copied
    with other capitals is found; "ß" is not folded to "ss" (a folding of two letters keeps the letter)."""
    find_quotes(*thread([PARENT, PARENT.upper()]), detect=["reuse"], min_words=8)  # an ASCII-only call first
    parent = "École publique à Zürich für ΣΟΦΊΑ und Straße. Das ist alles."
    copied = "ÉCOLE PUBLIQUE À zürich FÜR σοφία UND STRAßE, und mehr von mir."
    near = "École publique à Zürich für ΣΟΦΊΑ und STRASSE, sagt er."
    found = find_quotes(*thread([parent, copied, near]), detect=["reuse"], min_words=8)
    assert spans(found, "c1") == [(0, copied.index(","), "c0")]
    assert spans(found, "c2") == []  # seven words copied, eight needed
    assert spans(found, "c0") == []


def test_reuse_partial_from_earlier_non_parent_and_article():
    article = "Alpha beta gamma delta epsilon zeta eta theta."
    c2 = "Well: four five six seven eight nine, and alpha beta gamma delta epsilon says the article."
    comments, threads = thread([PARENT, "unrelated words only here", c2], article=article,
                               parents=["", "c0", "c1"])
    found = find_quotes(comments, threads, detect=["reuse"], min_words=5)
    got = found[found["comment_id"] == "c2"]
    assert list(zip(got["start"], got["end"], got["quoted_id"], got["quoted_doc"])) == [
        (c2.index("four"), c2.index(", and"), "c0", "comment"),
        (c2.index("alpha"), c2.index(" says"), "", "article"),
    ]


def test_quote_of_a_quote_is_credited_to_the_first_author_and_own_reposts_are_own_words():
    c1 = "one two three four five six seven! Indeed so, I say."
    c2 = "one two three four five six seven. Indeed so, I say? No."
    comments, threads = thread([PARENT, c1, c2, PARENT], authors=["a", "b", "c", "a"])
    found = find_quotes(comments, threads, detect=["reuse"], min_words=5)
    # c2 copies c1, whose first seven words c1 copied from c0: each word is credited to its first writer
    assert spans(found, "c2") == [(0, c2.index("."), "c0"), (c2.index("Indeed"), c2.index("?"), "c1")]
    assert spans(found, "c3") == []  # author a repeats their own words


def test_overlapping_sources_union_and_share():
    text = "> one two three four five six\nmine mine"
    comments, threads = thread([PARENT, text])
    found = find_quotes(comments, threads, detect=["markup", "reuse"], min_words=5)
    assert set(found["source"]) == {"gt", "reuse"}
    share = quoted_share(found, comments).set_index("source")
    quoted = len("> one two three four five six")
    assert share.loc["all", "chars"] == quoted  # the union, not the sum of the overlapping passages
    assert share.loc["all", "share_chars"] == pytest.approx(quoted / (len(PARENT) + len(text)))
    assert share.loc["all", "n_comments"] == 1


def test_reuse_never_crosses_threads_or_documents():
    docs = pd.DataFrame({"thread_id": ["t", "u", "u"], "comment_id": ["a", "b", "c"], "doc": "comment",
                         "text": [PARENT, PARENT, "one two three four. X five six seven eight"]})
    assert reuse_spans(docs, min_words=5).empty  # u's "b" is not a copy of t's "a"; "c" copies only 4-word runs


def test_reuse_equals_brute_force_on_random_threads():
    rng = np.random.default_rng(3)
    vocab = ["a", "b", "c", "d", "E"]
    for _ in range(20):
        texts = [" ".join(rng.choice(vocab, size=rng.integers(0, 12))) for _ in range(6)]
        docs = pd.DataFrame({"thread_id": rng.choice(["t", "u"], 6), "comment_id": [f"c{i}" for i in range(6)],
                             "doc": "comment", "text": texts})
        k = 3
        got = np.zeros(sum(len(t) for t in texts), dtype=bool)
        off = np.cumsum([0] + [len(t) for t in texts])
        for r in reuse_spans(docs, min_words=k).itertuples():
            i = int(r.comment_id[1:])
            got[off[i] + r.start:off[i] + r.end] = True
        want = np.zeros_like(got)
        for i, t in enumerate(texts):
            words = [(m.start(), m.end(), m.group().lower()) for m in re.finditer(r"\w+", t)]
            for j in range(len(words) - k + 1):
                run = [w for _, _, w in words[j:j + k]]
                earlier = [" ".join(x.lower().split()) for x, th in zip(texts[:i], docs["thread_id"][:i])
                           if th == docs["thread_id"][i]]
                if any(f" {' '.join(run)} " in f" {e} " for e in earlier):
                    want[off[i] + words[j][0]:off[i] + words[j + k - 1][1]] = True
        # word characters must agree (a passage also covers the spaces between its words)
        letters = np.array([ch != " " for ch in "".join(texts)], dtype=bool)
        assert (got[letters] == want[letters]).all()


def test_in_quote_equals_brute_force():
    rng = np.random.default_rng(1)
    quotes = pd.DataFrame({"thread_id": rng.choice(["t", "u"], 30), "comment_id": rng.choice(["a", "b"], 30),
                           "doc": "comment", "start": rng.integers(0, 50, 30)})
    quotes["end"] = quotes["start"] + rng.integers(1, 10, 30)
    keys = pd.DataFrame({"thread_id": rng.choice(["t", "u", "v"], 400), "comment_id": rng.choice(["a", "b"], 400),
                         "doc": rng.choice(["comment", "article"], 400)})
    starts = rng.integers(0, 60, 400)
    want = [any(q.thread_id == k.thread_id and q.comment_id == k.comment_id and q.doc == k.doc and q.start <= s < q.end
                for q in quotes.itertuples()) for k, s in zip(keys.itertuples(), starts)]
    assert in_quote(keys, starts, quotes).tolist() == want
    assert any(want)
    # the same with one key row per document and a row_key per offset
    distinct = keys.drop_duplicates().reset_index(drop=True)
    row_key = keys.merge(distinct.reset_index(), on=["thread_id", "comment_id", "doc"], how="left")["index"]
    assert in_quote(distinct, starts, quotes, row_key=row_key.to_numpy()).tolist() == want
    # in a token table's order (documents in first-seen order, starts rising within each), with passages that
    # overlap, touch, are empty or lie past the last offset
    quotes = pd.concat([quotes, pd.DataFrame({"thread_id": ["t", "t", "u", "t"], "comment_id": ["a", "a", "b", "b"],
                                              "doc": "comment", "start": [5, 9, 20, 70], "end": [9, 12, 20, 80]})])
    rows = pd.DataFrame({"key": row_key, "start": starts}).sort_values(["key", "start"], kind="stable")
    starts, row_key = rows["start"].to_numpy(), rows["key"].to_numpy()
    keys = distinct.iloc[row_key]
    want = [any(q.thread_id == k.thread_id and q.comment_id == k.comment_id and q.doc == k.doc and q.start <= s < q.end
                for q in quotes.itertuples()) for k, s in zip(keys.itertuples(), starts)]
    assert in_quote(distinct, starts, quotes, row_key=row_key).tolist() == want
    assert in_quote(keys.reset_index(drop=True), starts, quotes).tolist() == want
    assert any(want) and not all(want)


def test_tokens_in_quote_equals_brute_force(punkt):
    """Per token of a token table: inside a passage of its own document (same thread, comment and kind)."""
    docs = pd.DataFrame({"thread_id": ["t", "t", "t", "u", "u"], "comment_id": ["", "a", "b", "a", "b"],
                         "doc": ["article", "comment", "comment", "comment", "comment"],
                         "text": ["Article words here. More of them.", "> quoted line\nown words", "",
                                  "One two three four five six.", "x y z"]})
    tokens = token_table(docs, punkt=punkt)
    quotes = pd.DataFrame({"thread_id": ["t", "t", "u", "u", "t"], "comment_id": ["a", "", "a", "a", "b"],
                           "doc": ["comment", "article", "comment", "comment", "comment"],
                           "start": [0, 20, 4, 7, 0], "end": [13, 24, 8, 13, 5]})
    table = tokens.to_pandas()
    want = [any(q.thread_id == r.thread_id and q.comment_id == r.comment_id and q.doc == r.doc
                and q.start <= r.start < q.end for q in quotes.itertuples()) for r in table.itertuples()]
    assert tokens_in_quote(tokens, quotes).tolist() == want
    assert tokens_in_quote(token_table(docs, punkt=punkt, dictionary_keys=True), quotes).tolist() == want
    assert 0 < sum(want) < len(want)
    assert not tokens_in_quote(tokens, quotes.iloc[:0]).any() and len(tokens_in_quote(tokens.slice(0, 0), quotes)) == 0


@pytest.fixture(scope="module")
def frames():
    return load_lexicon(LEXICONS / "syria_frames.yaml")


def run_annotate(frames, comments, threads, quotes, count_quoted_text):
    return annotate(comments, threads, punkt=PunktSentenceTokenizer(), lexicons=[frames],
                    stance_lexicon=load_lexicon(LEXICONS / "syria_stance.yaml"),
                    incivility_lexicon=load_lexicon(LEXICONS / "incivility.yaml"), lowercase=True, stem=False,
                    negation_window=3, count_quoted=False, count_negated=True, flip_negated=False, quotes=quotes,
                    count_quoted_text=count_quoted_text)


def test_measures_count_own_words_unless_switched(frames):
    parent = "This is a civil war and a civil war only, says he."
    reply = "this is a civil war and a civil war only. No, it is terrorism, you idiot."
    comments, threads = thread([parent, reply])
    comments = comments.assign(depth=[1, 2], position=[1, 1], source="s")
    threads = threads.assign(source="s")
    found = find_quotes(comments, threads, min_words=5)
    assert spans(found, "c1") == [(0, reply.index("."), "c0")]
    own = run_annotate(frames, comments, threads, found, False)
    every = run_annotate(frames, comments, threads, found, True)
    d_own = own.docs.set_index("comment_id")
    d_all = every.docs.set_index("comment_id")
    # own words of the reply: "No , it is terrorism , you idiot ." -> 6 words ("." and "," are not words);
    # the quote "this is a civil war and a civil war only": 8 words ("civil war" is one token of the dictionary)
    assert d_own.loc["c1", "n_tokens"] == 6 and d_all.loc["c1", "n_tokens"] == 6 + 8
    assert d_own.loc["c1", "hits_civil_war"] == 0 and d_all.loc["c1", "hits_civil_war"] == 2
    assert d_own.loc["c1", "hits_terrorism"] == 1 and d_own.loc["c0", "hits_civil_war"] == 2
    m = own.matches[own.matches["comment_id"] == "c1"]
    assert sorted(zip(m["frame"], m["in_quote"], m["counted"])) == [
        ("civil_war", True, False), ("civil_war", True, False), ("terrorism", False, True)]
    assert every.matches.loc[every.matches["comment_id"] == "c1", "in_quote"].tolist() == [True, True, False]
    # the written tokens hold the words that count; incivility sees "idiot" in own words either way
    assert "civil war" not in own.tokens.filter(
        own.tokens["comment_id"].to_numpy(zero_copy_only=False) == "c1")["norm"].to_pylist()
    assert own.stance.set_index("comment_id").loc["c1", "n_uncivil"] == 1
    # no quotes: the same as before the quote layer
    plain = run_annotate(frames, comments, threads, None, False)
    pd.testing.assert_frame_equal(plain.docs, every.docs)


def test_adopted_copied_contested_on_a_hand_made_thread():
    from analysis.frame_dynamics import frame_uses

    # article: "a civil war" (adopted). c0, top level: "it is a civil war" (adopted; the article uses it).
    # c1 replies to c0: quotes c0's "civil war" (copied), then "not a civil war" (contested, negated).
    # c2 replies to c1: 'this "civil war"' (contested, scare quotes); c1 uses no frame in own words, so c2 is
    # not a reply to a user of the frame. c3, top level: "terror" (adopted; the article does not use terror).
    keys = [("", "article"), ("c0", "comment"), ("c1", "comment"), ("c1", "comment"), ("c2", "comment"),
            ("c3", "comment")]
    matches = pd.DataFrame({"thread_id": "t", "comment_id": [k[0] for k in keys], "doc": [k[1] for k in keys],
                            "frame": ["civil_war"] * 5 + ["terrorism"],
                            "quoted": [False, False, False, False, True, False],
                            "negated": [False, False, False, True, False, False],
                            "in_quote": [False, False, True, False, False, False]})
    docs = pd.DataFrame({"thread_id": "t", "comment_id": ["", "c0", "c1", "c2", "c3"],
                         "doc": ["article"] + ["comment"] * 4,
                         "hits_civil_war": [1, 1, 0, 0, 0], "hits_terrorism": [0, 0, 0, 0, 1]})
    comments = pd.DataFrame({"thread_id": "t", "comment_id": ["c0", "c1", "c2", "c3"],
                             "parent_id": ["", "c0", "c1", ""]})
    got = frame_uses(matches, docs, comments, frames=["civil_war", "terrorism"]).set_index(["frame", "where"])
    cols = ["n_adopted", "n_copied", "n_contested"]
    assert got.loc[("civil_war", "article"), cols].tolist() == [1, 0, 0]
    assert got.loc[("civil_war", "comments"), cols].tolist() == [1, 1, 2]
    # replies to a user of civil_war: c0 (the article uses it) and c1 (c0 uses it); not c2
    assert got.loc[("civil_war", "reply to a user"), cols].tolist() == [1, 1, 1]
    assert got.loc[("terrorism", "reply to a user"), cols].tolist() == [0, 0, 0]
    assert got.loc[("civil_war", "comments"), "share_contested"] == pytest.approx(0.5)


def test_shares_combine_over_shards_as_over_the_whole():
    texts = [PARENT, "> q\nown " + PARENT, "[quote]x[/quote] y", "nothing"]
    comments, threads = thread(texts)
    comments["thread_id"] = ["t", "t", "u", "u"]
    threads = pd.DataFrame({"thread_id": ["t", "u"], "article_text": ["", ""]})
    found = find_quotes(comments, threads, min_words=5)
    whole = quoted_share(found, comments)
    parts = [quoted_share(found[found["thread_id"] == t], comments[comments["thread_id"] == t]) for t in "tu"]
    pd.testing.assert_frame_equal(combine_shares(parts), whole, check_dtype=False)
    row = whole.set_index("source").loc["all"]
    # by hand: c1 quotes "> q" (3 chars) and PARENT up to its last word (reuse: 48 chars, not the full stop);
    # c2 quotes "[quote]x[/quote]" (16 chars)
    assert row["chars"] == 3 + 48 + 16 and row["n_comments"] == 2
    assert row["share_chars"] == pytest.approx((3 + 48 + 16) / sum(map(len, texts)))
