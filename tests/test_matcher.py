"""The dictionary matcher (analysis.matcher): its counting rules on sentences worked out by hand, and the
vectorised matcher against a brute-force oracle that walks the tokens one by one."""

import random

import pandas as pd
import pytest
from helpers import comment_docs as docs
from helpers import lexicon_file
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.matcher import (
    MATCH_COLUMNS,
    NEGATION_CUES,
    TokenIndex,
    document_texts,
    is_word,
    match_frames,
    quoted_spans,
)
from analysis.tokenization import multiword_tuples, token_table


def run(lexicon, *texts, join=True, **kw):
    d = docs(*texts)
    mwes = multiword_tuples(lexicon.terms()) if join else ()
    tokens = token_table(d, punkt=PunktSentenceTokenizer(), mwes=mwes)
    texts_map = {("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])}
    return tokens, match_frames(TokenIndex(tokens), lexicon, texts=texts_map, **kw)


def hits(matches, frame=None):
    m = matches[matches["counted"]]
    if frame:
        m = m[m["frame"] == frame]
    return list(m["match"])


@pytest.mark.parametrize("join", [True, False])
def test_longest_match_counts_a_token_once(lexicon, join):
    _, m = run(lexicon, "The civil war is a war.", join=join)
    # "civil war" is civil_war and both (the same term in two frames); only the second "war" is war
    assert hits(m, "civil_war") == ["civil war"]
    assert hits(m, "both") == ["civil war"]
    assert hits(m, "war") == ["war"]
    assert len(m) == 3


def test_wildcards_and_case(lexicon):
    _, m = run(lexicon, "Terrorists, terrorism and TERROR. IS fighters say this is it. Suicide bombers too.")
    assert hits(m, "terrorism") == ["Terrorists", "terrorism", "TERROR", "IS", "Suicide bombers"]


def test_exclusion_consumes_its_tokens(lexicon):
    _, m = run(lexicon, "A rebel yell from the rebels.")
    assert hits(m, "civil_war") == ["rebels"]


def test_quoted_and_negated_flags(lexicon):
    _, m = run(lexicon, "He called it “civil war” but it is not a civil war, it is no uprising.", count_quoted=False)
    civil = m[m["frame"] == "civil_war"].reset_index(drop=True)
    assert list(civil["match"]) == ["civil war", "civil war", "uprising"]
    assert list(civil["quoted"]) == [True, False, False]
    assert list(civil["negated"]) == [False, True, True]
    assert list(civil["counted"]) == [False, True, True]  # defaults: quoted not counted, negated counted
    _, m2 = run(lexicon, "it is not a civil war", count_negated=False)
    assert hits(m2, "civil_war") == []


def test_negation_window_is_in_tokens(lexicon):
    # "not" is 4 tokens before "uprising": outside a window of 3, inside a window of 4
    _, m3 = run(lexicon, "not a big bad uprising", negation_window=3)
    _, m4 = run(lexicon, "not a big bad uprising", negation_window=4)
    assert list(m3["negated"]) == [False] and list(m4["negated"]) == [True]


def test_negation_does_not_cross_sentences(lexicon):
    _, m = run(lexicon, "I do not. Uprising is the word.")
    assert list(m["negated"]) == [False]


def test_apostrophes_are_not_quotes():
    text = "the regime’s ‘war’ and don’t \"rebels\" here"
    spans = quoted_spans(text)
    quoted = [text[a:b] for a, b in spans]
    assert quoted == ["‘war’", '"rebels"']


def test_match_text_is_the_source_span(lexicon):
    text = "Civil   War again"
    _, m = run(lexicon, text, join=False)
    row = m[m["frame"] == "civil_war"].iloc[0]
    assert text[row["start"] : row["end"]] == row["match"] == "Civil   War"



OVERLAP = """
name: overlap
version: "1"
frames:
  terror_a:
    label: A
    terms: [terror*, terrorist*]
  terror_b:
    label: B
    terms: [terrorism]
"""



def test_one_span_counts_once_per_frame(tmp_path):
    lx = lexicon_file(tmp_path, "overlap.yaml", OVERLAP)
    _, m = run(lx, "terrorists and terrorism")
    # "terrorists": terror* and terrorist* both match, frame terror_a counts it once
    assert hits(m, "terror_a") == ["terrorists", "terrorism"]
    # "terrorism" is also a term of terror_b: the same token counts for both frames
    assert hits(m, "terror_b") == ["terrorism"]


EXCLUDE_ONE = """
name: exclude_one
version: "1"
frames:
  rebellion:
    label: Rebels
    terms: [rebel*, uprising]
    exclude: [rebellion, Rebel]
"""


def test_a_one_word_exclusion_consumes_its_token(tmp_path):
    lx = lexicon_file(tmp_path, "exclude_one.yaml", EXCLUDE_ONE)
    # "rebellion" is rebel* and the exclusion rebellion: the exclusion wins; "Rebel" too (its exclusion is
    # matched case-insensitively, like every term without a case_sensitive entry); the other two count
    _, m = run(lx, "The rebellion, a Rebel and the rebels; rebellion again, then an uprising.")
    assert hits(m, "rebellion") == ["rebels", "uprising"]


def test_negative_negation_window_is_rejected(lexicon):
    with pytest.raises(ValueError, match="negation_window"):
        run(lexicon, "war", negation_window=-1)


def test_no_tokens_give_the_match_columns(lexicon):
    tokens, m = run(lexicon, "")
    assert tokens.num_rows == 0 and list(m.columns) == MATCH_COLUMNS and m.empty


def test_is_word_by_hand():
    norms = pd.Series(["war", ",", "😉", "civil war", "2020", "n't", None, "_", "…"], dtype=object)
    assert is_word(norms).tolist() == [True, False, False, True, True, True, False, True, False]


def test_the_index_word_flags_equal_is_word_of_the_norms(lexicon):
    tokens, _ = run(lexicon, "The civil war, the war! 😉 ... 2020", "Nothing here :)")
    assert TokenIndex(tokens).is_word().tolist() == is_word(tokens.column("norm").to_pandas()).tolist()


def test_document_texts():
    comments = pd.DataFrame({"thread_id": ["t", "u"], "comment_id": ["c0", "c1"], "text": ["a", "b"]})
    threads = pd.DataFrame({"thread_id": ["t", "u"], "article_text": ["Body.", ""]})
    assert document_texts(comments, threads) == {("t", "c0", "comment"): "a", ("u", "c1", "comment"): "b",
                                                 ("t", "", "article"): "Body."}


def test_index_keys_and_runs():
    d = pd.DataFrame({"thread_id": ["t", "t", "u"], "comment_id": ["c0", "c1", ""],
                      "doc": ["comment", "comment", "article"],
                      "text": ["One two.", "Three.", "Four five six."]})
    index = TokenIndex(token_table(d, punkt=PunktSentenceTokenizer()))
    assert index.n == 9 and index.doc.tolist() == [0, 0, 0, 1, 1, 2, 2, 2, 2]
    assert index.run_first().tolist() == [0, 3, 5]
    keys = index.keys_at(index.run_first())
    assert keys.to_dict("list") == {"thread_id": ["t", "t", "u"], "comment_id": ["c0", "c1", ""],
                                    "doc": ["comment", "comment", "article"]}


# ---------------------------------------------------------------- the oracle


def oracle_matches(tokens: pd.DataFrame, lexicon, texts, *, negation_window=3, count_quoted=False, count_negated=True):
    """The matching rules of analysis.matcher, token by token in plain Python (no codes, no vectors)."""
    terms = lexicon.term_table().to_dict("records")
    rows = []
    for (thread, comment, doc), tok in tokens.groupby(["thread_id", "comment_id", "doc"], sort=False):
        tok = tok.reset_index(drop=True)
        norm, surf, sent = tok["norm"].tolist(), tok["token"].tolist(), tok["sentence"].tolist()

        def word_ok(i, word, cs, single):
            value = surf[i] if cs else norm[i]  # noqa: B023 -- called only for this group's tokens
            w = word if cs else word.casefold()
            if not cs and " " in norm[i] and not single:  # noqa: B023 -- called only for this group
                return False  # a joined MWE token is never one word of a term
            return value.startswith(w[:-1]) if w.endswith("*") else value == w

        cands = []  # (n_words, exclude, start, key, n_tok, term)
        for t in terms:
            words, cs, ex = list(t["words"]), bool(t["case_sensitive"]), bool(t["exclude"])
            key = ("=" if cs else "") + ("!" if ex else "") + " ".join(words)
            for i in range(len(tok)):
                if len(words) == 1:
                    if word_ok(i, words[0], cs, False):
                        cands.append((1, ex, i, key, 1, t))
                    continue
                if not t["wildcard"] and not cs and norm[i] == " ".join(w.casefold() for w in words):
                    cands.append((len(words), ex, i, key, 1, t))
                k = len(words)
                if i + k <= len(tok) and all(sent[i + j] == sent[i] and word_ok(i + j, words[j], cs, False)
                                             for j in range(k)):
                    cands.append((k, ex, i, key, k, t))
        seen, unique = set(), []
        for c in cands:
            if (c[3], c[2], c[4]) not in seen:
                seen.add((c[3], c[2], c[4]))
                unique.append(c)
        unique.sort(key=lambda c: (-c[0], not c[1], c[2], c[3]))
        taken, spans, accepted = set(), {}, []
        for c in unique:
            span = (c[2], c[4])
            cover = set(range(c[2], c[2] + c[4]))
            if spans.get(span) == c[1] or not (cover & taken):
                if span not in spans:
                    spans[span] = c[1]
                    taken |= cover
                accepted.append(c)
        text = texts[(thread, comment, doc)]
        quotes = quoted_spans(text)
        done = set()
        frames = {}
        for t in terms:
            key = ("=" if t["case_sensitive"] else "") + ("!" if t["exclude"] else "") + " ".join(t["words"])
            frames.setdefault(key, (t["term"], set()))[1].add(t["frame"])
        for _n_words, ex, i, key, n_tok, _t in accepted:
            if ex:
                continue
            term, fr = frames[key]
            for frame in sorted(fr):
                if (i, n_tok, frame) in done:
                    continue
                done.add((i, n_tok, frame))
                last = i + n_tok - 1
                start, end = int(tok["start"][i]), int(tok["end"][last])
                neg = any(i - k >= 0 and sent[i - k] == sent[i] and _cue(norm[i - k])
                          for k in range(1, negation_window + 1))
                quoted = any(a <= start < b for a, b in quotes)
                rows.append({"thread_id": thread, "comment_id": comment, "doc": doc, "frame": frame, "term": term,
                             "match": text[start:end], "clitic": "", "sentence": int(sent[i]),
                             "token_start": int(tok["index"][i]),
                             "token_end": int(tok["index"][last]) + 1, "start": start, "end": end, "quoted": quoted,
                             "negated": neg, "in_quote": False,
                             "counted": (count_quoted or not quoted) and (count_negated or not neg)})
    return pd.DataFrame(rows, columns=[c for c in MATCH_COLUMNS if c not in ("lexicon", "lexicon_sha")])


def _cue(norm: str) -> bool:
    lower = norm.lower()
    return lower in NEGATION_CUES or (len(lower) > 3 and lower[-3:] in ("n't", "n’t"))


WORDS = ("civil war wars rebel rebels rebellion yell uprising terror terrorists terrorism IS is it Suicide suicide "
         "bomber bombers the a not no never don't isn’t big bad regime").split()


def random_texts(rng: random.Random, n: int) -> list[str]:
    texts = []
    for _ in range(n):
        sentences = []
        for _ in range(rng.randint(1, 3)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(1, 12))]
            # a quotation of one kind: nested quotes of two kinds are a known difference (a match
            # after an inner quotation closes is not flagged, though inside the outer one)
            if rng.random() < 0.3:
                a = rng.randrange(len(words))
                b = rng.randrange(a, len(words))
                words[a] = "“" + words[a]
                words[b] = words[b] + ("”" if rng.random() < 0.8 else "")
            sentences.append(" ".join(words).capitalize() + rng.choice([".", "!", "?", ","]))
        texts.append(" ".join(sentences))
    return texts


@pytest.mark.parametrize("window,count_quoted,count_negated", [(3, False, True), (1, True, False), (0, False, False)])
@pytest.mark.parametrize("join", [True, False])
def test_matches_equal_the_oracle_on_random_texts(lexicon, tmp_path, join, window, count_quoted, count_negated):
    overlap = lexicon_file(tmp_path, "overlap.yaml", OVERLAP)
    texts = random_texts(random.Random(7), 300)
    d = docs(*texts)
    lexicons = [lexicon, overlap]
    mwes = multiword_tuples(t for lx in lexicons for t in lx.terms()) if join else ()
    tokens = token_table(d, punkt=PunktSentenceTokenizer(), mwes=mwes)
    index = TokenIndex(tokens)
    texts_map = {("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])}
    keys = ["thread_id", "comment_id", "doc", "start", "frame", "term"]
    for lx in lexicons:
        got = match_frames(index, lx, texts=texts_map, negation_window=window, count_quoted=count_quoted,
                           count_negated=count_negated)
        want = oracle_matches(tokens.to_pandas(), lx, texts_map, negation_window=window, count_quoted=count_quoted,
                              count_negated=count_negated)
        assert len(got) > 50 and got["quoted"].any() and got["negated"].any() == (window > 0)
        assert set(got["lexicon"]) == {lx.name}
        got = got.drop(columns=["lexicon", "lexicon_sha"]).sort_values(keys).reset_index(drop=True)
        want = want.sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want.astype(got.dtypes.to_dict()), check_dtype=False)
