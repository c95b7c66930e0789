"""End to end: the Snakemake workflow on a small config, to a built book."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import with_sample_dictionaries

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
pytestmark = pytest.mark.workflow


def run_workflow(config: dict, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    cmd = [SNAKEMAKE, "--cores", "2", "--configfile", str(cfg), "--nolock", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    config = {
        "sources": [
            {"id": "seed", "format": "scraped_text", "path": "data/seed"},
            {
                "id": "tiny",
                "format": "csv",
                "path": "tests/fixtures/tiny/forum.csv",
                "columns": {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id", "author": "user",
                            "created_at": "posted", "text": "body", "title": "thread_title"},
            },
        ],
        "results": str(tmp / "results"),
        "n_shards": 2,
    }
    config = with_sample_dictionaries(config)
    done = run_workflow(config, tmp)
    assert done.returncode == 0, done.stderr[-5000:]
    return tmp / "results", config, tmp


def test_book_is_built(small_run):
    results, _, _ = small_run
    index = results / "book" / "_build" / "html" / "index.html"
    assert index.is_file()
    data_page = (results / "book" / "_build" / "html" / "data.html").read_text(encoding="utf-8")
    assert "Reply structure" in data_page
    assert "{{" not in data_page  # every substitution was filled


def test_punkt_is_trained_on_the_combined_shards_in_order(small_run):
    """train_punkt reads the sources' own shards; its texts are those of the combined shards, in their order."""
    from analysis.punkt import train_punkt

    results, _, _ = small_run
    threads = pd.concat([pd.read_parquet(p) for p in sorted((results / "threads").glob("shard-*.parquet"))])
    texts = [t for t in threads.sort_values("thread_id")["article_text"] if t.strip()]
    for path in sorted((results / "comments").glob("shard-*.parquet")):
        texts += [t for t in pd.read_parquet(path, columns=["text"])["text"] if t.strip()]
    expected = json.loads(json.dumps(train_punkt(texts, max_docs=20000)))
    assert json.loads((results / "punkt.json").read_text(encoding="utf-8")) == expected


def test_tables_read_whole_and_balance(small_run):
    results, _, _ = small_run
    comments = pd.read_parquet(results / "comments")
    threads = pd.read_parquet(results / "threads")
    assert sorted(threads["source"].unique()) == ["seed", "tiny"]
    tiny = comments[comments["source"] == "tiny"]
    # by hand from tests/fixtures/tiny/forum.csv: 10 records; set aside: 5 (orphan),
    # 6 (below the orphan), the second id 2 (duplicate); 8 is empty but has a reply
    assert sorted(tiny["comment_id"]) == ["1", "2", "3", "4", "7", "8", "9"]
    assert tiny.set_index("comment_id").loc["8", "is_placeholder"]
    assert tiny.set_index("comment_id").loc["3", "depth"] == 3
    assert tiny.set_index("comment_id").loc["3", "side"] == "pro"  # metadata kept
    assert "alice" not in set(comments["author_id"])  # pseudonymised
    report = json.loads((results / "ingest_report.json").read_text())
    by_source = {r["source"]: r for r in report["sources"]}
    t = by_source["tiny"]
    assert (t["records_read"], t["comments_kept"], t["quarantined"]) == (10, 7, 3)
    assert t["quarantined_by_reason"]["orphan_parent"] == 1
    assert t["quarantined_by_reason"]["quarantined_ancestor"] == 1
    assert t["quarantined_by_reason"]["duplicate_id"] == 1
    q = pd.read_parquet(results / "quarantine.parquet")
    assert len(q) == report["totals"]["quarantined"]


def test_no_raw_author_name_in_any_output(small_run):
    results, _, _ = small_run
    names = [b"alice", b"mallory", b"Hind Abyad"]
    for path in results.rglob("*"):
        if path.is_file() and path.suffix in {".parquet", ".json", ".jsonl", ".csv", ".html"} \
                and "src" not in path.parts:
            data = path.read_bytes()
            if path.suffix == ".parquet":
                table = pd.read_parquet(path).drop(columns=["text", "raw", "article_text"], errors="ignore")
                data = table.to_csv().encode()
            for name in names:
                assert name not in data, f"{name!r} in {path}"


