"""Tests of analysis.tokenization. Expected values are worked out by hand."""

from __future__ import annotations

import importlib
import json

import nltk.data
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from helpers import training_corpus
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import MWETokenizer

import analysis.punkt
from analysis import columns, tokenization
from analysis.errors import ConfigError
from analysis.punkt import sentence_spans
from analysis.tokenization import (
    MAX_RUN,
    multiword_tuples,
    stopword_set,
    token_table,
    word_chunks,
    word_spans,
)


def tokenize(docs: pd.DataFrame, **options) -> pd.DataFrame:
    """:func:`token_table` as a DataFrame (the columns read by the tests below)."""
    return token_table(docs, **options).to_pandas()


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in word_spans(text)]


def docs_frame(*texts: str, kinds: list[str] | None = None) -> pd.DataFrame:
    kinds = kinds or ["comment"] * len(texts)
    return pd.DataFrame(
        {
            "thread_id": ["src:t1"] * len(texts),
            "comment_id": ["" if k == "article" else f"c{i}" for i, k in enumerate(kinds)],
            "doc": kinds,
            "text": list(texts),
        }
    )


def rows(df: pd.DataFrame) -> list[tuple]:
    return list(df[["sentence", "index", "token", "norm", "is_mwe"]].itertuples(index=False, name=None))


# --------------------------------------------------------------------------
# word tokens


VARIED = [
    "I don't think so :-) 😉 #Syria @Partisangirl https://example.org/a?b=1.",
    "“Curly quotes” and ‘single ones’, Assad’s army isn’t… gone!!!",
    "The U.S.-backed SDF, al-Qaeda & war-torn Idlib (2011–2017)... 3.5 1,000",
    "Emoji: 👍🏽 👨‍👩‍👧 🇸🇾 ❤️ 1️⃣ x😉y\n\nnew paragraph\twith tab",
    "Arabic: بشار الأسد, CJK: 叙利亚内战。 café naïve",
    "  leading and trailing space  ",
    "<b>bold</b> &amp; -> <-- e.g. i.e. U.N. a.m. war.The end. . . ok",
    "-" * 2500 + " x " + "a" * 2100,
]


@pytest.mark.parametrize("text", VARIED)
def test_word_spans_offsets_are_exact_and_cover_every_visible_character(text):
    spans = word_spans(text)
    assert spans, "some tokens expected"
    covered = set()
    previous_end = 0
    for start, end in spans:
        assert 0 <= previous_end <= start < end <= len(text)  # in order, no overlap, non-empty
        token = text[start:end]
        assert token == token.strip()  # never starts or ends with whitespace
        covered.update(range(start, end))
        previous_end = end
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I don't know", ["I", "don't", "know"]),
        ("I don’t know", ["I", "don’t", "know"]),  # typographic apostrophe, kept as written
        ("Assad’s army", ["Assad’s", "army"]),
        ("‘Hello’ world", ["‘", "Hello", "’", "world"]),  # quote marks stay separate
        ("@Partisangirl: look", ["@Partisangirl", ":", "look"]),
        ("see https://example.org/a?b=1.", ["see", "https://example.org/a?b=1", "."]),
        ("ok :-) fine 😉", ["ok", ":-)", "fine", "😉"]),
        ("wink😉wink", ["wink", "😉", "wink"]),
        ("a war-torn land, al-Qaeda", ["a", "war-torn", "land", ",", "al-Qaeda"]),
        ("the U.S. said", ["the", "U.S.", "said"]),
        ("U.S.-backed rebels", ["U.S.", "-", "backed", "rebels"]),
        ("e.g. this", ["e.g.", "this"]),
        ("I. Then", ["I", ".", "Then"]),  # one letter-period pair is not an initialism
        ("❤️ it", ["❤️", "it"]),  # variation selector stays with the heart
        ("#Syria's war", ["#Syria's", "war"]),
        ("the war.The end", ["the", "war.The", "end"]),  # documented limitation
        ("Tom &amp; Jerry", ["Tom", "&", "amp", ";", "Jerry"]),  # no unescaping
        ("call 100 2000", ["call", "100", "2000"]),  # no phone-number branch
        ("wait . . . what", ["wait", ". . .", "what"]),
        ("", []),
        (" \n\t ", []),
    ],
)
def test_word_spans_decisions(text, expected):
    assert words(text) == expected


def test_word_spans_offsets_by_hand():
    # H i _ @ x _ 😉 !   (the emoji is one code point)
    assert word_spans("Hi @x 😉!") == [(0, 2), (3, 5), (6, 7), (7, 8)]


