"""Flat tables: CSV, JSONL, Parquet; encodings, CRLF, quoted newlines, bad bytes."""

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.tables import read_table

MAP = {"id": "id", "parent_id": "parent", "thread_id": "thread", "author": "who", "created_at": "when", "text": "body"}


def write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


CSV = (
    'id,parent,thread,who,when,body,side\r\n'
    '1,,t1,Ann,2020-01-01 10:00:00,"Hello, ""world""\r\nsecond line",yes\r\n'
    '2,1,t1,Bob,2020-01-01 11:00,Reply,no\r\n'
)


def test_csv_quoted_newlines_crlf_metadata(tmp_path):
    p = write(tmp_path, "a.csv", CSV.encode("utf-8"))
    r = read_table([p], fmt="csv", mapping=MAP)
    rec = r.records
    assert list(rec["comment_id"]) == ["1", "2"]
    assert list(rec["parent_id"]) == ["", "1"]
    assert rec.loc[0, "text"] == 'Hello, "world"\nsecond line'
    assert list(rec["side"]) == ["yes", "no"]  # unmapped column kept as metadata
    assert rec.loc[1, "created_at"] == pd.Timestamp("2020-01-01 11:00", tz="UTC")
    assert list(rec["record"]) == [1, 2]
    assert r.metadata == ["side"]
    assert r.n_read == 2


@pytest.mark.parametrize("encoding,data", [
    ("utf-8", "\ufeff" + CSV.replace("Bob", "Zoë")),
    ("utf-8-sig", "\ufeff" + CSV.replace("Bob", "Zoë")),
    ("utf-8", CSV.replace("Bob", "Zoë")),
])
def test_utf8_with_or_without_bom(tmp_path, encoding, data):
    p = write(tmp_path, "a.csv", data.encode("utf-8"))
    rec = read_table([p], fmt="csv", mapping=MAP, encoding=encoding).records
    assert list(rec["author"]) == ["Ann", "Zoë"]
    assert "id" not in rec.columns  # BOM did not leak into the first header


def test_cp1252(tmp_path):
    p = write(tmp_path, "a.csv", CSV.replace("Reply", "caf\u00e9 \u2019quoted\u2019").encode("cp1252"))
    rec = read_table([p], fmt="csv", mapping=MAP, encoding="cp1252").records
    assert rec.loc[1, "text"] == "caf\u00e9 \u2019quoted\u2019"


def test_undecodable_bytes_are_quarantined_not_dropped(tmp_path):
    data = CSV.encode("utf-8").replace(b"Reply", b"Re\xffply")
    p = write(tmp_path, "a.csv", data)
    r = read_table([p], fmt="csv", mapping=MAP)
    assert list(r.records["comment_id"]) == ["1"]
    assert len(r.rejects) == 1
    rej = r.rejects.iloc[0]
    assert rej["reason"] == "undecodable_bytes" and rej["record"] == 2
    assert "Re\\xffply" in rej["raw"]
    assert r.n_read == 2


def test_broken_csv_stops_with_file_and_line(tmp_path):
    p = write(tmp_path, "bad.csv", b'id,body\n1,"ok"\n2,"unclosed\n3,x\n')
    with pytest.raises(InputError, match="bad.csv"):
        read_table([p], fmt="csv", mapping={"id": "id", "text": "body"})


def test_missing_mapped_column(tmp_path):
    p = write(tmp_path, "a.csv", b"id,text\n1,x\n")
    with pytest.raises(InputError, match=r"mapped column\(s\) \['body'\] not found"):
        read_table([p], fmt="csv", mapping={"id": "id", "text": "body"})


def test_jsonl_malformed_line_is_quarantined(tmp_path):
    lines = [
        '{"id": "1", "body": "hi", "thread": "t", "score": 3}',
        "",
        '{"id": "2", "parent": "1", "body": "yo", "thread": "t"',
        '[1, 2]',
        '{"id": "3", "parent": "1", "body": "ok", "thread": "t", "extra": {"a": 1}}',
    ]
    p = write(tmp_path, "a.jsonl", "\n".join(lines).encode())
    r = read_table([p], fmt="jsonl", mapping={"id": "id", "parent_id": "parent", "thread_id": "thread", "text": "body"})
    assert list(r.records["comment_id"]) == ["1", "3"]
    assert list(r.records["record"]) == [1, 5]  # line numbers
    assert list(r.rejects["record"]) == [3, 4]
    assert set(r.rejects["reason"]) == {"malformed_record"}
    assert r.records.loc[0, "score"] == "3" and r.records.loc[1, "score"] == ""
    assert r.records.loc[1, "extra"] == '{"a": 1}'


def test_parquet_and_default_thread_per_file(tmp_path):
    p = tmp_path / "forum.parquet"
    pd.DataFrame({"id": [1, 2], "body": ["a", "b"], "when": [1577872800, 1577876400]}).to_parquet(p)
    r = read_table([str(p)], fmt="parquet", mapping={"id": "id", "text": "body", "created_at": "when"}, time_unit="s")
    assert list(r.records["thread_id"]) == ["forum", "forum"]
    assert list(r.records["comment_id"]) == ["1", "2"]
    assert r.records.loc[0, "created_at"] == pd.Timestamp("2020-01-01 10:00", tz="UTC")


def test_threads_take_first_title(tmp_path):
    p = write(tmp_path, "a.csv", b"id,thread,title,body\n1,t,First,x\n2,t,,y\n3,u,Other,z\n")
    r = read_table([p], fmt="csv", mapping={"id": "id", "thread_id": "thread", "title": "title", "text": "body"})
    assert dict(zip(r.threads["thread_id"], r.threads["title"])) == {"t": "First", "u": "Other"}
    assert "title" not in r.records.columns


def test_without_id_column_the_record_number_is_the_id(tmp_path):
    p = write(tmp_path, "sents.csv", b"id,body\nA,first\nA,second\n")
    r = read_table([p], fmt="csv", mapping={"text": "body"})
    assert list(r.records["comment_id"]) == ["sents-1", "sents-2"]
    assert list(r.records["id"]) == ["A", "A"]  # the unmapped column stays as metadata
