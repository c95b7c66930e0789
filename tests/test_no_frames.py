"""A run with no frame dictionary (``lexicons: []``) or no index pair (``framing.index_pairs: []``): every framing
measure returns its table with its columns and no row, records why it is missing, and the book leaves the section out
and says why (issue 15, "lexicons: [] runs to a built book"; issue 16 item 4)."""

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import figures  # noqa: E402
from analysis.book import framing_substitutions, page_conditions  # noqa: E402
from analysis.frame_dynamics import frame_dynamics, frame_uses  # noqa: E402
from analysis.frame_rates import article_vs_comments, headline_numbers, rates_and_indices  # noqa: E402
from analysis.render import myst_text  # noqa: E402


def _docs(frames=("a", "b")) -> pd.DataFrame:
    """One article and three comments of thread t, then one comment of thread u (hits of a: 2, 1, 0, 0, 1)."""
    d = pd.DataFrame({"thread_id": ["t", "t", "t", "t", "u"], "comment_id": ["", "c0", "c1", "c2", "d0"],
                      "doc": ["article", "comment", "comment", "comment", "comment"],
                      "n_tokens": [100, 20, 30, 50, 40], "author_id": "",
                      "created_at": pd.to_datetime(["2021-01-01"] * 5, utc=True)})
    for f in frames:
        d[f"hits_{f}"] = [2, 1, 0, 0, 1] if f == "a" else [0, 0, 1, 0, 0]
    return d


COMMON = dict(period="month", group_by=[], min_clusters=10, n_boot=50, seed=0)
SETTINGS = dict(n_boot=50, n_perm=99, seed=0, count_quoted=False, count_negated=True, negation_window=3)


def test_no_frames_give_empty_tables_with_their_columns_and_the_reason():
    docs = _docs(frames=())
    rates, index = rates_and_indices(docs, frames=[], index_pairs=[], **COMMON)
    assert rates.empty and {"by", "group", "frame", "rate", "ci_low", "ci_high", "n_boot"} <= set(rates.columns)
    assert index.empty and {"frame_a", "frame_b", "pooled", "pooled_low", "pooled_high"} <= set(index.columns)
    test = article_vs_comments(docs, frames=[], n_perm=99)
    assert test.empty and {"frame", "p_value", "n_threads", "n_labellings"} <= set(test.columns)
    numbers = headline_numbers(rates, index, test, docs, index_pairs=[], **SETTINGS)
    assert numbers["n_frames"] == 0 and numbers["frames"] == {} and "main_index" not in numbers
    assert numbers["n_tokens"] == 240 and numbers["n_comment_docs"] == 4  # the corpus is still described
    assert len(numbers["not_available"]) == 1
    assert "no frame dictionary (config key lexicons is empty)" in numbers["not_available"][0]


def test_frames_without_an_index_pair_give_rates_and_no_index():
    docs = _docs()
    rates, index = rates_and_indices(docs, frames=["a", "b"], index_pairs=[], **COMMON)
    overall = rates[rates["by"] == "all"].set_index("frame")
    assert overall.loc["a", "rate"] == pytest.approx(1000 * 4 / 240)  # by hand: 4 hits in 240 tokens
    assert overall.loc["b", "rate"] == pytest.approx(1000 * 1 / 240)
    assert index.empty and "pooled" in index.columns
    test = article_vs_comments(docs, frames=["a", "b"], n_perm=99)
    numbers = headline_numbers(rates, index, test, docs, index_pairs=[], **SETTINGS)
    assert numbers["n_frames"] == 2 and "main_index" not in numbers
    assert numbers["not_available"] == [
        "framing index: no pair of frames is configured (config key framing.index_pairs is empty)"]
    with_pair = headline_numbers(rates, *rates_and_indices(docs, frames=["a", "b"], index_pairs=[["a", "b"]],
                                                           **COMMON)[1:], test, docs, index_pairs=[["a", "b"]],
                                 **SETTINGS)
    assert with_pair["not_available"] == [] and with_pair["main_index"]["hits_a"] == 4


def test_reply_dynamics_without_frames_have_no_row_and_their_columns():
    docs = _docs(frames=())[["thread_id", "comment_id", "doc"]]
    comments = pd.DataFrame({"thread_id": ["t", "t", "t", "u"], "comment_id": ["c0", "c1", "c2", "d0"],
                             "parent_id": ["", "c0", "c1", ""]})
    pairs, uptake, transitions = frame_dynamics(docs, comments, frames=[], min_clusters=10, n_boot=20, seed=0)
    assert len(pairs) == 3  # c0 -> article, c1 -> c0, c2 -> c1 (u has no article document)
    assert uptake.empty and {"kind", "frame", "uptake", "ci_low", "ci_high"} <= set(uptake.columns)
    # a lone "(no frame)" -> "(no frame)" cell would be a matrix of nothing
    assert transitions.empty and {"parent_frame", "reply_frame", "probability"} <= set(transitions.columns)
    matches = pd.DataFrame({c: pd.Series(dtype=str) for c in ("thread_id", "comment_id", "doc", "frame")}).assign(
        quoted=pd.Series(dtype=bool), negated=pd.Series(dtype=bool), in_quote=pd.Series(dtype=bool))
    uses = frame_uses(matches, docs, comments, frames=[])
    assert uses.empty and {"where", "n_adopted", "n_copied", "n_contested", "n_uses"} <= set(uses.columns)


