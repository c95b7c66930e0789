"""The fast paths of the concordance rule against the slow ones: Arrow CSV lines against pandas' to_csv, and the
folding of whitespace that rewrites only the lines that change against Python's re."""

import io as bytes_io
import re
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.arrow_csv import write_csv_rows

HOSTILE = ["a", "", "x,y", 'q"q', "n\nl", "c\rr", "\r\n", "sp ace", " lead ", "tab\tt", "semi;", "'s'", "\x00nul", "é€😀",
           "x\u2028y", "#", "=1+1", "-", "NA", "None", "nan", '"', '""', ",", "\n", 'a"b,c\nd', "True", "1.0", None]


def pandas_bytes(df: pd.DataFrame, *, header: bool = True) -> bytes:
    return df.to_csv(index=False, header=header, lineterminator="\n").encode("utf-8")


def arrow_bytes(table: pa.Table, **options) -> bytes:
    out = bytes_io.BytesIO()
    n = write_csv_rows(table, out, **options)
    assert n == len(out.getvalue())
    return out.getvalue()


def frame() -> pd.DataFrame:
    n = len(HOSTILE)
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "text": pd.array(HOSTILE, dtype="str"),
        "back": pd.array(HOSTILE[::-1], dtype="str"),
        "flag": rng.random(n) < 0.5,
        "maybe": pd.array([True, False, None] * (n // 3) + [None] * (n % 3), dtype="boolean"),
        "count": rng.integers(-10**12, 10**12, n),
        "small": pd.array(list(range(n - 1)) + [None], dtype="Int32"),
        "obj": pd.Series(HOSTILE, dtype=object),
        'we,ird "name"\n': pd.array(HOSTILE[1:] + ["z"], dtype="str"),
    })


def test_arrow_csv_lines_are_the_bytes_pandas_writes():
    df = frame()
    table = pa.Table.from_pandas(df, preserve_index=False)
    assert arrow_bytes(table) == pandas_bytes(df)
    assert arrow_bytes(table, header=False) == pandas_bytes(df, header=False)
    for col in df.columns:  # one column: an empty cell is written "" (else it is an empty line)
        one = df[[col]]
        assert arrow_bytes(pa.Table.from_pandas(one, preserve_index=False)) == pandas_bytes(one), col
    # slices and several chunks, dictionary-encoded and 32-bit-offset strings
    sliced = pa.concat_tables([table.slice(3, 7), table.slice(0, 2), table.slice(11)])
    expect = pd.concat([df.iloc[3:10], df.iloc[0:2], df.iloc[11:]])
    assert sliced.column("text").num_chunks == 3
    assert arrow_bytes(sliced) == pandas_bytes(expect)
    narrow = pa.table({"d": pa.array(HOSTILE).dictionary_encode(), "s": pa.array(HOSTILE, type=pa.string())})
    assert arrow_bytes(narrow) == pandas_bytes(pd.DataFrame({"d": HOSTILE, "s": HOSTILE}))
    # no rows: the header only
    assert arrow_bytes(table.slice(0, 0)) == pandas_bytes(df.iloc[:0])
    assert arrow_bytes(table.slice(0, 0), header=False) == b""


def test_arrow_csv_refuses_what_it_cannot_write_as_pandas_does():
    with pytest.raises(TypeError):
        arrow_bytes(pa.table({"x": [1.5, 2.0]}))
    with pytest.raises(TypeError):
        arrow_bytes(pa.table({"x": pa.nulls(2)}))
    with pytest.raises(TypeError):
        arrow_bytes(pa.table({}))


