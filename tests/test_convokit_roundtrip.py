"""Issue 17, finding 9: the ConvoKit export passes ConvoKit's own traversal and chronology, both ways.

A small fixture (two threads: one with times, unknown authors and an unknown time; one with no time at all)
with its per-document frame hits and stance is exported; the files are checked for the properties ConvoKit 5
relies on without ConvoKit, then loaded with ConvoKit itself where it is installed. Expected values come from
the fixture tables, not from the export.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import columns
from analysis.config import check_config
from analysis.errors import ConfigError
from analysis.export_convokit import export_convokit, write_convokit
from analysis.ingest.convokit import read_convokit
from analysis.ingest.sources import read_source

ROOT = Path(__file__).resolve().parents[1]


def fixture_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """comments, threads, doc_frames, doc_stance of two threads."""
    rows = [
        # thread, id, parent, depth, author, created_at, record
        ("s:a", "1", "", 1, "u1", "2021-03-01 10:00:00", 1),
        ("s:a", "2", "1", 2, "", "2021-03-01 10:05:00", 2),  # unknown author
        ("s:a", "3", "", 1, "", None, 3),  # unknown author, unknown time
        ("s:a", "4", "3", 2, "u1", "2021-03-01 09:00:00", 4),  # the thread's earliest time
        ("s:b", "5", "", 1, "", None, 1),  # a thread without any time
        ("s:b", "6", "5", 2, "u2", None, 2),
    ]
    comments = pd.DataFrame(rows, columns=["thread_id", "comment_id", "parent_id", "depth", "author_id", "created_at",
                                           "record"])
    comments["created_at"] = pd.to_datetime(comments["created_at"], utc=True).astype("datetime64[us, UTC]")
    comments["position"] = 1
    comments["text"] = [f"comment {c}" for c in comments["comment_id"]]
    comments["source"] = "s"
    comments["file"] = "f.csv"
    comments["rule"] = "record"
    comments["is_placeholder"] = False
    comments["shard"] = 0
    comments = comments[columns.core_names("comments")]
    threads = pd.DataFrame({"thread_id": ["s:a", "s:b"], "source": ["s", "s"], "title": ["A", "B"],
                            "article_text": ["The article of a.", ""], "site_tags": ["", ""], "n_comments": [4, 2],
                            "shard": [0, 0]})
    keys = [("s:a", "", "article")] + [(t, c, "comment") for t, c in zip(comments["thread_id"], comments["comment_id"])]
    docs = pd.DataFrame(keys, columns=["thread_id", "comment_id", "doc"])
    docs["n_tokens"] = [10, 3, 4, 5, 6, 7, 8]
    docs["n_matches"] = [2, 0, 1, 1, 0, 2, 0]
    docs["hits_civil_war"] = [1, 0, 1, 0, 0, 2, 0]
    docs["hits_terrorism"] = [1, 0, 0, 1, 0, 0, 0]
    stance = pd.DataFrame(keys, columns=["thread_id", "comment_id", "doc"])
    stance["n_pro"] = [1, 0, 2, 0, 0, 1, 0]
    stance["n_anti"] = [0, 0, 0, 1, 0, 1, 0]
    stance["score"] = [1.0, float("nan"), 1.0, -1.0, float("nan"), 0.0, float("nan")]
    stance["label"] = ["pro", "abstain", "pro", "anti", "abstain", "neutral", "abstain"]
    stance["n_uncivil"] = [0, 1, 0, 0, 0, 0, 2]
    return comments, threads, docs, stance


def utterances(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "utterances.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def exported(tmp_path) -> Path:
    comments, threads, docs, stance = fixture_tables()
    write_convokit(comments, threads, str(tmp_path / "corpus"), doc_frames=docs, doc_stance=stance)
    return tmp_path / "corpus"


def test_convokit_roundtrip_file_properties(exported):
    """What ConvoKit's chronology and traversal need, checked on the files without ConvoKit."""
    utts = utterances(exported)
    by_id = {u["id"]: u for u in utts}
    assert len(by_id) == len(utts) == 2 + 6
    # every timestamp is a number (ConvoKit sorts by it)
    assert all(isinstance(u["timestamp"], (int, float)) for u in utts)
    for conv in ("s:a", "s:b"):
        mine = [u for u in utts if u["conversation_id"] == conv]
        roots = [u for u in mine if u["reply_to"] is None]
        assert [r["id"] for r in roots] == [conv]  # one root, the conversation's id
        for u in mine:  # reply_to points to an utterance of the same conversation
            assert u["reply_to"] is None or by_id[u["reply_to"]]["conversation_id"] == conv
            assert u["timestamp"] >= roots[0]["timestamp"]
    # the root's time is the thread's earliest known time (comment 4, 09:00), or 0 without any
    assert by_id["s:a"]["timestamp"] == int(pd.Timestamp("2021-03-01 09:00:00", tz="UTC").timestamp())
    assert by_id["3"]["timestamp"] == by_id["s:a"]["timestamp"]  # unknown time: the thread's
    assert by_id["s:b"]["timestamp"] == by_id["5"]["timestamp"] == by_id["6"]["timestamp"] == 0
    known = {u["id"]: u["meta"]["threadscope"]["timestamp_known"] for u in utts}
    assert known == {"s:a": False, "1": True, "2": True, "3": False, "4": True, "s:b": False, "5": False, "6": False}
    # unknown authors: one speaker each, distinct from every other speaker
    unknown = [by_id[i]["speaker"] for i in ("2", "3", "5")]
    assert len(set(unknown)) == 3 and not set(unknown) & {by_id[i]["speaker"] for i in ("1", "4", "6", "s:a")}
    speakers = json.loads((exported / "speakers.json").read_text(encoding="utf-8"))
    assert set(speakers) == {u["speaker"] for u in utts}
    # frame hits and stance of every utterance, from the fixture's tables
    _, _, docs, stance = fixture_tables()
    for d, s in zip(docs.itertuples(index=False), stance.itertuples(index=False)):
        uid = d.comment_id or d.thread_id
        scope = by_id[uid]["meta"]["threadscope"]
        assert scope["n_tokens"] == d.n_tokens and scope["n_matches"] == d.n_matches
        assert scope["frame_hits"] == {"civil_war": d.hits_civil_war, "terrorism": d.hits_terrorism}
        assert scope["stance"] == {"label": s.label, "score": None if pd.isna(s.score) else s.score,
                                   "n_pro": s.n_pro, "n_anti": s.n_anti, "n_uncivil": s.n_uncivil}


