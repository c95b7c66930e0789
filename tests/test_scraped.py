"""Scraped thread text: the seed page (facts checked by reading it) and one fixture per rule."""

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import columns
from analysis.errors import InputError
from analysis.ingest.scraped import read_scraped

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed" / "assad-thanks-iran-north-korea.txt"
FIX = Path(__file__).resolve().parent / "fixtures"


def read(name, **kw):
    return read_scraped(FIX / name, file=name, thread_id="t", **kw)


def tree(result):
    """(record, parent record or 0, rule) per comment, in order."""
    rec = result.records
    by_id = dict(zip(rec["comment_id"], rec["record"]))
    return [(int(r), int(by_id[p]) if p else 0, rule)
            for r, p, rule in zip(rec["record"], rec["parent_id"], rec["rule"])]


def check_line_map(result, n_lines):
    lines = result.lines
    assert list(lines["record"]) == list(range(1, n_lines + 1))
    assert set(lines["role"]) <= {"title", "blank", "article", "author_header", "comment"}
    has_id = lines["role"].isin(["comment", "author_header"])
    assert (lines.loc[has_id, "comment_id"] != "").all()
    assert (lines.loc[~has_id, "comment_id"] == "").all()
    assert set(lines.loc[has_id, "comment_id"]) == set(result.records["comment_id"])
    columns.conform(lines, "lines")
    columns.conform(result.records, "records")


# ---------------------------------------------------------------- the seed page


@pytest.fixture(scope="module")
def seed():
    return read_scraped(SEED, file="seed.txt", thread_id="assad")


def by_record(result, line):
    rec = result.records
    return rec.loc[rec["record"] == line].iloc[0]


def test_seed_thread(seed):
    th = seed.threads.iloc[0]
    assert th["thread_id"] == "assad"
    assert th["title"] == "Assad thanks Iran and North Korea for help in Syrian civil war"
    assert th["site_tags"] == "kim-jong-un, bashar-assad-syria"
    assert th["article_text"].startswith("Syrian President Bashar al-Assad has expressed his gratitude")
    assert th["article_text"].endswith("provides a vital column of support for Assad in Syria.")
    assert "kim-jong-un" not in th["article_text"]
    assert len(th["article_text"].split("\n\n")) == 10  # lines 4, 6, 8, 11, 13, ..., 23


def test_seed_line_map(seed):
    check_line_map(seed, 103)
    role = dict(zip(seed.lines["record"], seed.lines["role"]))
    assert role[1] == "title"
    assert [role[n] for n in (2, 3, 24, 25, 26, 27)] == ["blank"] * 6
    assert role[4] == "article"  # the tag line is an article line
    assert [n for n in role if role[n] == "article"] == [4, 6, 8, 11, 13, 15, 17, 19, 21, 23]
    assert role[28] == "comment"
    assert [n for n in role if role[n] == "author_header"] == [98]
    assert all(role[n] in ("comment", "author_header", "blank") for n in range(28, 104))


def test_seed_comment_count_and_top_level(seed):
    rec = seed.records
    assert len(rec) == 16
    assert list(rec["comment_id"]) == [f"c{k}" for k in range(1, 17)]
    assert list(rec.loc[rec["parent_id"] == "", "record"]) == [28, 30, 95]
    assert (rec["thread_id"] == "assad").all() and (rec["file"] == "seed.txt").all()
    assert rec["created_at"].isna().all()


def test_seed_first_comment(seed):
    c = by_record(seed, 28)
    assert c["parent_id"] == ""
    assert c["text"] == "Sure also RuSSia can not be forgotten by Assad"
    assert c["list_number"] == "1" and c["rule"] == "numbered"


def test_seed_second_comment_has_two_paragraphs(seed):
    c = by_record(seed, 30)
    # line 31 (indent 4) sits in the same block; line 33 (indent 4) is a second paragraph
    assert c["text"].startswith("Wait a minute, “Assad thanks Iran")
    assert "\nSome @Partisangirl tell us" in c["text"]
    assert "\n\nHaving a dictator of NK" in c["text"]
    assert c["paragraphs"] == "2" and c["lines"] == "30-31,33"


