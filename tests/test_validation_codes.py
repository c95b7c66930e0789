"""Reading returned coding sheets and adjudicating gold labels (analysis.validation.codes), by hand."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.validation.codes import adjudicate, parse_code, read_codes, reliability_matrix

NAN = np.nan


SAMPLE = pd.DataFrame({
    "item_id": ["war:t:1:comment", "war:t:2:comment", "war:t:3:comment", "tax:t:1:comment"],
    "frame": ["war", "war", "war", "tax"],
})


def test_read_codes_stacks_sheets_and_keeps_blanks_missing():
    sheets = {
        "ann": pd.DataFrame({"item_id": ["war:t:2:comment", "war:t:1:comment", "tax:t:1:comment"],
                             "code": ["1", " 0 ", ""], "note": ["", "", "unclear"]}),
        "bob": pd.DataFrame({"item_id": ["war:t:1:comment", "war:t:2:comment", "war:t:3:comment", "tax:t:1:comment"],
                             "frame": ["war", "war", "war", ""], "code": [0, 1.0, NAN, "1.0"]}),
    }
    codes = read_codes(sheets, SAMPLE)
    assert list(codes.columns) == ["item_id", "coder", "code"]
    assert str(codes["code"].dtype) == "Int64"
    got = [(i, c, None if pd.isna(v) else int(v)) for i, c, v in codes.itertuples(index=False)]
    assert got == [
        ("war:t:2:comment", "ann", 1), ("war:t:1:comment", "ann", 0), ("tax:t:1:comment", "ann", None),
        ("war:t:1:comment", "bob", 0), ("war:t:2:comment", "bob", 1), ("war:t:3:comment", "bob", None),
        ("tax:t:1:comment", "bob", 1),
    ]
    wide = reliability_matrix(codes)
    assert list(wide.columns) == ["ann", "bob"] and list(wide.index) == sorted(SAMPLE["item_id"])
    assert wide.loc["war:t:3:comment"].isna().all()  # ann's sheet lacks it, bob left it blank


@pytest.mark.parametrize("sheet, message", [
    (pd.DataFrame({"item_id": ["war:t:1:comment", "war:t:9:comment"], "code": ["1", "0"]}),
     r"coding sheet of coder 'ann', record 2: unknown item id 'war:t:9:comment'"),
    (pd.DataFrame({"item_id": ["war:t:1:comment", "war:t:1:comment"], "code": ["1", "0"]}),
     r"record 2: item id 'war:t:1:comment' appears twice \(first at record 1\)"),
    (pd.DataFrame({"item_id": ["war:t:1:comment", "war:t:2:comment"], "code": ["1", "yes"]}),
     r"record 2: item 'war:t:2:comment': invalid code 'yes'; expected 0, 1 or blank"),
    (pd.DataFrame({"item_id": ["war:t:1:comment"], "code": [2]}), r"record 1: .*invalid code 2"),
    (pd.DataFrame({"item_id": ["war:t:1:comment"], "code": [True]}), r"record 1: .*invalid code True"),
    (pd.DataFrame({"item_id": [""], "code": ["1"]}), r"record 1: empty item_id"),
    (pd.DataFrame({"item_id": ["war:t:1:comment"], "frame": ["tax"], "code": ["1"]}),
     r"record 1: item 'war:t:1:comment' has frame 'tax'; the sample says 'war'"),
    (pd.DataFrame({"item_id": ["war:t:1:comment"], "Code": ["1"]}),
     r"coding sheet of coder 'ann': missing column\(s\) \['code'\]"),
])
def test_read_codes_errors_name_the_sheet_and_record(sheet, message):
    with pytest.raises(InputError, match=message):
        read_codes({"ann": sheet}, SAMPLE)


def test_adjudicate_majority_and_ties():
    codes = pd.DataFrame({
        "item_id": ["a"] * 3 + ["b"] * 2 + ["c"] * 3 + ["d"] * 2 + ["e"] * 2,
        "coder": ["x", "y", "z", "x", "y", "x", "y", "z", "x", "y", "x", "y"],
        "code": pd.array([1, 1, 0, 1, 0, 0, 0, pd.NA, pd.NA, pd.NA, 1, pd.NA], dtype="Int64"),
    })
    gold = adjudicate(codes)
    assert list(gold.columns) == ["item_id", "gold", "n_codes", "n_ones", "tie"]
    rows = {r.item_id: (None if pd.isna(r.gold) else int(r.gold), r.n_codes, r.n_ones, bool(r.tie))
            for r in gold.itertuples(index=False)}
    assert rows == {
        "a": (1, 3, 2, False),     # 2 to 1
        "b": (None, 2, 1, True),   # 1 to 1: a tie, no gold
        "c": (0, 2, 0, False),     # a blank is not a 0 vote
        "d": (None, 0, 0, False),  # nobody coded it
        "e": (1, 1, 1, False),     # a single code decides
    }


def test_parse_code_reads_spreadsheet_forms_and_refuses_others():
    assert [parse_code(v) for v in ("1", " 0 ", "1.0", 0, 1.0)] == [1.0, 0.0, 1.0, 0.0, 1.0]
    assert all(np.isnan(parse_code(v)) for v in ("", "  ", None, NAN, pd.NA))
    assert [parse_code(v) for v in ("yes", 2, True, "01", 0.5)] == [None] * 5
