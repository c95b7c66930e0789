"""Issue 15 (clean term lists): keyness and partisanship terms need a minimum number of documents and of distinct
speakers; repeated posts count once; terms.drop_noise applies to both. Hand-made tokens, values worked by hand."""

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.keyness import keyness_by_grouping

KEYS = ["thread_id", "comment_id", "doc"]


def _shard(rows):
    """(comment id, author, side, norms) rows of one thread: tokens and docs as keyness_by_grouping takes them."""
    tokens = pd.DataFrame([{"thread_id": "t", "comment_id": c, "doc": "comment", "norm": n, "is_stopword": False}
                           for c, _, _, norms in rows for n in norms])
    docs = pd.DataFrame({"thread_id": "t", "comment_id": [r[0] for r in rows], "doc": "comment",
                         "author_id": [r[1] for r in rows], "side": [r[2] for r in rows]})
    return pa.Table.from_pandas(tokens, preserve_index=False), docs


FIRST = [("c1", "A", "pro", ["war", "war", "peace", "solo"]), ("c2", "A", "pro", ["war", "peace", "mine"]),
         ("c3", "B", "con", ["terror", "peace", "mine"]), ("c4", "C", "con", ["terror", "peace", "truce"]),
         ("c5", "C", "con", ["truce", "terror"])]
SECOND = [("c6", "", "con", ["truce"]),                      # no known author: a speaker of its own
          ("c7", "A", "con", ["war"]),                       # A again, in another shard: still one speaker
          ("c8", "D", "con", ["war", "war", "peace", "solo"])]  # repeats c1 verbatim: not counted


def _terms(**kw):
    table = keyness_by_grouping([_shard(FIRST), _shard(SECOND)], groupings=["side"], min_count=1, **kw)
    return table, set(table["term"])


def test_min_docs_and_min_speakers_by_hand():
    # by hand (c8 left out as a repeat): documents / distinct speakers per term
    # war 3 / 1 (A); peace 4 / 3; solo 1 / 1; mine 2 / 2; terror 3 / 2; truce 3 / 2 (C and c6's own speaker)
    assert _terms()[1] == {"war", "peace", "solo", "mine", "terror", "truce"}
    assert _terms(min_docs=2, min_speakers=2)[1] == {"peace", "mine", "terror", "truce"}
    assert _terms(min_docs=2)[1] == {"war", "peace", "mine", "terror", "truce"}
    assert _terms(min_docs=4)[1] == {"peace"}
    assert _terms(min_speakers=3)[1] == {"peace"}


def test_leaving_terms_out_changes_no_reported_number():
    full, _ = _terms()
    kept, _ = _terms(min_docs=2, min_speakers=2)
    cols = ["group", "term", "count_a", "count_b", "freq_a", "freq_b", "log_odds", "z", "g2"]
    merged = kept[cols].merge(full[cols], on=["group", "term"], suffixes=("", "_full"))
    assert len(merged) == len(kept) == 8
    for c in cols[2:]:
        assert (merged[c] == merged[f"{c}_full"]).all()


# ---------------------------------------------------------------- partisanship terms

PARTISAN = [("c1", "A", "x", ["war", "war", "peace", "solo", "https://x.com"]),
            ("c2", "A", "x", ["war", "peace", "mine"]),
            ("c3", "B", "y", ["terror", "peace", "mine", "2013"]),
            ("c4", "C", "x", ["terror", "truce", "https://x.com"]),
            ("c5", "D", "y", ["war", "war", "peace", "solo", "https://x.com"]),  # repeats c1 verbatim
            ("c7", "D", "y", ["peace", "terror"]),
            ("c6", "E", "", ["solo", "truce"])]                                 # E has no group


