"""Reddit dump reader: hand-checked expectations on tiny fixtures."""

from __future__ import annotations

import bz2
import gzip
import lzma
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import columns
from analysis.errors import ConfigError, InputError
from analysis.ingest.reddit import read_reddit

FIX = Path(__file__).parent / "fixtures"
COMMENTS = str(FIX / "reddit_comments.jsonl")
BAD_BYTES = str(FIX / "reddit_bad_bytes.jsonl")
SUBMISSION = str(FIX / "reddit_submission.jsonl")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(scope="module")
def comments():
    return read_reddit([COMMENTS])


def test_records_conform_and_counts(comments):
    columns.conform(comments.records, "records")
    # 9 lines: 6 comments, 1 blank, 2 rejects
    assert len(comments.records) == 6
    assert len(comments.rejects) == 2
    assert comments.n_read == 8
    assert list(comments.records["record"]) == [1, 2, 4, 5, 7, 9]
    assert set(comments.records["file"]) == {COMMENTS}
    assert set(comments.records["rule"]) == {"record"}


def test_prefixes_ids_threads_parents(comments):
    r = comments.records
    assert list(r["comment_id"]) == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert list(r["thread_id"]) == ["th1", "th1", "th1", "th1", "th2", "th2"]
    # t3_ parent -> top level (''), t1_ parent -> bare comment id
    assert list(r["parent_id"]) == ["", "c1", "c2", "c1", "", "c5"]


def test_deleted_and_removed(comments):
    r = comments.records.set_index("comment_id")
    assert r.loc["c2", "text"] == "" and r.loc["c2", "removed"] == "deleted"
    assert r.loc["c4", "text"] == "" and r.loc["c4", "removed"] == "removed"
    assert r.loc["c1", "removed"] == "" and r.loc["c1", "text"].startswith("Top-level comment")
    # [deleted]/[removed]/null/missing authors are all ''
    assert list(r["author"]) == ["maple_owl", "", "quiet_fern", "", "", ""]


def test_created_utc_int_str_float(comments):
    t = comments.records.set_index("comment_id")["created_at"]
    assert t["c1"] == ts("2020-09-13 12:26:40")  # int 1600000000
    assert t["c2"] == ts("2020-09-13 12:27:40")  # string "1600000060"
    assert t["c3"] == ts("2020-09-13 12:28:40.5")  # float 1600000120.5
    assert t["c4"] == ts("2020-09-13 12:29:40.25")  # string "1600000180.25"
    assert pd.isna(t["c5"])  # missing
    assert pd.isna(t["c6"])  # "soon"
    assert str(comments.records["created_at"].dtype) == "datetime64[us, UTC]"


def test_line_map_roles(comments):
    lines = comments.lines
    columns.conform(lines, "lines")
    assert list(lines["record"]) == list(range(1, 10))
    assert list(lines["role"]) == ["record", "record", "blank", "record", "record", "reject", "record", "reject",
                                   "record"]
    assert list(lines["comment_id"]) == ["c1", "c2", "", "c3", "c4", "", "c5", "", "c6"]


def test_malformed_lines_are_rejects_with_line_numbers(comments):
    rej = comments.rejects
    assert list(rej.columns) == [c.name for c in columns.QUARANTINE if c.name != "source"]
    assert list(rej["record"]) == [6, 8]
    assert list(rej["reason"]) == ["malformed_record", "malformed_record"]
    assert rej["detail"].iloc[0].startswith("invalid JSON: Unterminated string")
    assert rej["raw"].iloc[0] == '{"id": "c9", "parent_id": "t1_c1", "body": "unterminated'
    assert "array" in rej["detail"].iloc[1]
    assert rej["raw"].iloc[1] == '["an", "array", "not", "an", "object"]'
    assert set(rej["file"]) == {COMMENTS}


