"""End to end: a config with no frame dictionaries (``lexicons: []``) runs to a built book (issue 15, "lexicons: []
runs to a built book"; issue 16 item 4, "nothing empty dressed as a result"), on the sample (one article) and on a
generated corpus of three groups without article text. The framing chapter says in one sentence why its measures are
missing, with no figure, table or cite block of them; keyness and polarization, which need no frame, still run."""

import json
from pathlib import Path

import pytest
from test_book_pages import build, main_text, pages
from test_polarization_groups_workflow import generated_corpus

pytestmark = pytest.mark.workflow

NO_FRAMES = {"lexicons": [], "framing": {"index_pairs": []}}
WHY = "this run has no frame dictionary (config key lexicons is empty)"


def _sample(tmp_path: Path) -> dict:
    return {"results": str(tmp_path / "results"), **NO_FRAMES}


def _three_groups_without_article(tmp_path: Path) -> dict:
    data = tmp_path / "corpus.csv"
    generated_corpus(data, 3)
    return {
        "sources": [{"id": "gen", "format": "csv", "path": str(data),
                     "columns": {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id",
                                 "author": "user", "created_at": "posted", "text": "body", "title": "thread_title"}}],
        "results": str(tmp_path / "results"), "n_shards": 1,
        "polarization": {"group_column": "camp", "n_boot": 50, "n_perm": 50,
                         "stance_lexicon": "data/lexicons/syria_stance.yaml"},
        **NO_FRAMES,
    }


@pytest.mark.parametrize("make_config", [_sample, _three_groups_without_article])
def test_no_frame_dictionaries_build_the_book(tmp_path, make_config):
    results = build(make_config(tmp_path), tmp_path)
    numbers = json.loads((results / "framing" / "numbers.json").read_text())
    assert numbers["n_frames"] == 0 and numbers["frames"] == {} and WHY in numbers["not_available"][0]
    built = pages(results)
    text = {name: main_text(page) for name, page in built.items()}
    for name, page in built.items():
        assert "{{" not in page, name
    framing = text["framing"]
    assert "Not available for this corpus: frame rates, the framing index" in framing and WHY in framing
    for absent in ("Framing index", "Frames down reply chains", "Hits per 1,000 word tokens", "n/a"):
        assert absent not in framing
    framing_html = built["framing"]
    # the one figure that may be left, keyness, needs no frame: at most its cite block, and no frame figure
    assert framing_html.count("Cite this figure") == framing_html.count("threadscope:keyness") // 2 <= 1
    for fig_id in ("frame_rates", "frame_rates_by_group", "framing_over_time", "framing_index", "frame_transitions"):
        assert f"threadscope:{fig_id}" not in framing_html and f"fig-{fig_id.replace('_', '-')}" not in framing_html
    assert "Keyness" in framing
    assert "no frame dictionary" in text["evidence"] and "no frame dictionary" in text["validation"]
    assert WHY in text["intro"] and "no frame terms" in text["polarization"]
    assert "This run has no frame dictionary (config key lexicons is empty)." in text["reproducibility"]
    assert "Dictionaries of the framing measures" not in text["reproducibility"]  # no table of nothing
    # no figure that drew nothing is placed, and no "n = 0" sentence stands in for a result
    everything = " ".join(text.values())
    assert "n = 0 " not in everything
    for csv in (results / "figures").glob("*.csv"):
        if len([line for line in csv.read_text(encoding="utf-8").splitlines() if line.strip()]) <= 1:
            assert f"threadscope:{csv.stem}" not in everything, csv.stem
    if make_config is _three_groups_without_article:  # partisanship on all tokens needs no frame
        assert "(all 3 groups)" in text["polarization"]
        summary = json.loads((results / "polarization" / "summary.json").read_text())
        assert sorted(summary["groups"]) == ["camp0", "camp1", "camp2"]
