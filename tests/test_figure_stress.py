"""Every figure stays readable at any size: drawn from a stress corpus generated here (300 reply depths,
40 groups, 100-character terms, URLs and numbers as terms, missing labels, a 5,000-deep thread), no two tick
labels or annotations overlap, no text leaves the canvas or runs into another panel, no raw mathtext shows,
no panel is drawn for a missing label and no axes is empty (analysis.plotting.layout_problems, which
save_figure records in each figure's JSON note). The figure functions are called on generated tables, not
through the workflow, so the check takes seconds."""

import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import describe, figures, frame_rates, plotting  # noqa: E402
from analysis.figure_registry import FIGURES  # noqa: E402

RNG = np.random.default_rng(7)
LONG = "an-extremely-long-term-that-someone-typed-into-a-comment-box-without-any-spaces-at-all-whatsoever-xx"
URL = "https://www.example.com/some/very/long/path/to/an/article/about/the/thing?id=1234567890&ref=frontpage"
FRAMES = ["terrorism", "civil_war", "humanitarian_crisis_and_refugee_movements_across_borders", "economy",
          "rights", "public_safety", "self_defense", "crime"]
GROUPS = [f"group {k:02d} " + "x" * (60 if k % 7 == 0 else 3) for k in range(40)]


# the depth bands the workflow adds to rates and indices when framing.group_by has depth
BANDS = list(dict.fromkeys(frame_rates.depth_bands(range(0, 301))))


def rates_table() -> pd.DataFrame:
    rows = []
    bys = {"all": ["all"], "doc": ["article", "comment"], "depth": [str(d) for d in range(0, 301)],
           "depth_band": BANDS,
           "side_stance": GROUPS + ["nan", ""], "period": [f"{y}-{m:02d}" for y in range(2010, 2016)
                                                            for m in range(1, 13)] + ["unknown"]}
    for by, groups in bys.items():
        for g in groups:
            for f in FRAMES:
                n = int(RNG.integers(0, 400))
                rate = float(RNG.gamma(2.0, 3.0))
                rows.append({"by": by, "group": g, "frame": f, "hits": n, "tokens": 1000 + 10 * n, "n_docs": n + 1,
                             "rate": rate, "ci_low": rate * 0.7, "ci_high": rate * 1.4, "se": rate * 0.1,
                             "n_clusters": 50, "unit": "threads (50 clusters)", "n_boot": 200,
                             "dictionaries": "stress v1 sha256:0123"})
    return pd.DataFrame(rows)


def index_table() -> pd.DataFrame:
    rows = []
    for by, group in [("depth", str(d)) for d in range(0, 301)] + [("depth_band", g) for g in BANDS]:
        for a, b in [("terrorism", "civil_war"), ("rights", "public_safety")]:
            v = float(np.tanh(RNG.normal()))
            rows.append({"by": by, "group": group, "frame_a": a, "frame_b": b, "pooled": v,
                         "pooled_low": max(-1, v - 0.3), "pooled_high": min(1, v + 0.3),
                         "hits_a": int(RNG.integers(0, 5000)), "hits_b": int(RNG.integers(0, 5000)),
                         "n_docs_using": int(RNG.integers(1, 900)), "n_boot": 200, "unit": "threads",
                         "dictionaries": ""})
    return pd.DataFrame(rows)


def keyness_table() -> pd.DataFrame:
    rows = []
    for g in GROUPS + ["nan"]:
        terms = [LONG + g[-2:], URL, "1234567", "2015", "www.example.org/x", "the $5 gun", "$x^2$"] + [
            f"term{k}" for k in range(20)]
        for k, t in enumerate(terms):
            rows.append({"by": "side_stance", "group": g, "term": t, "z": 30.0 - k + RNG.random(),
                         "count": 10, "log_odds": 1.0})
    return pd.DataFrame(rows)


