"""ConvoKit corpus reader: hand-written folders (round trips of written folders: tests/test_export_convokit.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import columns
from analysis.errors import InputError
from analysis.ingest.convokit import read_convokit

FIX = Path(__file__).parent / "fixtures"
POST = str(FIX / "convokit_post")
LEGACY = str(FIX / "convokit_legacy")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# ---------------------------------------------------------------------------
# reading hand-written folders


@pytest.fixture(scope="module")
def post():
    return read_convokit(POST)


def test_root_utterance_is_the_article(post):
    r = post.records
    columns.conform(r, "records")
    assert list(r["comment_id"]) == ["u1", "u2", "u3", "q2"]  # roots p1 and q1 are not comments
    assert list(r["thread_id"]) == ["p1", "p1", "p1", "q1"]
    # replying to the root -> top level; reply_to null -> top level; else the utterance replied to
    assert list(r["parent_id"]) == ["", "u1", "", ""]
    th = post.threads.set_index("thread_id")
    assert th.loc["p1", "article_text"] == "The new library opens on Monday with late hours."
    assert th.loc["p1", "title"] == "New library opens"  # conversation meta wins over root meta
    assert th.loc["q1", "title"] == "Bridge repairs"  # no conversation title: root meta title
    assert th.loc["q1", "article_text"] == ""


def test_fields_authors_times_and_file(post):
    r = post.records.set_index("comment_id")
    assert list(r["author"]) == ["fox_glove", "", "fox_glove", "hazel_row"]  # [deleted] -> ''
    assert r.loc["u1", "created_at"] == ts("2020-09-13 12:28:20")  # int
    assert r.loc["u2", "created_at"] == ts("2020-09-13 12:30:00")  # numeric string
    assert pd.isna(r.loc["u3", "created_at"])  # null
    assert r.loc["q2", "created_at"] == ts("2020-09-13 12:31:40.75")  # float
    assert r.loc["u1", "text"] == "Finally, somewhere quiet to work."
    assert set(r["file"]) == {POST} and set(r["rule"]) == {"record"}
    assert list(r["record"]) == [2, 3, 5, 8]


def test_utterance_meta_becomes_metadata_with_prefix_on_clash(post):
    assert post.metadata == ["score", "meta_text", "meta_depth", "flair", "is_edited"]
    r = post.records.set_index("comment_id")
    assert r.loc["u1", "score"] == "5" and r.loc["u2", "score"] == "-1" and r.loc["u3", "score"] == ""
    assert r.loc["u1", "meta_text"] == "meta key named text"
    assert r.loc["u1", "meta_depth"] == "9"
    assert r.loc["q2", "is_edited"] == "true"
    assert "nested" not in post.records


def test_conversation_meta_becomes_thread_metadata(post):
    th = post.threads
    assert list(th.columns) == ["thread_id", "title", "article_text", "site_tags", "subreddit", "meta_n_comments"]
    assert list(th["subreddit"]) == ["books", "towns"]
    assert list(th["meta_n_comments"]) == ["3", ""]


def test_line_map_and_rejects(post):
    assert list(post.lines["role"]) == ["article", "record", "record", "blank", "record", "reject", "article", "record"]
    assert list(post.lines["comment_id"]) == ["", "u1", "u2", "", "u3", "", "", "q2"]
    rej = post.rejects
    assert list(rej["record"]) == [6] and list(rej["reason"]) == ["malformed_record"]
    assert rej["raw"].iloc[0].startswith('{"id": "u4"')
    assert post.n_read == 5


def test_legacy_keys_missing_root_and_null_conversation():
    res = read_convokit(LEGACY)
    r = res.records
    assert list(r["comment_id"]) == ["a1", "a2", "a3"]
    assert list(r["thread_id"]) == ["z0", "z0", "z0"]  # a3's null conversation found through a2
    assert list(r["parent_id"]) == ["", "a1", "a2"]  # a1 replies to the absent root z0: top level
    assert list(r["author"]) == ["ash_tree", "birch_bay", "cedar_pond"]  # "user" key
    th = res.threads.iloc[0]
    assert (th["title"], th["meta_source"]) == ("Wrapped title", "legacy-site")  # {"meta": ..., "vectors": ...} form
    assert res.metadata == []
    columns.conform(r, "records")


def test_root_as_comment_for_dialogue_corpora():
    res = read_convokit(POST, root_is_article=False)
    r = res.records.set_index("comment_id")
    assert list(r.index) == ["p1", "u1", "u2", "u3", "q1", "q2"]
    assert r.loc["p1", "parent_id"] == "" and r.loc["u1", "parent_id"] == "p1" and r.loc["q2", "parent_id"] == "q1"
    assert r.loc["q1", "created_at"] == ts("2020-09-13 12:30:00")  # ISO timestamp
    assert list(res.threads["article_text"]) == ["", ""]
    assert "article" not in set(res.lines["role"])


def test_missing_folder_and_not_a_corpus(tmp_path):
    with pytest.raises(InputError, match="nowhere: no such folder"):
        read_convokit(str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="utterances.jsonl"):
        read_convokit(str(tmp_path))


def test_broken_conversations_json_names_the_file(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(POST, folder)
    (folder / "conversations.json").write_text('{"p1": {', encoding="utf-8")
    with pytest.raises(InputError, match="conversations.json"):
        read_convokit(str(folder))
    (folder / "conversations.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="conversations.json: expected a JSON object"):
        read_convokit(str(folder))


def test_undecodable_utterance_line(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "utterances.jsonl").write_bytes(
        b'{"id": "x1", "speaker": "s", "conversation_id": "x1", "reply_to": null, "text": "root"}\n'
        b'{"id": "x2", "speaker": "s", "conversation_id": "x1", "reply_to": "x1", "text": "bad \xc3 byte"}\n'
        b'{"id": "x3", "speaker": "s", "conversation_id": "x1", "reply_to": "x1", "text": "fine"}\n'
    )
    res = read_convokit(str(folder))
    assert list(res.records["comment_id"]) == ["x3"]
    assert list(res.rejects["reason"]) == ["undecodable_bytes"]
    assert "bad \\xc3 byte" in res.rejects["raw"].iloc[0]
    assert list(res.lines["role"]) == ["article", "reject", "record"]
