"""The coding sample (analysis.validation.sampling) against a one-pass oracle and hand counts.

Every text here is invented. The oracle, :func:`one_pass_strata` and
:func:`one_pass_sample`, is the straightforward method: all documents in one
DataFrame, every document split whole by ``word_spans`` for partial matches,
strata by a merge; the package's ``draw_coding_sample`` reads shards as Arrow
and splits distinct chunks. The tests check the oracle against hand counts and
the package against the oracle.
"""

import textwrap
import zlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.lexicons import Lexicon, load_lexicon
from analysis.matcher import TokenIndex, match_frames
from analysis.tokenization import multiword_tuples, token_table, word_spans
from analysis.validation.coding_sample import documents_with_text
from analysis.validation.partial import partial_patterns
from analysis.validation.sampling import SAMPLE_COLUMNS, STRATA, draw_coding_sample

KEYS = ["thread_id", "comment_id", "doc"]


# --------------------------------------------------------------------------
# the test corpus (also used by the other test_validation_* files)


LEXICON = """
name: test_validation
version: "1"
frames:
  war:
    label: War
    description: The conflict as a war.
    terms: [civil war, war, armed conflict*]
  tax:
    label: Taxes
    description: Taxes and what things cost.
    terms: [tax*, cost of living]
"""

TEXTS = [
    ("t1", "1", "The civil war goes on."),               # war: hit
    ("t1", "2", 'He called it "civil war" twice.'),       # war: quoted, not counted -> near miss
    ("t1", "3", "A civil servant spoke."),                # war: partial (civil) -> near miss
    ("t1", "4", "Nothing to see here."),                  # neither
    ("t2", "1", "Taxes are high."),                       # tax: hit
    ("t2", "2", "The cost was high."),                    # tax: partial (cost) -> near miss
    ("t2", "3", "Of course, said the living."),           # tax: 'of' is a stopword; 'living' -> near miss
    ("t2", "4", "   "),                                   # empty: never sampled
    ("t3", "1", "Armed conflicts and more taxation."),    # war: hit (armed conflict*); tax: hit
    ("t3", "2", "The conflictual armed guards."),         # war: 'armed' and 'conflictual' (prefix) -> near miss
    ("t3", "3", "Weather today."),
    ("t3", "4", "More weather."),
]


def make_corpus(tmp_path_factory):
    """(lexicon, docs, matches) of :data:`TEXTS`."""
    path = tmp_path_factory.mktemp("lex") / "test_validation.yaml"
    path.write_text(textwrap.dedent(LEXICON), encoding="utf-8")
    lx = load_lexicon(path)
    docs = pd.DataFrame(TEXTS, columns=["thread_id", "comment_id", "text"]).assign(doc="comment")
    docs = docs[["thread_id", "comment_id", "doc", "text"]]
    return (lx, docs, matches_of(docs, lx))


def matches_of(docs, lx):
    """match_frames of ``docs`` (tokens by a default Punkt model)."""
    tokens = token_table(docs, punkt=PunktSentenceTokenizer(), mwes=multiword_tuples(lx.terms()))
    return match_frames(TokenIndex(tokens), lx,
                        texts={(t, c, d): x for t, c, d, x in docs[KEYS + ["text"]].itertuples(index=False)})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory)


# --------------------------------------------------------------------------
# the oracle: strata and sample in one pass over one DataFrame


