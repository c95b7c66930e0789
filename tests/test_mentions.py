"""Mentions: handles, known authors' names and vocatives, with exact offsets."""

from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest.scraped import read_scraped
from analysis.mentions import STOPLIST, find_mentions

SEED = Path(__file__).resolve().parents[1] / "data" / "seed" / "assad-thanks-iran-north-korea.txt"


def comments(*texts, thread="t"):
    return pd.DataFrame({"thread_id": thread, "comment_id": [f"c{k}" for k in range(1, len(texts) + 1)],
                         "text": list(texts)})


def found(texts, **kw):
    m = find_mentions(comments(*texts), **kw)
    return [(r.comment_id, r.kind, r.mention) for r in m.itertuples()]


def assert_offsets(frame, mentions):
    text = dict(zip(frame["comment_id"], frame["text"]))
    for r in mentions.itertuples():
        assert text[r.comment_id][r.start : r.end] == r.mention


def test_columns_and_empty():
    m = find_mentions(comments("nothing here"))
    assert list(m.columns) == ["thread_id", "comment_id", "kind", "mention", "start", "end"]
    assert len(m) == 0
    assert str(m["start"].dtype) == "int32"


def test_missing_column():
    with pytest.raises(ValueError, match="missing column"):
        find_mentions(pd.DataFrame({"comment_id": ["1"], "text": ["x"]}))


@pytest.mark.parametrize("text,expected", [
    ("Ask @Partisangirl about it", ["@Partisangirl"]),
    ("@bob_2, see this", ["@bob_2"]),
    ("(@ann) said so.", ["@ann"]),
    ("write to bob@example.com", []),
    ("see https://site.com/@user", []),
    ("at @example.com we", []),
    ("two @@x", []),
    ("end of sentence @Zed.", ["@Zed"]),
])
def test_handles(text, expected):
    assert [m for _, kind, m in found([text]) if kind == "handle"] == expected


def test_authors_full_and_first_name_whole_word_case_sensitive():
    texts = ["Hind Abyad wrote this; Hind agrees.", "Hindsight and hind legs.", "Hind\nAbyad on two lines"]
    got = found(texts, known_authors=["Hind Abyad"])
    assert got == [("c1", "author", "Hind Abyad"), ("c1", "author", "Hind"), ("c3", "author", "Hind\nAbyad")]


def test_author_first_name_in_stoplist_is_not_used():
    assert found(["The Truth is out. The end."], known_authors=["The Truth"]) == [("c1", "author", "The Truth")]


def test_single_word_author():
    assert found(["Ask Bob. Bobby too."], known_authors=["Bob"]) == [("c1", "author", "Bob")]


@pytest.mark.parametrize("text,name", [
    ("Danny, when you are fortunate enough", "Danny"),
    ("I said so. Danny, your point stands.", "Danny"),
    ("“Danny, you said it.", "Danny"),
    ("Remember Danny that the Phalangists never", "Danny"),
    ("Thanks Ann, great.", "Ann"),
    ("Thank you Ann.", "Ann"),
    ("Hi Zoë!", "Zoë"),
    ("Dear Mary-Jane\nI disagree.", "Mary-Jane"),
    ("HaHahh..Danny you’re so funny", "Danny"),
    ("Danny you are wrong", "Danny"),
])
def test_vocatives(text, name):
    assert found([text]) == [("c1", "vocative", name)]


@pytest.mark.parametrize("text", [
    "Syria, Iran and North Korea are all leading critics.",  # no second person
    "You and Hannibal are among the most intelligent posters",
    "Hannibal is tragically under appreciated",
    "Well Thank you my friend.. that’s nice",  # Thank is stoplisted
    "Sorry I don’t agree with you.",
    "Remember Lebanon is a country.",  # not followed by a comma/that/you/end
    "Monday, you said it.",  # stoplisted
    "Then you’re right.",  # stoplisted opener
    "and Danny, you know",  # not at a sentence start
    "Hey Tom how are you",  # name not followed by comma/that/you/end
    "Mail me, you know where.",  # 'Mail' is not directly followed by the comma
    "Danny , you there?",  # space before the comma
])
def test_not_vocatives(text):
    assert [g for g in found([text]) if g[1] == "vocative"] == []


def test_overlap_precedence_handle_author_vocative():
    texts = ["Bob, you are right. @Bob agrees.", "Remember Hind that you said so."]
    m = find_mentions(comments(*texts), known_authors=["Bob Stone", "Hind Abyad"])
    got = [(r.comment_id, r.kind, r.mention, r.start) for r in m.itertuples()]
    # "Bob," is both an author's first name and a vocative: author wins; "@Bob" stays a handle
    assert got == [("c1", "author", "Bob", 0), ("c1", "handle", "@Bob", 20), ("c2", "author", "Hind", 9)]


def test_sorted_and_offsets_exact():
    frame = pd.DataFrame({
        "thread_id": ["b", "a", "a"],
        "comment_id": ["x", "y", "x"],
        "text": ["@Zed hi", "Danny, you and @Ann", "Hey Sam, ok. @Kim"],
    })
    m = find_mentions(frame)
    assert list(zip(m["thread_id"], m["comment_id"], m["start"])) == [
        ("a", "x", 4), ("a", "x", 13), ("a", "y", 0), ("a", "y", 15), ("b", "x", 0)
    ]
    for r in m.itertuples():
        row = frame[(frame["thread_id"] == r.thread_id) & (frame["comment_id"] == r.comment_id)].iloc[0]
        assert row["text"][r.start : r.end] == r.mention