def test_seed_replies(seed):
    def parent(line):
        p = by_record(seed, line)["parent_id"]
        return int(seed.records.set_index("comment_id").loc[p, "record"]) if p else 0

    assert parent(35) == 30  # "Sadly, birds of the same feather" replies to comment 2
    assert by_record(seed, 35)["text"].startswith("Sadly, birds of the same feather flock together.")
    assert parent(37) == 35
    assert by_record(seed, 37)["lines"] == "37,39,41"  # the quoted article is part of the same comment
    assert parent(43) == 37  # "1." at indent 8 = the text indent of comment 37
    assert parent(45) == 43 and parent(47) == 43  # both at text indent 12 of "1." at 10
    assert parent(49) == 30  # "2. Remember Danny" at indent 4 = text indent of comment 2
    assert parent(51) == 49 and parent(53) == 51 and parent(61) == 53
    assert by_record(seed, 53)["lines"] == "53,55,57,59"
    assert parent(63) == 51 and by_record(seed, 63)["rule"] == "after_replies"
    assert parent(76) == 63
    assert parent(85) == 63 and by_record(seed, 85)["list_number"] == "3"
    assert by_record(seed, 85)["lines"] == "85-86,88,90-91,93"
    assert parent(98) == 95


def test_seed_author_header(seed):
    rec = seed.records
    c = rec.loc[rec["text"].str.startswith("America is the only country controlled by Zionists")].iloc[0]
    assert c["author"] == "Hind Abyad"
    assert c["record"] == 98 and c["rule"] == "author_header" and c["list_number"] == "1"
    assert c["parent_id"] == by_record(seed, 95)["comment_id"]
    assert c["text"].endswith("it created monsters in all Arab States.")
    assert "Avatar" not in c["text"]
    assert c["lines"] == "98,100-102"
    assert (rec.loc[rec["record"] != 98, "author"] == "").all()


def test_seed_texts_cover_every_comment_line(seed):
    raw = SEED.read_text(encoding="utf-8").split("\n")
    lines = seed.lines.set_index("record")
    text = dict(zip(seed.records["comment_id"], seed.records["text"]))
    expected, got = [], []
    for n in range(28, 104):
        content = raw[n - 1].strip()
        if not content or lines.loc[n, "role"] == "author_header":
            continue
        content = re.sub(r"^\d+\.\s", "", content)
        assert content in text[lines.loc[n, "comment_id"]], n
        expected.append(content)
    for t in seed.records["text"]:
        got += [line for line in t.split("\n") if line]
    assert sorted(got) == sorted(expected)


def test_seed_depths(seed):
    parent = dict(zip(seed.records["comment_id"], seed.records["parent_id"]))

    def depth(c):
        return 1 if not parent[c] else 1 + depth(parent[c])

    assert max(depth(c) for c in parent) == 5
    assert depth(by_record(seed, 61)["comment_id"]) == 5


def test_seed_new_comment_mode(seed):
    r = read_scraped(SEED, file="seed.txt", thread_id="assad", paragraphs="new_comment")
    # 33 blocks in the comment section; the header block and its text make one comment
    assert len(r.records) == 32
    assert (r.records["paragraphs"] == "1").all()
    assert by_record(r, 33)["rule"] == "same_indent_new"
    assert by_record(r, 33)["parent_id"] == by_record(r, 30)["comment_id"]  # text indent of a numbered comment
    assert by_record(r, 39)["parent_id"] == by_record(r, 35)["comment_id"]  # sibling of 37
    assert by_record(r, 98)["text"].startswith("America is the only country")
    check_line_map(r, 103)


def test_seed_site_tags_off():
    r = read_scraped(SEED, file="seed.txt", thread_id="assad", site_tags=False)
    assert r.threads.loc[0, "site_tags"] == ""
    assert r.threads.loc[0, "article_text"].startswith("kim-jong-un , bashar-assad-syriaSyrian President")


def test_path_as_str_and_path_and_bytes(seed):
    as_str = read_scraped(str(SEED), file="seed.txt", thread_id="assad")
    as_bytes = read_scraped(SEED.read_bytes(), file="seed.txt", thread_id="assad")
    pd.testing.assert_frame_equal(as_str.records, seed.records)
    pd.testing.assert_frame_equal(as_bytes.records, seed.records)


# ---------------------------------------------------------------- one fixture per rule


