"""Issue 15, item 3 (honest defaults): a run applies the dictionaries its own config names; stance results only
where the stance lexicon speaks for most speakers; a case-sensitive acronym does not match shouted text."""

import copy
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from helpers import comment_docs, lexicon_file
from nltk.tokenize.punkt import PunktSentenceTokenizer
from snakemake.utils import update_config

from analysis.config import check_config
from analysis.errors import ConfigError
from analysis.matcher import TokenIndex, match_frames
from analysis.polarization_report import polarization_report
from analysis.stance import stance_coverage
from analysis.tokenization import multiword_tuples, token_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
OWN_SOURCES = [{"id": "forum", "format": "csv", "path": "data/forum.csv", "columns": {"text": "body"}}]


@pytest.fixture(autouse=True)
def in_project(monkeypatch):
    monkeypatch.chdir(ROOT)


def merged(given: dict) -> dict:
    """The config as Snakemake builds it: the user's config merged over config/config.yaml."""
    cfg = copy.deepcopy(SAMPLE)
    update_config(cfg, copy.deepcopy(given))
    return cfg


@pytest.mark.parametrize("given,key", [
    ({"sources": OWN_SOURCES}, "lexicons"),
    ({"sources": OWN_SOURCES, "lexicons": ["data/lexicons/gun_control_frames.yaml"],
      "framing": {"index_pairs": [["rights", "public_safety"]]}}, "polarization.stance_lexicon"),
    ({"sources": OWN_SOURCES, "polarization": {"stance_lexicon": "data/lexicons/gun_control_stance.yaml"}},
     "lexicons"),
])
def test_own_sources_without_own_dictionaries_is_a_config_error(given, key):
    with pytest.raises(ConfigError) as err:
        check_config(merged(given), given=given)
    assert err.value.key == key and "Syria" in str(err.value)


def test_own_sources_with_own_dictionaries_pass_and_are_the_ones_used():
    given = {"sources": OWN_SOURCES, "lexicons": ["data/lexicons/gun_control_frames.yaml"],
             "framing": {"index_pairs": [["rights", "public_safety"]]},
             "polarization": {"stance_lexicon": "data/lexicons/gun_control_stance.yaml"}}
    cfg = check_config(merged(given), given=given)
    assert cfg["lexicons"] == ["data/lexicons/gun_control_frames.yaml"]
    assert cfg["polarization"]["stance_lexicon"] == "data/lexicons/gun_control_stance.yaml"


def test_no_frame_dictionaries_is_a_valid_choice():
    given = {"sources": OWN_SOURCES, "lexicons": [], "framing": {"index_pairs": []},
             "polarization": {"stance_lexicon": "data/lexicons/gun_control_stance.yaml"}}
    assert check_config(merged(given), given=given)["lexicons"] == []


def test_the_sample_alone_and_overrides_without_sources_keep_the_sample_dictionaries():
    check_config(merged({}), given={})
    check_config(merged({"n_shards": 2}), given={"n_shards": 2})