def _note(stem) -> dict:
    return json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("draw", ["frame_rates", "frame_transitions"])
def test_frame_figures_without_frames_draw_a_notice_the_book_leaves_out(tmp_path, draw):
    # the tables of a run without frames: their columns, no row (as the tests above check the measures give them)
    rates = pd.DataFrame(columns=["by", "group", "frame", "hits", "tokens", "n_docs", "rate", "ci_low", "ci_high",
                                  "se", "n_clusters", "unit", "n_boot", "dictionaries"])
    uptake = pd.DataFrame(columns=["kind", "frame", "n_pairs", "n_parent_uses", "n_reply_uses", "n_both", "uptake",
                                   "ci_low", "ci_high", "unit", "n_boot", "dictionaries"])
    transitions = pd.DataFrame(columns=["kind", "parent_frame", "reply_frame", "n_parent", "n_both", "probability",
                                        "dictionaries"])
    stem = tmp_path / draw
    if draw == "frame_rates":
        figures.frame_rates(stem, rates=rates)
    else:
        figures.frame_transitions(stem, transitions=transitions, uptake=uptake)
    note = _note(stem)
    assert note.get("layout_problems", []) == []  # no empty axes, no text off the canvas
    assert note["facts"].startswith("n = 0 ")  # the book's test for a figure that drew nothing
    assert stem.with_suffix(".csv").read_text(encoding="utf-8").count("\n") <= 1  # a header at most


PAGE = """# Framing

Intro with {{ framing.n_docs }} documents.

<!--% if framing.frames %-->
## Method

<!-- figure: frame_rates -->
<!--% if framing.main_index is defined %-->
Index {{ framing.main_index.pooled }}.
<!--% else %-->
{{ framing.not_available_text }}
<!--% endif %-->
<!--% else %-->
{{ framing.not_available_text }}
<!--% endif %-->
## Keyness
"""


def test_page_conditions_keep_or_drop_whole_sections():
    no_frames = {"framing": framing_substitutions({"n_docs": 3, "frames": {}, "not_available": ["x: why"]})}
    out = page_conditions(PAGE, no_frames, page="framing.md")
    assert out == ("# Framing\n\nIntro with {{ framing.n_docs }} documents.\n\n{{ framing.not_available_text }}\n"
                   "## Keyness\n")
    assert no_frames["framing"]["not_available_text"] == f"**Not available for this corpus:** {myst_text('x: why')}."
    frames = {"framing": {"frames": {"a": {}}, "main_index": {"pooled": "0.1"}}}
    out = page_conditions(PAGE, frames)
    assert "## Method\n\n<!-- figure: frame_rates -->\nIndex {{ framing.main_index.pooled }}.\n## Keyness" in out
    assert "<!--%" not in out and "not_available_text" not in out
    no_pair = page_conditions(PAGE, {"framing": {"frames": {"a": {}}}})
    assert "<!-- figure: frame_rates -->\n{{ framing.not_available_text }}\n## Keyness" in no_pair


def test_page_conditions_leave_a_page_without_statements_as_it_is_and_name_the_page_on_a_bad_name():
    text = "# Data\n\n{{ data.n_comments }} comments; <!-- figure: reply_tree --> {% not a statement %}\n"
    assert page_conditions(text, {}) == text
    with pytest.raises(ValueError, match=r"^framing\.md: a condition"):
        page_conditions("<!--% if framing.typo.x %-->a<!--% endif %-->\n", {"framing": {}}, page="framing.md")


def test_framing_substitutions_say_nothing_is_missing_when_all_is_there():
    out = framing_substitutions({"n_docs": 3, "frames": {"a": {"rate": 1.5}}, "not_available": []})
    assert out["not_available_text"] == "" and "not_available" not in out
    assert np.isclose(float(out["frames"]["a"]["rate"]), 1.5)


def test_an_index_pair_without_frame_dictionaries_stays_a_config_error_naming_the_key(monkeypatch):
    from pathlib import Path

    import yaml

    from analysis.config import check_config
    from analysis.errors import ConfigError

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    config = yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["lexicons"] = []  # the sample's index pairs name its frames, which are gone
    assert config["framing"]["index_pairs"]
    with pytest.raises(ConfigError) as err:
        check_config(config, given={"lexicons": []})
    assert "framing.index_pairs" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ConfigError, match="framing.index_pairs"):  # and again where the rates are measured
        rates_and_indices(_docs(frames=()), frames=[], index_pairs=[["a", "b"]], **COMMON)
