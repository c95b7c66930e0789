"""The concordance: its lines against one lookup per match and Python's re, and its files against one pass and CSV
readers."""

import csv as py_csv
import re
import runpy
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis import io
from analysis.concordance import COLUMNS, concordance, concordance_lines
from analysis.matcher import document_texts

HOSTILE = ["a", "", "x,y", 'q"q', "n\nl", "c\rr", "\r\n", "sp ace", " lead ", "tab\tt", "semi;", "'s'", "\x00nul",
           "é€😀",
           "x\u2028y", "#", "=1+1", "-", "NA", "None", "nan", '"', '""', ",", "\n", 'a"b,c\nd', "True", "1.0", "null"]


def reference_concordance(matches, texts, width, authors):
    """The lines as the first version built them: one lookup and two slices per match, re's whitespace folding."""
    get = (authors or {}).get
    rows = []
    for r in matches.itertuples(index=False):
        text = texts[(r.thread_id, r.comment_id, r.doc)]
        rows.append((get((r.thread_id, r.comment_id), ""), re.sub(r"\s+", " ", text[max(0, r.start - width):r.start]),
                     re.sub(r"\s+", " ", r.match), re.sub(r"\s+", " ", text[r.end:r.end + width])))
    return rows


def one_match_table(pieces: list[str]) -> tuple[pd.DataFrame, str, np.ndarray]:
    """One match per piece, the pieces joined by '|' into one comment's text."""
    text = "|".join(pieces)
    starts = np.cumsum([0] + [len(p) + 1 for p in pieces[:-1]])
    m = pd.DataFrame({"thread_id": "t", "comment_id": "c", "doc": "comment", "lexicon": "l", "lexicon_sha": "s",
                      "frame": "f",
                      "term": "x", "match": pieces, "start": starts, "end": starts + [len(p) for p in pieces],
                      "quoted": False, "negated": False, "in_quote": False, "counted": True})
    return m, text, starts


def test_lines_fold_the_lines_that_need_it_and_leave_the_others():
    """Every line alone: one of each whitespace character, doubled, among plain single spaces, or none."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and re.match(r"\s", chr(c))]
    chars += ["\u200b", "\ufeff", "\x1c\x1d", "a"]  # not whitespace to re, and a multi-character run
    pieces = [f"a{ch}b" for ch in chars] + [f"a{ch}{ch}b c" for ch in chars] + [f"{ch}x y{ch}" for ch in chars]
    pieces += ["plain words here", "", "  ", " ", "a  b", "a \u3000b", "no_space"]
    m, text, starts = one_match_table(pieces)
    kwic = concordance_lines(m, {("t", "c", "comment"): text}, width=3)
    fold = [re.sub(r"\s+", " ", p) for p in pieces]
    assert kwic["match"].tolist() == fold
    assert kwic["left"].tolist() == [re.sub(r"\s+", " ", text[max(0, s - 3):s]) for s in starts]
    assert kwic["right"].tolist() == [re.sub(r"\s+", " ", text[e:e + 3]) for e in starts + [len(p) for p in pieces]]
    n = len(pieces)
    assert sum(f != p for f, p in zip(fold, pieces)) > n // 2 and sum(f == p for f, p in zip(fold, pieces)) > 10


def test_lines_fold_exactly_pythons_whitespace():
    """Arrow folds the lines; every code point Python's re calls whitespace (\\s) folds, and no other."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    text = "".join(f"x{ch}{ch}y" for ch in chars)  # each character twice between two letters
    m = pd.DataFrame({"thread_id": ["t"], "comment_id": ["c"], "doc": ["comment"], "lexicon": ["l"],
                      "lexicon_sha": ["s"],
                      "frame": ["f"], "term": ["x"], "match": [" a\u3000\u2029b\t"], "start": [len(text)],
                      "end": [len(text)],
                      "quoted": [False], "negated": [False], "in_quote": [False], "counted": [True]})
    line = concordance_lines(m, {("t", "c", "comment"): text}, width=len(text)).iloc[0]
    # a whitespace character left alone stays doubled, any other folded one is lost: both differ from re
    assert line["left"] == re.sub(r"\s+", " ", text) and line["match"] == " a b "
    assert len(line["left"]) == len(text) - sum(1 for ch in chars if re.match(r"\s", ch))


