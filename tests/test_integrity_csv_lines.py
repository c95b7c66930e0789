"""Issue 17, finding 3: every physical line of a CSV file is accounted for; a stray quote is not silent."""

import pytest

from analysis.errors import InputError
from analysis.ingest.canonical import ingest
from analysis.ingest.tables import read_table

MAP = {"id": "id", "author": "who", "text": "body"}

# Five data lines; the stray quote opening line 2's text closes only on line 4, so pandas reads
# 3 records (1 glued with 2 and 3, then 4, 5). By hand: lines 3 and 4 are rows of their own.
STRAY = 'id,who,body\n1,ann,"Hello\n2,bob,I agree\n3,cat,Nope"\n4,dan,fine\n5,eve,ok\n'
# A genuine multi-line comment: its second line does not split into three fields.
MULTI = 'id,who,body\n1,ann,"Hello\nsecond line"\n\n2,bob,ok\n'


def _read(tmp_path, text):
    p = tmp_path / "t.csv"
    p.write_text(text, encoding="utf-8")
    return read_table([str(p)], fmt="csv", mapping=MAP)


def test_stray_quote_is_quarantined_naming_the_lines(tmp_path):
    r = _read(tmp_path, STRAY)
    assert list(r.records["comment_id"]) == ["4", "5"]
    assert len(r.rejects) == 1
    rej = r.rejects.iloc[0]
    assert rej["reason"] == "malformed_record" and rej["record"] == 1
    assert "line 2 runs to line 4" in rej["detail"] and "3, 4" in rej["detail"]
    assert rej["raw"] == '1,ann,"Hello\n2,bob,I agree\n3,cat,Nope"'
    # 6 physical lines = 1 header + 0 blank + 5 in records (3 in the glued one)
    assert r.line_counts == {"lines": 6, "header": 1, "blank": 0, "in_records": 5, "multiline_records": 1}


def test_report_does_not_balance_falsely(tmp_path):
    r = _read(tmp_path, STRAY)
    out = ingest(r, source="s", fmt="csv", n_shards=1, salt="x")
    rep = out.report
    assert rep["records_read"] == 3 and rep["comments_kept"] == 2 and rep["quarantined"] == 1
    assert rep["input_lines"] == {"lines": 6, "header": 1, "blank": 0, "in_records": 5, "multiline_records": 1}


def test_genuine_multiline_comment_is_kept(tmp_path):
    r = _read(tmp_path, MULTI)
    assert list(r.records["text"]) == ["Hello\nsecond line", "ok"]
    assert r.rejects.empty
    assert r.line_counts == {"lines": 5, "header": 1, "blank": 1, "in_records": 3, "multiline_records": 1}


def test_single_line_records_take_the_fast_count(tmp_path):
    r = _read(tmp_path, "id,who,body\n1,ann,a\n\n2,bob,b")  # no final newline
    assert r.line_counts == {"lines": 4, "header": 1, "blank": 1, "in_records": 2, "multiline_records": 0}


@pytest.mark.parametrize("text", ["id,who,body\n1,ann,a\n   \n2,bob,b\n"])
def test_whitespace_only_line_counts_as_blank(tmp_path, text):
    r = _read(tmp_path, text)
    assert len(r.records) == 2
    assert r.line_counts["blank"] == 1 and r.line_counts["in_records"] == 2


def test_jsonl_lines_are_accounted_for_too(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text('{"id": "1", "body": "a"}\n\n  \nnot json\n{"id": "2", "body": "b"}\n', encoding="utf-8")
    r = read_table([str(p)], fmt="jsonl", mapping={"id": "id", "text": "body"})
    # by hand: 5 lines = 2 blank + 2 records + 1 rejected line
    assert r.line_counts == {"lines": 5, "header": 0, "blank": 2, "in_records": 3, "multiline_records": 0}
    assert len(r.records) == 2 and len(r.rejects) == 1


def test_lone_cr_line_ends_are_counted_as_the_parser_reads_them(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(STRAY.replace("\n", "\r").encode())
    r = read_table([str(p)], fmt="csv", mapping=MAP)
    assert list(r.records["comment_id"]) == ["4", "5"] and len(r.rejects) == 1
    assert r.line_counts == {"lines": 6, "header": 1, "blank": 0, "in_records": 5, "multiline_records": 1}


def test_a_field_longer_than_the_csv_modules_default_limit_is_read(tmp_path):
    # Python's csv module stops at 131,072 characters per field by default; pandas has no such limit, and a
    # multi-line post that long must be counted, not end the run
    long_text = ("word " * 40_000).strip() + "\nand a second line"
    r = _read(tmp_path, f'id,who,body\n1,ann,"{long_text}"\n2,bob,ok\n')
    assert list(r.records["text"]) == [long_text, "ok"] and r.rejects.empty
    assert r.line_counts["multiline_records"] == 1


def test_blank_lines_around_multiline_records_are_placed_by_hand(tmp_path):
    # By hand: line 1 blank, 2 header, 3-6 record 1 (its text holds an empty and a spaces-only line), 7 and 8
    # blank, 9-10 record 2, 11 record 3, 12 blank: 12 lines = 1 header + 4 blank + 7 in records.
    r = _read(tmp_path, '\nid,who,body\n1,ann,"a\n\n  \nb"\n   \n\n2,bob,"x\ny"\n3,cat,z\n\n')
    assert list(r.records["text"]) == ["a\n\n  \nb", "x\ny", "z"]
    assert r.line_counts == {"lines": 12, "header": 1, "blank": 4, "in_records": 7, "multiline_records": 2}


def test_stray_quote_after_blank_lines_names_its_own_lines(tmp_path):
    # STRAY with two blank lines before its first record: the glued record now runs from line 4 to line 6
    r = _read(tmp_path, STRAY.replace("\n1,ann", "\n\n  \n1,ann"))
    rej = r.rejects.iloc[0]
    assert "line 4 runs to line 6" in rej["detail"] and "5, 6" in rej["detail"]
    assert rej["raw"] == '1,ann,"Hello\n2,bob,I agree\n3,cat,Nope"'
    assert r.line_counts == {"lines": 8, "header": 1, "blank": 2, "in_records": 5, "multiline_records": 1}


def test_a_quoted_header_name_over_two_lines_counts_as_header_lines(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('id,who,"bo\ndy"\n1,ann,"a\nb"\n', encoding="utf-8")
    r = read_table([str(p)], fmt="csv", mapping={"id": "id", "text": "bo\ndy"})
    assert r.line_counts == {"lines": 4, "header": 2, "blank": 0, "in_records": 2, "multiline_records": 1}


def test_blank_lines_before_the_header_are_blank(tmp_path):
    # by hand: lines 1-3 blank (one of spaces), 4 header, 5-7 one record whose text holds an empty line
    r = _read(tmp_path, '\n\n  \nid,who,body\n1,ann,"a\n\nb"\n')
    assert list(r.records["text"]) == ["a\n\nb"]
    assert r.line_counts == {"lines": 7, "header": 1, "blank": 3, "in_records": 3, "multiline_records": 1}


@pytest.mark.parametrize("line", ['""', "\x0c"])
def test_a_line_one_parser_calls_blank_and_the_other_a_record_stops_the_run(tmp_path, line):
    # pandas reads '""' (or a form feed) as a record of empty fields, the csv module as a blank line
    with pytest.raises(InputError, match="rows by the standard CSV reader"):
        _read(tmp_path, f'id,who,body\n1,ann,"a\nb"\n{line}\n2,bob,c\n')
