"""End to end: configs with 3 and 4 groups, and with strata, build the book (issue 15, item 4: more than two groups
crashed the figures job). The corpus is generated here: made-up words, no one's comments."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import with_sample_dictionaries

from analysis.render import fmt_number

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
pytestmark = pytest.mark.workflow


def generated_corpus(path: Path, k: int, *, seed: int = 0) -> None:
    """12 threads on 2 topics, 24 comments each, by 8 authors per camp; each camp has its own words and every
    camp shares some; replies to an earlier comment of the same thread."""
    rng = np.random.default_rng(seed)
    camps = [f"camp{g}" for g in range(k)]
    shared = ["people", "question", "answer", "reason", "point", "debate", "issue", "view"]
    own = {c: [f"{c}word{j}" for j in range(6)] for c in camps}
    rows = []
    for t in range(12):
        for i in range(24):
            camp = camps[(i + t) % k]
            author = f"{camp} member {rng.integers(0, 8)}"
            words = rng.choice(own[camp] + shared, size=14)
            rows.append({"thread_id": f"th{t}", "comment_id": f"th{t}c{i}",
                         "parent_id": "" if i == 0 else f"th{t}c{rng.integers(0, i)}",
                         "user": author, "posted": 1_600_000_000 + 3600 * (24 * t + i),
                         "body": "The " + " ".join(words) + ".", "thread_title": f"Thread {t}",
                         "camp": camp if rng.random() > 0.05 else "", "topic": f"topic{t % 2}"})
    pd.DataFrame(rows).to_csv(path, index=False)


@pytest.mark.parametrize("k,strata,unit", [(3, ["topic"], "auto"), (4, ["thread_id"], "author_thread")])
def test_three_and_four_groups_build_the_book(tmp_path, k, strata, unit):
    data = tmp_path / "corpus.csv"
    generated_corpus(data, k)
    config = {
        "sources": [{"id": "gen", "format": "csv", "path": str(data),
                     "columns": {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id",
                                 "author": "user", "created_at": "posted", "text": "body", "title": "thread_title"}}],
        "results": str(tmp_path / "results"),
        "n_shards": 2,
        "polarization": {"group_column": "camp", "strata": strata, "unit": unit, "n_boot": 50, "n_perm": 50},
    }
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(with_sample_dictionaries(config)), encoding="utf-8")
    done = subprocess.run([SNAKEMAKE, "--cores", "2", "--configfile", str(cfg), "--nolock"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-5000:]
    results = tmp_path / "results"
    summary = json.loads((results / "polarization" / "summary.json").read_text())
    assert sorted(summary["groups"]) == [f"camp{g}" for g in range(k)]  # the empty label is no group
    part = pd.read_csv(results / "polarization" / "partisanship.csv", keep_default_na=False)
    whole = part[(part["tokens"] == "all tokens") & (part["stratum"] == "(whole corpus)")]
    assert whole["group_a"].iloc[0] == f"(all {k} groups)" and len(whole) == 1 + k * (k - 1) // 2
    assert float(whole["estimate"].iloc[0]) > float(whole["baseline_high"].iloc[0])  # own words per camp
    assert "(pooled)" in set(part["stratum"]) and "(between strata)" in set(part["stratum"])
    page = (results / "book" / "_build" / "html" / "polarization.html").read_text(encoding="utf-8")
    assert "Within strata" in page and "{{" not in page
    assert f"(all {k} groups)" in page
    intro = (results / "book" / "_build" / "html" / "intro.html").read_text(encoding="utf-8")
    assert f"among all {k} groups (chance {fmt_number(1 / k)})" in intro
