"""Issue 17, finding 8: NUL and other control characters are removed from text at ingest and counted."""

import json

import pandas as pd

from analysis.ingest.canonical import ingest, remove_control_chars
from analysis.ingest.tables import read_table

MAP = {"id": "id", "text": "body", "title": "title"}
ROWS = [
    # (id, body, title); control characters counted by hand in the comments below
    ("1", "civ\x00il war", "Ti\x07tle"),        # NUL in the text, BEL in the title: 2
    ("2", "tab\tand\nnewline\r kept", ""),      # whitespace controls are kept: 0
    ("3", "\x1b[31mred\x7f\x85", ""),           # ESC, DEL, NEL (C1): 3
    ("4", "\x00\x00", ""),                      # nothing left: 2, then empty_text
]


def _jsonl(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text("".join(json.dumps({"id": i, "body": b, "title": t}) + "\n" for i, b, t in ROWS), encoding="utf-8")
    return str(p)


def test_control_characters_removed_and_counted(tmp_path):
    out = ingest(read_table([_jsonl(tmp_path)], fmt="jsonl", mapping=MAP), source="s", fmt="jsonl", n_shards=1,
                 salt="x")
    text = dict(zip(out.comments["comment_id"], out.comments["text"]))
    assert text == {"1": "civil war", "2": "tab\tand\nnewline\r kept", "3": "[31mred"}
    assert out.threads.loc[0, "title"] == "Title"
    assert out.report["control_chars_removed"] == 7
    assert list(out.quarantine["reason"]) == ["empty_text"]
    assert out.report["records_read"] == 4 == out.report["comments_kept"] + out.report["quarantined"]


def test_raw_nul_byte_in_a_csv(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(b"id,body\n1,a\x00b\n2,ok\n")
    out = ingest(read_table([str(p)], fmt="csv", mapping={"id": "id", "text": "body"}), source="s", fmt="csv",
                 n_shards=1, salt="x")
    assert list(out.comments["text"]) == ["ab", "ok"]
    assert out.report["control_chars_removed"] == 1


def test_remove_control_chars_against_a_per_character_oracle():
    texts = pd.Series(["".join(chr(c) for c in range(0, 0xA1)), "plain", ""])
    cleaned, n = remove_control_chars(texts)
    # oracle: Unicode category Cc, except tab, line feed and carriage return
    import unicodedata
    keep = [ch for ch in texts[0] if unicodedata.category(ch) != "Cc" or ch in "\t\n\r"]
    assert cleaned[0] == "".join(keep)
    assert n == len(texts[0]) - len(keep) == 65 - 3
    assert list(cleaned[1:]) == ["plain", ""]


def test_counts_add_up_over_the_shards_of_a_source(tmp_path):
    from analysis.ingest.canonical import combine_reports

    reports = []
    for shard, body in enumerate(["a\x00b", "\x01c\x02"]):
        p = tmp_path / f"s{shard}.csv"
        p.write_text(f"id,body\n1,{body}\n", encoding="utf-8")
        r = read_table([str(p)], fmt="csv", mapping={"id": "id", "text": "body"})
        reports.append(ingest(r, source="s", fmt="csv", n_shards=2, shard=shard, salt="x").report)
    combined = combine_reports(reports, authors=0)
    assert combined["control_chars_removed"] == 3
    assert combined["input_lines"] == {"blank": 0, "header": 2, "in_records": 2, "lines": 4, "multiline_records": 0}