@pytest.mark.parametrize("width", [0, 1, 5, 60])
def test_lines_in_any_order_against_one_lookup_per_match(width):
    """Matches grouped by document or shuffled, spans past the text's end, documents without an author."""
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
        lexicon="l", lexicon_sha="s", frame="f", term="w", quoted=False, negated=True, in_quote=False, counted=True)
    shuffled = grouped.iloc[rng.permutation(len(grouped))].reset_index(drop=True)
    for m in (grouped, shuffled, shuffled.iloc[:1]):
        kwic = concordance_lines(m, texts, width=width, authors=authors)
        assert list(kwic.columns) == COLUMNS
        got = list(zip(kwic["author_id"], kwic["left"], kwic["match"], kwic["right"]))
        assert got == reference_concordance(m, texts, width, authors)
        assert kwic[["thread_id", "comment_id", "doc", "term", "negated"]].equals(
            m[["thread_id", "comment_id", "doc", "term", "negated"]])
        assert str(kwic["author_id"].dtype) == "str" and str(kwic["left"].dtype) == "str"
    assert concordance_lines(grouped, texts, width=width)["author_id"].eq("").all()
    with pytest.raises(KeyError):
        concordance_lines(grouped.assign(doc="other"), texts, width=width)


# ---------------------------------------------------------------- the files, shard by shard


def shard_tables() -> list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """(matches, comments, threads) of three shards: the first without a match, the others with hostile text."""
    out = []
    hostile = " ".join(HOSTILE)
    shards = [("a", {"c0": "Nothing to see."}, ""),
              ("b", {"c0": "The civil war is a war.", "c1": 'He said "terrorists"\n\tbut   not, a rebel yell.'},
               "An uprising began."),
              ("c", {"c5": hostile, 'c"6,\n': "war"}, hostile[::-1])]
    for i, (thread, texts, article) in enumerate(shards):
        rows = []
        docs = [("", "article", article)] if article else []
        for cid, doc, text in docs + [(c, "comment", x) for c, x in texts.items()]:
            for k, term in enumerate(["war", "rebel", "terror", "NA", '"', "\n", "é€😀", ","]):
                start = text.find(term)
                if i and start >= 0:
                    rows.append((thread, cid, doc, "lex", "abc123", f"frame{k % 3}", HOSTILE[len(rows) % len(HOSTILE)],
                                 text[start:start + len(term)], 0,
                                 0, 1, start, start + len(term), k % 2 == 0, k % 3 == 0, False, k != 1))
        matches = pd.DataFrame(rows, columns=["thread_id", "comment_id", "doc", "lexicon", "lexicon_sha", "frame",
                                              "term", "match", "sentence", "token_start", "token_end", "start", "end",
                                              "quoted", "negated", "in_quote", "counted"])
        matches = matches.sort_values(["thread_id", "comment_id", "doc", "start"], kind="stable").reset_index(drop=True)
        matches.insert(matches.columns.get_loc("match") + 1, "clitic", "")
        comments = pd.DataFrame({"thread_id": thread, "comment_id": list(texts),
                                 "author_id": [f"u{i}{j}" for j in range(len(texts))],
                                 "text": list(texts.values())})
        if i == 2:
            comments.loc[1, "author_id"] = ""
        threads = pd.DataFrame({"thread_id": [thread], "article_text": [article]})
        out.append((matches, comments, threads))
    return out


def write_shards(tmp_path: Path, tables) -> dict[str, list[str]]:
    paths = {k: [] for k in ("matches", "comments", "threads")}
    for i, shard in enumerate(tables):
        for name, df in zip(("matches", "comments", "threads"), shard):
            path = tmp_path / name / f"shard-{i:03d}.parquet"
            path.parent.mkdir(exist_ok=True)
            if name == "matches":
                io.write_table(df, path, "matches")  # as the matcher writes it, also when empty
            else:
                df.to_parquet(path, index=False)
            paths[name].append(str(path))
    return paths


def one_pass(paths: dict[str, list[str]], width: int) -> pd.DataFrame:
    """The lines of all shards at once, as the rule made them before it streamed."""
    comments = io.read_tables(paths["comments"])
    authors = dict(zip(zip(comments["thread_id"], comments["comment_id"]), comments["author_id"]))
    return concordance_lines(io.read_tables(paths["matches"]),
                             document_texts(comments, io.read_tables(paths["threads"])),
                             width=width, authors=authors)


