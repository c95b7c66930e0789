"""ConvoKit corpus reader and writer: hand-written folders and round trips."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import columns
from analysis.errors import InputError
from analysis.ingest.convokit import ROOT_SPEAKER, UNKNOWN_SPEAKER, read_convokit, write_convokit, write_convokit_shards

FIX = Path(__file__).parent / "fixtures"
POST = str(FIX / "convokit_post")
LEGACY = str(FIX / "convokit_legacy")
FILES = ("utterances.jsonl", "speakers.json", "conversations.json", "corpus.json", "index.json")


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


# ---------------------------------------------------------------------------
# writing canonical tables


def canonical() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two threads of a source 'seed': a tree with a placeholder, and a thread with only a title."""
    rows = [
        # thread_id, comment_id, parent_id, depth, position, author_id, created_at, text, record, placeholder, side
        ("seed:a", "1", "", 1, 1, "u0000000001", "2021-03-01 10:00:00", "First top-level comment.", 3, False, "left"),
        ("seed:a", "2", "1", 2, 1, "u0000000002", "2021-03-01 10:05:00.250", "A reply with «unicode» and a\nnewline.", 5, False, None),
        ("seed:a", "3", "", 1, 2, "", None, "", 7, True, "right"),
        ("seed:a", "4", "3", 2, 1, "u0000000001", "2021-03-01 11:00:00", "Reply under a placeholder.", 8, False, ""),
        ("seed:b", "5", "", 1, 1, "u0000000003", "2021-03-02 09:00:00", "Only comment of thread b.", 2, False, "left"),
    ]
    comments = pd.DataFrame(
        rows,
        columns=["thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "created_at", "text",
                 "record", "is_placeholder", "side_label"],
    )
    comments["created_at"] = pd.to_datetime(comments["created_at"], utc=True, format="ISO8601")
    comments["source"] = "seed"
    comments["file"] = comments["thread_id"].map({"seed:a": "data/a.txt", "seed:b": "data/b.txt"})
    comments["rule"] = "record"
    comments["shard"] = 0
    comments = comments[columns.core_names("comments") + ["side_label"]]
    threads = pd.DataFrame(
        {
            "thread_id": ["seed:a", "seed:b"],
            "source": ["seed", "seed"],
            "title": ["Thanks, neighbours", "Road works"],
            "article_text": ["The article body,\nin two lines.", ""],
            "site_tags": ["news,local", ""],
            "n_comments": [4, 1],
            "shard": [0, 0],
            "region": ["north", None],
        }
    )
    return comments, threads


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_round_trip_same_tree(tmp_path):
    comments, threads = canonical()
    write_convokit(comments, threads, str(tmp_path / "out"))
    res = read_convokit(str(tmp_path / "out"))
    r = res.records
    columns.conform(r, "records")
    assert list(r["thread_id"]) == list(comments["thread_id"])
    assert list(r["comment_id"]) == list(comments["comment_id"])
    assert list(r["parent_id"]) == list(comments["parent_id"])
    assert list(r["text"]) == list(comments["text"])
    assert list(r["author"]) == list(comments["author_id"])  # '' -> __unknown__ -> ''
    pd.testing.assert_series_equal(r["created_at"], comments["created_at"].astype("datetime64[us, UTC]"), check_names=False)
    assert list(r["side_label"]) == ["left", "", "right", "", "left"]  # null and '' both read back as ''
    th = res.threads.set_index("thread_id")
    assert th.loc["seed:a", "article_text"] == "The article body,\nin two lines."
    assert th.loc["seed:b", "article_text"] == ""  # root text was the title, flagged text_is_title
    assert list(th["title"]) == ["Thanks, neighbours", "Road works"]
    assert list(th["site_tags"]) == ["news,local", ""]
    assert list(th["region"]) == ["north", ""]
    assert len(res.rejects) == 0
    assert list(res.lines["role"]) == ["article", "record", "record", "record", "record", "article", "record"]


