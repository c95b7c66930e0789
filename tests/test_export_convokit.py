"""ConvoKit export (rule export_convokit): canonical tables written as a corpus folder, read back, and checked line
by line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import columns
from analysis.export_convokit import export_convokit, write_convokit
from analysis.ingest.convokit import ROOT_SPEAKER, UNKNOWN_SPEAKER, read_convokit

FILES = ("utterances.jsonl", "speakers.json", "conversations.json", "corpus.json", "index.json")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# ---------------------------------------------------------------------------
# writing canonical tables


def canonical() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two threads of a source 'seed': a tree with a placeholder, and a thread with only a title."""
    rows = [
        # thread_id, comment_id, parent_id, depth, position, author_id, created_at, text, record, placeholder, side
        ("seed:a", "1", "", 1, 1, "u0000000001", "2021-03-01 10:00:00", "First top-level comment.", 3, False, "left"),
        ("seed:a", "2", "1", 2, 1, "u0000000002", "2021-03-01 10:05:00.250", "A reply with «unicode» and a\nnewline.",
         5, False, None),
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
    pd.testing.assert_series_equal(r["created_at"], comments["created_at"].astype("datetime64[us, UTC]"),
                                   check_names=False)
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
        "conversation_id": "seed:a", "id": "seed:a", "reply_to": None, "speaker": ROOT_SPEAKER,
        "timestamp": 1614592800,  # the thread's earliest comment
        "text": "The article body,\nin two lines.", "vectors": [],
        "meta": {"is_thread_root": True, "source": "seed", "text_is_title": False,
                 "threadscope": {"timestamp_known": False}},
    }
    assert utts[5]["text"] == "Road works" and utts[5]["meta"]["text_is_title"] is True
    by_id = {u["id"]: u for u in utts}
    assert by_id["1"]["reply_to"] == "seed:a" and by_id["2"]["reply_to"] == "1"
    assert by_id["3"]["speaker"] == f"{UNKNOWN_SPEAKER}:3" and by_id["3"]["timestamp"] == 1614592800
    assert by_id["3"]["meta"]["threadscope"] == {"timestamp_known": False}
    assert by_id["1"]["timestamp"] == 1614592800 and isinstance(by_id["1"]["timestamp"], int)
    assert by_id["2"]["timestamp"] == 1614593100.25
    assert by_id["2"]["meta"] == {"depth": 2, "position": 1, "source": "seed", "is_placeholder": False,
                                  "side_label": None, "threadscope": {"timestamp_known": True}}
    assert by_id["3"]["meta"]["is_placeholder"] is True
    speakers = read_json(out / "speakers.json")
    assert sorted(speakers) == sorted([ROOT_SPEAKER, f"{UNKNOWN_SPEAKER}:3", "u0000000001", "u0000000002",
                                       "u0000000003"])
    assert speakers["u0000000001"] == {"meta": {}, "vectors": []}
    convos = read_json(out / "conversations.json")
    assert convos["seed:a"]["meta"] == {"title": "Thanks, neighbours", "source": "seed", "n_comments": 4,
                                        "site_tags": "news,local", "region": "north"}
    assert convos["seed:b"]["meta"]["n_comments"] == 1 and convos["seed:b"]["meta"]["region"] is None
    assert read_json(out / "corpus.json") == {"name": "seed export", "n": 2}
    index = read_json(out / "index.json")
    assert set(index) == {"utterances-index", "speakers-index", "conversations-index", "overall-index", "version",
                          "vectors"}
    assert index["utterances-index"]["depth"] == ["<class 'int'>"]
    assert index["utterances-index"]["is_placeholder"] == ["<class 'bool'>"]
    assert index["utterances-index"]["side_label"] == ["<class 'str'>"]
    assert index["conversations-index"]["n_comments"] == ["<class 'int'>"]
    assert index["overall-index"] == {"n": ["<class 'int'>"], "name": ["<class 'str'>"]}
    assert index["speakers-index"] == {} and index["version"] == 1
    raw = (out / "utterances.jsonl").read_bytes()
    assert "«unicode»".encode() in raw  # ensure_ascii=False
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
    write_convokit(comments[comments["thread_id"] == "seed:b"], threads[threads["thread_id"] == "seed:a"],
                   str(tmp_path / "x"))
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
    c = comments[comments["thread_id"] == "seed:b"].assign(thread_id="seed:c", comment_id="6", text="Thread c.",
                                                           record=9)
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
    paths = write_shards(tmp_path, [(comments[in_shard0], threads[t_shard0]),
                                    (comments[~in_shard0], threads[~t_shard0])])
    write_convokit(comments, threads, str(tmp_path / "whole"), corpus_meta={"n": 1})
    export_convokit(paths, str(tmp_path / "sharded"), corpus_meta={"n": 1})
    same_files(tmp_path / "whole", tmp_path / "sharded")
    utts = [json.loads(line)
            for line in (tmp_path / "sharded" / "utterances.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [u["conversation_id"] for u in utts] == ["seed:a"] * 5 + ["seed:b"] * 2 + ["seed:c"] * 2
    if case == "colliding_ids":
        assert utts[-1]["id"] == "seed:c/1"
    assert not [p for p in (tmp_path / "sharded").iterdir() if p.name.startswith(".")]  # no scratch files left


def test_shards_refuse_orphans_and_leave_no_files(tmp_path):
    comments, threads = three_threads()
    comments.loc[comments["comment_id"] == "2", "parent_id"] = "99"
    b = comments["thread_id"] == "seed:b"
    paths = write_shards(tmp_path, [(comments[~b], threads[threads["thread_id"] != "seed:b"]),
                                    (comments[b], threads[threads["thread_id"] == "seed:b"])])
    with pytest.raises(ValueError, match=r"\('seed:a', '2'\)"):
        export_convokit(paths, str(tmp_path / "o"))
    assert not list((tmp_path / "o").iterdir())


# ---------------------------------------------------------------------------
# hostile text: every line is json.dumps of its record

# every character json.dumps escapes, alone and run together, and characters it leaves alone
HOSTILE = (
    [chr(i) for i in range(0x20)]
    + [f"a{chr(i)}b" for i in range(0x20)]
    + ['"', "\\", '\\"', '"\\', "\\\\n", 'say "hi"\n', "C:\\path\\to", "tab\there\r\nnext", "\b\f\x0b\x1f\x00",
       "\x7f DEL"]
    + ["«unicode» déjà vu", "emoji 😀 and 👍🏽", "\u2028\u2029 line separators", "ß\u0301", "\ufeffbom",
       "日本語の\"引用\""]
    + ["", " ", "plain text", "/slash/", "'single'", "{\"json\": [1, 2]}", "\\u0041 not an escape", "x" * 3000 + '"\n']
)


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
    def seconds(created):
        us = (created - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)
        return us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000

    for tid in sorted(set(trows) | {c["thread_id"] for c in crows}):
        t = trows.get(tid, {})
        mine = [c for c in crows if c["thread_id"] == tid]
        article, title = t.get("article_text") or "", t.get("title") or ""
        source = t.get("source") or (mine[0]["source"] if mine else "")
        known = [c["created_at"] for c in mine if c["created_at"] is not None]
        thread_time = seconds(min(known)) if known else 0  # the earliest known time, else 0
        lines.append(dumps({"id": tid, "conversation_id": tid, "reply_to": None, "speaker": ROOT_SPEAKER,
                            "timestamp": thread_time,
                            "text": article or title, "vectors": [],
                            "meta": {"is_thread_root": True, "source": source,
                                     "text_is_title": not article and bool(title),
                                     "threadscope": {"timestamp_known": False}}}))
        speakers.add(ROOT_SPEAKER)
        for c in mine:
            def uid(i):
                return f"{tid}/{i}" if qualify else i  # noqa: B023 -- called only in this iteration
            created = thread_time if c["created_at"] is None else seconds(c["created_at"])
            speaker = c["author_id"] or f"{UNKNOWN_SPEAKER}:{uid(c['comment_id'])}"
            speakers.add(speaker)
            meta = {"depth": c["depth"], "position": c["position"], "source": c["source"],
                    "is_placeholder": c["is_placeholder"]}
            meta.update({m: c[m] for m in c_meta})
            meta["threadscope"] = {"timestamp_known": c["created_at"] is not None}
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
    export_convokit(paths, str(tmp_path / "sharded"), qualify_ids=qualify or None)
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

    comments, threads = hostile_tables()
    cpath, tpath = tmp_path / "c.parquet", tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pandas(comments.iloc[:, ::-1], preserve_index=False), cpath)
    pq.write_table(pa.Table.from_pandas(threads, preserve_index=False), tpath)
    assert pq.read_schema(cpath).field("depth").type == pa.int64()
    write_convokit(comments, threads, str(tmp_path / "whole"))
    export_convokit([(str(cpath), str(tpath))], str(tmp_path / "sharded"))
    same_files(tmp_path / "whole", tmp_path / "sharded")
    index = read_json(tmp_path / "sharded" / "index.json")["utterances-index"]
    assert index["depth"] == ["<class 'int'>"] and index["is_placeholder"] == ["<class 'bool'>"]


def test_timestamps_are_unix_seconds_whole_or_fractional(tmp_path):
    """Whole seconds as integers, others as floats (before 1970 too, and past 2**53 microseconds); an unknown time is
    the thread's earliest (here -3 s)."""
    comments, threads = canonical()
    us = [-3_000_000, 1_614_593_100_250_000, 0, -500_000, 2**53 + 1]  # comments 1..5, in the order they are written
    comments["created_at"] = pd.to_datetime(pd.Series(us, dtype="int64"), unit="us", utc=True).astype(
        "datetime64[us, UTC]")
    comments.loc[2, "created_at"] = pd.NaT
    write_convokit(comments, threads, str(tmp_path / "t"))
    lines = [line for line in (tmp_path / "t" / "utterances.jsonl").read_text(encoding="utf-8").splitlines()
             if ROOT_SPEAKER not in line]
    stamps = [json.loads(line)["timestamp"] for line in lines]
    assert stamps == [-3, 1614593100.25, -3, -0.5, 9007199254.740993] and type(stamps[0]) is int
    written = [line.split('"timestamp": ')[1].split(",")[0] for line in lines]
    assert written == ["-3", "1614593100.25", "-3", "-0.5", "9007199254.740993"]