def test_tokens_have_offsets_into_text(small_run):
    results, _, _ = small_run
    tokens = pd.read_parquet(results / "tokens")
    comments = pd.read_parquet(results / "comments").set_index(["thread_id", "comment_id"])
    sample = tokens[tokens["doc"] == "comment"].sample(200, random_state=1)
    for t in sample.itertuples():
        assert comments.loc[(t.thread_id, t.comment_id), "text"][t.start : t.end] == t.token
    mwe = tokens[tokens["is_mwe"]]
    assert "civil war" in set(mwe["norm"])


def test_hostile_title_is_shown_as_text(small_run):
    results, _, _ = small_run
    page = (results / "book" / "_build" / "html" / "data.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in page
    assert "<script>alert(" not in page


def test_rerun_does_nothing(small_run):
    results, config, tmp = small_run
    done = run_workflow(config, tmp, "--dry-run")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Nothing to be done" in done.stdout + done.stderr


def test_invalid_config_stops_before_any_job(tmp_path):
    config = {"sources": [{"id": "x", "path": "data/seed", "format": "scraped_text"}], "n_shards": "two",
              "results": str(tmp_path / "results")}
    done = run_workflow(config, tmp_path)
    assert done.returncode != 0
    assert "n_shards" in done.stderr and "integer" in done.stderr
    assert not (tmp_path / "results").exists()


def test_coding_round_trip(small_run):
    results, config, tmp = small_run
    sample = pd.read_csv(results / "validation" / "sample.csv", dtype=str, keep_default_na=False)
    assert set(sample["stratum"]) <= {"hit", "near_miss", "random_non_hit"} and len(sample)
    coded = tmp / "coded"
    coded.mkdir(exist_ok=True)
    for coder in ("coder_a", "coder_b"):
        sheet = pd.read_csv(results / "validation" / "sheets" / f"{coder}.csv", dtype=str, keep_default_na=False)
        assert "dict_label" not in sheet.columns and (sheet["code"] == "").all()  # blind and empty
        # both coders agree with each other: code 1 exactly for the items the dictionary counted
        decided = dict(zip(sample["item_id"], sample["dict_label"]))
        sheet["code"] = [decided[i] for i in sheet["item_id"]]
        sheet.to_csv(coded / f"{coder}.csv", index=False)
    config = {**config, "validation": {"coded_sheets": str(coded)}}
    done = run_workflow(config, tmp)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((results / "validation" / "summary.json").read_text())
    assert summary["coders_returned"] == ["coder_a", "coder_b"]
    assert summary["n_codes"] == 2 * len(sample) and summary["n_ties"] == 0
    prf = pd.read_csv(results / "validation" / "coded_prf.csv")
    assert (prf.loc[prf["support"] > 0, "precision"] == 1.0).all()  # gold equals the dictionary's decision
    page = (results / "book" / "_build" / "html" / "validation.html").read_text(encoding="utf-8")
    assert "Coded sheets came back from coder_a, coder_b" in page


SHARED = ROOT.parent / "shared" / "data"


def example(name: str) -> dict:
    return yaml.safe_load((ROOT / "config" / "examples" / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.skipif(not (SHARED / "createdebate-guncontrol" / "comments.csv").exists(),
                    reason="../shared/data/createdebate-guncontrol is not beside the project")
def test_createdebate_sides_are_polarized_above_the_shuffled_baseline(tmp_path):
    # an explicit salt: the bootstrap resamples speakers in pseudonym order, so its interval depends on the salt
    config = example("createdebate") | {"results": str(tmp_path / "results"), "pseudonym_salt": "createdebate-test"}
    target = str(tmp_path / "results" / "polarization" / "summary.json")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run([SNAKEMAKE, target, "--cores", "2", "--configfile", str(cfg), "--nolock"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    part = pd.read_csv(tmp_path / "results" / "polarization" / "partisanship.csv").set_index("tokens")
    row = part.loc["all tokens"]
    # above the whole shuffled-label interval and significant. Its own interval's lower end sits at 0.5 (0.4993,
    # 0.4997 and 0.5004 with three salts, estimate 0.5053 each time), so whether it excludes 0.5 is not tested
    assert row["estimate"] > row["baseline_high"] and row["p_value"] < 0.05 and row["ci_low"] > 0.499
    summary = json.loads(Path(target).read_text())
    assert summary["unit"] == "author" and len(summary["groups"]) == 2
    assert summary["stance_agreement"]["n"] > 500


@pytest.mark.skipif(not (SHARED / "frac-frames" / "final_gold_single_v2025-06-28.csv").exists(),
                    reason="../shared/data/frac-frames is not beside the project")
def test_frac_example_runs_on_an_excerpt(tmp_path):
    raw = pd.read_csv(SHARED / "frac-frames" / "final_gold_single_v2025-06-28.csv", dtype=str, keep_default_na=False)
    excerpt = tmp_path / "frac_excerpt.csv"
    raw.head(120).to_csv(excerpt, index=False)  # other people's text stays outside the repository
    config = example("frac")
    config["sources"][0]["path"] = str(excerpt)
    config["results"] = str(tmp_path / "results")
    done = run_workflow(config, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    prf = pd.read_csv(tmp_path / "results" / "validation" / "labels_prf.csv").set_index("frame")
    assert set(prf.index) == {"economic", "legality_crime", "security_defense", "health_safety"}
    # counts by an independent route: gold positives in the excerpt, per mapped code
    for frame, code in config["validation"]["code_of_frame"].items():
        assert prf.loc[frame, "support"] == int((raw.head(120)["label"].str.strip() == str(code)).sum())
    page = (tmp_path / "results" / "book" / "_build" / "html" / "validation.html").read_text(encoding="utf-8")
    assert "security_defense" in page


FIGURES = ["comments_per_depth", "reply_tree", "languages", "frame_rates", "frame_rates_by_group", "framing_over_time",
           "framing_index", "frame_transitions", "keyness", "partisanship", "reply_network", "rule_graph"]


def test_every_figure_has_its_files_caption_and_cite_block(small_run):
    results, _, _ = small_run
    html = results / "book" / "_build" / "html"
    pages = "".join(p.read_text(encoding="utf-8") for p in html.glob("*.html"))
    drawn = []
    for name in FIGURES:
        for ext in ("png", "svg", "pdf", "csv", "json"):
            assert (results / "figures" / f"{name}.{ext}").stat().st_size > 0, (name, ext)
        rows = [r for r in (results / "figures" / f"{name}.csv").read_text(encoding="utf-8").splitlines() if r]
        if len(rows) <= 1:  # nothing to draw on this corpus: a sentence says why, no figure and no cite block
            assert f"threadscope:{name}" not in pages and f'id="fig-{name.replace("_", "-")}"' not in pages
            continue
        drawn.append(name)
        data_sha = hashlib.sha256((results / "figures" / f"{name}.csv").read_bytes()).hexdigest()[:12]
        assert f"threadscope:{name}" in pages
        assert f"data sha256 {data_sha}" in pages, name  # the cite block names the hash of the data actually drawn
        assert f'id="fig-{name.replace("_", "-")}"' in pages
        for ext in ("png", "svg", "pdf", "csv"):  # every format downloadable from the book
            assert list((html / "_downloads").rglob(f"{name}.{ext}")), (name, ext)
    assert pages.count("Cite this figure") == len(drawn) >= 7
    assert f"Fig. {len(drawn)}" in pages  # captions are numbered


def test_reproducibility_page_lists_real_checksums(small_run):
    results, _, _ = small_run
    page = (results / "book" / "_build" / "html" / "reproducibility.html").read_text(encoding="utf-8")
    expected = [ROOT / "tests/fixtures/tiny/forum.csv", *sorted((ROOT / "data/seed").iterdir()),
                ROOT / "data/lexicons/syria_frames.yaml", ROOT / "data/lexicons/syria_stance.yaml"]
    for path in expected:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in page, path
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if commit:
        assert commit in page
    assert "--configfile" in page and "config.yaml" in page
    assert "snakemake" in page and "nltk" in page  # package versions
    config_as_run = yaml.safe_load((results / "provenance" / "config.yaml").read_text(encoding="utf-8"))
    assert config_as_run["sources"][1]["id"] == "tiny" and config_as_run["n_shards"] == 2


def test_report_has_every_figure_with_its_caption(small_run):
    results, config, tmp = small_run
    report = tmp / "report.html"
    done = run_workflow(config, tmp, "--report", str(report))
    assert done.returncode == 0, done.stderr[-3000:]
    text = report.read_text(encoding="utf-8")
    for name in FIGURES:
        assert f"{name}.png" in text, name
        # the first three words, ASCII: not JSON-escaped
        caption = (ROOT / "workflow" / "report" / f"{name}.rst").read_text(encoding="utf-8").split()[:3]
        assert " ".join(caption) in " ".join(text.split()), name