def test_long_runs_are_cut_into_windows():
    text = "a" * (2 * MAX_RUN + 500) + " b"
    assert word_spans(text) == [(0, MAX_RUN), (MAX_RUN, 2 * MAX_RUN), (2 * MAX_RUN, 2 * MAX_RUN + 500),
                                (2 * MAX_RUN + 501, 2 * MAX_RUN + 502)]


# --------------------------------------------------------------------------
# multi-word expressions


def test_multiword_tuples():
    terms = ["Civil war", "free Syrian army", "terror*", "ISIS", "civil war", "regime change*", "U.S. troops"]
    assert multiword_tuples(terms) == [("civil", "war"), ("free", "syrian", "army"), ("u.s.", "troops")]


MWES = [("civil", "war"), ("free", "syrian", "army")]


def test_mwes_are_joined_within_sentences(punkt):
    text = "The civil war in Syria. Civil War again. A civil servant."
    df = tokenize(docs_frame(text), punkt=punkt, mwes=MWES)
    assert rows(df) == [
        (0, 0, "The", "the", False),
        (0, 1, "civil war", "civil war", True),
        (0, 2, "in", "in", False),
        (0, 3, "Syria", "syria", False),
        (0, 4, ".", ".", False),
        (1, 5, "Civil War", "civil war", True),
        (1, 6, "again", "again", False),
        (1, 7, ".", ".", False),
        (2, 8, "A", "a", False),
        (2, 9, "civil", "civil", False),
        (2, 10, "servant", "servant", False),
        (2, 11, ".", ".", False),
    ]
    mwe = df[df["is_mwe"]]
    assert list(mwe["start"]) == [4, 24]  # "The " is 4 characters; "The civil war in Syria. " is 24
    assert list(mwe["end"]) == [13, 33]
    assert all(text[s:e] == t for s, e, t in zip(df["start"], df["end"], df["token"]))


def test_three_word_mwe_with_stems(punkt):
    text = "He joined the Free  Syrian Army today."
    df = tokenize(docs_frame(text), punkt=punkt, mwes=MWES, stem=True)
    row = df[df["is_mwe"]].iloc[0]
    assert row["token"] == "Free  Syrian Army"  # the text as written, two spaces included
    assert row["norm"] == "free syrian army"
    assert row["stem"] == "free syrian armi"
    assert (row["start"], row["end"]) == (14, 31)
    assert list(df["index"]) == [0, 1, 2, 3, 4, 5]  # He joined the <MWE> today .


def test_mwe_is_not_joined_across_a_sentence_boundary(punkt):
    # "Dr." is two words, "Dr" and "."; Punkt keeps "Dr. Haddad" in one sentence
    # but ends one after "minister.". Both MWEs would match if sentences were ignored.
    mwes = [("dr", ".", "haddad"), ("minister", ".", "a")]
    text = "Dr. Haddad met the minister. A new round starts soon."
    df = tokenize(docs_frame(text), punkt=punkt, mwes=mwes)
    assert list(df.loc[df["is_mwe"], "token"]) == ["Dr. Haddad"]
    # "Dr. Haddad" met the minister . | A new round starts soon .
    assert list(df["sentence"]) == [0] * 5 + [1] * 6
    assert list(df["token"][3:6]) == ["minister", ".", "A"]


def test_blank_line_ends_a_sentence_and_blocks_mwes(punkt):
    joined = tokenize(docs_frame("Talks on the civil\nwar failed"), punkt=punkt, mwes=MWES)
    assert list(joined.loc[joined["is_mwe"], "token"]) == ["civil\nwar"]
    assert set(joined["sentence"]) == {0}
    split = tokenize(docs_frame("Talks on the civil\n\nwar failed"), punkt=punkt, mwes=MWES)
    assert not split["is_mwe"].any()
    assert list(split["sentence"]) == [0, 0, 0, 0, 1, 1]


def test_mwe_matching_ignores_case_when_lowercase_is_off(punkt):
    text = "The Civil War ended."
    df = tokenize(docs_frame(text), punkt=punkt, mwes=[("CIVIL", "war")], lowercase=False)
    assert rows(df) == [
        (0, 0, "The", "The", False),
        (0, 1, "Civil War", "civil war", True),
        (0, 2, "ended", "ended", False),
        (0, 3, ".", ".", False),
    ]


# --------------------------------------------------------------------------
# stems and stopwords