def thread_table() -> pd.DataFrame:
    n = 5000  # one chain 5,000 replies deep, plus a few short top-level discussions
    ids = [f"c{k}" for k in range(n)]
    parents = [""] + ids[:-1]
    rows = pd.DataFrame({"thread_id": "t", "comment_id": ids, "parent_id": parents, "depth": range(1, n + 1),
                         "position": 1, "author_id": ["a" if k % 2 else "" for k in range(n)], "record": range(n)})
    extra = pd.DataFrame({"thread_id": "t", "comment_id": [f"x{k}" for k in range(30)], "parent_id": "",
                          "depth": 1, "position": range(2, 32), "author_id": "", "record": range(n, n + 30)})
    return pd.concat([rows, extra], ignore_index=True)


def colours(rates: pd.DataFrame) -> pd.DataFrame:
    return plotting.group_colours(rates.groupby(["by", "group"], as_index=False)["n_docs"].max()
                                  .rename(columns={"n_docs": "n"}))


def calls() -> dict:
    rates, index = rates_table(), index_table()
    col = colours(rates)
    frames = FRAMES
    trans = pd.DataFrame([{"kind": "reply", "parent_frame": a, "reply_frame": b, "probability": RNG.random(),
                           "n_parent": int(RNG.integers(1, 99999)), "dictionaries": ""}
                          for a in frames + ["none"] for b in frames + ["none"]])
    uptake = pd.DataFrame([{"kind": "reply", "frame": f, "uptake": RNG.normal() / 10, "ci_low": -0.3, "ci_high": 0.3,
                            "n_pairs": 12345, "n_boot": 200, "unit": "threads"} for f in frames])
    part = pd.DataFrame([{"tokens": t, "group_a": GROUPS[0], "group_b": GROUPS[7], "estimate": 0.5012,
                          "ci_low": 0.5001, "ci_high": 0.5031, "baseline_mean": 0.5004, "baseline_low": 0.50001,
                          "baseline_high": 0.5009, "n_authors_R": 40, "n_authors_D": 30, "level": 0.95,
                          "n_boot": 200, "n_perm": 200} for t in ("all tokens", "frame terms", "stance terms")])
    terms = pd.DataFrame([{"tokens": "all tokens", "group_a": GROUPS[0], "term": t, "contribution": 1e-5 * (k + 1) / 3,
                           "favours": "R" if k % 2 else "D"}
                          for k, t in enumerate([LONG, URL, "2015", "$5"] + [f"w{k}" for k in range(30)])])
    speakers = [f"s{k}" for k in range(600)]
    edges = pd.DataFrame({"child_author": RNG.choice(speakers, 3000), "parent_author": RNG.choice(speakers, 3000),
                          "child_group": RNG.choice(GROUPS + [""], 3000), "parent_group": RNG.choice(GROUPS, 3000),
                          "replies": RNG.integers(1, 5, 3000)})
    network = pd.DataFrame([{"quantity": q, "estimate": 0.4, "ci_low": 0.3, "ci_high": 0.5, "n_pairs": 3000,
                             "n_boot": 200, "unit": "thread"} for q in ("cross_share", "expected_share")])
    incivility = pd.DataFrame([{"reply_type": t, "share": 0.1, "share_low": 0.05, "share_high": 0.2}
                               for t in ("cross-group", "same-group")])
    rules = [f"rule_number_{k}_with_a_long_name" for k in range(40)]
    graph = pd.DataFrame({"upstream": [rules[k] for k in range(39)] + [rules[0]] * 10,
                          "downstream": [rules[k + 1] for k in range(39)] + [rules[k] for k in range(29, 39)]})
    events = [{"date": "2012-06-15", "label": "an event with a long label " * 3}, {"date": "2013-01-01",
                                                                                  "label": "$ signs $"}]
    depth = pd.DataFrame({"depth": range(1, 301), "n_comments": (1_000_000 / np.arange(1, 301) ** 3).astype(int) + 1})
    return {
        "comments_per_depth": dict(depth=depth),
        "languages": dict(shares=pd.DataFrame({"language": [f"l{k}" for k in range(30)] + ["und"],
                                               "n": [1000 - k for k in range(31)],
                                               "share": [(1000 - k) / 30535 for k in range(31)],
                                               "configured": [k < 2 for k in range(31)]}),
                          languages=["l0", "l1"]),
        "reply_tree": dict(thread=thread_table(), max_comments=300),
        "frame_rates": dict(rates=rates),
        "frame_rates_by_group": dict(rates=rates, colours=col),
        "framing_over_time": dict(rates=rates, period="month", events=events),
        "framing_index": dict(index=index),
        "frame_transitions": dict(transitions=trans, uptake=uptake),
        "keyness": dict(table=keyness_table(), colours=col),
        "partisanship": dict(part=part, terms=terms, dictionaries="", colours=col, group_by="side_stance"),
        "reply_network": dict(edges=edges, incivility=incivility, network=network, dictionaries="", seed=1,
                              group_by="side_stance", colours=col),
        "rule_graph": dict(edges=graph),
    }


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stress")
    out = {}
    for name, kwargs in calls().items():
        getattr(figures, name)(folder / name, **kwargs)
        out[name] = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return out