@pytest.mark.parametrize("example", sorted((ROOT / "config" / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_example_configs_name_their_dictionaries(example):
    given = yaml.safe_load(example.read_text(encoding="utf-8"))
    cfg = check_config(merged(given), given=given)
    assert cfg["lexicons"] == given["lexicons"]


@pytest.mark.workflow
def test_the_workflow_stops_before_any_job_naming_the_key(tmp_path):
    cfg = tmp_path / "my.yaml"
    cfg.write_text(yaml.safe_dump({"sources": [{"id": "x", "format": "scraped_text", "path": "data/seed"}],
                                   "results": str(tmp_path / "results")}), encoding="utf-8")
    done = subprocess.run([SNAKEMAKE, "--cores", "1", "--dry-run", "--nolock", "--configfile", str(cfg)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode != 0
    assert "config key 'lexicons'" in done.stderr.strip().splitlines()[-1]


def speakers_with(labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"author_id": [f"u{i}" for i in range(len(labels))], "label": labels})


def test_stance_is_reported_only_when_the_lexicon_speaks_for_most_speakers():
    assert stance_coverage(speakers_with(["pro", "anti", "abstain", "abstain"])) == (True, "")  # half: not most
    ok, why = stance_coverage(speakers_with(["pro", "abstain", "abstain", "abstain"]))
    assert not ok and "3 of 4 speakers (75%)" in why
    ok, why = stance_coverage(speakers_with(["abstain"] * 3))
    assert not ok and why
    assert stance_coverage(speakers_with(["pro", "neutral", "abstain"]), max_abstain=0.2)[0] is False


OPTIONS = {"groups": "stance", "group_column": "", "unit": "comment", "min_known_share": 0.5, "min_term_count": 1,
           "top_terms": 5, "n_boot": 20, "n_perm": 20, "seed": 1, "min_clusters": 2, "er_alpha": 1.3, "er_bins": 10,
           "rwc_k": 2, "stance_mapping": {}}


def report_with_stance(labels: list[str]):
    n = len(labels)
    c = pd.DataFrame({"thread_id": ["t0"] * n, "comment_id": [f"c{i}" for i in range(n)],
                      "parent_id": [""] + ["c0"] * (n - 1), "author_id": [""] * n})
    score = {"pro": 1.0, "anti": -1.0, "abstain": np.nan}
    stance = c[["thread_id", "comment_id"]].assign(
        doc="comment", n_pro=[int(x == "pro") for x in labels], n_anti=[int(x == "anti") for x in labels],
        score=[score[x] for x in labels], label=labels, n_uncivil=0)
    tokens = pd.DataFrame({"thread_id": "t0", "comment_id": c["comment_id"], "doc": "comment", "norm": "word",
                           "is_stopword": False})
    docs = c[["thread_id", "comment_id"]].assign(doc="comment", n_tokens=1)
    matches = pd.DataFrame(columns=["thread_id", "comment_id", "doc", "frame", "term", "counted"])
    table = pa.Table.from_pandas
    return polarization_report(c, docs, stance, table(tokens, preserve_index=False).to_batches(),
                               table(matches, preserve_index=False).to_batches(), **OPTIONS, salt="s").summary


def test_stance_groups_and_esteban_ray_are_withheld_when_most_speakers_abstain():
    # 2 pro, 2 anti, 8 abstain: the lexicon speaks for a third of the speakers
    summary = report_with_stance(["pro", "anti", "pro", "anti"] + ["abstain"] * 8)
    assert summary["groups"] == {} and math.isnan(summary["esteban_ray"])
    assert any("abstains on 8 of 12 speakers" in why for why in summary["not_available"])
    # the same cues with fewer abstentions: groups and the index are reported (two poles: ER > 0)
    summary = report_with_stance(["pro", "anti", "pro", "anti"] + ["abstain"] * 2)
    assert summary["groups"] == {"anti": 2, "pro": 2} and summary["esteban_ray"] > 0


def shouting_matches(*texts: str) -> list[tuple[str, str]]:
    lx = lexicon_file(Path(__import__("tempfile").mkdtemp()), "caps.yaml", """
name: caps
version: 1
frames:
  terrorism: {label: Terrorism, terms: [terror*], case_sensitive: [IS]}
""")
    d = comment_docs(*texts)
    tokens = token_table(d, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms()))
    m = match_frames(TokenIndex(tokens), lx, texts={("t", c, "comment"): x for c, x in zip(d["comment_id"], d["text"])})
    return list(zip(m["comment_id"], m["match"]))


def test_a_case_sensitive_acronym_does_not_match_shouted_text():
    found = shouting_matches("THIS IS WRONG AND IS NOT OK.", "the IS fighters came.", "HTS, IS and the SAA fought.",
                             "WHERE IS THE TERROR")
    ids = comment_docs("a", "b", "c", "d")["comment_id"].tolist()
    # shouted: no IS in the first and fourth texts (the fourth keeps TERROR, a case-folded term)
    assert found == [(ids[1], "IS"), (ids[2], "IS"), (ids[3], "TERROR")]


def test_no_frame_dictionaries_give_an_empty_coding_sample(tmp_path):
    from analysis.validation.coding_sample import coding_sample

    files = {
        "docs": pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["", "c0"], "doc": ["article", "comment"]}),
        "matches": pd.DataFrame({"thread_id": pd.Series(dtype="str"), "comment_id": pd.Series(dtype="str"),
                                 "doc": pd.Series(dtype="str"), "frame": pd.Series(dtype="str"),
                                 "term": pd.Series(dtype="str"), "counted": pd.Series(dtype=bool)}),
        "comments": pd.DataFrame({"thread_id": ["t"], "comment_id": ["c0"], "parent_id": [""], "text": ["a reply"]}),
        "threads": pd.DataFrame({"thread_id": ["t"], "article_text": ["an article"]}),
    }
    paths = {}
    for name, frame in files.items():
        paths[name] = [str(tmp_path / f"{name}.parquet")]
        table = pa.table({c: pa.array(frame[c].tolist(), type=pa.bool_() if c == "counted" else pa.string())
                          for c in frame.columns})  # as the workflow writes them: string, not large_string
        pq.write_table(table, paths[name][0])
    out = coding_sample(**paths, lexicons=[], coders=["a", "b"], per_stratum=5, seed=1)
    assert out.sample.empty and "frame" in out.sample.columns
    assert list(out.sheets) == ["a", "b"] and all(s.empty and "code" in s.columns for s in out.sheets.values())
    assert "no frame dictionaries" in out.codebook