def test_stems(punkt):
    text = "Running terrorists fighting armies Syrians"
    df = tokenize(docs_frame(text), punkt=punkt, stem=True)
    assert list(df["stem"]) == ["run", "terrorist", "fight", "armi", "syrian"]
    off = tokenize(docs_frame(text), punkt=punkt)
    assert list(off["stem"]) == [""] * 5


def test_stopword_list_english():
    english = stopword_set("english")
    for w in ["the", "and", "of", "not", "very", "just", "don't", "don’t", "isn’t", "would", "themselves"]:
        assert w in english
    for w in ["war", "assad", "people", "like", "however", "#"]:
        assert w not in english
    lines = [x for x in tokenization.ENGLISH_STOPWORDS.read_text(encoding="utf-8").splitlines()
             if not x.startswith("#")]
    assert lines == sorted(set(lines))
    assert all(x == x.lower() and x.strip() == x and x for x in lines)


def test_stopwords_are_flagged(punkt):
    text = "The war isn’t over"
    df = tokenize(docs_frame(text), punkt=punkt, stopwords=stopword_set("english"))
    assert list(df["is_stopword"]) == [True, False, True, True]
    none = tokenize(docs_frame(text), punkt=punkt)
    assert not none["is_stopword"].any()


def test_stopword_set_specs(tmp_path):
    assert stopword_set(None) == frozenset()
    assert stopword_set("none") == frozenset()
    custom = tmp_path / "stop.txt"
    custom.write_text("# my list\nRegime\n\nwar  # trailing comment\n  ok \n", encoding="utf-8")
    assert stopword_set(str(custom)) == frozenset({"regime", "war", "ok"})
    with pytest.raises(ConfigError) as err:
        stopword_set(str(tmp_path / "missing.txt"))
    assert err.value.key == "tokenize.stopwords"


# --------------------------------------------------------------------------
# the token table


def test_tokens_table_contract_and_document_order(punkt):
    article = "Dr. Haddad spoke. The U.S. envoy left."
    comment = "I don’t buy it 😉 @Partisangirl"
    df = tokenize(
        docs_frame(article, "", comment, kinds=["article", "comment", "comment"]),
        punkt=punkt,
        mwes=MWES,
        stem=True,
        stopwords=stopword_set("english"),
    )
    assert list(df.columns) == columns.core_names("tokens")
    table = columns.conform(df, "tokens")
    assert table.num_rows == len(df)
    built = token_table(docs_frame(article, "", comment, kinds=["article", "comment", "comment"]), punkt=punkt,
                        mwes=MWES, stem=True, stopwords=stopword_set("english"))
    assert built.schema.equals(table.schema) and built.equals(table)  # the contract's schema by construction
    # article: Dr . Haddad spoke . | The U.S. envoy left .  -> 10 tokens
    # comment: I don’t buy it 😉 @Partisangirl -> 6 tokens; the empty comment has none
    assert list(df["comment_id"]) == [""] * 10 + ["c2"] * 6
    assert list(df["doc"]) == ["article"] * 10 + ["comment"] * 6
    assert list(df["index"]) == list(range(10)) + list(range(6))
    assert list(df["sentence"]) == [0] * 5 + [1] * 5 + [0] * 6
    assert list(df["token"][:10]) == ["Dr", ".", "Haddad", "spoke", ".", "The", "U.S.", "envoy", "left", "."]
    assert list(df["token"][10:]) == ["I", "don’t", "buy", "it", "😉", "@Partisangirl"]
    assert list(df["is_stopword"][10:]) == [True, True, False, True, False, False]
    texts = {"": article, "c2": comment}
    assert all(texts[c][s:e] == t for c, s, e, t in zip(df["comment_id"], df["start"], df["end"], df["token"]))


def test_empty_texts_and_empty_frames(punkt):
    df = tokenize(docs_frame("", "   \n  ", "\t"), punkt=punkt)
    assert len(df) == 0
    assert list(df.columns) == columns.core_names("tokens")
    columns.conform(df, "tokens")
    none = tokenize(docs_frame(), punkt=punkt)
    assert len(none) == 0
    columns.conform(none, "tokens")


def test_offsets_in_the_table_on_varied_text(punkt):
    df = tokenize(docs_frame(*VARIED), punkt=punkt, mwes=[("war", "-"), ("single", "ones")])
    comment_text = {f"c{i}": t for i, t in enumerate(VARIED)}
    assert all(comment_text[c][s:e] == t for c, s, e, t in zip(df["comment_id"], df["start"], df["end"], df["token"]))
    assert df["is_mwe"].sum() == 1  # "single ones"; "war-torn" is one word, so ("war", "-") never matches
    columns.conform(df, "tokens")


