"""The language columns: rule shard's `language` / `article_language`, declared and mapped languages, the config."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from analysis import columns, io
from analysis.config import check_config
from analysis.errors import ConfigError, InputError
from analysis.ingest.sources import read_source
from analysis.language import with_languages
from analysis.sharding import shard as shard_tables

ROOT = Path(__file__).resolve().parents[1]
# hand-made fixtures
EN = "I think the war in Syria is a civil war, not a revolution."
EN2 = "The rebels and the army both shelled the old city."
AR = "الحرب الأهلية في سوريا مستمرة منذ سنوات"
FR = "Je pense que cette guerre est une guerre civile et non une révolution."


def shard(parts, table, *, languages=None):
    """Rule shard as the script runs it: the language columns, then the shard."""
    return shard_tables(with_languages(parts, table, languages=languages) if languages is not None else parts, table)


def comments_part(source: str, texts: list[str], **extra) -> pd.DataFrame:
    n = len(texts)
    frame = pd.DataFrame({
        "thread_id": f"{source}:t1", "comment_id": [f"c{i}" for i in range(n)], "parent_id": "", "depth": 1,
        "position": list(range(1, n + 1)), "author_id": "", "created_at": pd.NaT, "text": texts, "source": source,
        "file": f"data/{source}.csv", "record": list(range(1, n + 1)), "rule": "record", "is_placeholder": False,
        "shard": 0, **extra})
    return columns.conform(frame, "comments").to_pandas()


def threads_part(source: str, article: str, **extra) -> pd.DataFrame:
    frame = pd.DataFrame({"thread_id": [f"{source}:t1"], "source": source, "title": "", "article_text": [article],
                          "site_tags": "", "n_comments": 1, "shard": 0, **extra})
    return columns.conform(frame, "threads").to_pandas()


def test_shard_identifies_each_comment_and_article_and_keeps_declared_codes(tmp_path):
    found = comments_part("a", [EN, AR, FR, "ok", ""], side="x")
    declared = comments_part("b", [EN, EN2], language=["ar", "ARZ"])  # the source's word, not identified
    frame, meta = shard([found, declared], "comments", languages=["en", "ar"])
    assert frame["language"].tolist() == ["en", "ar", "fr", "und", "und", "ar", "ar"]
    assert meta == ["side"]  # language is a column of the contract, not metadata
    io.write_table(frame, tmp_path / "c.parquet", "comments", metadata=meta)
    names = pq.read_schema(tmp_path / "c.parquet").names
    assert names == columns.core_names("comments") + ["language", "side"]
    threads, tmeta = shard([threads_part("a", EN), threads_part("b", ""), threads_part("c", AR)], "threads",
                           languages=["en", "ar"])
    assert threads["article_language"].tolist() == ["en", "und", "ar"] and tmeta == []


def test_without_languages_the_tables_are_as_before():
    frame, meta = shard([comments_part("a", [EN, AR])], "comments")
    assert "language" not in frame and meta == []
    assert list(columns.conform(frame, "comments").schema.names) == columns.core_names("comments")


def test_a_declared_code_that_is_not_iso_639_1_names_file_and_record():
    bad = comments_part("a", [EN, EN2], language=["en", "English"])
    with pytest.raises(InputError, match=r"data/a\.csv, record 2: language 'English' is not an ISO 639-1 code"):
        shard([bad], "comments", languages=["en"])


def write_csv(path: Path, rows: list[dict]) -> str:
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


def test_a_source_declares_its_language_or_maps_a_column(tmp_path):
    rows = [{"id": "1", "body": AR, "lang": "ar", "language": "Arabic"}, {"id": "2", "body": EN, "lang": "en",
                                                                          "language": "English"}]
    path = write_csv(tmp_path / "x.csv", rows)
    declared = read_source({"id": "x", "format": "csv", "path": path, "language": "ar",
                            "columns": {"id": "id", "text": "body"}})
    assert declared.records["language"].tolist() == ["ar", "ar"]
    assert declared.records["meta_language"].tolist() == ["Arabic", "English"]  # the data's own column, kept aside
    assert declared.threads["article_language"].tolist() == ["und"]  # no article text
    mapped = read_source({"id": "x", "format": "csv", "path": path, "columns": {"id": "id", "text": "body",
                                                                               "language": "lang"}})
    assert mapped.records["language"].tolist() == ["ar", "en"] and "lang" not in mapped.records
    plain = read_source({"id": "x", "format": "csv", "path": path, "columns": {"id": "id", "text": "body"}})
    assert "language" not in plain.records and "meta_language" in plain.records
    with pytest.raises(InputError, match="no column 'langue'"):
        read_source({"id": "x", "format": "csv", "path": path, "columns": {"text": "body", "language": "langue"}})


def sample_config(**changes) -> dict:
    cfg = copy.deepcopy(yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8")))
    cfg.update(changes)
    return cfg


@pytest.fixture
def in_project(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_config_languages(in_project):
    assert check_config(sample_config())["languages"] == ["en"]
    assert check_config(sample_config(languages=["en", "ar", "fa"]))["languages"] == ["en", "ar", "fa"]  # fa: no bucket
    # the sample's English dictionaries would be matched on no comment of a study in other languages
    with pytest.raises(ConfigError, match="syria_frames.yaml is in 'en'"):
        check_config(sample_config(languages=["ar", "fa"]))
    with pytest.raises(ConfigError, match="languages: \\[ar, en\\]"):
        check_config(sample_config(languages=["ar"]))
    for bad, key in [(["EN"], "languages"), (["xx"], "languages"), ([], "languages")]:
        with pytest.raises(ConfigError, match=key):
            check_config(sample_config(languages=bad))
    both = sample_config(sources=[{"id": "x", "format": "csv", "path": "data/seed", "language": "ar",
                                   "columns": {"text": "body", "language": "lang"}}])
    with pytest.raises(ConfigError, match=r"sources\[0\]\.language"):
        check_config(both)


def test_convokit_export_carries_the_languages(tmp_path):
    import json

    from analysis.export_convokit import write_convokit

    comments, _ = shard([comments_part("a", [EN, AR])], "comments", languages=["en", "ar"])
    threads, _ = shard([threads_part("a", AR)], "threads", languages=["en", "ar"])
    write_convokit(comments, threads, str(tmp_path / "corpus"))
    lines = [json.loads(x) for x in (tmp_path / "corpus" / "utterances.jsonl").read_text(encoding="utf-8").split("\n")
             if x]
    langs = {u["id"]: u["meta"].get("language") for u in lines}
    assert langs == {"a:t1": "ar", "c0": "en", "c1": "ar"}  # the root utterance is the article
    convs = json.loads((tmp_path / "corpus" / "conversations.json").read_text(encoding="utf-8"))
    assert convs["a:t1"]["meta"]["article_language"] == "ar"


def test_book_language_substitutions_warn_above_ten_percent_outside():
    from analysis.book import language_substitutions, languages_table
    from analysis.language import shares

    # 8 en, 1 ar, 1 und: outside the configured [en] are ar only (und is no language): 10% exactly, no warning
    labels = pd.Series(["en"] * 8 + ["ar", "und"])
    s = shares(labels, languages=["en"])
    numbers = {"share_outside": 0.1, "model": "py3langid 0.4.0", "configured": ["en"]}
    subs = language_substitutions(numbers, s, sources=[{"id": "a"}, {"id": "b", "language": "ar"}])
    assert subs["warn"] is False and subs["outside"] == "10.0%"
    assert subs["summary"].replace("\\", "") == "en 80.0%, ar 10.0%, und 10.0%"  # MyST-escaped
    assert "source(s) b was declared" in subs["declared"]
    assert language_substitutions({**numbers, "share_outside": 0.11}, s, sources=[])["warn"] is True
    # the page explains the Arabic rules only where there are Arabic comments
    assert subs["arabic"] is True
    english = shares(pd.Series(["en"] * 9 + ["und"]), languages=["en"])
    assert language_substitutions(numbers, english, sources=[])["arabic"] is False
    html = languages_table(s)
    assert "<td>ar</td>" in html.replace(' class="num"', "") or ">ar<" in html
    assert "80.0%" in html


def test_languages_figure_counts_the_share_outside(tmp_path):
    import json

    from analysis import figures
    from analysis.language import shares

    s = shares(pd.Series(["ar"] * 6 + ["en"] * 3 + ["und"]), languages=["ar"])
    figures.languages(tmp_path / "languages", shares=s, languages=["ar"])
    note = json.loads((tmp_path / "languages.json").read_text(encoding="utf-8"))
    assert note["numbers"]["share_outside"] == 0.3  # en: 3 of 10; und is not counted as outside
    assert note["numbers"]["n_comments"] == 10
    assert pd.read_csv(tmp_path / "languages.csv")["language"].tolist() == ["ar", "en", "und"]
