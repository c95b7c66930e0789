"""The book's concordance preview: the first lines of each frame, read without reading every line."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.book import concordance_preview


@pytest.mark.parametrize("row_group_size", [1, 3, 7, 1000])
def test_preview_is_the_first_lines_of_each_frame(tmp_path, row_group_size):
    frames = ["war", "terror", "war", "war", "aid", "terror", "war", "aid", "war", "war", "terror", "war"]
    kwic = pd.DataFrame({"frame": frames, "thread_id": [f"t{i % 3}" for i in range(len(frames))],
                         "comment_id": [f"c{i}" for i in range(len(frames))], "left": ["x, \"y\"\n"] * len(frames),
                         "quoted": [i % 2 == 0 for i in range(len(frames))]})
    path = tmp_path / "concordance.parquet"
    pq.write_table(pa.Table.from_pandas(kwic, preserve_index=False), path, row_group_size=row_group_size)
    out = concordance_preview(path, per_frame=2)
    # by hand: war rows 0, 2; terror rows 1, 5; aid rows 4, 7; in file order
    assert out["comment_id"].tolist() == ["c0", "c1", "c2", "c4", "c5", "c7"]
    expected = pd.read_parquet(path).groupby("frame", sort=False).head(2).reset_index(drop=True)
    pd.testing.assert_frame_equal(out, expected)
    assert out.attrs["n_rows"] == len(frames)


def test_preview_of_an_empty_concordance(tmp_path):
    path = tmp_path / "concordance.parquet"
    pq.write_table(pa.table({"frame": pa.array([], pa.string()), "left": pa.array([], pa.string())}), path)
    out = concordance_preview(path)
    assert len(out) == 0 and list(out.columns) == ["frame", "left"] and out.attrs["n_rows"] == 0