def test_bad_input_is_rejected(punkt):
    with pytest.raises(ValueError, match="missing"):
        tokenize(pd.DataFrame({"text": ["x"]}), punkt=punkt)
    bad = docs_frame("x")
    bad["doc"] = ["post"]
    with pytest.raises(ValueError, match="post"):
        tokenize(bad, punkt=punkt)
    for key, value in (("thread_id", 7), ("comment_id", None)):
        bad = docs_frame("x")
        bad[key] = pd.Series([value], dtype=object)
        with pytest.raises(ValueError, match=f"docs.{key}"):
            token_table(bad, punkt=punkt)


def test_nothing_touches_nltk_data(monkeypatch, tmp_path):
    def forbidden(*args, **kwargs):
        raise AssertionError("nltk.data must not be used")

    for name in ("load", "find", "retrieve"):
        monkeypatch.setattr(nltk.data, name, forbidden)
    punkt_module = importlib.reload(analysis.punkt)  # import time too
    module = importlib.reload(tokenization)
    punkt = punkt_module.punkt_from_params(json.loads(json.dumps(punkt_module.train_punkt(training_corpus()))))
    mwes = module.multiword_tuples(["civil war", "Free Syrian Army"])
    df = module.token_table(
        docs_frame("The civil war goes on. Dr. Aziz isn’t running away 😉"),
        punkt=punkt,
        mwes=mwes,
        stem=True,
        stopwords=module.stopword_set("english"),
    ).to_pandas()
    assert df["is_mwe"].sum() == 1
    assert "run" in set(df["stem"])
    columns.conform(df, "tokens")


# --------------------------------------------------------------------------
# repeated texts are tokenized once and copied


def test_repeated_texts_give_the_rows_of_each_document_tokenized_alone(punkt):
    """A shard whose texts repeat (copies, '[deleted]', empty) gives exactly the rows of its documents tokenized one
    by one."""
    mwes = multiword_tuples(["civil war", "chemical weapons attack"])
    texts = [
        "The civil war goes on. Dr. Haddad said so.",
        "[deleted]",
        "Wait . . . what? A chemical weapons attack.\n\nNew paragraph: civil war.",
        "The civil war goes on. Dr. Haddad said so.",
        "",
        "[deleted]",
        "   ",
        "Wait . . . what? A chemical weapons attack.\n\nNew paragraph: civil war.",
        "Another text, only once.",
        "[deleted]",
    ]
    docs = pd.DataFrame({"thread_id": [f"t{i % 3}" for i in range(len(texts))],
                         "comment_id": [f"c{i}" for i in range(len(texts))], "doc": "comment", "text": texts})
    together = tokenize(docs, punkt=punkt, mwes=mwes, stopwords=stopword_set("english"))
    alone = pd.concat([tokenize(docs.iloc[[i]], punkt=punkt, mwes=mwes, stopwords=stopword_set("english"))
                       for i in range(len(docs))], ignore_index=True)
    pd.testing.assert_frame_equal(together, alone)
    # by hand: the first text has 11 tokens ("civil war" joined), the third 14 (its MWEs joined), in both copies
    assert together.groupby("comment_id").size().to_dict() == {
        "c0": 11, "c3": 11, "c1": 3, "c5": 3, "c9": 3,
        "c2": 14, "c7": 14, "c8": 6}
    assert together.loc[together["comment_id"] == "c3", "thread_id"].unique().tolist() == ["t0"]
    assert together.loc[together["comment_id"] == "c3", "index"].tolist() == list(range(11))


def test_repeated_texts_and_missing_texts_in_the_arrow_table(punkt):
    texts = ["Same text here.", None, "Same text here.", "Other."]
    docs = pd.DataFrame({"thread_id": "t", "comment_id": ["a", "b", "c", "d"], "doc": "comment", "text": texts})
    table = token_table(docs, punkt=punkt)
    got = table.to_pandas()
    assert got["comment_id"].tolist() == ["a"] * 4 + ["c"] * 4 + ["d"] * 2
    assert got.loc[got["comment_id"] == "c", "token"].tolist() == ["Same", "text", "here", "."]
    assert got.loc[got["comment_id"] == "c", "start"].tolist() == [0, 5, 10, 14]