def test_the_stress_corpus_covers_every_figure_of_the_registry():
    assert set(calls()) == set(FIGURES)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_is_readable_on_the_stress_corpus(notes, name):
    assert notes[name]["layout_problems"] == []


# ----- the checker itself, on figures built to fail in one way each


def problems_of(draw) -> list[str]:
    plotting.style()
    fig, ax = plt.subplots(figsize=(4, 3))
    draw(fig, ax)
    found = plotting.layout_problems(fig)
    plt.close(fig)
    return found


def test_the_checker_finds_overlapping_tick_labels():
    def draw(fig, ax):
        ax.bar(range(300), range(300))
        ax.set_xticks(range(300), [str(k) for k in range(300)])
    assert any(p.startswith("overlap:") for p in problems_of(draw))


def test_the_checker_finds_raw_mathtext_with_parse_math_off():
    def draw(fig, ax):
        ax.plot([1, 1000], [1, 2])
        ax.set_xscale("log")
        for t in ax.get_xticklabels():
            t.set_parse_math(False)
    with plt.rc_context({"text.parse_math": False}):
        assert any(p.startswith("raw mathtext") for p in problems_of(draw))


def test_the_checker_finds_text_off_the_canvas_an_empty_axes_and_a_nan_panel():
    def draw(fig, ax):
        ax.text(10, 0.5, "far away", transform=ax.transAxes)
        ax.set_title("side = nan")
    found = problems_of(draw)
    assert any(p.startswith("text leaves the canvas") for p in found)
    assert any(p.startswith("empty axes") for p in found)
    assert any(p.startswith("panel for a missing label") for p in found)


def test_the_checker_passes_a_plain_figure():
    def draw(fig, ax):
        ax.plot([1, 2, 3], [1, 4, 9])
        ax.set_xlabel("x")
        fig.set_layout_engine("constrained")
    assert problems_of(draw) == []


def test_data_text_is_inert_and_long_labels_are_shortened():
    assert plotting.inert("costs $5 or $6") == r"costs \$5 or \$6"
    short = plotting.short_label(URL, width=20)
    assert len(short) == 20 and short.startswith("https://w") and short.endswith("rontpage")
    assert plotting.short_label("a  b\nc") == "a b c"


def test_group_colours_follow_group_size_and_are_one_table():
    table = pd.DataFrame({"by": ["s"] * 9 + ["t"], "group": list("abcdefghi") + ["a"],
                          "n": [1, 9, 8, 7, 6, 5, 4, 3, 2, 1]})
    got = plotting.group_colours(table).set_index(["by", "group"])["colour"]
    palette = [c for c in plotting.OKABE_ITO if c != "#000000"]
    assert [got[("s", g)] for g in "bcdefgh"] == palette  # the seven largest, largest first
    assert got[("s", "i")] == got[("s", "a")] == "#999999"
    assert got[("t", "a")] == palette[0]