def test_metadata_union_first_seen_order_without_author_fields(comments):
    assert comments.metadata == ["removed", "subreddit", "score", "edited", "distinguished", "meta_text", "stickied"]
    r = comments.records.set_index("comment_id")
    assert r.loc["c1", "score"] == "12"  # int as text
    assert r.loc["c3", "score"] == "3"  # string kept
    assert r.loc["c3", "edited"] == "false"
    assert r.loc["c1", "edited"] == ""  # absent
    assert r.loc["c5", "distinguished"] == ""  # null
    assert r.loc["c5", "meta_text"] == "clash"  # core name -> meta_ prefix
    assert r.loc["c6", "stickied"] == "true"
    assert not [c for c in comments.records.columns if c.startswith("author_")]
    assert "gildings" not in comments.records and "all_awardings" not in comments.records
    assert "link_title" not in comments.records


def test_threads_one_row_per_link_id(comments):
    th = comments.threads
    assert list(th.columns) == ["thread_id", "title", "article_text", "site_tags"]
    assert list(th["thread_id"]) == ["th1", "th2"]
    assert list(th["title"]) == ["", "Night buses return"]  # from link_title
    assert list(th["article_text"]) == ["", ""]
    assert list(th["site_tags"]) == ["", ""]


def test_undecodable_bytes_reject_and_file_stays_readable():
    res = read_reddit([BAD_BYTES])
    assert list(res.records["comment_id"]) == ["b1", "b3"]
    assert list(res.lines["role"]) == ["record", "reject", "record"]
    rej = res.rejects.iloc[0]
    assert (rej["record"], rej["reason"]) == (2, "undecodable_bytes")
    assert "Broken \\xff\\xfe bytes here." in rej["raw"]
    rej["raw"].encode("utf-8")  # a valid str, no surrogates left
    columns.conform(res.records, "records")


def test_missing_file_names_the_file(tmp_path):
    missing = str(tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match="nope.jsonl: no such file"):
        read_reddit([COMMENTS, missing])
    with pytest.raises(InputError, match="folder"):
        read_reddit([str(tmp_path)])


@pytest.mark.parametrize(
    "ext,compress",
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
)
def test_compressed_files_read_like_plain(tmp_path, ext, compress):
    target = tmp_path / f"RC_sample.jsonl{ext}"
    target.write_bytes(compress(Path(COMMENTS).read_bytes()))
    res = read_reddit([str(target)])
    plain = read_reddit([COMMENTS])
    assert set(res.records["file"]) == {str(target)}
    pd.testing.assert_frame_equal(res.records.drop(columns="file"), plain.records.drop(columns="file"))
    pd.testing.assert_frame_equal(res.rejects.drop(columns="file"), plain.rejects.drop(columns="file"))
    assert list(res.lines["role"]) == list(plain.lines["role"])


def test_not_really_gzip_is_input_error(tmp_path):
    fake = tmp_path / "broken.jsonl.gz"
    shutil.copy(COMMENTS, fake)
    with pytest.raises(InputError, match=r"broken\.jsonl\.gz: cannot be decompressed as \.gz"):
        read_reddit([str(fake)])


def test_truncated_gzip_is_input_error(tmp_path):
    data = gzip.compress(Path(COMMENTS).read_bytes() * 50)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.jsonl.gz"):
        read_reddit([str(cut)])


def test_zst_without_zstandard_says_to_install(tmp_path, monkeypatch):
    target = tmp_path / "RC_2020-09.zst"
    target.write_bytes(b"\x28\xb5\x2f\xfd")
    monkeypatch.setitem(sys.modules, "zstandard", None)  # makes `import zstandard` fail
    with pytest.raises(InputError, match=r"RC_2020-09\.zst: .*install the 'zstandard' package"):
        read_reddit([str(target)])


