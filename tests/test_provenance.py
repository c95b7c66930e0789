"""Provenance: checksums, code version, rule graph, and the figure cite block."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from markdown_it import MarkdownIt

from analysis import provenance
from analysis.book import figure_block
from analysis.config import check_config
from analysis.figure_registry import FIGURES
from analysis.io import usage_path
from analysis.render import myst_text as md_text


def test_sha256_matches_the_published_test_vector(tmp_path):
    (tmp_path / "abc").write_bytes(b"abc")  # FIPS 180-2, appendix B.1
    assert (provenance.sha256_file(tmp_path / "abc")
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    big = tmp_path / "big"
    big.write_bytes(bytes(range(256)) * 10_000)  # spans several read chunks
    assert provenance.sha256_file(big, chunk=4096) == hashlib.sha256(big.read_bytes()).hexdigest()


def test_file_table(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    table = provenance.file_table([("sources", tmp_path / "a.csv"), ("sources", tmp_path / "a.csv")], root=tmp_path)
    assert table.to_dict("records") == [{"role": "sources", "path": "a.csv", "bytes": 4,
                                         "sha256": hashlib.sha256(b"x\n1\n").hexdigest()}]


def git(repo, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_code_version_names_the_commit_and_modified_code(tmp_path):
    (tmp_path / "analysis").mkdir()
    (tmp_path / "analysis" / "m.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("not code\n")
    outside = provenance.code_version(tmp_path)
    assert outside["commit"] is None and outside["modified"] is None
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first")
    clean = provenance.code_version(tmp_path)
    assert clean["commit"] == git(tmp_path, "rev-parse", "HEAD") and clean["modified"] is False
    assert clean["code_sha256"] == outside["code_sha256"]  # the same code, with or without git
    (tmp_path / "notes.txt").write_text("edited, but not code\n")
    (tmp_path / "analysis" / "new.py").write_text("untracked\n")
    assert provenance.code_version(tmp_path)["modified"] is False
    (tmp_path / "analysis" / "m.py").write_text("x = 2\n")
    edited = provenance.code_version(tmp_path)
    assert edited["modified"] is True and edited["code_sha256"] != clean["code_sha256"]


DOT = """digraph snakemake_dag {
    graph[bgcolor=white, margin=0];
    node[shape=box, style=rounded, fontname=sans, fontsize=10, penwidth=2];
    edge[penwidth=2, color=grey];
	0[label = "all", color = "0.1 0.6 0.85", style="rounded"];
	1[label = "book", color = "0.2 0.6 0.85", style="rounded"];
	2[label = "ingest", color = "0.3 0.6 0.85", style="rounded"];
	3[label = "tokenize", color = "0.4 0.6 0.85", style="rounded"];
	4[label = "lonely", color = "0.5 0.6 0.85", style="rounded"];
	1 -> 0
	2 -> 1
	3 -> 1
	2 -> 3
}"""


def test_parse_rule_graph():
    edges = provenance.parse_rule_graph(DOT)
    assert list(edges.itertuples(index=False, name=None)) == [
        ("book", "all"), ("ingest", "book"), ("ingest", "tokenize"), ("lonely", ""), ("tokenize", "book")]
    with pytest.raises(ValueError, match="no rule"):
        provenance.parse_rule_graph("not a graph")


def test_rule_graph_layers_follow_the_longest_path():
    edges = pd.DataFrame([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("a", "d"), ("e", "")],
                         columns=["upstream", "downstream"])
    pos = provenance.rule_graph_layers(edges)
    assert {r: k for r, (k, _) in pos.items()} == {"a": 0, "e": 0, "b": 1, "c": 1, "d": 2}
    assert pos["b"][1] == -0.5 and pos["c"][1] == 0.5  # two rules in a layer sit either side of the centre
    with pytest.raises(ValueError, match="cycle"):
        provenance.rule_graph_layers(pd.DataFrame([("a", "b"), ("b", "a")], columns=["upstream", "downstream"]))


def test_wrap_rule_name():
    assert provenance.wrap_rule_name("figure_comments_per_depth") == "figure_\ncomments_\nper_depth"
    assert provenance.wrap_rule_name("all") == "all"


HOSTILE = ("<script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3)) {math}`x^2` "
           "$$y$$ **bold** `code` # heading {{ sub }} \\\\ end")


def test_md_text_leaves_no_markup_for_an_independent_parser():
    rendered = MarkdownIt("commonmark").render(md_text(HOSTILE))
    assert rendered.startswith("<p>") and rendered.count("<") == 2  # one paragraph, nothing else
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "[link](javascript:alert(3))" in rendered and "**bold**" in rendered and "{math}`x^2`" in rendered


def test_figure_block_has_id_hashes_citation_and_downloads():
    note = {"facts": "n = 3 <b>documents</b>.", "dictionaries": "syria_frames 1.1.0 sha256:9ca60bd6aa02"}
    code = {"version": "0.1.0", "code_sha256": "c" * 64, "commit": "a" * 40, "modified": True}
    block = figure_block("frame_rates", caption="Rates.", note=note, data_sha256="d" * 64, code=code,
                         book={"title": "T <i>", "author": "A"})
    assert ":name: fig-frame-rates" in block and "threadscope:frame_rates" in block
    assert "sha256 `dddddddddddd`" in block and "`aaaaaaaaaaaa` with modified files" in block
    assert "syria\\_frames 1\\.1\\.0 sha256\\:9ca60bd6aa02" in block
    assert "n \\= 3 \\<b\\>documents\\<\\/b\\>\\." in block and "T \\<i\\>" in block  # run text is escaped too
    for fmt in ("png", "svg", "pdf", "csv"):
        assert f"<_generated/figures/frame_rates.{fmt}>`" in block
    with pytest.raises(KeyError):
        figure_block("no_such_figure", caption="", note=note, data_sha256="d" * 64, code=code,
                     book={"title": "", "author": ""})
    assert set(FIGURES) >= {"rule_graph", "frame_rates"}


def test_code_files_are_what_the_code_hash_covers(tmp_path):
    for rel in ("Snakefile", "analysis/m.py", "book/intro.md", "book/_build/html/intro.html",
                "analysis/__pycache__/m.pyc",
                "book/_generated/x.md", "data/seed.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    files = [f.relative_to(tmp_path).as_posix() for f in provenance.code_files(tmp_path)]
    assert files == ["Snakefile", "analysis/m.py", "book/intro.md"]  # build output, byte code and data are not code
    before = provenance.code_version(tmp_path)["code_sha256"]
    (tmp_path / "book/_build/html/intro.html").write_text("rebuilt")
    assert provenance.code_version(tmp_path)["code_sha256"] == before
    (tmp_path / "book/intro.md").write_text("edited")
    assert provenance.code_version(tmp_path)["code_sha256"] != before


# ------------------------------------------------------------------ the workflow itself (snakemake runs)

ROOT = Path(__file__).resolve().parents[1]


def full_config() -> dict:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    check_config(config)
    return config


@pytest.mark.workflow
def test_rule_graph_of_the_workflow(monkeypatch):
    """`snakemake --rulegraph` read back: the per-shard chain, the aggregates, the figure rules and the book."""
    monkeypatch.chdir(ROOT)
    edges = provenance.rule_graph(full_config())
    pairs = set(edges.itertuples(index=False, name=None))
    assert {("ingest", "shard"), ("shard", "annotate"), ("annotate", "frame_rates"), ("frame_rates", "figures"),
            ("figures", "book"), ("figure_rule_graph", "book"), ("provenance", "book"), ("book", "all")} <= pairs
    drawn_by = {fig.rule for fig in FIGURES.values()}
    assert drawn_by <= set(edges["upstream"])  # every rule that draws a figure of the registry is in the graph


@pytest.mark.workflow
def test_every_job_logs_where_its_usage_record_lands_where_benchmarks_run_reads_it(tmp_path):
    """Each job logs to <results>/logs/<rule>[/<wildcard values>].log, so that analysis.io.write_usage records
    it in <results>/benchmarks/<rule>.tsv or <rule>/<wildcard values>.tsv (benchmarks/run.py reads that layout)."""
    done = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--nolock", "--config", f"results={tmp_path}"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    jobs, rule = {}, None
    for line in done.stdout.splitlines():
        if m := re.match(r"(?:local)?rule (\w+):$", line):
            rule = m.group(1)
            jobs.setdefault(rule, [])
        elif rule and (m := re.match(r"\s+log: (\S+)$", line)):
            jobs[rule].append(m.group(1))
        elif rule and (m := re.match(r"\s+wildcards: (.+)$", line)):
            jobs[rule].append({k: v for k, v in (kv.split("=") for kv in m.group(1).split(", "))})
    assert {"ingest", "shard", "annotate", "frame_rates", "figures", "book"} <= set(jobs)
    for rule, facts in jobs.items():
        paths = [f for f in facts if isinstance(f, str)]
        if rule == "all":
            continue
        assert len(paths) == 1, f"rule {rule} has no log"
        wildcards = next((f for f in facts if isinstance(f, dict)), {})
        expected = f"{tmp_path}/benchmarks/{rule}" + ("/" + "/".join(wildcards.values()) if wildcards else "") + ".tsv"
        assert str(usage_path(paths[0])) == expected