def test_paragraphs_continue():
    r = read("scraped_paragraphs.txt")
    assert tree(r) == [(5, 0, "numbered"), (9, 5, "deeper"), (11, 0, "numbered")]
    first = r.records.iloc[0]
    assert first["text"] == "First comment, first paragraph.\n\nFirst comment, second paragraph."
    assert first["paragraphs"] == "2" and first["lines"] == "5,7"
    assert list(r.records["list_number"]) == ["1", "", "2"]
    check_line_map(r, 11)


def test_paragraphs_new_comment():
    r = read("scraped_paragraphs.txt", paragraphs="new_comment")
    # line 7 sits at the text indent of numbered comment 5, not at its indent: a reply to it
    assert tree(r) == [(5, 0, "numbered"), (7, 5, "same_indent_new"), (9, 7, "deeper"), (11, 0, "numbered")]
    assert r.records.iloc[1]["text"] == "First comment, second paragraph."


def test_unnumbered_continue_and_after_replies():
    r = read("scraped_unnumbered.txt")
    assert tree(r) == [(5, 0, "deeper"), (9, 5, "deeper"), (11, 0, "after_replies")]
    assert r.records.iloc[0]["text"] == "Alpha comment.\n\nAlpha second paragraph."
    assert r.records.iloc[2]["text"] == "Beta comment after replies.\n\nBeta second paragraph."
    check_line_map(r, 13)


def test_unnumbered_new_comment_siblings():
    r = read("scraped_unnumbered.txt", paragraphs="new_comment")
    assert tree(r) == [
        (5, 0, "deeper"),
        (7, 0, "same_indent_new"),  # same indent as an unnumbered comment: a sibling
        (9, 7, "deeper"),
        (11, 0, "after_replies"),
        (13, 0, "same_indent_new"),
    ]


def test_after_replies_sibling_or_reply():
    r = read("scraped_after_replies.txt")
    assert tree(r) == [
        (5, 0, "numbered"),
        (7, 5, "deeper"),
        (9, 5, "after_replies"),  # no open comment has text indent 6: reply to the one at 4
        (11, 9, "deeper"),
        (13, 5, "after_replies"),  # comment 9 has text indent 6: a sibling of it
    ]
    check_line_map(r, 13)


def test_shallower():
    r = read("scraped_shallower.txt")
    assert tree(r) == [
        (5, 0, "deeper"),  # first comment, unnumbered: replies to the article = top level
        (7, 5, "numbered"),
        (9, 5, "shallower"),  # at the marker indent of comment 7, after comment 7's own block
        (11, 5, "numbered"),  # marker at comment 5's text indent
        (13, 0, "shallower"),  # a sibling of comment 5 (text indent 2)
    ]
    check_line_map(r, 13)


def test_author_headers():
    r = read("scraped_headers.txt")
    rec = r.records
    assert tree(r) == [(5, 0, "author_header"), (11, 5, "author_header"), (15, 0, "author_header"), (18, 15, "deeper")]
    assert list(rec["author"]) == ["Ann Lee", "Bob", "Carol Smith", ""]
    assert list(rec["text"]) == [
        "Ann text.\n\nAnn second paragraph.",
        "Bob replies to Ann.",
        "Carol comment, no blank line after the header.",
        "Avatar\n\nNice Avatar.",  # neither is a header: no name / not the exact form
    ]
    assert list(rec["lines"]) == ["5,7,9", "11,13", "15-16", "18,20"]
    assert list(rec["paragraphs"]) == ["2", "1", "1", "2"]
    role = dict(zip(r.lines["record"], r.lines["role"]))
    assert [n for n in role if role[n] == "author_header"] == [5, 11, 15]
    check_line_map(r, 20)


def test_author_header_text_survives_new_comment_mode():
    r = read("scraped_headers.txt", paragraphs="new_comment")
    first = r.records.iloc[0]
    assert first["author"] == "Ann Lee" and first["text"] == "Ann text."
    assert tree(r)[1] == (9, 5, "same_indent_new")


def test_header_without_text_is_an_empty_comment():
    r = read_scraped(b"T\n\n  1. Ann Avatar\n", file="x.txt", thread_id="t")
    assert tree(r) == [(3, 0, "author_header")]
    assert r.records.iloc[0]["text"] == "" and r.records.iloc[0]["paragraphs"] == "0"


def test_site_tags_before_a_quote():
    r = read("scraped_tags_quote.txt")
    th = r.threads.iloc[0]
    assert th["site_tags"] == "world-news, middle-east"
    assert th["article_text"] == "“Quoted opening,” the report said.\n\nSecond paragraph."


