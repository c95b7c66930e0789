"""Speakers, groups, and the polarization report on a small synthetic corpus."""

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.sparse as sp

from analysis.errors import ConfigError
from analysis.groups import known, speaker_groups, speakers
from analysis.polarization_report import polarization_report
from analysis.privacy import pseudonym


def comments_frame(authors, side=None, parents=None):
    n = len(authors)
    return pd.DataFrame({
        "thread_id": [f"t{i % 3}" for i in range(n)], "comment_id": [f"c{i}" for i in range(n)],
        "parent_id": parents or [""] * n, "author_id": authors,
        "side": side or [""] * n,
    })


def test_unit_follows_the_share_of_known_authors():
    c = comments_frame(["u1", "", "", ""])
    ids, unit, why = speakers(c)
    assert unit == "comment" and "25%" in why
    assert ids.tolist() == [f"c:t{i % 3}/c{i}" for i in range(4)]
    ids, unit, _ = speakers(comments_frame(["u1", "u1", "u2", ""]))
    assert unit == "author" and ids.tolist()[:3] == ["u1", "u1", "u2"] and ids[3].startswith("c:")
    with pytest.raises(ConfigError):
        speakers(c, unit="person")


def test_groups_from_column_majority_table_and_stance():
    c = comments_frame(["u1", "u1", "u1", "u2"], side=["a", "b", "a", ""])
    ids, _, _ = speakers(c)
    g = speaker_groups(c, ids, source="column", column="side")
    assert g["u1"] == "a" and g["u2"] == ""
    table = pd.DataFrame({"author": ["Alice", pseudonym("Bob", salt="s")], "group": ["x", "y"]})
    c2 = comments_frame([pseudonym("Alice", salt="s"), pseudonym("Bob", salt="s")])
    ids2, _, _ = speakers(c2)
    g2 = speaker_groups(c2, ids2, source="table", table=table, salt="s")
    assert g2.tolist() == ["x", "y"]
    g3 = speaker_groups(c2, ids2, source="stance", stance=pd.Series(["pro", "abstain"]))
    assert g3.tolist() == ["pro", ""]


OPTIONS = {"groups": "column", "group_column": "side", "unit": "auto", "min_known_share": 0.5, "min_term_count": 1,
           "top_terms": 5, "n_boot": 50, "n_perm": 50, "seed": 1, "min_clusters": 2, "er_alpha": 1.3, "er_bins": 10,
           "rwc_k": 2, "stance_mapping": {}}


def batches(df: pd.DataFrame) -> list:
    """A table as the workflow reads it: Arrow record batches."""
    return pa.Table.from_pandas(df, preserve_index=False).to_batches(max_chunksize=50)


def speaker_term_counts(speaker_of: pd.Series, terms: pd.Series, *, min_count: int = 1):
    """The one-pass definition: sparse (speakers x terms) counts of all rows at once, by pandas.

    Speakers in sorted order (every speaker of ``speaker_of``, rows of a
    missing speaker left out); terms used at least ``min_count`` times, in
    sorted order.
    """
    sp_codes, sp_ids = pd.factorize(speaker_of, sort=True)
    frame = pd.DataFrame({"s": sp_codes, "t": terms.to_numpy()})
    frame = frame[frame["s"] >= 0]
    totals = frame["t"].value_counts()
    frame = frame[frame["t"].map(totals) >= min_count]
    t_codes, t_ids = pd.factorize(frame["t"], sort=True)
    m = sp.csr_array((np.ones(len(frame)), (frame["s"].to_numpy(), t_codes)), shape=(len(sp_ids), len(t_ids)))
    return m, list(sp_ids), list(t_ids)


def test_report_on_two_divided_groups():
    rng = np.random.default_rng(0)
    n = 40
    authors = [f"u{i % 20:02d}" for i in range(n)]
    side = ["a" if int(a[1:]) < 10 else "b" for a in authors]
    parents = [""] * 10 + [f"c{rng.integers(0, i)}" for i in range(10, n)]
    c = comments_frame(authors, side=side, parents=parents)
    words = {"a": ["liberty", "rights", "freedom"], "b": ["safety", "deaths", "children"]}
    tok_rows = []
    for cid, s in zip(c["comment_id"], side):
        for _k, w in enumerate(rng.choice(words[s] + ["guns", "people"], size=12)):
            tok_rows.append((c.loc[c["comment_id"] == cid, "thread_id"].item(), cid, "comment", w, False))
    tokens = pd.DataFrame(tok_rows, columns=["thread_id", "comment_id", "doc", "norm", "is_stopword"])
    docs = c[["thread_id", "comment_id"]].assign(doc="comment", n_tokens=12)
    stance = c[["thread_id", "comment_id"]].assign(doc="comment", n_pro=0, n_anti=0, score=np.nan, label="abstain",
                                                   n_uncivil=0)
    matches = pd.DataFrame(columns=["thread_id", "comment_id", "doc", "frame", "term", "counted"])
    rep = polarization_report(c, docs, stance, batches(tokens), batches(matches), **OPTIONS, salt="s")
    row = rep.partisanship.set_index("tokens").loc["all tokens"]
    assert rep.summary["unit"] == "author" and rep.summary["groups"] == {"a": 10, "b": 10}
    assert row["estimate"] > 0.6 > row["baseline_high"]  # separated vocabularies: far above shuffled labels
    assert set(rep.terms["term"].head(6)) <= {"liberty", "rights", "freedom", "safety", "deaths", "children"}
    assert ("frame terms: no term was counted (for frame terms: no frame dictionary, or no match)"
            in rep.summary["not_available"])
    # no comment has a stance score: Esteban-Ray is NaN, and the summary says why
    assert math.isnan(rep.summary["esteban_ray"]) and rep.summary["esteban_ray_n"] == 0
    assert "Esteban–Ray: no speaker with a stance score" in rep.summary["not_available"]
    assert len(rep.summary["not_available"]) == 2 and math.isfinite(rep.summary["rwc"])
    assert set(rep.network["quantity"]) == {"cross_share", "expected_share", "ratio"}


