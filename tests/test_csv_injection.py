"""Issue 17, finding 4: spreadsheet formula injection.

Cells that a spreadsheet would read as formulas (OWASP's list: a first
character ``=``, ``+``, ``-``, ``@``, tab or carriage return) are neutralised
with a leading ``'`` in every CSV the book offers for download and in the
coding sheets; the tables under ``results/`` keep the data as it is. The
expected cells are written out by hand.
"""

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from helpers import with_sample_dictionaries

from analysis.book import safe_downloads
from analysis.spreadsheet import safe_cell, safe_csv
from analysis.validation.sheets import coding_sheets

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "csv_injection"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _live(cell: str) -> bool:
    """A cell a spreadsheet would run: it starts with a trigger and is not a number (a second method: float())."""
    if not cell.startswith(TRIGGERS):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize(("cell", "expected"), [
    ("=1+1", "'=1+1"),
    ("=HYPERLINK(\"http://x.invalid\")", "'=HYPERLINK(\"http://x.invalid\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    ("-left", "'-left"),
    # plain numbers stay numbers
    ("-0.85", "-0.85"), ("+3", "+3"), ("1e-05", "1e-05"), ("-1.5E+10", "-1.5E+10"), ("-inf", "-inf"), (".5", ".5"),
    # anything else is left alone
    ("", ""), ("a=b", "a=b"), (" =1+1", " =1+1"), ("'=1", "'=1"), ("civil war", "civil war"),
])
def test_safe_cell_by_hand(cell, expected):
    assert safe_cell(cell) == expected


def test_safe_csv_neutralises_cells_and_keeps_the_rest(tmp_path):
    src = tmp_path / "in.csv"
    rows = [["term", "z", "text"], ["=cmd", "-1.25", "civil war"], ["@x", "2", "line\nbreak, \"quoted\""],
            ["ok", "-0.5", "\r=1+1 cr inside"], ["-left", "3", "+right"]]
    with open(src, "w", encoding="utf-8", newline="") as fh:  # quoted: a carriage return stays in its cell
        csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    before = src.read_bytes()
    dest = tmp_path / "out.csv"
    assert safe_csv(src, dest) == 5
    assert src.read_bytes() == before  # the source table keeps the data as it is
    expected = [["term", "z", "text"], ["'=cmd", "-1.25", "civil war"], ["'@x", "2", "line\nbreak, \"quoted\""],
                ["ok", "-0.5", "'\r=1+1 cr inside"], ["'-left", "3", "'+right"]]
    assert _rows(dest) == expected
    # read back as pandas does: the number columns are still numbers
    assert pd.read_csv(dest)["z"].tolist() == [-1.25, 2, -0.5, 3]


def test_safe_csv_copies_a_clean_file_byte_for_byte(tmp_path):
    src = tmp_path / "clean.csv"
    src.write_bytes(b'a,b\n"x, y",-0.5\n1,2e-05\n')
    assert safe_csv(src, tmp_path / "copy.csv") == 0
    assert (tmp_path / "copy.csv").read_bytes() == src.read_bytes()


def test_safe_downloads_covers_every_csv_of_the_book(tmp_path):
    gen = tmp_path / "_generated"
    (gen / "figures").mkdir(parents=True)
    (gen / "tables").mkdir()
    (gen / "figures" / "keyness.csv").write_text("group,term,z\n-left,@handle,-2.5\n+right,=,1.0\n", encoding="utf-8")
    (gen / "tables" / "concordance.csv").write_text('"left","match"\n"=HYPERLINK(1) the ","civil war"\n',
                                                    encoding="utf-8")
    (gen / "tables" / "packages.csv").write_text("name,version\nnumpy,2.0\n", encoding="utf-8")
    assert safe_downloads(gen) == 5
    assert _rows(gen / "figures" / "keyness.csv") == [["group", "term", "z"], ["'-left", "'@handle", "-2.5"],
                                                       ["'+right", "'=", "1.0"]]
    assert _rows(gen / "tables" / "concordance.csv") == [["left", "match"], ["'=HYPERLINK(1) the ", "civil war"]]
    assert (gen / "tables" / "packages.csv").read_text(encoding="utf-8") == "name,version\nnumpy,2.0\n"


def test_coding_sheets_use_the_same_rule_and_keep_carriage_returns_out():
    """A carriage return would be written unquoted (Python 3.11's csv with "\\n" line ends) and start a new row
    whose first cell is live: the sheets' line ends are "\\n"."""
    sample = pd.DataFrame({"item_id": ["i1", "i2", "i3", "i4"], "frame": ["civil_war"] * 4, "thread_id": ["t"] * 4,
                           "comment_id": ["=c1", "c2", "c3", "c4"], "doc": ["comment"] * 4,
                           "text": ["=HYPERLINK(\"x\") civil war", "-5", "\t@SUM(1)", "\r=1+1 a\r\nb"]})
    (sheet,) = coding_sheets(sample, coders=["a"]).values()
    by_item = dict(zip(sheet["item_id"], sheet["text"]))
    assert by_item == {"i1": "'=HYPERLINK(\"x\") civil war", "i2": "-5", "i3": "'\t@SUM(1)", "i4": "'\n=1+1 a\nb"}


# --------------------------------------------------------------------------
# the workflow: results keep the data, the book's downloads and the coding sheets are safe


@pytest.mark.workflow
def test_csv_injection_in_the_workflow(tmp_path):
    from test_workflow import run_workflow

    config = {
        "sources": [{"id": "inj", "format": "csv", "path": str(FIXTURE / "comments.csv"),
                     "columns": {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id",
                                 "author": "user", "created_at": "posted", "text": "body",
                                 "title": "thread_title"}}],
        "results": str(tmp_path / "results"),
        "n_shards": 1,
        "framing": {"keyness_groups": ["side"], "keyness_min_count": 1, "group_by": ["doc", "side"]},
        "polarization": {"groups": "column", "group_column": "side"},
    }
    done = run_workflow(with_sample_dictionaries(config), tmp_path)
    assert done.returncode == 0, done.stderr[-5000:]
    results = tmp_path / "results"
    # the fixture does plant live cells in the results tables, which keep the data as it is
    concordance = _rows(results / "framing" / "concordance.csv")
    assert any(cell.startswith("=HYPERLINK") for row in concordance for cell in row)
    assert any(_live(c) for row in _rows(results / "figures" / "reply_tree.csv") for c in row)
    staged = results / "book" / "src" / "_generated"
    downloads = sorted(staged.rglob("*.csv"))
    built = sorted((results / "book" / "_build" / "html" / "_downloads").rglob("*.csv"))
    sheets = sorted((results / "validation" / "sheets").glob("*.csv"))
    assert {p.name for p in downloads} >= {"concordance.csv", "keyness.csv", "reply_tree.csv"}
    assert built and sheets
    for path in downloads + built + sheets:
        live = [c for row in _rows(path) for c in row if _live(c)]
        assert not live, f"{path}: live formula cells {live[:5]}"
    # the book's concordance is the results' one with formulas neutralised, cell for cell
    assert _rows(staged / "tables" / "concordance.csv") == [[safe_cell(c) for c in row] for row in concordance]
    shutil.rmtree(tmp_path / "results", ignore_errors=True)
