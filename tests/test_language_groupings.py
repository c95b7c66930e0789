"""Language as a grouping: framing.group_by and polarization.strata take the comments' `language` column."""

from __future__ import annotations

import pandas as pd
import pytest
from test_polarization_strata import OPTIONS, three_group_corpus

from analysis import frame_rates as fm


def test_frame_rates_by_language_by_hand():
    # 12 invented documents in 12 threads: en ones have 100 tokens and 2 war hits, ar ones 50 tokens and 1 hit (but
    # two ar documents have 4); rate = hits per 1,000 tokens of the language's documents
    rows = []
    for i in range(12):
        lang = "en" if i < 8 else "ar"
        hits = 2 if lang == "en" else (4 if i >= 10 else 1)
        rows.append({"thread_id": f"t{i}", "comment_id": "c", "doc": "comment", "source": "s", "depth": 1,
                     "author_id": f"u{i}", "created_at": pd.Timestamp("2020-01-01", tz="UTC"),
                     "n_tokens": 100 if lang == "en" else 50, "n_matches": hits, "hits_war": hits, "hits_peace": 0,
                     "language": lang})
    docs = pd.DataFrame(rows)
    rates, _ = fm.rates_and_indices(docs, frames=["war", "peace"], period="month", group_by=["language"],
                                    index_pairs=[["war", "peace"]], min_clusters=2, n_boot=50, seed=1)
    got = rates[(rates["by"] == "language") & (rates["frame"] == "war")].set_index("group")
    assert got.loc["en", "rate"] == pytest.approx(1000 * 16 / 800)  # 8 x 2 hits in 8 x 100 tokens
    assert got.loc["ar", "rate"] == pytest.approx(1000 * 10 / 200)  # 1+1+4+4 hits in 4 x 50 tokens
    assert got.loc["en", "n_docs"] == 8 and got.loc["ar", "n_docs"] == 4


def test_polarization_strata_by_language_equal_strata_by_any_column():
    from analysis.polarization_report import polarization_report

    c, docs, stance, tokens, matches = three_group_corpus(2, topics=2)
    as_topic = polarization_report(c, docs, stance, tokens, matches, **OPTIONS, salt="s", strata=["topic"])
    lang = c.assign(language=c["topic"].map({"topic0": "ar", "topic1": "en"})).drop(columns="topic")
    c2, docs2, stance2, tokens2, matches2 = three_group_corpus(2, topics=2)  # fresh batches (they are read once)
    as_language = polarization_report(lang, docs2, stance2, tokens2, matches2, **OPTIONS, salt="s",
                                      strata=["language"])
    # the same strata, pooled and between-strata rows; no whole-corpus estimate across two languages (its word
    # distribution would hold both)
    assert "(whole corpus)" not in set(as_language.partisanship["stratum"])
    whole = as_topic.partisanship["stratum"] == "(whole corpus)"
    a = as_topic.partisanship[~whole].set_index(["tokens", "stratum", "group_a", "group_b"])
    b = as_language.partisanship.set_index(["tokens", "stratum", "group_a", "group_b"])
    b = b.rename(index={"ar": "topic0", "en": "topic1"}, level="stratum")  # same order of strata
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index())
    assert as_language.summary["strata"] == ["language"]