if os.environ.get("THREADSCOPE_STRESS_PNG"):  # pragma: no cover - for looking at the figures by hand
    def test_write_pngs():
        folder = os.environ["THREADSCOPE_STRESS_PNG"]
        for name, kwargs in calls().items():
            getattr(figures, name)(os.path.join(folder, name), **kwargs)


# ----- what the figures draw, worked out by hand


def test_depth_bins_by_hand():
    labels, first = describe.depth_bins([0, 1, 12, 13, 24, 25, 48, 49, 300], start=12)
    # a bin holding one of the given depths is labelled with it (49, 300); the others with their range
    assert list(labels) == ["0", "1", "12", "13\u201324", "13\u201324", "25\u201348", "25\u201348", "49", "300"]
    assert list(first) == [0, 1, 12, 13, 13, 25, 25, 49, 193]
    assert len(set(describe.depth_bins(range(1, 301), start=12)[0])) == 12 + 5  # 1..12, then 13-24 ... 193-384


def test_depth_bands_by_hand():
    # 0 1 2 3 alone, then 4-6, 7-12, 13-24, 25-48, and from the eighth band of replies on one open band, 49+
    bands = frame_rates.depth_bands([0, 1, 2, 3, 4, 6, 7, 12, 13, 24, 25, 48, 49, 96, 97, 300])
    assert list(bands) == ["0", "1", "2", "3", "4\u20136", "4\u20136", "7\u201312", "7\u201312", "13\u201324",
                           "13\u201324", "25\u201348", "25\u201348", "49+", "49+", "49+", "49+"]
    assert frame_rates.band_order(bands[::-1]) == ["0", "1", "2", "3", "4\u20136", "7\u201312", "13\u201324",
                                                  "25\u201348", "49+"]
    # a shallow corpus: a band with one depth is that depth, and nothing is open-ended
    assert list(frame_rates.depth_bands([1, 2, 5, 5])) == ["1", "2", "5", "5"]


def test_depth_band_rates_are_the_rates_of_the_pooled_documents():
    # a band's rate and interval are those of its documents as one group: depths 4 and 5 together, by hand
    docs = pd.DataFrame({"thread_id": [f"t{k % 12}" for k in range(48)], "doc": "comment",
                         "depth": [1, 2, 4, 5] * 12, "n_tokens": 100, "created_at": pd.NaT,
                         "hits_f": [1, 0, 2, 4] * 12})
    rates, _ = frame_rates.rates_and_indices(docs, frames=["f"], period="month", group_by=["depth"], index_pairs=[],
                                             min_clusters=2, n_boot=200, seed=1)
    band = rates[(rates["by"] == "depth_band") & (rates["group"] == "4\u20136")].iloc[0]
    assert band["hits"] == 72 and band["tokens"] == 2400 and band["rate"] == pytest.approx(30.0)
    assert band["ci_low"] < 30.0 < band["ci_high"] or band["ci_low"] == band["ci_high"] == 30.0
    pooled = frame_rates.frame_rates(docs.assign(g=docs["depth"].isin([4, 5]).map({True: "x", False: "y"})),
                                     frames=["f"], by="g", n_boot=200, seed=1, min_clusters=2)
    x = pooled[pooled["group"] == "x"].iloc[0]
    assert (band["ci_low"], band["ci_high"]) == pytest.approx((x["ci_low"], x["ci_high"]))


def small_rates(groups: dict) -> pd.DataFrame:
    """Rates of one frame 'f' for the grouping 'side': group -> (hits, tokens, n_docs, ci_low, ci_high)."""
    return pd.DataFrame([{"by": "side", "group": g, "frame": "f", "hits": h, "tokens": t, "n_docs": n,
                          "rate": 1000 * h / t, "ci_low": lo, "ci_high": hi, "unit": "threads", "n_boot": 10}
                         for g, (h, t, n, lo, hi) in groups.items()])


