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


def _kwic(frames):
    return pd.DataFrame({"frame": frames, "comment_id": [f"c{i}" for i in range(len(frames))]})


@pytest.mark.parametrize("max_rows", [0, 3, 6, 7, 8, 11, 12, 100])
def test_preview_holds_at_most_max_rows_and_as_many_of_each_frame_as_fit(tmp_path, max_rows):
    frames = ["war", "terror", "war", "war", "aid", "terror", "war", "aid", "war", "war", "terror", "war"]
    path = tmp_path / "concordance.parquet"
    pq.write_table(pa.Table.from_pandas(_kwic(frames), preserve_index=False), path, row_group_size=5)
    out = concordance_preview(path, max_rows=max_rows)
    # oracle by brute force: the largest k whose sum over frames of min(lines, k) fits, the first k of each frame
    sizes = pd.Series(frames).value_counts()
    k = max(k for k in range(len(frames) + 1) if sizes.clip(upper=k).sum() <= max_rows)
    seen: dict[str, int] = {}
    expected = []
    for i, f in enumerate(frames):
        seen[f] = seen.get(f, 0) + 1
        if seen[f] <= k:
            expected.append(f"c{i}")
    assert out["comment_id"].tolist() == expected and len(out) <= max_rows
    assert out.attrs["n_rows"] == 12
    if max_rows >= 12:
        assert len(out) == 12  # every line, when they fit


def test_concordance_table_is_aligned_key_word_in_context_and_says_what_it_holds():
    from analysis.book import concordance_table

    kwic = pd.DataFrame({"frame": ["war", "aid"], "left": ["the <b>long", ""], "match": ["war", "aid"],
                         "right": ["is over", "</td><script>x</script>"], "counted": [True, False],
                         "quoted": [False, True], "negated": [False, False], "comment_id": ["c1", "c2"],
                         "author_id": ["a", "b"], "thread_id": ["t", "t"], "term": ["war", "aid"]})
    kwic.attrs["n_rows"] = 2
    out = concordance_table(kwic)
    assert "<caption>Concordance: all 2 matches</caption>" in out and 'class="ts-table-wrap ts-kwic' in out
    assert '<td class="kwic-left"><span><bdi>the &lt;b&gt;long</bdi></span></td>' in out
    assert '<td class="kwic-match"><span><bdi>war</bdi></span></td>' in out
    assert '<td class="kwic-right"><span><bdi>&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;</bdi></span></td>' in out
    assert "<script>" not in out
    heads = [h.split(">")[-1] for h in out.split("</th>")[:-1]]
    assert heads == ["frame", "left context", "match", "right context", "counted", "quoted", "negated", "comment",
                     "author", "thread"]
    assert "<td>yes</td><td>no</td><td>no</td>" in out  # counted, quoted, negated of the first line
    kwic.attrs["n_rows"] = 1000
    assert "the first 1 match of each frame, 2 of 1,000 (every match is in the CSV)" in concordance_table(kwic)


def test_rates_by_group_keeps_the_configured_groupings_in_a_readable_order():
    from analysis.book import rates_by_group

    rows = [("all", "all", "war"), ("doc", "comment", "war"), ("depth", "10", "war"), ("depth", "2", "war"),
            ("depth", "10", "aid"), ("depth", "2", "aid"), ("depth", "12+", "war"), ("side", "pro", "war"),
            ("side", "anti", "war"), ("depth", "0", "war")]
    rates = pd.DataFrame(rows, columns=["by", "group", "frame"]).assign(
        rate=1.0, ci_low=0.5, ci_high=1.5, hits=3, tokens=3000, n_docs=2)
    out = rates_by_group(rates, ["side", "depth"])
    # by hand: the config's order of groupings, depth 0 < 2 < 10 as numbers, then text; frames as first seen
    assert list(zip(out["by"], out["group"], out["frame"])) == [
        ("side", "anti", "war"), ("side", "pro", "war"), ("depth", "0", "war"), ("depth", "2", "war"),
        ("depth", "2", "aid"), ("depth", "10", "war"), ("depth", "10", "aid"), ("depth", "12+", "war")]
    assert set(rates_by_group(rates)["by"]) == {"doc", "depth", "side"}  # without a config: all but 'all'


def test_rates_by_group_shows_the_depth_bands_after_the_depths():
    from analysis.book import rates_by_group

    rows = [("depth", "5", "war"), ("depth", "1", "war"), ("depth_band", "49+", "war"),
            ("depth_band", "13\u201324", "war"), ("depth_band", "4\u20136", "war"), ("depth_band", "1", "war"),
            ("period", "2015-03", "war"), ("period", "2014-12", "war")]
    rates = pd.DataFrame(rows, columns=["by", "group", "frame"]).assign(
        rate=1.0, ci_low=0.5, ci_high=1.5, hits=3, tokens=3000, n_docs=2)
    out = rates_by_group(rates, ["depth", "period"])
    # by hand: bands in depth order right after the depths (1 < 4-6 < 13-24 < 49+), periods as text
    assert list(zip(out["by"], out["group"])) == [
        ("depth", "1"), ("depth", "5"), ("depth_band", "1"), ("depth_band", "4\u20136"), ("depth_band", "13\u201324"),
        ("depth_band", "49+"), ("period", "2014-12"), ("period", "2015-03")]