def _partisan_tables():
    comments = pd.DataFrame({"thread_id": "t", "comment_id": [r[0] for r in PARTISAN], "parent_id": "",
                             "author_id": [r[1] for r in PARTISAN], "side": [r[2] for r in PARTISAN]})
    tokens = pd.DataFrame([{"thread_id": "t", "comment_id": c, "doc": "comment", "norm": n, "is_stopword": False}
                           for c, _, _, norms in PARTISAN for n in norms])
    return comments, pa.Table.from_pandas(tokens, preserve_index=False)


def _counted(**kw):
    from analysis.polarization_report import TermCounts, count_tokens

    comments, tokens = _partisan_tables()
    sp_code, sp_ids = pd.factorize(comments["author_id"], sort=True)
    keep = np.asarray(sp_ids) != "E"
    where = pd.MultiIndex.from_arrays([comments["thread_id"], comments["comment_id"]])
    chunks = tokens.to_batches(max_chunksize=4)  # batches that cut documents
    counter = count_tokens(TermCounts(where, sp_code, sp_ids, keep), chunks, **kw)
    counts, ids, terms = counter.result(1)
    return dict(zip(terms, counter.docs_of(terms).tolist())), ids, counts, terms


def test_partisanship_counts_repeats_once_drops_noise_and_counts_documents():
    docs, ids, counts, terms = _counted(drop_repeats=True)
    # by hand, speakers A-D (E has no group), c5 left out as a repeat of c1, no URL or number:
    # documents per term: war c1 c2; peace c1 c2 c3 c7; solo c1; mine c2 c3; terror c3 c4 c7; truce c4
    assert docs == {"mine": 2, "peace": 4, "solo": 1, "terror": 3, "truce": 1, "war": 2}
    assert ids == ["A", "B", "C", "D"]
    assert counts.toarray()[ids.index("D")].tolist() == [0, 1, 0, 1, 0, 0]  # D: c7's peace and terror only
    noisy, _, _, _ = _counted(drop_repeats=True, drop_noise=False)
    assert noisy == docs | {"2013": 1, "https://x.com": 2}
    every, _, counts_all, terms_all = _counted()  # without drop_repeats: c5 counts
    assert every == docs | {"war": 3, "peace": 5, "solo": 2}
    assert counts_all.toarray()[ids.index("D")].tolist() == [0, 2, 1, 1, 0, 2]


def test_partisanship_terms_need_documents_and_speakers():
    from analysis.polarization_report import polarization_report

    comments, tokens = _partisan_tables()
    docs = comments[["thread_id", "comment_id"]].assign(doc="comment", n_tokens=3)
    stance = comments[["thread_id", "comment_id"]].assign(doc="comment", n_pro=0, n_anti=0, score=np.nan,
                                                          label="abstain", n_uncivil=0)
    matches: list = []  # no frame matches
    options = {"groups": "column", "group_column": "side", "unit": "author", "min_known_share": 0.5,
               "min_term_count": 1, "top_terms": 10, "n_boot": 20, "n_perm": 20, "seed": 1, "min_clusters": 2,
               "er_alpha": 1.3, "er_bins": 10, "rwc_k": 2, "stance_mapping": {}, "salt": "s"}

    def terms(**kw):
        rep = polarization_report(comments, docs, stance, tokens.to_batches(max_chunksize=4), matches, **options,
                                  **kw)
        return set(rep.terms.loc[rep.terms["tokens"] == "all tokens", "term"])

    # by hand (speakers with a group A-D, c5 a repeat): distinct speakers per term: peace A B D; mine A B;
    # terror B C D; war A; solo A; truce C
    assert terms(min_term_docs=2, min_term_speakers=2) == {"peace", "mine", "terror"}
    assert terms(min_term_docs=3, min_term_speakers=1) == {"peace", "terror"}
    assert terms() == {"peace", "mine", "terror", "war", "solo", "truce"}
    # the URL (c1 by A, c4 by C: 2 documents, 2 speakers) is a term only without terms.drop_noise
    assert terms(min_term_docs=2, min_term_speakers=2, drop_noise=False) == {"peace", "mine", "terror",
                                                                            "https://x.com"}
