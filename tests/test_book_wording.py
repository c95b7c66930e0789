"""Figures and sentences say no more than the data show: the partisanship figure draws each group in its colour of
the run, the keyness figure marks the z from which a term is called distinctive, and the framing chapter claims an
article-vs-comments permutation test only where the corpus has articles, with the number of distinct labellings
when that bounds p."""

import json

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from analysis import book, figures, plotting  # noqa: E402


def _capture(monkeypatch):
    """Keep the figure a drawing function hands to save_figure, then save it as usual."""
    kept = {}
    save = plotting.save_figure

    def keep(fig, data, stem, **kwargs):
        kept["fig"] = fig
        kept["bars"] = [(to_hex(p.get_facecolor()), p.get_alpha(), p.get_width())
                        for ax in fig.axes for p in ax.patches]
        kept["lines"] = [ln.get_xdata() for ax in fig.axes for ln in ax.get_lines()]
        return save(fig, data, stem, **kwargs)

    monkeypatch.setattr(plotting, "save_figure", keep)
    return kept


def test_partisanship_terms_are_drawn_in_the_run_colours_of_their_groups(tmp_path, monkeypatch):
    kept = _capture(monkeypatch)
    part = pd.DataFrame([{"tokens": "all tokens", "group_a": "pro", "group_b": "con", "estimate": 0.6, "ci_low": 0.55,
                          "ci_high": 0.65, "baseline_mean": 0.5, "baseline_low": 0.49, "baseline_high": 0.51,
                          "chance": 0.5, "n_authors_R": 10, "n_authors_D": 12, "level": 0.95, "n_boot": 50,
                          "n_perm": 50}])
    terms = pd.DataFrame({"tokens": "all tokens", "group_a": "pro", "term": ["guns", "safety", "rights"],
                          "contribution": [3e-5, 2e-5, 1e-5], "favours": ["R", "D", "R"]})
    # colours chosen by hand, unlike the figure's former fixed orange and green
    colours = pd.DataFrame({"by": ["side", "side", "other"], "group": ["pro", "con", "pro"],
                            "colour": ["#cc79a7", "#56b4e9", "#000000"]})
    figures.partisanship(tmp_path / "p", part=part, terms=terms, dictionaries="", colours=colours, group_by="side")
    bars = {w: c for c, _, w in kept["bars"]}
    assert bars[3e-5] == bars[1e-5] == "#cc79a7"  # used more by pro
    assert bars[2e-5] == "#56b4e9"  # used more by con
    note = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert note["layout_problems"] == []


def test_keyness_marks_the_threshold_and_calls_only_terms_past_it_distinctive(tmp_path, monkeypatch):
    kept = _capture(monkeypatch)
    # group a: z 3.0 and 2.0 pass 1.96, 1.5 and 0.5 do not; group b: nothing passes
    table = pd.DataFrame({"by": "side", "group": ["a"] * 4 + ["b"] * 2, "term": ["w", "x", "y", "z", "u", "v"],
                          "z": [3.0, 2.0, 1.5, 0.5, 1.1, 0.2], "count": 5, "log_odds": 1.0})
    figures.keyness(tmp_path / "k", table=table)
    assert book.KEYNESS_MIN_Z == 1.96
    assert all(list(x) == [1.96, 1.96] for x in kept["lines"]) and len(kept["lines"]) == 2  # one line per panel
    solid = sorted(w for _, alpha, w in kept["bars"] if alpha is None)
    pale = sorted(w for _, alpha, w in kept["bars"] if alpha is not None)
    assert solid == [2.0, 3.0] and pale == [0.2, 0.5, 1.1, 1.5]
    facts = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))["facts"]
    assert "2 of the 6 bars drawn reach z ≥ 1.96" in facts
    assert "Top 12" not in facts


def _test_table(n_threads: int, n_labellings: int, n_perm: int = 9999) -> pd.DataFrame:
    return pd.DataFrame({"frame": ["f", "g"], "rate_article": 1.0, "rate_comments": 2.0, "difference": -1.0,
                         "p_value": 0.5, "n_perm": n_perm if n_threads else 0, "n_threads": n_threads,
                         "n_labellings": n_labellings})


def test_without_articles_the_framing_chapter_claims_no_article_permutation_test():
    text = book.article_test_sentence(_test_table(0, 0))
    assert "no test compares an article with its comments" in text
    assert "permutations" not in text and "labellings" not in text


def test_with_one_article_among_17_documents_the_17_labellings_that_bound_p_are_stated():
    # one thread: 1 article among 17 documents can be labelled in C(17, 1) = 17 ways, so p >= 1/17 = 0.0588
    text = book.article_test_sentence(_test_table(1, 17))
    assert "9,999 permutations over 1 thread(s)" in text
    assert "only 17 distinct labellings" in text and "1/17 = 0.059" in text  # 0.0588 to three decimals


def test_with_more_labellings_than_permutations_no_bound_is_claimed():
    text = book.article_test_sentence(_test_table(40, 10**15))
    assert "9,999 permutations over 40 thread(s)" in text and "labellings" not in text


def test_a_grouping_with_one_group_gets_no_row_of_panels(tmp_path):
    # the sample's one source: a row with a single panel compares nothing
    rows = [{"by": by, "group": g, "frame": "f", "hits": 10, "tokens": 1000, "n_docs": 5, "rate": 10.0,
             "ci_low": 5.0, "ci_high": 15.0, "unit": "threads", "n_boot": 10}
            for by, g in (("source", "seed"), ("side", "a"), ("side", "b"))]
    figures.frame_rates_by_group(tmp_path / "r", rates=pd.DataFrame(rows))
    drawn = pd.read_csv(tmp_path / "r.csv")
    assert set(drawn["by"]) == {"side"}
    note = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert "source has one group only and is not drawn" in note["facts"]
    assert note["layout_problems"] == []


def test_a_corpus_without_replies_gets_a_sentence_not_a_row_of_dots(tmp_path):
    # FrAC and SFU: every comment is top level, so there is neither a tree nor a spread of depths to draw
    thread = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{k}" for k in range(5)], "parent_id": "",
                           "depth": 1, "position": range(5), "author_id": "", "record": range(5)})
    figures.reply_tree(tmp_path / "tree", thread=thread, max_comments=300)
    figures.comments_per_depth(tmp_path / "depth", depth=pd.DataFrame({"depth": [1], "n_comments": [5]}))
    for stem, start in (("tree", "No reply tree: the 5 comments"), ("depth", "No figure of comments per reply depth")):
        lines = [x for x in (tmp_path / f"{stem}.csv").read_text(encoding="utf-8").splitlines() if x.strip()]
        assert len(lines) <= 1  # a header at most: the book shows the sentence, no figure and no cite block
        assert json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))["facts"].startswith(start)
