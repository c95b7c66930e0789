"""The Arabic example config runs to a built book on an excerpt of both Arabic sets: the incivility dictionary
validated against the offensive labels, reply chains of the YouTube threads, Arabic shown right to left."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_workflow import ROOT, run_workflow

pytestmark = pytest.mark.workflow

DATA = ROOT.parent / "shared" / "data" / "arabic-comments"


def example(name: str) -> dict:
    return yaml.safe_load((ROOT / "config" / "examples" / f"{name}.yaml").read_text(encoding="utf-8"))


def has_word(text: pd.Series) -> pd.Series:
    return text.str.contains(r"[^\W_]", regex=True)


@pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent (real data live in ../shared/data)")
def test_arabic_example_runs_on_an_excerpt(tmp_path):
    # other people's text stays outside the repository: the excerpt is written to tmp_path
    mpold = pd.read_csv(DATA / "mpold.csv", dtype=str, keep_default_na=False)
    mpold = mpold[has_word(mpold["text"])].head(300)
    yt = pd.read_csv(DATA / "youtube_replies.csv", dtype=str, keep_default_na=False)
    replied = yt.loc[yt["parent_id"] != "", "thread_id"].unique()[:40]  # 40 threads with replies, whole
    yt = yt[yt["thread_id"].isin(replied)]
    ids = set(yt["comment_id"])
    yt = yt[((yt["parent_id"] == "") | yt["parent_id"].isin(ids)) & has_word(yt["text"])]
    yt = yt[(yt["parent_id"] == "") | yt["parent_id"].isin(set(yt["comment_id"]))]  # no reply loses its parent
    mpold.to_csv(tmp_path / "mpold.csv", index=False)
    yt.to_csv(tmp_path / "youtube_replies.csv", index=False)
    config = example("arabic-comments")
    for source in config["sources"]:
        source["path"] = str(tmp_path / Path(source["path"]).name)
    config["results"] = str(tmp_path / "results")
    config["validation"]["n_boot"] = 200
    done = run_workflow(config, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    results = tmp_path / "results"

    prf = pd.read_csv(results / "validation" / "labels_prf.csv").set_index("frame")
    row = prf.loc["incivility"]
    # gold positives counted from the excerpt's own labels, by another route than the workflow's
    assert row["support"] == (mpold["offensive"] == "Offensive").sum() + (yt["offensive"] == "1").sum()
    assert row["n"] == len(mpold) + len(yt) and row["tp"] + row["fn"] == row["support"]
    assert row["precision_low"] <= row["precision"] <= row["precision_high"]

    comments = pd.read_parquet(results / "comments")
    n_replies = int((yt["parent_id"] != "").sum())
    assert int((comments["source"].eq("youtube") & comments["depth"].gt(1)).sum()) == n_replies
    uptake = pd.read_csv(results / "framing" / "uptake.csv")
    reply = uptake[(uptake["kind"] == "reply") & (uptake["frame"] == "incivility")]
    assert int(reply["n_pairs"].iloc[0]) == n_replies  # every reply is a parent-reply pair

    html = results / "book" / "_build" / "html"
    evidence = (html / "evidence.html").read_text(encoding="utf-8")
    assert re.search(r'<td class="kwic-right" dir="rtl">', evidence)
    framing = (html / "framing.html").read_text(encoding="utf-8")
    assert "\u2068" in framing  # Arabic terms isolated in the dictionary-fit list
    validation = (html / "validation.html").read_text(encoding="utf-8")
    assert "incivility" in validation and "offensive" in validation


@pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent (real data live in ../shared/data)")
def test_mixed_languages_example_runs_on_an_excerpt(tmp_path):
    """The sample thread (English) and Arabic news comments in one run: each frame compared across the two
    languages, and a book even where no stratum of partisanship has two groups (every row says why)."""
    mpold = pd.read_csv(DATA / "mpold.csv", dtype=str, keep_default_na=False)
    mpold = mpold[has_word(mpold["text"])].head(300)
    mpold.to_csv(tmp_path / "mpold.csv", index=False)
    config = example("mixed-languages")
    for source in config["sources"]:
        if source["id"] == "mpold":
            source["path"] = str(tmp_path / "mpold.csv")
    config["results"] = str(tmp_path / "results")
    config["validation"]["n_boot"] = 200
    done = run_workflow(config, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    results = tmp_path / "results"
    by = pd.read_csv(results / "framing" / "by_language.csv")
    compared = by[by["status"] == "measured"].groupby("frame")["language"].nunique()
    assert {"civil_war", "terrorism", "incivility"} <= set(compared[compared == 2].index)
    part = pd.read_csv(results / "polarization" / "partisanship.csv")
    assert "(whole corpus)" not in set(part.get("stratum", pd.Series(dtype=str)))  # never over two languages
    framing = (results / "book" / "_build" / "html" / "framing.html").read_text(encoding="utf-8")
    assert "Frames compared across languages" in framing