def one_pass_strata(docs: pd.DataFrame, matches: pd.DataFrame, *, frames, lexicons=()) -> pd.DataFrame:
    """Every (document, frame) with its stratum, n_counted, n_matches, terms and partial, as documented in sampling.

    Rows sorted by frame (in the order given), then thread_id, comment_id, doc;
    documents with blank text left out.
    """
    lexicons = [lexicons] if isinstance(lexicons, Lexicon) else list(lexicons)

    d = docs[KEYS].astype(str)
    d["text"] = docs["text"].fillna("").astype(str).to_numpy()
    d = d[d["text"].str.strip() != ""].reset_index(drop=True)
    dup = d.duplicated(KEYS)
    if dup.any():
        first = d.loc[dup, KEYS].iloc[0].tolist()
        raise ValueError(f"docs: {first} is repeated")
    d = d.sort_values(KEYS, kind="stable").reset_index(drop=True)

    m = matches.loc[matches["frame"].isin(frames), KEYS + ["frame", "term", "counted"]].copy()
    m[KEYS] = m[KEYS].astype(str)
    m["counted"] = m["counted"].astype(bool)
    if len(m):
        agg = m.groupby(KEYS + ["frame"], sort=False).agg(
            n_counted=("counted", "sum"),
            n_matches=("counted", "size"),
            terms=("term", lambda t: "; ".join(sorted(set(map(str, t))))),
        ).reset_index()
    else:
        agg = pd.DataFrame(columns=KEYS + ["frame", "n_counted", "n_matches", "terms"])

    # the words of every document, once (case-folded and as written)
    patterns = partial_patterns(lexicons, frames)
    need = any(e or ec or p or pc for e, ec, p, pc in patterns.values())
    if need and len(d):
        raw = [[t[s:e] for s, e in word_spans(t)] for t in d["text"]]
        words = pd.DataFrame({"row": np.repeat(np.arange(len(d)), [len(w) for w in raw]),
                              "word": [w for ws in raw for w in ws]})
        words["folded"] = words["word"].str.casefold()

    parts = []
    for frame in frames:
        g = d.assign(frame=frame).merge(agg[agg["frame"] == frame], on=KEYS + ["frame"], how="left")
        g["n_counted"] = g["n_counted"].fillna(0).astype("int64")
        g["n_matches"] = g["n_matches"].fillna(0).astype("int64")
        g["terms"] = g["terms"].fillna("").astype(str)
        partial = np.full(len(g), "", dtype=object)
        exact, exact_cs, pre, pre_cs = patterns[frame]
        if need and len(g) and (exact or exact_cs or pre or pre_cs):
            hit = words["folded"].isin(exact) | words["word"].isin(exact_cs)
            if pre:
                hit |= words["folded"].str.startswith(pre)
            if pre_cs:
                hit |= words["word"].str.startswith(pre_cs)
            found = words.loc[hit.to_numpy(dtype=bool)]
            if len(found):
                shown = np.where(found["word"].isin(exact_cs)
                                 | (found["word"].str.startswith(pre_cs) if pre_cs else False),
                                 found["word"], found["folded"])
                per_row = pd.Series(shown, index=found["row"].to_numpy()).groupby(level=0).agg(
                    lambda w: "; ".join(sorted(set(w))))
                partial[per_row.index.to_numpy()] = per_row.to_numpy()
        partial[g["n_matches"].to_numpy() > 0] = ""
        g["partial"] = partial
        g["stratum"] = np.select(
            [g["n_counted"].to_numpy() > 0, (g["n_matches"].to_numpy() > 0) | (g["partial"].to_numpy() != "")],
            ["hit", "near_miss"], default="random_non_hit")
        parts.append(g)
    cols = KEYS + ["text", "frame", "stratum", "n_counted", "n_matches", "terms", "partial"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def one_pass_sample(docs: pd.DataFrame, matches: pd.DataFrame, *, frames, per_stratum: int, seed: int,
                    lexicons=()) -> pd.DataFrame:
    """The coding sample as documented: per frame and stratum, the first ``per_stratum`` of a seeded permutation."""
    strata = one_pass_strata(docs, matches, frames=frames, lexicons=lexicons)
    parts = []
    for frame in frames:
        for stratum in STRATA:
            pool = strata[(strata["frame"] == frame) & (strata["stratum"] == stratum)].reset_index(drop=True)
            rng = np.random.default_rng([seed, zlib.crc32(frame.encode("utf-8")), zlib.crc32(stratum.encode("utf-8"))])
            chosen = pool.iloc[rng.permutation(len(pool))[:per_stratum]].copy()
            chosen["draw"] = np.arange(1, len(chosen) + 1, dtype=np.int64)
            chosen["stratum_size"] = np.int64(len(pool))
            chosen["n_drawn"] = np.int64(len(chosen))
            parts.append(chosen)
    out = pd.concat(parts, ignore_index=True)
    out["item_id"] = out["frame"] + ":" + out["thread_id"] + ":" + out["comment_id"] + ":" + out["doc"]
    out["dict_label"] = (out["stratum"] == "hit").astype("int64")
    out["weight"] = out["stratum_size"] / out["n_drawn"]
    for c in ("draw", "n_counted", "n_matches", "stratum_size", "n_drawn"):
        out[c] = out[c].astype("int64")
    return out[SAMPLE_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------
# shards as draw_coding_sample reads them


def to_arrow(df: pd.DataFrame) -> pa.Table:
    """A DataFrame as an Arrow table in two chunks, as a Parquet file of several row groups reads."""
    df = df.reset_index(drop=True)
    half = len(df) // 2
    return pa.concat_tables([pa.Table.from_pandas(df.iloc[:half], preserve_index=False),
                             pa.Table.from_pandas(df.iloc[half:], preserve_index=False)])


def shards(docs, matches, parts):
    """A load_shard function over ``parts`` (lists of row positions of ``docs``), matches going with their documents."""
    def load(i):
        d = docs.iloc[parts[i]].reset_index(drop=True)
        keys = set(zip(d["thread_id"], d["comment_id"], d["doc"]))
        m = matches[[k in keys for k in zip(matches["thread_id"], matches["comment_id"], matches["doc"])]]
        return to_arrow(d[KEYS + ["text"]]), to_arrow(m)
    return load


def text_shards(docs, matches, parts):
    """load_shard as rule coding_sample has it: keys, comments (reversed order) and threads through
    documents_with_text."""
    def load(i):
        d = docs.iloc[parts[i]].reset_index(drop=True)
        keys = set(zip(d["thread_id"], d["comment_id"], d["doc"]))
        m = matches[[k in keys for k in zip(matches["thread_id"], matches["comment_id"], matches["doc"])]]
        comments = d.loc[d["doc"] == "comment", ["thread_id", "comment_id", "text"]].iloc[::-1]
        threads = d.loc[d["doc"] == "article", ["thread_id", "text"]].rename(columns={"text": "article_text"})
        return documents_with_text(to_arrow(d[KEYS]), to_arrow(comments), to_arrow(threads)), to_arrow(m)
    return load


def draw(docs, matches, **kwargs) -> pd.DataFrame:
    """draw_coding_sample of ``docs`` as one shard."""
    return draw_coding_sample(shards(docs, matches, [list(range(len(docs)))]), 1, **kwargs)


# --------------------------------------------------------------------------
# tests


def test_strata_by_hand(corpus):
    """The oracle's strata against hand decisions, and the package's (every document drawn) against the oracle."""
    lx, docs, matches = corpus
    st = one_pass_strata(docs, matches, frames=["war", "tax"], lexicons=lx)
    assert len(st) == 2 * 11  # the empty document is left out
    got = {(r.frame, r.thread_id, r.comment_id): (r.stratum, r.partial) for r in st.itertuples(index=False)}
    assert got[("war", "t1", "1")] == ("hit", "")
    assert got[("war", "t1", "2")] == ("near_miss", "")  # an uncounted (quoted) match
    assert got[("war", "t1", "3")] == ("near_miss", "civil")
    assert got[("war", "t1", "4")] == ("random_non_hit", "")
    assert got[("war", "t3", "1")] == ("hit", "")
    assert got[("war", "t3", "2")] == ("near_miss", "armed; conflictual")
    assert got[("tax", "t2", "1")] == ("hit", "")
    assert got[("tax", "t2", "2")] == ("near_miss", "cost")
    assert got[("tax", "t2", "3")] == ("near_miss", "living")  # 'of' alone would not be
    assert got[("tax", "t3", "3")] == ("random_non_hit", "")
    quoted = st[(st["frame"] == "war") & (st["comment_id"] == "2") & (st["thread_id"] == "t1")].iloc[0]
    assert (quoted["n_counted"], quoted["n_matches"], quoted["terms"]) == (0, 1, "civil war")
    # the package, drawing every document, puts each in the same stratum with the same counts
    everything = draw(docs, matches, frames=["war", "tax"], per_stratum=50, seed=0, lexicons=lx)
    cols = ["frame", "thread_id", "comment_id", "doc", "stratum", "n_counted", "n_matches", "terms", "partial"]
    pd.testing.assert_frame_equal(everything[cols].sort_values(cols[:4]).reset_index(drop=True),
                                  st[cols].sort_values(cols[:4]).reset_index(drop=True))
    # without the lexicon there are no partial matches
    plain = draw(docs, matches, frames=["war"], per_stratum=50, seed=0)
    assert plain.set_index(["thread_id", "comment_id"]).loc[("t1", "3"), "stratum"] == "random_non_hit"
    with pytest.raises(ValueError, match="unknown"):
        draw(docs, matches, frames=["peace"], per_stratum=2, seed=0, lexicons=lx)


def test_draw_coding_sample_is_stratified_seeded_and_nested(corpus):
    lx, docs, matches = corpus
    sample = draw(docs, matches, frames=["war", "tax"], per_stratum=2, seed=11, lexicons=lx)
    pd.testing.assert_frame_equal(sample, one_pass_sample(docs, matches, frames=["war", "tax"], per_stratum=2, seed=11,
                                                          lexicons=lx))
    assert list(sample.columns) == SAMPLE_COLUMNS
    sizes = sample.groupby(["frame", "stratum"])["item_id"].count().to_dict()
    # war: 2 hits, 3 near misses, 6 others; tax: 2 hits, 2 near misses, 7 others
    assert sizes == {("war", "hit"): 2, ("war", "near_miss"): 2, ("war", "random_non_hit"): 2,
                     ("tax", "hit"): 2, ("tax", "near_miss"): 2, ("tax", "random_non_hit"): 2}
    war = sample[sample["frame"] == "war"].set_index("stratum")
    assert war.loc["near_miss", "stratum_size"].tolist() == [3, 3]
    assert war.loc["random_non_hit", "weight"].tolist() == [3.0, 3.0]
    assert (sample["dict_label"] == (sample["stratum"] == "hit").astype(int)).all()
    assert (sample["item_id"] == sample["frame"] + ":" + sample["thread_id"] + ":" + sample["comment_id"]
            + ":comment").all()
    assert sample["item_id"].is_unique
    assert ("t3", "1") in set(zip(sample.loc[sample["frame"] == "war", "thread_id"],
                                  sample.loc[sample["frame"] == "war", "comment_id"]))
    assert ("t3", "1") in set(zip(sample.loc[sample["frame"] == "tax", "thread_id"],
                                  sample.loc[sample["frame"] == "tax", "comment_id"]))
    assert "" not in set(sample["text"].str.strip())
    # deterministic, independent of row order and of the other frames listed
    again = draw(docs.iloc[::-1], matches, frames=["war", "tax"], per_stratum=2, seed=11, lexicons=lx)
    pd.testing.assert_frame_equal(sample, again)
    alone = draw(docs, matches, frames=["tax"], per_stratum=2, seed=11, lexicons=lx)
    pd.testing.assert_frame_equal(alone, sample[sample["frame"] == "tax"].reset_index(drop=True))
    # nested: a larger sample starts with the smaller one
    big = draw(docs, matches, frames=["war", "tax"], per_stratum=5, seed=11, lexicons=lx)
    small_ids = set(sample["item_id"])
    assert small_ids == set(big.loc[big["draw"] <= 2, "item_id"])
    assert len(big[(big["frame"] == "war") & (big["stratum"] == "near_miss")]) == 3  # the whole stratum
    # another seed, another sample of the random stratum
    seeds = {tuple(sorted(draw(docs, matches, frames=["war"], per_stratum=2, seed=s, lexicons=lx)
                          .query("stratum == 'random_non_hit'")["item_id"])) for s in range(8)}
    assert len(seeds) > 1
    with pytest.raises(ValueError, match="per_stratum"):
        draw(docs, matches, frames=["war"], per_stratum=0, seed=1)
    with pytest.raises(ValueError, match="Arrow table"):
        draw_coding_sample(lambda i: (docs, matches), 1, frames=["war"], per_stratum=2, seed=1)


EXTRA_TEXTS = [
    ("t4", "1", "Civil. . . and so on"),                  # spaced ellipsis: split whole; war: partial (civil)
    ("t4", "2", "ARMED\x1cmen, COSTLY"),                  # U+001C: not space to the word pattern (its own token)
    ("t4", "3", "(conflicts) and living."),               # war: prefix 'conflict' inside brackets; tax: 'living'
    ("t5", "1", "The war, the war."),                     # war: hit
    ("t5", "2", "Nothing at all"),
    ("t0", "9", "Civil servants."),                       # sorts before t1: war: near miss
]


def with_extra_texts(docs, lx):
    """The corpus with :data:`EXTRA_TEXTS` added, and its matches."""
    docs = pd.concat([docs,
                      pd.DataFrame(EXTRA_TEXTS, columns=["thread_id", "comment_id", "text"]).assign(doc="comment")],
                     ignore_index=True)[KEYS + ["text"]]
    return docs, matches_of(docs, lx)


@pytest.mark.parametrize("per_stratum", [1, 2, 5])
def test_sharded_sample_equals_the_one_pass_sample(corpus, per_stratum):
    lx, docs, _ = corpus
    docs, matches = with_extra_texts(docs, lx)
    # shards hold interleaved keys, in no sorted order
    parts = [[17, 3, 0, 12, 8, 5], [1, 14, 9, 2, 15], [4, 6, 7, 10, 11, 13, 16]]
    assert sorted(sum(parts, [])) == list(range(len(docs)))
    for frames, lexicons in ((["war", "tax"], lx), (["tax"], lx), (["war"], ())):
        one = one_pass_sample(docs, matches, frames=frames, per_stratum=per_stratum, seed=11, lexicons=lexicons)
        sharded = draw_coding_sample(shards(docs, matches, parts), len(parts), frames=frames,
                                     per_stratum=per_stratum, seed=11, lexicons=lexicons)
        pd.testing.assert_frame_equal(sharded, one)
    st = one_pass_strata(docs, matches, frames=["war", "tax"], lexicons=lx).set_index(
        ["frame", "thread_id", "comment_id"])
    assert st.loc[("war", "t4", "1"), "partial"] == "civil"
    assert st.loc[("war", "t4", "2"), "partial"] == "armed"
    assert st.loc[("war", "t4", "3"), "partial"] == "conflicts"
    assert st.loc[("tax", "t4", "3"), "partial"] == "living"
    big = draw_coding_sample(shards(docs, matches, parts), len(parts), frames=["war", "tax"], per_stratum=50,
                             seed=11, lexicons=lx)
    sizes = big.groupby(["frame", "stratum"])["stratum_size"].first().to_dict()
    assert sizes == st.reset_index().groupby(["frame", "stratum"]).size().to_dict()
    assert sizes[("war", "near_miss")] == 7  # t1/2, t1/3, t3/2, t4/1, t4/2, t4/3, t0/9


def test_sharded_sample_refuses_a_document_in_two_shards(corpus):
    lx, docs, matches = corpus
    with pytest.raises(ValueError, match="t1"):
        draw_coding_sample(shards(docs, matches, [[0, 1, 2], [2, 3]]), 2, frames=["war"], per_stratum=2,
                           seed=1, lexicons=lx)


@pytest.mark.parametrize("per_stratum", [1, 2, 5])
def test_sharded_sample_from_text_shards_equals_the_one_pass_sample(corpus, per_stratum):
    """The rule's path (texts joined in Arrow, articles, blank-looking texts) draws the one-pass sample."""
    lx, docs, _ = corpus
    extra = pd.DataFrame(EXTRA_TEXTS + [("t6", "1", "\x1c\u3000 \x85"), ("t6", "2", "\u200b"),
                                        ("t6", "3", "civil\u2028servant"), ("t4", "4", "The civil war.")],
                         columns=["thread_id", "comment_id", "text"]).assign(doc="comment")
    articles = pd.DataFrame({"thread_id": ["t1", "t5", "t6"], "comment_id": "", "doc": "article",
                             "text": ["An armed truce, a war report.", "", "Civil rights."]})
    docs = pd.concat([docs, extra, articles], ignore_index=True)[KEYS + ["text"]]
    matches = matches_of(docs, lx)
    rng = np.random.default_rng(3)
    order = rng.permutation(len(docs)).tolist()
    parts = [order[:7], order[7:8], order[8:20], order[20:]]
    for frames, lexicons in ((["war", "tax"], lx), (["tax"], lx), (["war"], ())):
        one = one_pass_sample(docs, matches, frames=frames, per_stratum=per_stratum, seed=11, lexicons=lexicons)
        for load in (text_shards(docs, matches, parts), shards(docs, matches, parts)):
            sharded = draw_coding_sample(load, len(parts), frames=frames, per_stratum=per_stratum, seed=11,
                                         lexicons=lexicons)
            pd.testing.assert_frame_equal(sharded, one)
    # the blank text is never drawn, the zero-width one is (it is not whitespace), the articles are
    big = draw_coding_sample(text_shards(docs, matches, parts), len(parts), frames=["war"], per_stratum=50,
                             seed=11, lexicons=lx)
    drawn = set(zip(big["thread_id"], big["comment_id"], big["doc"]))
    assert ("t6", "1", "comment") not in drawn and ("t5", "", "article") not in drawn
    assert {("t6", "2", "comment"), ("t1", "", "article"), ("t6", "", "article")} <= drawn
    assert len(big) == len(docs) - 3  # t2/4, t6/1 and the empty article are blank
