"""Issue 17, finding 3: one date order per column; epoch units inferred from magnitude or an error."""

import pandas as pd
import pytest

from analysis.errors import ConfigError, InputError
from analysis.ingest.tables import parse_times, read_table

MAP = {"id": "id", "created_at": "when", "text": "body"}


def _csv(tmp_path, rows, name="t.csv"):
    p = tmp_path / name
    p.write_text("id,when,body\n" + "".join(f"{i},{w},x\n" for i, w in enumerate(rows, 1)), encoding="utf-8")
    return str(p)


def ts(text):
    return pd.Timestamp(text, tz="UTC")


def test_day_first_is_decided_over_the_whole_column(tmp_path):
    # 13/02 can only be day first, so 01/02 is 1 February (row by row it was 2 January)
    r = read_table([_csv(tmp_path, ["01/02/2020", "13/02/2020 14:05"])], fmt="csv", mapping=MAP)
    assert list(r.records["created_at"]) == [ts("2020-02-01"), ts("2020-02-13 14:05")]


def test_month_first_is_decided_over_the_whole_column(tmp_path):
    r = read_table([_csv(tmp_path, ["01/02/2020", "02/13/2020"])], fmt="csv", mapping=MAP)
    assert list(r.records["created_at"]) == [ts("2020-01-02"), ts("2020-02-13")]


def test_order_is_one_over_all_files_of_a_source(tmp_path):
    a = _csv(tmp_path, ["01/02/2020"], "a.csv")
    b = _csv(tmp_path, ["13/02/2020"], "b.csv")
    r = read_table([a, b], fmt="csv", mapping=MAP)
    assert list(r.records["created_at"]) == [ts("2020-02-01"), ts("2020-02-13")]


def test_two_digit_years_and_dots(tmp_path):
    r = read_table([_csv(tmp_path, ["31.12.99", "01.02.05"])], fmt="csv", mapping=MAP)
    assert list(r.records["created_at"]) == [ts("1999-12-31"), ts("2005-02-01")]


@pytest.mark.parametrize("rows,match", [
    (["13/02/2020", "02/13/2020"], "dates in both day/month orders"),
    (["01/02/2020", "03/04/2020"], "no date decides"),
])
def test_undecidable_order_asks_for_time_format(tmp_path, rows, match):
    with pytest.raises(InputError, match=rf"t\.csv: column 'when': {match}.*time_format"):
        read_table([_csv(tmp_path, rows)], fmt="csv", mapping=MAP)


def test_time_format_decides(tmp_path):
    r = read_table([_csv(tmp_path, ["01/02/2020", "03/04/2020"])], fmt="csv", mapping=MAP, time_format="%m/%d/%Y")
    assert list(r.records["created_at"]) == [ts("2020-01-02"), ts("2020-03-04")]
    with pytest.raises(ConfigError, match="time_format"):
        parse_times(pd.Series(["x"]), time_format="%Q")


# 2020-09-13 12:26:40 UTC is 1600000000 s since the epoch (checked by hand: 18518 days * 86400 + 44800 s).
@pytest.mark.parametrize("values", [
    ["1600000000", "1600000060"],
    ["1600000000000", "1600000060000"],
    ["1600000000000000", "1600000060000000"],
    ["1600000000000000000", "1600000060000000000"],
    ["1600000000.0", "1600000060.5"],
])
def test_epoch_unit_is_inferred_from_magnitude(values):
    got = parse_times(pd.Series(values))
    assert got.iloc[0] == ts("2020-09-13 12:26:40")
    assert got.iloc[1] - got.iloc[0] >= pd.Timedelta(seconds=60)
    assert got.notna().all()


def test_epochs_of_mixed_magnitude_name_the_column(tmp_path):
    with pytest.raises(InputError, match=r"t\.csv: column 'when': numeric times of different magnitudes.*time_unit"):
        read_table([_csv(tmp_path, ["1600000000", "1600000000000"])], fmt="csv", mapping=MAP)


def test_epoch_and_text_mixed_is_an_error(tmp_path):
    with pytest.raises(InputError, match="column 'when': mixes numbers"):
        read_table([_csv(tmp_path, ["1600000000", "2020-01-01"])], fmt="csv", mapping=MAP)


def test_no_readable_time_is_an_error_not_all_missing(tmp_path):
    with pytest.raises(InputError, match="column 'when': none of the 2 times could be read"):
        read_table([_csv(tmp_path, ["soon", "later"])], fmt="csv", mapping=MAP)


def test_some_unreadable_times_are_a_warning(tmp_path):
    r = read_table([_csv(tmp_path, ["2020-01-01", "soon", ""])], fmt="csv", mapping=MAP)
    assert r.records["created_at"].isna().tolist() == [False, True, True]
    assert len(r.warnings) == 1 and "column 'when': 1 of 2 times could not be read" in r.warnings[0]