def test_dictionary_keys_hold_the_values_of_the_plain_keys_each_once_in_first_seen_order(punkt):
    # the thread u has only an empty comment: no rows, so u is not among the values
    docs = pd.DataFrame({"thread_id": ["t", "u", "s", "t", "s"], "comment_id": ["", "b", "c", "d", "e"],
                         "doc": ["article", "comment", "comment", "comment", "comment"],
                         "text": ["An article.", "", "Same text.", "More words here.", "Same text."]})
    plain = token_table(docs, punkt=punkt)
    encoded = token_table(docs, punkt=punkt, dictionary_keys=True)
    assert encoded.select(["sentence", "index", "token", "norm", "start", "end"]).equals(
        plain.select(["sentence", "index", "token", "norm", "start", "end"]))
    expected = {"thread_id": ["t", "s"], "comment_id": ["", "c", "d", "e"], "doc": ["article", "comment"]}  # by hand
    for key, values in expected.items():
        column = encoded[key].combine_chunks()
        assert pa.types.is_dictionary(column.type)
        assert column.dictionary.to_pylist() == values
        assert column.cast(pa.string()).equals(plain[key].combine_chunks())
        assert column.indices.to_pylist() == pc.dictionary_encode(plain[key]).combine_chunks().indices.to_pylist()


@pytest.mark.parametrize("text", [
    "Civil war,  not   terrorism!", "tabs\tand\nnew lines\r\nhere", "no\u00a0break space", "file\u001cseparator\u001fx",
    "ideographic\u3000space", " leading and trailing ", "", "@user http://x.org/a?b=1 #tag :-)",
])
def test_word_chunks_give_the_words_of_the_text(text):
    # second method: the words of the whole text, as the tokenizer reads it
    whole = [text[s:e] for s, e in word_spans(text)]
    chunks = word_chunks(text)
    assert chunks is not None and all(chunks)
    assert [c[s:e] for c in chunks for s, e in word_spans(c)] == whole


def test_word_chunks_refuse_a_spaced_ellipsis():
    # ". . ." is one token across whitespace: chunks would split it
    assert [m for s, e in word_spans("wait . . . what") for m in ["wait . . . what"[s:e]]] == ["wait", ". . .", "what"]
    assert word_chunks("wait . . . what") is None


# --------------------------------------------------------------------------
# the columnar engine against the definition, document by document


def reference_tokens(docs: pd.DataFrame, *, punkt, mwes=(), lowercase=True, stem=False,
                     stopwords=frozenset()) -> pd.DataFrame:
    """The tokens table as the docstring of token_table defines it, one document and one sentence at a time.

    Sentences by paragraph (analysis.punkt.sentence_spans), words of each sentence by word_spans on the
    sentence's text, MWEs joined by NLTK's MWETokenizer on the case-folded words of each sentence. No chunks,
    no distinct-text copies, no vectors.
    """
    joiner = MWETokenizer([tuple(w.casefold() for w in m) for m in mwes if len(m) >= 2], separator=" ")
    stemmer = SnowballStemmer("english")
    rows = []
    for thread, comment, kind, text in docs[["thread_id", "comment_id", "doc", "text"]].itertuples(index=False):
        if not isinstance(text, str) or not text.strip():
            continue
        index = 0
        for number, (a, b) in enumerate(sentence_spans(punkt, text)):
            spans = [(a + s, a + e) for s, e in word_spans(text[a:b])]
            folded = [text[s:e].casefold() for s, e in spans]
            i = 0
            for out in joiner.tokenize(folded):
                k = 1
                if out != folded[i]:  # a joined MWE: as many words as it has spaces plus one
                    k = out.count(" ") + 1
                s, e = spans[i][0], spans[i + k - 1][1]
                token = text[s:e]
                is_mwe = k > 1
                norm = out if is_mwe or lowercase else token
                stems = " ".join(stemmer.stem(w) for w in folded[i : i + k]) if is_mwe else stemmer.stem(norm)
                rows.append({"thread_id": thread, "comment_id": comment, "doc": kind, "sentence": number,
                             "index": index,
                             "token": token, "norm": norm, "stem": stems if stem else "", "start": s, "end": e,
                             "is_mwe": is_mwe, "is_stopword": (out if is_mwe else token.casefold()) in stopwords})
                index += 1
                i += k
    return pd.DataFrame(rows, columns=columns.core_names("tokens"))