# ---------------------------------------------------------------- the seed page


@pytest.fixture(scope="module")
def seed_records():
    return read_scraped(SEED, file="seed.txt", thread_id="assad").records


def test_seed_mentions(seed_records):
    m = find_mentions(seed_records, known_authors=["Hind Abyad"])
    assert_offsets(seed_records, m)
    line = dict(zip(seed_records["comment_id"], seed_records["record"]))
    got = sorted((int(line[r.comment_id]), r.kind, r.mention) for r in m.itertuples())
    assert got == [
        (30, "handle", "@Partisangirl"),  # line 31, in comment 30's first block
        (49, "vocative", "Danny"),  # line 49: "Remember Danny that ..."
        (53, "vocative", "Danny"),  # line 53: "Danny, when you are fortunate ..."
        (85, "author", "Hind"),  # line 88: "Hind that’s George Clooney ..."
        (85, "vocative", "Danny"),  # line 90: "HaHahh..Danny you’re so funny"
    ]


def test_seed_without_known_authors_misses_hind(seed_records):
    m = find_mentions(seed_records)
    assert "Hind" not in set(m["mention"])  # "Hind that’s" matches no vocative pattern
    assert sorted(m["mention"]) == ["@Partisangirl", "Danny", "Danny", "Danny"]


def _flat_author_pattern(names):
    """The plain alternation the trie pattern must match exactly: (?<!\\w)(?:forms, longest first)(?!\\w)."""
    import re

    forms = set()
    for name in names:
        words = str(name).split()
        if words:
            forms.add(r"\s+".join(re.escape(w) for w in words))
            if len(words) > 1 and len(words[0]) > 1 and words[0] not in STOPLIST:
                forms.add(re.escape(words[0]))
    return (re.compile(r"(?<!\w)(?:" + "|".join(sorted(forms, key=lambda f: (-len(f), f))) + r")(?!\w)")
            if forms else None)


def test_author_trie_pattern_finds_the_spans_of_the_flat_alternation():
    import random

    from analysis.mentions import author_pattern

    rng = random.Random(7)
    chars = list("abAB.-'_é1+*(\\ ")
    compared = 0
    for _ in range(3000):
        names = ["".join(rng.choice(chars) for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(1, 8))]
        names += ["Hind Abyad", "Hind", "Bob Smith Jr"][: rng.randint(0, 3)]
        pieces = names + ["a", "b", " ", "\n", ".", ",", "ab", "\t", "\\", "A", "_", "Hind  Abyad"]
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "a", "\n"]) for _ in range(rng.randint(1, 30)))
        flat, trie = _flat_author_pattern(names), author_pattern(names)
        assert (flat is None) == (trie is None)
        if flat is not None:
            expected = [m.span() for m in flat.finditer(text)]
            assert [m.span() for m in trie.finditer(text)] == expected, (names, text)
            compared += len(expected)
    assert compared > 1000


def test_screen_keeps_each_threads_own_names():
    # "Bob" is an author of thread b only: in thread a it is not an author mention, even though the screen knows it
    texts = pd.DataFrame({"thread_id": ["a", "b"], "comment_id": ["1", "2"],
                          "text": ["Ask Bob Smith.", "Ask Bob Smith."]})
    m = find_mentions(texts, authors_by_thread={"a": ["Ann Lee"], "b": ["Bob Smith", "Bob"]})
    assert [(r.thread_id, r.kind, r.mention) for r in m.itertuples()] == [("b", "author", "Bob Smith")]


@pytest.mark.parametrize("processes", [2, 3])
def test_forked_processes_find_the_same_rows(seed_records, processes):
    """Rows split among forked processes (a thread's comments in several of them) give the one-process table."""
    # two threads interleaved, each with its own author names, so a run of rows mixes threads
    frame = pd.concat([seed_records.assign(thread_id="a"), seed_records.assign(thread_id="b")]).sort_values(
        "comment_id", kind="stable").reset_index(drop=True)
    by_thread = {"a": ["Hind Abyad"], "b": ["Danny Boy"]}
    one = find_mentions(frame, authors_by_thread=by_thread)
    many = find_mentions(frame, authors_by_thread=by_thread, processes=processes, min_rows_per_process=1)
    pd.testing.assert_frame_equal(many, one)
    # by hand (see test_seed_mentions): thread a has Hind as an author and Danny three times as a vocative; in
    # thread b Danny is the first name of an author (author beats vocative) and Hind is nobody
    authors = one[one["kind"].eq("author")].groupby("thread_id")["mention"].apply(sorted).to_dict()
    assert authors == {"a": ["Hind"], "b": ["Danny", "Danny", "Danny"]} and len(one) == 9


def test_vocatives_with_accents_hyphens_and_curly_apostrophes_are_found_in_a_column():
    # by hand: each text addresses one name at its start, in each of the three vocative patterns; the column
    # also holds texts without any vocative (the whole column is screened at once)
    texts = ["Élodie, do you agree?", "Thank you Jean-Luc, that helps.", "Zoë you’re right.", "Ørjan you are late.",
             "nothing here, really", "Syria, Iran and Iraq.", ""]
    comments = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "text": texts})
    found = find_mentions(comments)
    assert found[["comment_id", "kind", "mention"]].values.tolist() == [
        ["c0", "vocative", "Élodie"], ["c1", "vocative", "Jean-Luc"], ["c2", "vocative", "Zoë"],
        ["c3", "vocative", "Ørjan"]]
