"""Issue 15 (clean term lists): keyness and partisanship terms need a minimum number of documents and of distinct
speakers; repeated posts count once; terms.drop_noise applies to both. Hand-made tokens, values worked by hand."""

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