ORACLE_TEXTS = VARIED + [
    "The civil war goes on. Dr. Haddad said so. The Free Syrian Army, the civil\nwar and CIVIL WAR again.",
    "Wait . . . what? A chemical weapons attack.\n\nNew paragraph: civil war. U.S. troops left. e.g. this.",
    "civil war civil war civil war. civil. war.",
    "Mr. Smith met Mrs. Jones at 5 p.m. on Jan. 3. They spoke... then left! The civil war... ended?",
    "[deleted]", "", "   ", "The civil war goes on. Dr. Haddad said so.",
]


@pytest.mark.parametrize("lowercase,stem", [(True, False), (False, True)])
def test_token_table_equals_the_definition_document_by_document(punkt, lowercase, stem):
    mwes = multiword_tuples(["civil war", "Free Syrian Army", "chemical weapons attack", "U.S. troops", "single ones"])
    docs = docs_frame(*ORACLE_TEXTS)
    options = dict(punkt=punkt, mwes=mwes, lowercase=lowercase, stem=stem, stopwords=stopword_set("english"))
    got = tokenize(docs, **options)
    want = reference_tokens(docs, **options)
    assert got["is_mwe"].sum() >= 8 and got["is_stopword"].any()
    pd.testing.assert_frame_equal(got, want.astype(got.dtypes.to_dict()))


def test_mwes_sharing_a_first_word_equal_the_definition(punkt):
    """MWE joins are looked for only after a first word of an MWE: first words followed by another word, by the
    second word of another MWE, or by their second word across a sentence or document end are not joined."""
    mwes = multiword_tuples(["civil war", "civil society", "civil rights movement", "war crimes", "the regime"])
    texts = ["Civil war, civil society and the civil rights movement. Civil. War crimes of the regime!",
             "the civil war crimes; the war the regime the civil society civil rights. Movement civil",
             "war crimes civil", "war crimes", "The Regime. The regime? the\n\nregime civil civil war"]
    docs = docs_frame(*texts)
    options = dict(punkt=punkt, mwes=mwes, lowercase=True, stem=False, stopwords=frozenset())
    got = tokenize(docs, **options)
    want = reference_tokens(docs, **options)
    assert got["is_mwe"].sum() >= 10
    pd.testing.assert_frame_equal(got, want.astype(got.dtypes.to_dict()))


def test_documents_with_sentence_ends_inside_a_chunk_equal_the_definition(punkt):
    """A document whose sentences do not all end at whitespace ("fight!!Now", "?'What") is read sentence by
    sentence: the sentences that do are split into chunks, the others tokenized within their bounds, with a
    spaced ellipsis, a long run, an initialism and a variation selector in either kind."""
    texts = ["Wow!!Really? Yes. The civil war . . . ends. U.S. troops left!!Now the civil war.\n\nNew para.  ",
             "  It ended?'What? The U.S. said so.They left. " + "-" * 1200 + "!!civil war ❤️ now",
             "Stop!!Civil war is here. e.g. this . . . and that!!The end",
             "fight!!!! I dont want to. Why?!\n\nWhy on Earth? OK.'Then civil war", "Wow!!Really? Yes."]
    docs = docs_frame(*texts, *texts[::-1])
    options = dict(punkt=punkt, mwes=multiword_tuples(["civil war", "U.S. troops"]), lowercase=True, stem=True,
                   stopwords=stopword_set("english"))
    got = tokenize(docs, **options)
    want = reference_tokens(docs, **options)
    assert got["is_mwe"].sum() >= 6
    pd.testing.assert_frame_equal(got, want.astype(got.dtypes.to_dict()))


def test_token_table_equals_the_definition_on_real_comments(punkt):
    """The columnar engine's shortcuts (whole chunks of text, distinct texts tokenized once) against the definition,
    on the pool of real comments the benchmark corpora draw from: the sample thread and, where ../shared/data is
    present, 1,500 texts of the shared sets."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    import generate_corpus

    shared = root.parent / "shared" / "data"
    texts = generate_corpus.read_pool(shared if shared.is_dir() else None)[0][:1500]
    texts = texts + texts[:50]  # repeated texts take the distinct-text shortcut
    mwes = [("civil", "war"), ("free", "syrian", "army"), ("u.s.", "and"), ("gun", "control")]
    docs = docs_frame(*texts)
    options = dict(punkt=punkt, mwes=mwes, stem=True, stopwords=stopword_set("english"))
    got = tokenize(docs, **options)
    want = reference_tokens(docs, **options)
    assert len(got) > 1000 and got["is_mwe"].any()
    pd.testing.assert_frame_equal(got, want.astype(got.dtypes.to_dict()))
