"""Issue 17, finding 3: tabs in a scraped page's indentation are read by a documented rule (a tab is one level),
and a page whose lines look like comments but yield none is reported."""

from pathlib import Path

from analysis.ingest.canonical import ingest
from analysis.ingest.scraped import read_scraped

FIXTURES = Path(__file__).parent / "fixtures"
TABS = FIXTURES / "scraped_tabs.txt"


def _read(data: bytes, name="p.txt"):
    return read_scraped(data, file=name, thread_id="p")


def test_tab_indented_comments_are_comments():
    r = _read(TABS.read_bytes())
    rec = r.records
    # by hand: line 5 'Ann Avatar' header (marker at level 1) with text on line 6; line 8 numbered reply to it;
    # line 10 numbered top-level comment (text at 2 levels); line 12 unnumbered, 3 levels: deeper, a reply to it
    assert list(rec["comment_id"]) == ["c1", "c2", "c3", "c4"]
    assert list(rec["parent_id"]) == ["", "c1", "", "c3"]
    assert list(rec["author"]) == ["Ann", "", "", ""]
    assert list(rec["text"]) == ["First comment.", "A reply to it.", "Second comment.", "Its reply, unnumbered."]
    assert r.threads.loc[0, "article_text"] == "Article text."
    assert r.warnings == []


def test_a_tab_reads_like_two_spaces():
    # the second method: the same page with each tab written as two spaces
    spaced = _read(TABS.read_bytes().replace(b"\t", b"  "))
    tabbed = _read(TABS.read_bytes())
    cols = ["comment_id", "parent_id", "author", "text", "rule", "lines"]
    assert tabbed.records[cols].equals(spaced.records[cols])
    assert tabbed.lines.equals(spaced.lines)


def test_space_then_tab_is_one_level():
    page = b"T\n\nArticle.\n\n \tTop.\n\n\t  Deeper.\n"
    rec = _read(page).records
    assert list(rec["parent_id"]) == ["", "c1"]


def test_page_whose_comment_lines_yield_none_is_reported():
    r = _read((FIXTURES / "scraped_flush_left.txt").read_bytes(), name="flush.txt")
    assert r.records.empty
    assert len(r.warnings) == 1
    assert r.warnings[0].startswith("flush.txt: no comments found, but line(s) 5, 8 look like comments")
    out = ingest(r, source="s", fmt="scraped_text", n_shards=1, salt="x")
    assert out.report["warnings"] == r.warnings
    assert out.report["comments_kept"] == 0


def test_page_without_comment_like_lines_gives_no_warning():
    assert _read(b"Title\n\nJust an article.\n").warnings == []