def test_term_counts_in_chunks_equal_the_one_pass_matrix():
    """Counts added up chunk by chunk (Arrow batches, any order of shards) = speaker_term_counts on all rows at once."""
    from analysis.matcher import is_word
    from analysis.polarization_report import TermCounts, count_tokens

    rng = np.random.default_rng(3)
    c = comments_frame([f"u{i % 7}" for i in range(30)])
    speaker = c["author_id"]
    words = ["liberty", "guns", "the", "!!", "safety", "zebra", "ümlaut", "x1"]
    rows = [(t, k, "comment" if rng.random() > 0.1 else "article", w, bool(rng.random() < 0.2))
            for t, k in zip(c["thread_id"], c["comment_id"]) for w in rng.choice(words, size=rng.integers(0, 9))]
    rows.append(("t9", "c99", "comment", "orphan", False))  # a comment not in the table: left out
    tokens = pd.DataFrame(rows, columns=["thread_id", "comment_id", "doc", "norm", "is_stopword"])
    # one pass, on every speaker; the report keeps the rows of speakers with a group
    tok = tokens[(tokens["doc"] == "comment") & ~tokens["is_stopword"]]
    tok = tok[is_word(tok["norm"])]
    who = tok.merge(c.assign(speaker=speaker)[["thread_id", "comment_id", "speaker"]], on=["thread_id", "comment_id"],
                    how="left")
    m1, ids1, terms1 = speaker_term_counts(who["speaker"], tok["norm"], min_count=2)
    sp_code, sp_ids = pd.factorize(speaker, sort=True)
    keep = ~np.isin(np.asarray(sp_ids), ["u3"])  # u3 has no group
    where = pd.MultiIndex.from_arrays([c["thread_id"], c["comment_id"]])
    table = pa.Table.from_pandas(tokens.iloc[::-1].reset_index(drop=True), preserve_index=False)
    chunks = [table.slice(k, 7).to_batches()[0].dictionary_encode() if hasattr(pa.RecordBatch, "dictionary_encode")
              else table.slice(k, 7) for k in range(0, table.num_rows, 7)]
    m2, ids2, terms2 = count_tokens(TermCounts(where, sp_code, sp_ids, keep), chunks).result(2)
    assert terms2 == terms1
    rows1 = [i for i, s in enumerate(ids1) if s != "u3"]
    assert ids2 == [ids1[i] for i in rows1]
    assert m2.has_canonical_format and m2.dtype == np.float64
    np.testing.assert_array_equal(m2.toarray(), m1.toarray()[rows1])
    # and from plain (not dictionary-encoded) Arrow tables, in another order
    parts = [pa.Table.from_pandas(tokens.iloc[20:], preserve_index=False),
             pa.Table.from_pandas(tokens.iloc[:20], preserve_index=False)]
    m3, _, _ = count_tokens(TermCounts(where, sp_code, sp_ids, keep), parts).result(2)
    np.testing.assert_array_equal(m3.toarray(), m1.toarray()[rows1])


def test_without_groups_the_reason_is_the_groups_not_the_terms():
    # the sample's case: nobody has a group, so no term is counted for any group; the reason is the missing groups
    authors = [f"u{i % 6}" for i in range(12)]
    c = comments_frame(authors)  # side '' everywhere
    tokens = pd.DataFrame([(t, cid, "comment", w, False) for t, cid in zip(c["thread_id"], c["comment_id"])
                           for w in ("war", "peace", "people")],
                          columns=["thread_id", "comment_id", "doc", "norm", "is_stopword"])
    docs = c[["thread_id", "comment_id"]].assign(doc="comment", n_tokens=3)
    stance = c[["thread_id", "comment_id"]].assign(doc="comment", n_pro=0, n_anti=0, score=np.nan, label="abstain",
                                                   n_uncivil=0)
    matches = pd.DataFrame(columns=["thread_id", "comment_id", "doc", "frame", "term", "counted"])
    rep = polarization_report(c, docs, stance, batches(tokens), batches(matches), **OPTIONS, salt="s")
    reasons = " ".join(rep.summary["not_available"])
    assert "all tokens: fewer than two groups among speakers" in reasons
    assert "no term was counted" not in reasons


def test_known_labels_are_present_and_not_blank():
    # one test of "a label is there" for groups, threads and authors (network, term explorer)
    values = pd.Series(["pro", "", "  ", None, float("nan"), pd.NA, "anti", " x "], dtype=object)
    assert known(values).tolist() == [True, False, False, False, False, False, True, True]
    assert known(pd.Series([], dtype=object)).tolist() == []
