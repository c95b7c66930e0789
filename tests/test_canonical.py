"""From reader records to canonical tables: ids, depth, position, pseudonyms, report."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import columns
from analysis.config import check_config
from analysis.ingest.canonical import ingest
from analysis.ingest.sources import read_source, resolve_paths
from analysis.ingest.tables import read_table

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TINY = ROOT / "tests" / "fixtures" / "tiny" / "forum.csv"
TINY_MAP = {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id", "author": "user",
            "created_at": "posted", "text": "body", "title": "thread_title"}


def tiny(**kw):
    result = read_table([str(TINY)], fmt="csv", mapping=TINY_MAP)
    return ingest(result, source="tiny", fmt="csv", n_shards=3, salt="s", **kw)


def test_tiny_forum_by_hand():
    out = tiny()
    c = out.comments.set_index("comment_id")
    # worked out from the fixture: thread t1 has 1 <- 2 <- 3 and 4 at top level
    assert c.loc["1", "thread_id"] == "tiny:t1"
    assert (c.loc["1", "depth"], c.loc["2", "depth"], c.loc["3", "depth"], c.loc["4", "depth"]) == (1, 2, 3, 1)
    assert (c.loc["1", "position"], c.loc["4", "position"]) == (1, 2)  # top level, by time
    assert c.loc["4", "text"] == "Both sides lie.\nSecond line of the same post."
    assert c.loc["1", "author_id"] == c.loc["3", "author_id"] != c.loc["2", "author_id"]
    assert out.report["records_read"] == 10
    assert out.report["comments_kept"] + out.report["quarantined"] == 10
    threads = out.threads.set_index("thread_id")
    assert threads.loc["tiny:t1", "title"] == "Is it a civil war?"
    assert threads.loc["tiny:t1", "n_comments"] == 4
    assert threads.loc["tiny:t2", "n_comments"] == 3
    columns.conform(out.comments, "comments", metadata=out.metadata)
    columns.conform(out.threads, "threads")


def test_mentions_are_pseudonymised():
    out = tiny()
    m = out.mentions
    assert list(m["kind"]) == ["handle"]
    assert m.loc[0, "mention"] == ""
    assert m.loc[0, "target_id"].startswith("u")
    plain = tiny(pseudonymise_names=False).mentions
    assert plain.loc[0, "mention"] == "@bob" and plain.loc[0, "target_id"] == "bob"
    # a handle resolves to the same pseudonym as the author it names
    assert m.loc[0, "target_id"] == tiny().comments.set_index("comment_id").loc["2", "author_id"]


def test_orphans_attach_option():
    out = tiny(orphans="attach")
    c = out.comments.set_index("comment_id")
    assert c.loc["5", "parent_id"] == "" and c.loc["5", "depth"] == 1
    assert c.loc["6", "depth"] == 2
    assert out.report["quarantined_by_reason"]["orphan_parent"] == 0


def test_resolve_paths_folder_glob_and_missing(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.csv").write_text("x")
    assert resolve_paths(str(tmp_path), "scraped_text") == [str(tmp_path / "a.txt")]
    assert resolve_paths(str(tmp_path / "*.csv"), "csv") == [str(tmp_path / "b.csv")]
    from analysis.errors import InputError
    with pytest.raises(InputError, match="no such file"):
        resolve_paths(str(tmp_path / "nope.csv"), "csv")
    with pytest.raises(InputError, match="no csv input files"):
        resolve_paths(str(tmp_path / "*.tsv"), "csv")


@pytest.mark.skipif(not (SHARED / "createdebate-guncontrol" / "comments.csv").exists(),
                    reason="../shared/data/createdebate-guncontrol is not beside the project")
def test_createdebate_example_config_ingests_every_post():
    cfg = yaml.safe_load((ROOT / "config" / "examples" / "createdebate.yaml").read_text())
    base = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    base.update(cfg)
    check_config(base)
    src = base["sources"][0]
    out = ingest(read_source(src, base=ROOT), source=src["id"], fmt=src["format"], n_shards=4, salt="s")
    raw = pd.read_csv(SHARED / "createdebate-guncontrol" / "comments.csv", dtype=str, keep_default_na=False)
    assert out.report["records_read"] == 3051 == len(raw)
    assert out.report["comments_kept"] == 3051 and out.report["quarantined"] == 0
    assert out.report["threads"] == 63
    c = out.comments
    # independent count from the raw file: replies are rows with a parent id
    assert int((c["depth"] > 1).sum()) == int((raw["parent_id"] != "").sum())
    assert set(c["side_label"]) == set(raw["side_label"])
    assert (c["side_stance"].value_counts().sort_index() == raw["side_stance"].value_counts().sort_index()).all()
    assert c["author_id"].nunique() == raw["author"].nunique()
    assert not set(raw["author"]) & set(c["author_id"])


def test_a_folder_of_scraped_pages_keeps_every_page(tmp_path):
    # every page numbers its comments c1, c2, ...: the second page's are not duplicates of the first's
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes((ROOT / "data" / "seed" / "assad-thanks-iran-north-korea.txt").read_bytes())
    src = {"id": "s", "format": "scraped_text", "path": str(tmp_path)}
    out = ingest(read_source(src), source="s", fmt="scraped_text", n_shards=2, salt="x")
    assert out.report["quarantined"] == 0
    per_thread = out.comments.groupby("thread_id").size()
    assert list(per_thread.index) == ["s:a", "s:b"] and per_thread["s:a"] == per_thread["s:b"] > 0