def test_lowercase_sentence_is_not_tags():
    r = read("scraped_lowercase_start.txt")
    th = r.threads.iloc[0]
    assert th["site_tags"] == ""
    assert th["article_text"] == "re-elected President Smith said on Monday that tags are rare.\niPhone sales rose."


@pytest.mark.parametrize("first_line,tags,text", [
    ("Syrian President spoke.", "", "Syrian President spoke."),
    ("newsThe report", "", "newsThe report"),  # one tag without a hyphen: not a tag run
    ("world-newsThe report", "world-news", "The report"),
    ("a , bThe report", "a, b", "The report"),
    ("world-news , politics", "", "world-news , politics"),  # nothing runs into it
])
def test_site_tag_forms(first_line, tags, text):
    r = read_scraped(f"T\n\n{first_line}\n".encode(), file="x.txt", thread_id="t")
    assert r.threads.loc[0, "site_tags"] == tags
    assert r.threads.loc[0, "article_text"] == text


def test_crlf_is_normalised():
    data = (FIX / "scraped_paragraphs.txt").read_bytes()
    assert b"\r" not in data
    crlf = read_scraped(data.replace(b"\n", b"\r\n"), file="x.txt", thread_id="t")
    lf = read_scraped(data, file="x.txt", thread_id="t")
    pd.testing.assert_frame_equal(crlf.records, lf.records)
    assert not crlf.records["text"].str.contains("\r").any()
    assert len(crlf.lines) == 11


def test_utf8_bom_dropped():
    r = read_scraped("\ufeffTitle\n\nBody.\n".encode(), file="x.txt", thread_id="t")
    assert r.threads.loc[0, "title"] == "Title"


def test_other_encoding():
    r = read_scraped("Café\n\n  1. Zoë says hi\n".encode("cp1252"), file="x.txt", thread_id="t", encoding="cp1252")
    assert r.threads.loc[0, "title"] == "Café"
    assert r.records.loc[0, "text"] == "Zoë says hi"


def test_undecodable_bytes_name_file_and_line():
    data = b"Title\n\nBody.\n\n  1. fine\n\n  2. bad \xff byte\n"
    with pytest.raises(InputError, match=r"^page\.txt, line 7: bytes not valid") as exc:
        read_scraped(data, file="page.txt", thread_id="t")
    assert exc.value.line == 7 and exc.value.file == "page.txt"


@pytest.mark.parametrize("data", [b"", b"\n", b"  \n\n \r\n"])
def test_empty_file(data):
    with pytest.raises(InputError, match=r"^e\.txt: empty file"):
        read_scraped(data, file="e.txt", thread_id="t")


def test_title_only_has_no_comments():
    r = read_scraped(b"Only a title\n", file="x.txt", thread_id="t")
    assert len(r.records) == 0
    assert list(r.records.columns)[: len(columns.RECORDS)] == columns.core_names("records")
    assert r.threads.loc[0, "title"] == "Only a title" and r.threads.loc[0, "article_text"] == ""
    check_line_map(r, 1)


def test_article_without_comments():
    r = read_scraped(b"T\n\nOne.\nStill one.\n\n\nTwo.\n", file="x.txt", thread_id="t")
    assert len(r.records) == 0
    assert r.threads.loc[0, "article_text"] == "One.\nStill one.\n\nTwo."
    assert list(r.lines["role"]) == ["title", "blank", "article", "article", "blank", "blank", "article"]


def test_missing_file_and_bad_options(tmp_path):
    with pytest.raises(InputError, match="cannot be read"):
        read_scraped(tmp_path / "nope.txt", file="nope.txt", thread_id="t")
    with pytest.raises(ValueError, match="paragraphs="):
        read_scraped(b"T\n", file="x.txt", thread_id="t", paragraphs="merge")
    with pytest.raises(ValueError, match="thread_id="):
        read_scraped(b"T\n", file="x.txt", thread_id="")


def test_reply_without_blank_line_is_cut_at_the_indent_change():
    r = read_scraped(b"T\n\n  1. Parent.\n      Reply glued on.\n", file="x.txt", thread_id="t")
    assert tree(r) == [(3, 0, "numbered"), (4, 3, "deeper")]
    assert list(r.records["text"]) == ["Parent.", "Reply glued on."]