def test_convokit_roundtrip_reads_back_the_same_tables(exported):
    comments, _, _, _ = fixture_tables()
    r = read_convokit(str(exported)).records
    assert list(r["comment_id"]) == list(comments["comment_id"])
    assert list(r["parent_id"]) == list(comments["parent_id"])
    assert list(r["author"]) == list(comments["author_id"])  # each unknown speaker reads back as ''
    pd.testing.assert_series_equal(r["created_at"], comments["created_at"], check_names=False)  # NaT stays NaT
    assert "threadscope" not in r.columns


def test_convokit_roundtrip_sharded_export_with_annotations_is_the_same(tmp_path, exported):
    from analysis import io

    comments, threads, docs, stance = fixture_tables()
    paths, ann = [], []
    for k, tid in enumerate(["s:a", "s:b"]):
        cp, tp = tmp_path / f"c{k}.parquet", tmp_path / f"t{k}.parquet"
        dp, sp = tmp_path / f"d{k}.parquet", tmp_path / f"s{k}.parquet"
        io.write_table(comments[comments["thread_id"] == tid].reset_index(drop=True), cp, "comments")
        io.write_table(threads[threads["thread_id"] == tid].reset_index(drop=True), tp, "threads")
        docs[docs["thread_id"] == tid].to_parquet(dp, index=False)
        stance[stance["thread_id"] == tid].to_parquet(sp, index=False)
        paths.append((cp, tp))
        ann.append((dp, sp))
    export_convokit(paths, str(tmp_path / "sharded"), annotations=ann)
    for name in ("utterances.jsonl", "speakers.json", "conversations.json", "index.json"):
        assert (tmp_path / "sharded" / name).read_bytes() == (exported / name).read_bytes(), name


def test_convokit_roundtrip_root_is_article_is_a_config_choice(exported, monkeypatch):
    monkeypatch.chdir(ROOT)  # the default dictionaries are paths relative to the project
    source = {"id": "ck", "format": "convokit", "path": str(exported), "convokit": {"root_is_article": False}}
    check_config({"sources": [source]})
    as_turn = read_source(source).records
    assert "s:a" in set(as_turn["comment_id"])  # the root is a turn of the dialogue
    as_article = read_source({**source, "convokit": {"root_is_article": True}}).records
    assert "s:a" not in set(as_article["comment_id"])
    default = {"id": "ck", "format": "convokit", "path": str(exported)}
    check_config({"sources": [default]})
    assert default["convokit"] == {"root_is_article": True}
    with pytest.raises(ConfigError, match="root_is_article"):
        check_config({"sources": [{**source, "convokit": {"root_is_article": "no"}}]})


def test_convokit_roundtrip_with_convokit_itself(exported, capsys):
    """Load the export with ConvoKit 5 and run its chronology and traversal on every conversation."""
    convokit = pytest.importorskip("convokit", reason="ConvoKit is not installed (it pulls in torch and spaCy; "
                                                      "install it in a separate environment to run this test)")
    corpus = convokit.Corpus(filename=str(exported))
    assert len(list(corpus.iter_utterances())) == 8
    for conv in corpus.iter_conversations():
        chrono = conv.get_chronological_utterance_list()
        assert chrono[0].id == conv.id and len(chrono) == len(conv.get_utterance_ids())
        times = [u.timestamp for u in chrono]
        assert times == sorted(times)
        bfs = [u.id for u in conv.traverse("bfs")]
        assert bfs[0] == conv.id and sorted(bfs) == sorted(conv.get_utterance_ids())
        conv.print_conversation_structure()
    assert "comment" not in capsys.readouterr().err
    utt = corpus.get_utterance("3")
    assert utt.meta["threadscope"]["frame_hits"] == {"civil_war": 0, "terrorism": 1}  # fixture row of comment 3
    assert utt.speaker.id != corpus.get_utterance("2").speaker.id