def test_rule_streams_shards_into_the_one_pass_table(tmp_path):
    """The rule's script writes shard after shard (the first without any match): the Parquet table of one pass."""
    paths = write_shards(tmp_path, shard_tables())
    out = tmp_path / "out"
    out.mkdir()
    smk = SimpleNamespace(
        input=SimpleNamespace(**paths), params=SimpleNamespace(width=12), log=[str(out / "concordance.log")],
        output=SimpleNamespace(table=str(out / "concordance.parquet"), csv=str(out / "concordance.csv")),
    )
    runpy.run_path(str(Path(__file__).resolve().parents[1] / "workflow" / "scripts" / "concordance.py"),
                   init_globals={"snakemake": smk})
    kwic = one_pass(paths, 12)
    assert len(kwic) == 15 and "15 concordance lines" in (out / "concordance.log").read_text()
    kwic.to_parquet(tmp_path / "one.parquet", index=False)
    got, want = pq.read_table(out / "concordance.parquet"), pq.read_table(tmp_path / "one.parquet")
    assert got.schema.equals(want.schema, check_metadata=True) and got.equals(want)
    # by hand: lines come in shard order; 12 characters each side, whitespace runs folded to one space
    assert list(kwic["thread_id"]) == sorted(kwic["thread_id"]) and set(kwic["thread_id"]) == {"b", "c"}
    line = kwic[(kwic["comment_id"] == "c1") & (kwic["match"] == "rebel")].iloc[0]
    assert (line["thread_id"], line["author_id"], line["left"], line["right"]) == ("b", "u11", "ut not, a ", " yell.")
    assert set(kwic.loc[kwic["comment_id"] == 'c"6,\n', "author_id"]) == {""}


def test_csv_readers_get_the_table_values(tmp_path):
    """pandas (also on the CSV pandas itself writes) and Python's csv module read back every value, hostile text
    included."""
    paths = write_shards(tmp_path, shard_tables())
    n = concordance(paths["matches"], paths["comments"], paths["threads"], table=tmp_path / "k.parquet",
                    csv=tmp_path / "k.csv",
                    width=5)
    kwic = one_pass(paths, 5)
    assert n == len(kwic)
    assert {"NA", '"', ",", "é€😀"} <= set(kwic["match"]) and {"n\nl", "x,y", 'q"q', "c\rr", "", "\r\n"} <= set(
        kwic["term"])
    read = pd.read_csv(tmp_path / "k.csv", keep_default_na=False)
    expect = kwic.astype({c: object for c in COLUMNS[:11]})
    pd.testing.assert_frame_equal(read.astype({c: object for c in COLUMNS[:11]}), expect, check_exact=True)
    # the bytes the rule wrote before (pandas'): the same values, except that pandas' reader ends a line at a bare
    # carriage return, which pandas' writer leaves unquoted (every string cell is quoted now)
    kwic.to_csv(tmp_path / "pandas.csv", index=False, lineterminator="\n")
    assert len(pd.read_csv(tmp_path / "pandas.csv", keep_default_na=False)) > len(kwic)
    no_cr = kwic[~kwic["term"].str.contains("\r", regex=False)]
    assert len(no_cr) < len(kwic)
    no_cr.to_csv(tmp_path / "pandas.csv", index=False, lineterminator="\n")
    pd.testing.assert_frame_equal(read[~read["term"].str.contains("\r", regex=False)].reset_index(drop=True),
                                  pd.read_csv(tmp_path / "pandas.csv", keep_default_na=False), check_exact=True)
    with open(tmp_path / "k.csv", newline="", encoding="utf-8") as fh:
        rows = list(py_csv.reader(fh))
    assert rows[0] == COLUMNS
    flags = {"true": True, "false": False}
    assert [r[:11] + [flags[v] for v in r[11:]] for r in rows[1:]] == kwic.astype(object).values.tolist()


def test_no_line_at_all_writes_the_empty_table(tmp_path):
    tables = shard_tables()[:1]
    paths = write_shards(tmp_path, tables)
    assert concordance(paths["matches"], paths["comments"], paths["threads"], table=tmp_path / "k.parquet",
                       csv=tmp_path / "k.csv", width=5) == 0
    assert pd.read_csv(tmp_path / "k.csv").columns.tolist() == COLUMNS and pd.read_csv(tmp_path / "k.csv").empty
    got = pd.read_parquet(tmp_path / "k.parquet")
    assert got.columns.tolist() == COLUMNS and got.empty