def test_rates_by_group_pool_the_small_groups_as_other_and_leave_out_missing_labels(tmp_path):
    groups = {f"g{k}": (10 + k, 1000, 100 - k, 1.0, 50.0) for k in range(7)}
    groups |= {"small1": (3, 200, 2, 1.0, 30.0), "small2": (5, 300, 1, 1.0, 30.0), "nan": (9, 100, 50, 1, 99)}
    figures.frame_rates_by_group(tmp_path / "r", rates=small_rates(groups))
    drawn = pd.read_csv(tmp_path / "r.csv", keep_default_na=False).set_index("group")
    assert set(drawn.index) == {f"g{k}" for k in range(7)} | {"other (2 groups)"}
    assert drawn.loc["other (2 groups)", "rate"] == pytest.approx(1000 * (3 + 5) / (200 + 300))
    note = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert "without a label are left out" in note["facts"]


def test_the_rates_sentence_names_the_frame_that_differs_most(tmp_path):
    # frame f: 37 / 1,200 tokens = 30.8 against 10 / 1,200 = 8.3 per 1,000; frame g differs by 0.8 only
    rates = pd.concat([small_rates({"a": (37, 1200, 5, 25.5, 35.5), "b": (10, 1200, 5, 7.5, 9.5)}),
                       small_rates({"a": (11, 1200, 5, 8.5, 10.5), "b": (10, 1200, 5, 7.5, 9.5)})
                       .assign(frame="g")], ignore_index=True)
    figures.frame_rates_by_group(tmp_path / "r", rates=rates)
    sentence = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["numbers"]["sentences"][0]
    assert sentence.startswith("By side, f differs most: 30.8 per 1,000 tokens in a (95% CI 25.5 to 35.5)")
    assert sentence.endswith("against 8.3 in b (7.5 to 9.5); the intervals do not overlap.")


def test_framing_over_time_marks_the_events_inside_the_time_span(tmp_path):
    rates = pd.DataFrame([{"by": "period", "group": p, "frame": "f", "hits": 5, "tokens": 1000, "n_docs": 3,
                           "rate": 5.0, "ci_low": 4.0, "ci_high": 6.0, "unit": "threads", "n_boot": 10}
                          for p in ("2014", "2015", "2016", "unknown")])
    events = [{"date": "2015-06-01", "label": "a ruling"}, {"date": "1990-01-01", "label": "long before"}]
    figures.framing_over_time(tmp_path / "t", rates=rates, period="year", events=events)
    note = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert note["numbers"]["events"] == [{"n": 1, "date": "2015-06-01", "label": "a ruling"}]
    assert note["numbers"]["n_periods"] == 3 and note["layout_problems"] == []


def test_a_deep_thread_is_drawn_collapsed_on_a_bounded_canvas(tmp_path):
    figures.reply_tree(tmp_path / "t", thread=thread_table(), max_comments=300)
    note = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    # the first subtree is the 5,000-deep chain, cut to 300 comments; depths 41..300 are collapsed
    assert note["numbers"]["n_drawn"] == figures.MAX_TREE_DEPTH and note["numbers"]["n_collapsed"] == 300 - 40
    from PIL import Image
    width, height = Image.open(tmp_path / "t.png").size
    assert width <= plotting.MAX_INCHES[0] * 300 and height <= plotting.MAX_INCHES[1] * 300


def test_keyness_draws_no_panel_for_a_missing_label_read_from_csv(tmp_path):
    rows = [{"by": "side", "group": g, "term": f"word{k}", "z": 5.0 - k} for g in ("pro", "anti", "")
            for k in range(3)]
    (tmp_path / "k.csv").write_text(pd.DataFrame(rows).to_csv(index=False), encoding="utf-8")
    table = pd.read_csv(tmp_path / "k.csv", keep_default_na=False, na_values=[""])  # as the workflow reads it
    figures.keyness(tmp_path / "k", table=table)
    note = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    assert note["layout_problems"] == [] and "1 group(s) without a label are left out" in note["facts"]
    assert set(pd.read_csv(tmp_path / "k.csv")["group"]) == {"pro", "anti"}