def test_concordance_folds_lines_that_need_it_and_leaves_the_others():
    """Every line alone: one of each whitespace character, doubled, among plain single spaces, or none."""
    from analysis.framing import concordance

    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and re.match(r"\s", chr(c))]
    chars += ["\u200b", "\ufeff", "\x1c\x1d", "a"]  # not whitespace to re, and a multi-character run
    pieces = [f"a{ch}b" for ch in chars] + [f"a{ch}{ch}b c" for ch in chars] + [f"{ch}x y{ch}" for ch in chars]
    pieces += ["plain words here", "", "  ", " ", "a  b", "a \u3000b", "no_space"]
    text = "|".join(pieces)
    starts = np.cumsum([0] + [len(p) + 1 for p in pieces[:-1]])
    n = len(pieces)
    m = pd.DataFrame({"thread_id": "t", "comment_id": "c", "doc": "comment", "lexicon": "l", "lexicon_sha": "s", "frame": "f",
                      "term": "x", "match": pieces, "start": starts, "end": starts + [len(p) for p in pieces],
                      "quoted": False, "negated": False, "counted": True})
    kwic = concordance(m, {("t", "c", "comment"): text}, width=3)
    fold = [re.sub(r"\s+", " ", p) for p in pieces]
    assert kwic["match"].tolist() == fold
    assert kwic["left"].tolist() == [re.sub(r"\s+", " ", text[max(0, s - 3):s]) for s in starts]
    assert kwic["right"].tolist() == [re.sub(r"\s+", " ", text[e:e + 3]) for e in starts + [len(p) for p in pieces]]
    assert sum(f != p for f, p in zip(fold, pieces)) > n // 2 and sum(f == p for f, p in zip(fold, pieces)) > 10


def reference_concordance(matches, texts, width, authors):
    """The lines as the first version built them: one lookup and two slices per match, re's whitespace folding."""
    get = (authors or {}).get
    rows = []
    for r in matches.itertuples(index=False):
        text = texts[(r.thread_id, r.comment_id, r.doc)]
        rows.append((get((r.thread_id, r.comment_id), ""), re.sub(r"\s+", " ", text[max(0, r.start - width):r.start]),
                     re.sub(r"\s+", " ", r.match), re.sub(r"\s+", " ", text[r.end:r.end + width])))
    return rows


@pytest.mark.parametrize("width", [0, 1, 5, 60])
def test_concordance_lines_in_any_order_against_one_lookup_per_match(width):
    """Matches grouped by document or shuffled, spans past the text's end, documents without an author."""
    from analysis.framing import concordance

    rng = np.random.default_rng(width)
    texts = {("t1", "1", "comment"): "The civil war,\n\tgoes on — “war” é😀 war.",
             ("t1", "", "article"): "War " * 30,
             ("t2", "1", "comment"): "x",
             ("t2", "2", "comment"): "a\u3000\u3000b war\r\nc",
             ("t3", "1", "comment"): ""}
    authors = {("t1", "1"): "u1", ("t2", "1"): "u2"}
    rows = []
    for (t, c, d), text in texts.items():
        for start in sorted(rng.integers(0, len(text) + 3, size=4).tolist()):
            end = start + int(rng.integers(0, 4))
            rows.append((t, c, d, text[start:end] or "w", start, end))
    grouped = pd.DataFrame(rows, columns=["thread_id", "comment_id", "doc", "match", "start", "end"]).assign(
        lexicon="l", lexicon_sha="s", frame="f", term="w", quoted=False, negated=True, counted=True)
    shuffled = grouped.iloc[rng.permutation(len(grouped))].reset_index(drop=True)
    for m in (grouped, shuffled, shuffled.iloc[:1]):
        kwic = concordance(m, texts, width=width, authors=authors)
        got = list(zip(kwic["author_id"], kwic["left"], kwic["match"], kwic["right"]))
        assert got == reference_concordance(m, texts, width, authors)
        assert kwic[["thread_id", "comment_id", "doc", "term", "negated"]].equals(m[["thread_id", "comment_id", "doc", "term", "negated"]])
        assert str(kwic["author_id"].dtype) == "str" and str(kwic["left"].dtype) == "str"
    assert concordance(grouped, texts, width=width)["author_id"].eq("").all()
    with pytest.raises(KeyError):
        concordance(grouped.assign(doc="other"), texts, width=width)
