"""Small shared pieces: table contract, pseudonyms, shards, escaping, config errors."""

import csv
import html
import re

import pandas as pd
import pytest
import yaml

from analysis import columns, io
from analysis.config import check_config
from analysis.errors import ConfigError
from analysis.privacy import pseudonym, pseudonymise
from analysis.render import escape, fmt_number, html_table
from analysis.sharding import shard_of, shards


def test_contract_rejects_missing_and_mistyped_columns():
    df = columns.empty("lines")
    with pytest.raises(columns.TableContractError, match="missing column"):
        columns.conform(df.drop(columns="role"), "lines")
    bad = pd.DataFrame({"file": ["a"], "record": ["not a number"], "role": ["x"], "comment_id": [""]})
    with pytest.raises(columns.TableContractError, match="'record'"):
        columns.conform(bad, "lines")
    nulls = pd.DataFrame({"file": [None], "record": [1], "role": ["x"], "comment_id": [""]})
    with pytest.raises(columns.TableContractError, match="missing value"):
        columns.conform(nulls, "lines")


def test_contract_metadata_must_not_shadow_core():
    df = columns.empty("threads")
    with pytest.raises(columns.TableContractError, match="reuse core"):
        columns.conform(df, "threads", metadata=["title"])


def test_pseudonyms_are_stable_salted_and_hide_names():
    a = pseudonym("Hind Abyad", salt="s1")
    assert a == pseudonym("Hind Abyad", salt="s1")
    assert a != pseudonym("Hind Abyad", salt="s2")
    assert re.fullmatch(r"u[0-9a-f]{10}", a)
    assert pseudonym("", salt="s1") == ""
    out = pseudonymise(pd.Series(["Ann", "Bob", "Ann", ""]), salt="x")
    assert out[0] == out[2] != out[1] and out[3] == ""
    assert list(pseudonymise(pd.Series(["Ann"]), salt="x", enabled=False)) == ["Ann"]


def test_shards_are_stable_and_in_range():
    ids = pd.Series([f"t{i}" for i in range(500)])
    s = shards(ids, 7)
    assert s.min() >= 0 and s.max() <= 6
    assert len(set(s)) == 7  # 500 ids reach every shard
    assert all(shard_of(t, 7) == v for t, v in zip(ids, s))
    # blake2b, not Python's randomised hash: a fixed value computed independently
    import hashlib
    expect = int.from_bytes(hashlib.blake2b(b"seed:x", digest_size=8).digest(), "big") % 4
    assert shard_of("seed:x", 4) == expect


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "```{raw} html\n<script>alert(2)</script>\n```",
    "{eval-rst}`x` and [link](javascript:alert(3))",
    "$\\input{/etc/passwd}$",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_leaves_no_markup(text):
    out = escape(text)
    assert "<" not in out.replace("<br>", "") and ">" not in out.replace("<br>", "")
    assert "`" not in out and '"' not in out
    assert html.unescape(out.replace("<br>", "\n")) == text


def test_html_table_escapes_every_cell_and_formats_numbers():
    df = pd.DataFrame({"title": ["<b>x</b>"], "n": [3051], "share": [0.4567]})
    out = html_table(df, caption="<i>c</i>")
    assert "<b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out and "&lt;i&gt;c" in out
    assert '<td class="num">3,051</td>' in out and '<td class="num">0.46</td>' in out
    assert fmt_number(2.0) == "2" and fmt_number(True) == "True"


def default_config():
    return yaml.safe_load(open("config/config.yaml", encoding="utf-8"))


@pytest.mark.parametrize(
    "change,key,expected",
    [
        ({"n_shards": "two"}, "n_shards", "type integer"),
        ({"n_shards": 0}, "n_shards", ">= 1"),
        ({"orphans": "drop"}, "orphans", "one of"),
        ({"sources": [{"id": "s", "path": "x"}]}, "sources[0]", "'format' is a required property"),
        ({"sources": [{"id": "s", "path": "x", "format": "csv"}]}, "sources[0].columns", "needs a column"),
        ({"sources": [{"id": "s", "path": "x", "format": "csv", "columns": {"id": "a", "txt": "b"}}]},
         "sources[0].columns", "Additional properties"),
        ({"tokenize": {"stem": "yes"}}, "tokenize.stem", "boolean"),
        ({"lexicons": ["nope.yaml"]}, "lexicons", "no dictionary file"),
        ({"sources": [{"id": "a", "path": "x", "format": "reddit"}, {"id": "a", "path": "y", "format": "reddit"}]},
         "sources", "unique"),
    ],
)
def test_config_errors_name_the_key(change, key, expected):
    cfg = default_config()
    cfg.update(change)
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    assert err.value.key == key
    assert expected in str(err.value)


def test_config_defaults_are_filled():
    cfg = {"sources": [{"id": "s", "path": "data/seed", "format": "scraped_text"}]}
    check_config(cfg)
    assert cfg["n_shards"] == 4 and cfg["pseudonymise"] is True
    assert cfg["tokenize"]["stopwords"] == "english"
    assert cfg["sources"][0]["encoding"] == "utf-8"
    assert cfg["sources"][0]["scraped"]["paragraphs"] == "continue"


def test_index_pair_frames_must_exist_before_any_job():
    cfg = default_config()
    cfg["framing"] = {"index_pairs": [["rights", "civil_war"]]}
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    assert err.value.key == "framing.index_pairs" and "'rights'" in str(err.value)


@pytest.mark.parametrize("example", ["createdebate", "sfu", "frac"])
def test_example_configs_are_valid(example):
    import pathlib
    cfg = default_config()
    cfg.update(yaml.safe_load(pathlib.Path(f"config/examples/{example}.yaml").read_text(encoding="utf-8")))
    check_config(cfg)


def test_a_text_cell_with_a_lone_carriage_return_stays_one_cell(tmp_path):
    table = pd.DataFrame({"text": ["first\rsecond", "plain", None], "n": [1, 2, 3]})
    io.write_csv(table, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))  # what a spreadsheet's import and every CSV reader see
    assert rows == [["text", "n"], ["first\rsecond", "1"], ["plain", "2"], ["", "3"]]
    back = io.read_csv(tmp_path / "t.csv")
    assert back["text"].tolist()[:2] == ["first\rsecond", "plain"] and pd.isna(back["text"][2])
    assert back["n"].tolist() == [1, 2, 3]
    io.write_csv(table.iloc[1:], tmp_path / "plain.csv")  # without one, the bytes are pandas' usual ones
    assert (tmp_path / "plain.csv").read_text(encoding="utf-8") == "text,n\nplain,2\n,3\n"