def test_written_files_follow_the_convokit_layout(tmp_path):
    comments, threads = canonical()
    out = tmp_path / "out"
    write_convokit(comments, threads, str(out), corpus_meta={"name": "seed export", "n": 2})
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    utts = [json.loads(line) for line in (out / "utterances.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [u["id"] for u in utts] == ["seed:a", "1", "2", "3", "4", "seed:b", "5"]
    root = utts[0]
    assert root == {
        "conversation_id": "seed:a", "id": "seed:a", "reply_to": None, "speaker": ROOT_SPEAKER, "timestamp": None,
        "text": "The article body,\nin two lines.", "vectors": [],
        "meta": {"is_thread_root": True, "source": "seed", "text_is_title": False},
    }
    assert utts[5]["text"] == "Road works" and utts[5]["meta"]["text_is_title"] is True
    by_id = {u["id"]: u for u in utts}
    assert by_id["1"]["reply_to"] == "seed:a" and by_id["2"]["reply_to"] == "1"
    assert by_id["3"]["speaker"] == UNKNOWN_SPEAKER and by_id["3"]["timestamp"] is None
    assert by_id["1"]["timestamp"] == 1614592800 and isinstance(by_id["1"]["timestamp"], int)
    assert by_id["2"]["timestamp"] == 1614593100.25
    assert by_id["2"]["meta"] == {"depth": 2, "position": 1, "source": "seed", "is_placeholder": False, "side_label": None}
    assert by_id["3"]["meta"]["is_placeholder"] is True
    speakers = read_json(out / "speakers.json")
    assert sorted(speakers) == sorted([ROOT_SPEAKER, UNKNOWN_SPEAKER, "u0000000001", "u0000000002", "u0000000003"])
    assert speakers["u0000000001"] == {"meta": {}, "vectors": []}
    convos = read_json(out / "conversations.json")
    assert convos["seed:a"]["meta"] == {"title": "Thanks, neighbours", "source": "seed", "n_comments": 4,
                                        "site_tags": "news,local", "region": "north"}
    assert convos["seed:b"]["meta"]["n_comments"] == 1 and convos["seed:b"]["meta"]["region"] is None
    assert read_json(out / "corpus.json") == {"name": "seed export", "n": 2}
    index = read_json(out / "index.json")
    assert set(index) == {"utterances-index", "speakers-index", "conversations-index", "overall-index", "version", "vectors"}
    assert index["utterances-index"]["depth"] == ["<class 'int'>"]
    assert index["utterances-index"]["is_placeholder"] == ["<class 'bool'>"]
    assert index["utterances-index"]["side_label"] == ["<class 'str'>"]
    assert index["conversations-index"]["n_comments"] == ["<class 'int'>"]
    assert index["overall-index"] == {"n": ["<class 'int'>"], "name": ["<class 'str'>"]}
    assert index["speakers-index"] == {} and index["version"] == 1
    raw = (out / "utterances.jsonl").read_bytes()
    assert "«unicode»".encode("utf-8") in raw  # ensure_ascii=False
    assert b"\r" not in raw and raw.endswith(b"\n")


def test_write_is_deterministic(tmp_path):
    comments, threads = canonical()
    write_convokit(comments, threads, str(tmp_path / "one"))
    write_convokit(comments, threads, str(tmp_path / "two"))
    shuffled = comments.sample(frac=1, random_state=7).reset_index(drop=True)
    write_convokit(shuffled, threads.iloc[::-1].reset_index(drop=True), str(tmp_path / "three"))
    write_convokit(comments, threads, str(tmp_path / "one"))  # rewrite over itself
    for name in FILES:
        one = (tmp_path / "one" / name).read_bytes()
        assert one == (tmp_path / "two" / name).read_bytes(), name
        assert one == (tmp_path / "three" / name).read_bytes(), name
    assert not [p for p in (tmp_path / "one").iterdir() if p.name.startswith(".")]  # no temp files left


def test_colliding_comment_ids_are_qualified(tmp_path):
    comments, threads = canonical()
    comments.loc[comments["comment_id"] == "5", "comment_id"] = "1"  # same id in two threads
    write_convokit(comments, threads, str(tmp_path / "q"))
    res = read_convokit(str(tmp_path / "q"))
    assert list(res.records["comment_id"]) == ["seed:a/1", "seed:a/2", "seed:a/3", "seed:a/4", "seed:b/1"]
    assert list(res.records["parent_id"]) == ["", "seed:a/1", "", "seed:a/3", ""]
    with pytest.raises(ValueError, match="qualify_ids=False"):
        write_convokit(comments, threads, str(tmp_path / "r"), qualify_ids=False)


def test_qualify_ids_always(tmp_path):
    comments, threads = canonical()
    write_convokit(comments, threads, str(tmp_path / "q"), qualify_ids=True)
    res = read_convokit(str(tmp_path / "q"))
    assert list(res.records["comment_id"])[:2] == ["seed:a/1", "seed:a/2"]
    assert list(res.records["parent_id"])[:2] == ["", "seed:a/1"]


def test_comments_without_thread_row_and_threads_without_comments(tmp_path):
    comments, threads = canonical()
    write_convokit(comments[comments["thread_id"] == "seed:b"], threads[threads["thread_id"] == "seed:a"], str(tmp_path / "x"))
    res = read_convokit(str(tmp_path / "x"))
    assert list(res.threads["thread_id"]) == ["seed:a", "seed:b"]
    assert list(res.records["comment_id"]) == ["5"]
    convos = read_json(tmp_path / "x" / "conversations.json")
    assert convos["seed:a"]["meta"]["n_comments"] == 0
    assert convos["seed:b"]["meta"] == {"title": "", "source": "seed", "n_comments": 1, "site_tags": "", "region": None}


def test_bad_tables_are_refused(tmp_path):
    comments, threads = canonical()
    with pytest.raises(columns.TableContractError, match="depth"):
        write_convokit(comments.drop(columns="depth"), threads, str(tmp_path / "a"))
    with pytest.raises(ValueError, match="seed:a"):
        write_convokit(comments, pd.concat([threads, threads.iloc[:1]]), str(tmp_path / "b"))
    orphan = comments.copy()
    orphan.loc[orphan["comment_id"] == "2", "parent_id"] = "99"
    with pytest.raises(ValueError, match="reply to comment ids not in their thread"):
        write_convokit(orphan, threads, str(tmp_path / "o"))
    with pytest.raises(ValueError, match="corpus_meta"):
        write_convokit(comments, threads, str(tmp_path / "c"), corpus_meta={"bad": object()})


def test_empty_tables_write_an_empty_corpus(tmp_path):
    write_convokit(columns.empty("comments"), columns.empty("threads"), str(tmp_path / "e"))
    assert (tmp_path / "e" / "utterances.jsonl").read_text(encoding="utf-8") == ""
    res = read_convokit(str(tmp_path / "e"))
    assert res.n_read == 0 and res.threads.empty
    columns.conform(res.records, "records")


# ---------------------------------------------------------------------------
# writing shard by shard


def three_threads() -> tuple[pd.DataFrame, pd.DataFrame]:
    """canonical() plus a thread seed:c (a copy of seed:b with comment id 6), so shards can interleave thread ids."""
    comments, threads = canonical()
    c = comments[comments["thread_id"] == "seed:b"].assign(thread_id="seed:c", comment_id="6", text="Thread c.", record=9)
    t = threads[threads["thread_id"] == "seed:b"].assign(thread_id="seed:c", title="Bins", region="south")
    return pd.concat([comments, c], ignore_index=True), pd.concat([threads, t], ignore_index=True)


def write_shards(tmp_path: Path, parts: list[tuple[pd.DataFrame, pd.DataFrame]]) -> list[tuple[str, str]]:
    paths = []
    for k, (c, t) in enumerate(parts):
        cp, tp = tmp_path / f"comments-{k}.parquet", tmp_path / f"threads-{k}.parquet"
        columns.conform(c.reset_index(drop=True), "comments")
        pq_write(c.reset_index(drop=True), cp, "comments")
        pq_write(t.reset_index(drop=True), tp, "threads")
        paths.append((str(cp), str(tp)))
    return paths


def pq_write(df: pd.DataFrame, path: Path, table: str) -> None:
    from analysis import io

    io.write_table(df, path, table)


def same_files(a: Path, b: Path) -> None:
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize("case", ["interleaved", "split_thread", "colliding_ids"])
def test_shards_write_the_same_bytes_as_whole_tables(tmp_path, case):
    comments, threads = three_threads()
    if case == "colliding_ids":  # comment id 1 also in seed:c, in another shard: every id is qualified
        comments.loc[comments["thread_id"] == "seed:c", "comment_id"] = "1"
    in_shard0 = comments["thread_id"].isin(["seed:a", "seed:c"])
    t_shard0 = threads["thread_id"].isin(["seed:a", "seed:c"])
    if case == "split_thread":  # comment 4 of seed:a in shard 1: read whole, still the same files
        in_shard0 &= comments["comment_id"] != "4"
    # shards hold seed:a, seed:c | seed:b: the output interleaves them (a, b, c)
    paths = write_shards(tmp_path, [(comments[in_shard0], threads[t_shard0]), (comments[~in_shard0], threads[~t_shard0])])
    write_convokit(comments, threads, str(tmp_path / "whole"), corpus_meta={"n": 1})
    write_convokit_shards(paths, str(tmp_path / "sharded"), corpus_meta={"n": 1})
    same_files(tmp_path / "whole", tmp_path / "sharded")
    utts = [json.loads(line) for line in (tmp_path / "sharded" / "utterances.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [u["conversation_id"] for u in utts] == ["seed:a"] * 5 + ["seed:b"] * 2 + ["seed:c"] * 2
    if case == "colliding_ids":
        assert utts[-1]["id"] == "seed:c/1"
    assert not [p for p in (tmp_path / "sharded").iterdir() if p.name.startswith(".")]  # no scratch files left


def test_shards_refuse_orphans_and_leave_no_files(tmp_path):
    comments, threads = three_threads()
    comments.loc[comments["comment_id"] == "2", "parent_id"] = "99"
    b = comments["thread_id"] == "seed:b"
    paths = write_shards(tmp_path, [(comments[~b], threads[threads["thread_id"] != "seed:b"]), (comments[b], threads[threads["thread_id"] == "seed:b"])])
    with pytest.raises(ValueError, match=r"\('seed:a', '2'\)"):
        write_convokit_shards(paths, str(tmp_path / "o"))
    assert not list((tmp_path / "o").iterdir())


# ---------------------------------------------------------------------------
# the column-wise line encoding against json.dumps, one record at a time

# every character json.dumps escapes, alone and run together, and characters it leaves alone
HOSTILE = (
    [chr(i) for i in range(0x20)]
    + [f"a{chr(i)}b" for i in range(0x20)]
    + ['"', "\\", '\\"', '"\\', "\\\\n", 'say "hi"\n', "C:\\path\\to", "tab\there\r\nnext", "\b\f\x0b\x1f\x00", "\x7f DEL"]
    + ["«unicode» déjà vu", "emoji 😀 and 👍🏽", "\u2028\u2029 line separators", "ß\u0301", "\ufeffbom", "日本語の\"引用\""]
    + ["", " ", "plain text", "/slash/", "'single'", "{\"json\": [1, 2]}", "\\u0041 not an escape", "x" * 3000 + '"\n']
)


def test_json_values_match_json_dumps_on_hostile_strings():
    import pyarrow as pa

    from analysis.ingest.convokit import _json_values

    values = HOSTILE + [None, "after null", None]
    got = _json_values(pa.array(values, pa.string())).to_pylist()
    assert got == [json.dumps(v, ensure_ascii=False) for v in values]
    # no row needs escaping; every row needs it; only short escapes; only other control characters
    for subset in (["a", "", "é😀"], ['"', "\\"], ["a\nb", 'q"', "t\t\r\\"], ["\x01", "\b\f"]):
        assert _json_values(pa.array(subset)).to_pylist() == [json.dumps(v, ensure_ascii=False) for v in subset]
    assert _json_values(pa.array([], pa.string())).to_pylist() == []


def test_json_values_of_numbers_and_times_match_json_dumps():
    import pyarrow as pa

    from analysis.ingest.convokit import _json_seconds, _json_values, _seconds

    ints = [0, -1, 7, 2**31 - 1, -(2**31), None]
    assert _json_values(pa.array(ints, pa.int32())).to_pylist() == [json.dumps(v) for v in ints]
    assert _json_values(pa.array([True, False, None])).to_pylist() == ["true", "false", "null"]
    # whole and fractional seconds, before 1970, past 2**53 microseconds (year 2255), unknown
    us = [0, 1_614_592_800_000_000, 1_614_593_100_250_000, 1, -1, -500_000, -3_000_000, 2**53 + 1, 9_000_000_000_000_000_001, None]
    times = pa.array(us, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    assert _json_seconds(times).to_pylist() == [json.dumps(_seconds(v)) for v in us]
    assert _json_seconds(times).to_pylist()[2] == "1614593100.25"
    # other types go through json.dumps itself, refusals included
    assert _json_values(pa.array([0.1, None, 1e300])).to_pylist() == ["0.1", "null", "1e+300"]
    with pytest.raises(ValueError):
        _json_values(pa.array([float("nan")]))


def test_lone_surrogates_cannot_reach_the_writer():
    import pyarrow as pa

    with pytest.raises(UnicodeError):  # Arrow (and so the tables the writer reads) holds only valid UTF-8
        pa.array(["a\ud800b"], pa.string())


def hostile_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three threads whose ids, authors, texts, sources and metadata are the hostile strings, and one without comments.

    Thread ids sort by code point (U+FFFF before U+1F600), not by UTF-16 unit.
    """
    rows = []
    for k, text in enumerate(HOSTILE):
        tid = ["t\"1\\", "t😀2\n", "t3"][k % 3]
        first = k < 3
        rows.append({
            "thread_id": tid, "comment_id": f"c{k}\t\"", "parent_id": "" if first else f"c{k - 3}\t\"",
            "depth": 1 if first else 2, "position": 1, "author_id": ["", "u«1»", "u\"2\\", "u\x01"][k % 4],
            "created_at": pd.Timestamp(1_600_000_000_000_000 + k * 123_457, unit="us", tz="UTC") if k % 5 else pd.NaT,
            "text": text, "source": ["s\"rc", "src"][k % 2], "file": f"f{k % 2}", "record": k // 2, "rule": "record",
            "is_placeholder": k % 7 == 0, "shard": 0,
            "side": HOSTILE[-k - 1] if k % 3 else None, "empty_meta": None,
        })
    comments = pd.DataFrame(rows)
    threads = pd.DataFrame({
        "thread_id": ["t\"1\\", "t😀2\n", "t3", "t\uffff no comments"], "source": ["src", "", "s\\", "src"],
        "title": ["a \"title\"", "", "T\x02", "only title"], "article_text": ["body\n\"quoted\"", "", "", ""],
        "site_tags": ["x,y", "", "", ""], "n_comments": [0, 0, 0, 0], "shard": [0, 0, 0, 0],
        "region": ["n\u2028", None, "", "s"],
    })
    return comments, threads


def reference_files(comments: pd.DataFrame, threads: pd.DataFrame, qualify: bool) -> dict[str, bytes]:
    """utterances.jsonl and speakers.json as the module docstring says, one json.dumps per record."""
    def dumps(obj):
        return json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False)

    core = columns.core_names("comments")
    c_meta = [n for n in comments.columns if n not in core]
    crows = columns.conform(comments, "comments").to_pylist()
    trows = {t["thread_id"]: t for t in columns.conform(threads, "threads").to_pylist()}
    crows.sort(key=lambda c: (c["thread_id"], c["file"], c["record"], c["comment_id"]))
    lines, speakers = [], set()
    for tid in sorted(set(trows) | {c["thread_id"] for c in crows}):
        t = trows.get(tid, {})
        mine = [c for c in crows if c["thread_id"] == tid]
        article, title = t.get("article_text") or "", t.get("title") or ""
        source = t.get("source") or (mine[0]["source"] if mine else "")
        lines.append(dumps({"id": tid, "conversation_id": tid, "reply_to": None, "speaker": ROOT_SPEAKER, "timestamp": None,
                            "text": article or title, "vectors": [],
                            "meta": {"is_thread_root": True, "source": source, "text_is_title": not article and bool(title)}}))
        speakers.add(ROOT_SPEAKER)
        for c in mine:
            def uid(i):
                return f"{tid}/{i}" if qualify else i
            created = c["created_at"]
            if created is not None:
                us = (created - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)
                created = us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000
            speaker = c["author_id"] or UNKNOWN_SPEAKER
            speakers.add(speaker)
            meta = {"depth": c["depth"], "position": c["position"], "source": c["source"], "is_placeholder": c["is_placeholder"]}
            meta.update({m: c[m] for m in c_meta})
            lines.append(dumps({"id": uid(c["comment_id"]), "conversation_id": tid,
                                "reply_to": uid(c["parent_id"]) if c["parent_id"] else tid, "speaker": speaker,
                                "timestamp": created, "text": c["text"], "meta": meta, "vectors": []}))
    return {"utterances.jsonl": "".join(line + "\n" for line in lines).encode("utf-8"),
            "speakers.json": (dumps({s: {"meta": {}, "vectors": []} for s in speakers}) + "\n").encode("utf-8")}


@pytest.mark.parametrize("qualify", [False, True])
def test_written_lines_are_json_dumps_of_each_record(tmp_path, qualify):
    comments, threads = hostile_tables()
    expected = reference_files(comments, threads, qualify)
    assert b'"text": "\\u0000"' in expected["utterances.jsonl"] and "😀".encode() in expected["utterances.jsonl"]
    write_convokit(comments, threads, str(tmp_path / "whole"), qualify_ids=qualify or None)
    one = comments["thread_id"] == "t3"
    paths = write_shards(tmp_path, [(comments[~one], threads[threads["thread_id"] != "t3"]),
                                    (comments[one], threads[threads["thread_id"] == "t3"])])
    write_convokit_shards(paths, str(tmp_path / "sharded"), qualify_ids=qualify or None)
    for out in ("whole", "sharded"):
        for name, data in expected.items():
            assert (tmp_path / out / name).read_bytes() == data, (out, name)
    same_files(tmp_path / "whole", tmp_path / "sharded")
    index = read_json(tmp_path / "whole" / "index.json")["utterances-index"]
    assert index["empty_meta"] == ["<class 'NoneType'>"] and index["side"] == ["<class 'str'>"]
    assert index["depth"] == ["<class 'int'>"] and index["text_is_title"] == ["<class 'bool'>"]
    res = read_convokit(str(tmp_path / "sharded"))
    assert sorted(res.records["text"]) == sorted(comments["text"])


def test_shards_not_in_the_written_layout_are_conformed_first(tmp_path):
    """A shard file whose columns are out of order or of other types (int64 depth) goes through columns.conform."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from analysis.ingest.convokit import _read_conformed

    comments, threads = hostile_tables()
    cpath, tpath = tmp_path / "c.parquet", tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pandas(comments.iloc[:, ::-1], preserve_index=False), cpath)
    pq.write_table(pa.Table.from_pandas(threads, preserve_index=False), tpath)
    assert pq.read_schema(cpath).field("depth").type == pa.int64()
    assert _read_conformed(str(cpath), "comments").equals(columns.conform(comments.iloc[:, ::-1], "comments"))
    write_convokit(comments, threads, str(tmp_path / "whole"))
    write_convokit_shards([(str(cpath), str(tpath))], str(tmp_path / "sharded"))
    same_files(tmp_path / "whole", tmp_path / "sharded")
    # a file in the written layout is read as it is, to the same table
    pq_write(comments, tmp_path / "w.parquet", "comments")
    assert _read_conformed(str(tmp_path / "w.parquet"), "comments").equals(columns.conform(comments, "comments"))