def test_zst_with_zstandard(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    target = tmp_path / "RC_sample.zst"
    target.write_bytes(zstandard.ZstdCompressor().compress(Path(COMMENTS).read_bytes()))
    res = read_reddit([str(target)])
    assert list(res.records["comment_id"]) == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert len(res.rejects) == 2


def test_zst_several_frames_and_junk(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    data = Path(COMMENTS).read_bytes()
    two = tmp_path / "two_frames.zst"
    two.write_bytes(zstandard.ZstdCompressor().compress(data) + zstandard.ZstdCompressor().compress(data))
    assert len(read_reddit([str(two)]).records) == 12
    junk = tmp_path / "junk.zst"
    junk.write_bytes(b"this is not zstandard data")
    with pytest.raises(InputError, match=r"junk\.zst: cannot be decompressed as \.zst"):
        read_reddit([str(junk)])


def test_submission_line_describes_its_thread():
    res = read_reddit([SUBMISSION])
    assert list(res.records["comment_id"]) == ["r1", "r2"]
    assert list(res.records["parent_id"]) == ["", "r1"]
    assert list(res.lines["role"]) == ["article", "record", "record"]
    th = res.threads.iloc[0]
    assert (th["thread_id"], th["title"], th["article_text"]) == (
        "sub1", "Should the park stay open late?", "The council is voting next week.")
    assert res.n_read == 2


def test_several_files_union_and_order():
    res = read_reddit([SUBMISSION, COMMENTS])
    assert list(res.threads["thread_id"]) == ["sub1", "th1", "th2"]
    assert res.metadata[:2] == ["removed", "subreddit"]
    assert list(res.records["file"]) == [SUBMISSION] * 2 + [COMMENTS] * 6
    r1 = res.records.set_index("comment_id").loc["r1"]
    assert r1["score"] == "" and r1["stickied"] == ""
    columns.conform(res.records, "records")


def test_bom_crlf_and_lone_surrogate_escape(tmp_path):
    f = tmp_path / "win.jsonl"
    f.write_bytes(
        b'\xef\xbb\xbf{"id": "w1", "parent_id": "t3_w", "link_id": "t3_w", "body": "line one", "created_utc": 1}\r\n'
        b'{"id": "w2", "parent_id": "t1_w1", "link_id": "t3_w", "body": "broken emoji \\ud83d end"}\r\n'
        b"   \r\n"
    )
    res = read_reddit([str(f)])
    assert list(res.records["comment_id"]) == ["w1", "w2"]
    assert list(res.records["text"]) == ["line one", "broken emoji \ufffd end"]
    assert list(res.lines["role"]) == ["record", "record", "blank"]
    assert res.records["created_at"].iloc[0] == ts("1970-01-01 00:00:01")
    columns.conform(res.records, "records")


def test_object_valued_core_field_is_malformed(tmp_path):
    f = tmp_path / "odd.jsonl"
    f.write_text('{"id": {"x": 1}, "body": "hi"}\n{"id": "ok", "body": "fine", "link_id": "t3_a"}\n', encoding="utf-8")
    res = read_reddit([str(f)])
    assert list(res.rejects["record"]) == [1]
    assert "['id']" in res.rejects["detail"].iloc[0]
    assert list(res.records["comment_id"]) == ["ok"]


def test_other_encoding(tmp_path):
    f = tmp_path / "latin.jsonl"
    f.write_bytes('{"id": "l1", "link_id": "t3_l", "parent_id": "t3_l", "body": "café"}\n'.encode("cp1252"))
    assert read_reddit([str(f)], encoding="cp1252").records["text"].iloc[0] == "café"
    res = read_reddit([str(f)])  # the é byte is not UTF-8
    assert list(res.rejects["reason"]) == ["undecodable_bytes"]
    assert "caf\\xe9" in res.rejects["raw"].iloc[0]


def test_bad_encodings_are_config_errors():
    with pytest.raises(ConfigError, match="unknown encoding"):
        read_reddit([COMMENTS], encoding="no-such-codec")
    with pytest.raises(ConfigError, match="ASCII-compatible"):
        read_reddit([COMMENTS], encoding="utf-16")


def test_no_files_gives_empty_conforming_result():
    res = read_reddit([])
    columns.conform(res.records, "records")
    assert res.n_read == 0 and res.threads.empty and res.lines.empty
    assert res.metadata == ["removed"]
