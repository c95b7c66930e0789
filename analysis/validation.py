"""Validating a frame dictionary against human coding: samples, agreement, accuracy.

A dictionary count is a measurement; this module checks it against people
reading the same texts (krippendorff2018content, ch. 12). The steps, each a
pure function:

1. **Coding sample out.** :func:`stratify` puts every document, for each
   frame, in one of three strata; :func:`draw_coding_sample` draws a seeded
   sample from each; :func:`coding_sheets` makes one blind sheet per coder
   (no dictionary decision on it) and :func:`codebook` the coders'
   instructions.
2. **Codes back in.** :func:`read_codes` checks the returned sheets and gives
   one long table ``(item_id, coder, code)``; :func:`reliability_matrix`
   pivots it to units x coders.
3. **Agreement.** :func:`krippendorff_alpha` (and :func:`alpha_with_ci`,
   :func:`agreement_by_frame`) on the reliability matrix.
4. **Gold.** :func:`adjudicate`: majority vote, ties reported.
5. **Accuracy of the dictionary.** :func:`precision_recall`, :func:`by_frame`
   and :func:`confusion` compare the dictionary's decision with the gold;
   :func:`compare_to_labels` does the same against a label column already in
   the data (e.g. an annotated corpus), :func:`frac_validation` for the FrAC
   sentences (guida2025frac). :func:`worst_errors` lists the false positives
   and false negatives to read.

Conventions
-----------
* **Codes** are 0 (frame absent), 1 (frame present) or blank (not coded, a
  missing value). Missing values are never read as 0.
* **Items.** An item is one (frame, document) pair: ``item_id`` is
  ``f"{frame}:{thread_id}:{comment_id}:{doc}"``, stable across reruns and
  samples, so one document can be coded for several frames.
* **Undefined is NaN.** Precision with no predicted positive, recall with no
  gold positive, alpha with no variation among the values: NaN, never 0
  or 1 by convention.
* **Randomness** comes from ``numpy.random.default_rng`` streams derived from
  the ``seed`` argument (and, where said, from the frame or coder name, so
  that adding a frame or a coder leaves the others' draws unchanged).
  Bootstrap replicates are those of :func:`analysis.stats.replicate_sums`.
* Texts are untrusted: functions return them unchanged (except
  :func:`coding_sheets`, see there); escape them wherever they are shown.

References (bibtex keys): krippendorff2018content, krippendorff2011computing,
hayes2007answering, card2015media, guida2025frac.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from analysis.codes import string_codes
from analysis.errors import InputError, bad_value, int_arg, level_arg
from analysis.lexicons import Lexicon
from analysis.stats import percentile_interval, replicate_sums

__all__ = [
    "STRATA",
    "SAMPLE_COLUMNS",
    "SHEET_COLUMNS",
    "METRIC_COLUMNS",
    "stratify",
    "draw_coding_sample",
    "draw_coding_sample_sharded",
    "coding_sheets",
    "codebook",
    "read_codes",
    "reliability_matrix",
    "krippendorff_alpha",
    "alpha_with_ci",
    "agreement_by_frame",
    "adjudicate",
    "precision_recall",
    "by_frame",
    "confusion",
    "document_predictions",
    "compare_to_labels",
    "frac_validation",
    "frac_sentences",
    "worst_errors",
]

KEYS = ["thread_id", "comment_id", "doc"]

#: The strata of :func:`stratify`, in sampling order.
STRATA = ("hit", "near_miss", "random_non_hit")

#: Columns of :func:`draw_coding_sample`.
SAMPLE_COLUMNS = [
    "item_id", "frame", "stratum", "draw", "thread_id", "comment_id", "doc", "text", "dict_label",
    "n_counted", "n_matches", "terms", "partial", "stratum_size", "n_drawn", "weight",
]

#: Columns of each sheet of :func:`coding_sheets`.
SHEET_COLUMNS = ["item_id", "frame", "definition", "text", "context", "code", "note"]

#: Columns of :func:`by_frame` after ``frame`` (also the keys of :func:`precision_recall`).
METRIC_COLUMNS = [
    "n", "n_unlabelled", "support", "n_predicted", "tp", "fp", "fn", "tn",
    "precision", "precision_low", "precision_high", "recall", "recall_low", "recall_high",
    "f1", "f1_low", "f1_high", "n_clusters", "n_boot", "confidence",
]

_LEVELS = ("nominal", "interval")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------
# argument checks


def _require(df, name: str, cols: Sequence[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise bad_value(name, type(df).__name__, f"a pandas DataFrame with columns {list(cols)}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise bad_value(name, list(df.columns), f"a DataFrame with columns {list(cols)} (missing {missing})")


def _names_arg(name: str, values, *, what: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise bad_value(name, values, f"a non-empty list of {what} names")
    out = list(values)
    if any(not isinstance(v, str) or not v for v in out) or len(set(out)) != len(out):
        raise bad_value(name, values, f"distinct, non-empty {what} names (strings)")
    return out


def _lexicons_arg(lexicons) -> list[Lexicon]:
    if isinstance(lexicons, Lexicon):
        return [lexicons]
    out = list(lexicons)
    if any(not isinstance(lx, Lexicon) for lx in out):
        raise bad_value("lexicons", lexicons, "a Lexicon or a list of Lexicon objects (analysis.lexicons.load_lexicon)")
    return out


def _frame_entries(lexicons: Sequence[Lexicon]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for lx in lexicons:
        for frame, spec in lx.frames.items():
            out.setdefault(frame, spec)
    return out


def _stream(seed: int, *names) -> np.random.Generator:
    """A generator for ``seed`` and names: the same names always give the same stream."""
    keys = [zlib.crc32(str(n).encode("utf-8")) for n in names]
    return np.random.default_rng([seed, *keys])


def _key_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The document keys of ``df`` as text."""
    return df[KEYS].astype(str)


# --------------------------------------------------------------------------
# 1. coding sample out


def _frames_and_lexicons(frames, lexicons) -> tuple[list[str], list[Lexicon]]:
    """The checked ``frames`` and ``lexicons`` arguments of the sample draw: every frame must be one of the lexicons'."""
    frames = _names_arg("frames", frames, what="frame")
    lexicons = _lexicons_arg(lexicons)
    known = _frame_entries(lexicons)
    if lexicons:
        unknown = [f for f in frames if f not in known]
        if unknown:
            raise bad_value("frames", frames, f"frames of the given lexicons (unknown: {unknown})")
    return frames, lexicons


def _partial_patterns(lexicons: Sequence[Lexicon], frames: Sequence[str]) -> dict[str, tuple[set, set, tuple, tuple]]:
    """Per frame: (exact words, exact case-sensitive words, prefixes, case-sensitive prefixes) of partial matches."""
    from analysis.tokenization import stopword_set  # NLTK: imported by the rule that draws the sample only

    stop = stopword_set("english")
    out = {f: (set(), set(), [], []) for f in frames}
    for lx in lexicons:
        table = lx.term_table()
        table = table[table["frame"].isin(frames) & ~table["exclude"] & (table["n_words"] > 1)]
        for frame, words, wildcard, cs in zip(table["frame"], table["words"], table["wildcard"], table["case_sensitive"]):
            exact, exact_cs, pre, pre_cs = out[frame]
            for k, word in enumerate(words):
                is_prefix = wildcard and k == len(words) - 1
                stem = word[:-1] if is_prefix else word
                if stem.casefold() in stop or not any(ch.isalnum() for ch in stem):
                    continue
                if is_prefix:
                    (pre_cs if cs else pre).append(stem)
                else:
                    (exact_cs if cs else exact).add(stem)
    return {f: (e, ec, tuple(sorted(set(p))), tuple(sorted(set(pc)))) for f, (e, ec, p, pc) in out.items()}


def stratify(
    docs: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    frames: Sequence[str],
    lexicons: Lexicon | Sequence[Lexicon] = (),
) -> pd.DataFrame:
    """Put every document, for each frame, in one stratum: hit, near miss, or neither.

    ``docs`` has columns thread_id, comment_id, doc and text (one row per
    document); ``matches`` is the output of
    :func:`analysis.framing.match_frames` (or ``score_frames``) for the same
    documents. For each frame f and document d (documents whose text is empty
    or only whitespace are left out: there is nothing to code):

    * ``hit``: d has at least one *counted* match of f (the dictionary says 1);
    * ``near_miss``: d has no counted match of f but either (a) at least one
      match of f that is not counted (quoted or, with ``count_negated: false``,
      negated), or (b) a *partial match* of f;
    * ``random_non_hit``: everything else: no match of f at all and no
      partial match.

    Partial match, exactly: a word of d, as split by
    :func:`analysis.tokenization.word_spans`, equals one word of a
    multi-word term of f (case-folded on both sides, as written for a
    case-sensitive term), or, for the last word of a multi-word term ending
    in ``*``, starts with it. Words of the project's English stopword list
    (``data/stopwords/english.txt``) and words without a letter or digit are
    not used: for ``right to bear arms`` a document with ``arms`` or ``bear``
    but not the term is a near miss, one with only ``to`` is not. The terms
    come from ``lexicons``; without them no document is a partial match.
    Exclusions (``exclude``) are not terms and give no partial matches.

    The strata partition the documents of each frame, which is what the
    sampling weights of :func:`draw_coding_sample` rely on.

    Returns one row per (document, frame): thread_id, comment_id, doc, text,
    frame, stratum, ``n_counted`` (counted matches of f), ``n_matches`` (all
    matches of f), ``terms`` (the distinct terms of f matched, counted or
    not, sorted, joined by ``"; "``) and ``partial`` (the distinct words that
    make a partial match, joined by ``"; "``; empty unless the document has
    no match of f). Rows are sorted by frame (in the order given), then
    thread_id, comment_id, doc.

    Caveats: a frame with multi-word terms made of common words (``public
    health``: ``public``) has a large near-miss stratum; that is by design
    (those are the documents where the dictionary is most likely to miss),
    but it dilutes the stratum.

    Reference: krippendorff2018content (sampling units for validation).
    """
    _require(docs, "docs", KEYS + ["text"])
    _require(matches, "matches", KEYS + ["frame", "term", "counted"])
    frames, lexicons = _frames_and_lexicons(frames, lexicons)

    d = _key_frame(docs)
    d["text"] = docs["text"].fillna("").astype(str).to_numpy()
    d = d[d["text"].str.strip() != ""].reset_index(drop=True)
    dup = d.duplicated(KEYS)
    if dup.any():
        first = d.loc[dup, KEYS].iloc[0].tolist()
        raise bad_value("docs", first, "one row per document (thread_id, comment_id, doc); this one is repeated")
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
    patterns = _partial_patterns(lexicons, frames)
    need = any(e or ec or p or pc for e, ec, p, pc in patterns.values())
    if need and len(d):
        from analysis.tokenization import word_spans

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
                shown = np.where(found["word"].isin(exact_cs) | (found["word"].str.startswith(pre_cs) if pre_cs else False),
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


def _item_ids(frame: pd.Series, keys: pd.DataFrame) -> pd.Series:
    return frame.astype(str) + ":" + keys["thread_id"] + ":" + keys["comment_id"] + ":" + keys["doc"]


def draw_coding_sample(
    docs: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    frames: Sequence[str],
    per_stratum: int,
    seed: int,
    lexicons: Lexicon | Sequence[Lexicon] = (),
) -> pd.DataFrame:
    """A stratified random sample of documents to code by hand, per frame (the analyst's file).

    For each frame and each stratum of :func:`stratify` (``hit``,
    ``near_miss``, ``random_non_hit``), ``per_stratum`` documents are drawn
    without replacement (all of them when the stratum is smaller). Documents
    are put in a fixed order (thread_id, comment_id, doc) and shuffled by
    ``numpy.random.default_rng([seed, crc32(frame), crc32(stratum)])``; the
    first ``per_stratum`` of that order are taken. So the sample is
    deterministic, does not depend on the row order of ``docs`` or on the
    other frames listed, and is *nested*: the sample for ``per_stratum=k``
    is the rows with ``draw <= k`` of any larger sample with the same seed.
    A document can be an item of several frames.

    Returns :data:`SAMPLE_COLUMNS`, one row per item, sorted by frame (in the
    order given), stratum (in :data:`STRATA` order) and draw:

    - ``item_id``: ``f"{frame}:{thread_id}:{comment_id}:{doc}"`` (stable);
    - ``stratum``, ``draw`` (1-based position in the stratum's random order);
    - the document's keys and ``text``;
    - ``dict_label``: the dictionary's decision, 1 for a hit, else 0. Keep it
      away from the coders: :func:`coding_sheets` leaves it out;
    - ``n_counted``, ``n_matches``, ``terms``, ``partial``: as in
      :func:`stratify` (what the dictionary saw, for reading errors later);
    - ``stratum_size`` (documents in the stratum), ``n_drawn`` (drawn from
      it) and ``weight = stratum_size / n_drawn``: the inverse sampling
      probability. Pass ``weights="weight"`` to :func:`by_frame` to estimate
      recall for the whole corpus; unweighted, the sample over-represents
      hits and near misses.

    Higher means: nothing; this is a sample, not a measure.

    Caveats: documents with empty text are never drawn. With few hits or
    near misses a stratum is small and so is its part of the sample; report
    ``n_drawn`` and ``stratum_size``.

    Reference: krippendorff2018content (sampling for reliability and
    validity), card2015media.
    """
    per_stratum = int_arg("per_stratum", per_stratum, minimum=1)
    seed = int_arg("seed", seed, minimum=0)
    strata = stratify(docs, matches, frames=frames, lexicons=lexicons)
    parts = []
    for frame in _names_arg("frames", frames, what="frame"):
        for stratum in STRATA:
            pool = strata[(strata["frame"] == frame) & (strata["stratum"] == stratum)].reset_index(drop=True)
            order = _stream(seed, frame, stratum).permutation(len(pool))[:per_stratum]
            chosen = pool.iloc[order].copy()
            chosen["draw"] = np.arange(1, len(chosen) + 1, dtype=np.int64)
            chosen["stratum_size"] = np.int64(len(pool))
            chosen["n_drawn"] = np.int64(len(chosen))
            parts.append(chosen)
    return _finish_sample(pd.concat(parts, ignore_index=True))


def _finish_sample(out: pd.DataFrame) -> pd.DataFrame:
    """Item ids, labels and weights of the drawn rows; :data:`SAMPLE_COLUMNS`."""
    out["item_id"] = _item_ids(out["frame"], out)
    if out["item_id"].duplicated().any():
        bad = out.loc[out["item_id"].duplicated(), "item_id"].iloc[0]
        raise bad_value("docs", bad, "keys whose item ids are distinct (a ':' inside ids made two items collide)")
    out["dict_label"] = (out["stratum"] == "hit").astype("int64")
    out["weight"] = out["stratum_size"] / out["n_drawn"]
    for c in ("draw", "n_counted", "n_matches", "stratum_size", "n_drawn"):
        out[c] = out[c].astype("int64")
    return out[SAMPLE_COLUMNS].reset_index(drop=True)


def draw_coding_sample_sharded(
    load_shard: Callable[[int], tuple[pd.DataFrame | pa.Table, pd.DataFrame | pa.Table]],
    n_shards: int,
    *,
    frames: Sequence[str],
    per_stratum: int,
    seed: int,
    lexicons: Lexicon | Sequence[Lexicon] = (),
) -> pd.DataFrame:
    """:func:`draw_coding_sample` of a corpus held in shards, one shard in memory at a time: the same rows.

    ``load_shard(i)`` (``0 <= i < n_shards``) returns the ``(docs, matches)``
    of shard i, as :func:`draw_coding_sample` takes them (pandas DataFrames),
    or as Arrow tables with the same columns (string keys; for matches only
    the keys, ``frame``, ``term`` and ``counted`` are read; see
    :func:`documents_with_text` for the docs of a shard); the result equals
    ``draw_coding_sample(concat of all docs, concat of all matches, ...)``
    when the matches of a document are in the shard of the document (as the
    per-shard framing tables are). Each shard is loaded once to put its
    documents in strata and once more if a document of it is drawn.

    How: only the stratum of every (document, frame) is kept for the whole
    corpus (one byte each, with the document keys), which is all the draws
    need (they depend on the pool sizes and on the documents' key order).
    Texts stay in Arrow: each distinct text of a shard is checked once for
    being blank and for partial matches. Partial matches are found on the
    distinct whitespace-separated *chunks* of a shard: the words of a text
    are those of its chunks, each split by
    :func:`~analysis.tokenization.word_spans` on its own (the equivalence
    :func:`~analysis.tokenization.tokenize_documents` relies on; a text
    with a spaced ellipsis is split whole), so each distinct chunk is split
    once. Counts, terms and partial words are worked out, and texts turned
    into Python strings, for the drawn documents only.
    """
    per_stratum = int_arg("per_stratum", per_stratum, minimum=1)
    seed = int_arg("seed", seed, minimum=0)
    frames, lexicons = _frames_and_lexicons(frames, lexicons)
    patterns = _partial_patterns(lexicons, frames)
    finder = _PartialFinder(patterns, frames)
    keys: list[pa.Table] = []
    codes: list[np.ndarray] = []
    kept: list[np.ndarray] = []  # per shard, the position in its docs of each document kept
    for i in range(n_shards):
        d, texts, text_code, m, at = _shard_docs(*load_shard(i), frames)
        keys.append(d.select(KEYS))
        kept.append(at)
        has_match = np.zeros((d.num_rows, len(frames)), dtype=bool)
        has_counted = np.zeros((d.num_rows, len(frames)), dtype=bool)
        has_match[m["row"], m["col"]] = True
        c = m["counted"]
        has_counted[m["row"][c], m["col"][c]] = True
        partial = finder.flags(texts)[text_code]
        codes.append(np.where(has_counted, 0, np.where(has_match | partial, 1, 2)).astype(np.int8))
        del d, texts, text_code, m, at
    table = pa.concat_tables(keys) if keys else pa.table({k: pa.array([], type=pa.string()) for k in KEYS})
    shard_of = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
    local = np.concatenate([np.arange(len(k)) for k in keys]) if keys else np.zeros(0, dtype=np.int64)
    code = np.concatenate(codes) if codes else np.zeros((0, len(frames)), dtype=np.int8)
    del keys, codes
    order = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in KEYS]).to_numpy()
    if len(order) > 1:
        srt = table.take(order)
        same = np.ones(len(order) - 1, dtype=bool)
        for k in KEYS:
            col = srt.column(k)
            same &= pc.equal(col.slice(1), col.slice(0, len(order) - 1)).to_numpy(zero_copy_only=False)
        if same.any():
            later = np.maximum(order[1:][same], order[:-1][same])  # the second occurrence, in input order
            first = table.slice(int(later.min()), 1).to_pylist()[0]
            raise bad_value("docs", [first[k] for k in KEYS], "one row per document (thread_id, comment_id, doc); this one is repeated")
        del srt
    drawn = []  # (frame position, stratum position, draw, global row, stratum size, n drawn)
    for j, frame in enumerate(frames):
        col = code[order, j]
        for s, stratum in enumerate(STRATA):
            pool = order[col == s]
            pick = _stream(seed, frame, stratum).permutation(len(pool))[:per_stratum]
            for draw, row in enumerate(pool[pick].tolist(), start=1):
                drawn.append((j, s, draw, row, len(pool), len(pick)))
    rows: dict[tuple[int, int, int], dict] = {}
    wanted: dict[int, list[tuple[int, int]]] = {}
    for j, _, _, row, _, _ in drawn:
        wanted.setdefault(int(shard_of[row]), []).append((int(local[row]), j))
    col_of = {f: j for j, f in enumerate(frames)}
    for i in sorted(wanted):
        docs, matches = load_shard(i)
        want_rows = sorted({r for r, _ in wanted[i]})
        picked = _arrow_docs(docs).take(pa.array(kept[i][want_rows], type=pa.int64()))
        docs_of = dict(zip(want_rows, picked.to_pylist()))
        row_of = {tuple(doc[k] for k in KEYS): r for r, doc in docs_of.items()}  # keys are distinct: checked above
        mt = _arrow_matches(matches, frames, terms=True)
        mt = mt.filter(pc.is_in(_joined_key(*(mt.column(k) for k in KEYS)),
                                value_set=_joined_key(*(picked.column(k) for k in KEYS))))
        found: dict[tuple[int, int], list[tuple[bool, str]]] = {}
        for match in mt.to_pylist():
            key = (row_of[tuple(match[k] for k in KEYS)], col_of[match["frame"]])
            found.setdefault(key, []).append((match["counted"], match["term"]))
        for r, j in wanted[i]:
            doc = docs_of[r]
            sub = found.get((r, j), [])
            rows[(i, r, j)] = {
                **{k: doc[k] for k in KEYS},
                "text": doc["text"],
                "n_counted": sum(c for c, _ in sub),
                "n_matches": len(sub),
                "terms": "; ".join(sorted({str(t) for _, t in sub})),
                "partial": "" if sub else finder.partial_text(doc["text"], frames[j]),
            }
        del docs, matches, picked, mt
    out = pd.DataFrame(
        [{**rows[(int(shard_of[row]), int(local[row]), j)], "frame": frames[j], "stratum": STRATA[s], "draw": draw,
          "stratum_size": size, "n_drawn": n} for j, s, draw, row, size, n in drawn],
        columns=KEYS + ["text", "n_counted", "n_matches", "terms", "partial", "frame", "stratum", "draw", "stratum_size", "n_drawn"],
    )
    return _finish_sample(out)


def _strings(column) -> pa.ChunkedArray:
    """An Arrow column as plain strings (dictionary-encoded or large ones too)."""
    column = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
    return column.cast(pa.string())


def _joined_key(*columns) -> pa.Array:
    """One string per row that identifies the row's values of ``columns`` (strings) without ambiguity.

    The byte lengths of all but the last value come first: ``"3:1:abc:x:y"``
    is ``("abc", "x", "y")`` and ``"4:0:a:bc::x:y"`` is ``("a:bc", "", "x:y")``,
    whatever characters the values hold.
    """
    lengths = [pc.binary_length(c).cast(pa.string()) for c in columns[:-1]]
    out = pc.binary_join_element_wise(*lengths, *columns, ":")
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _arrow_docs(docs) -> pa.Table:
    """Keys and text of a shard's documents as Arrow strings, as :func:`stratify` reads them (text: ``""`` where missing)."""
    if isinstance(docs, pa.Table):
        missing = [c for c in KEYS + ["text"] if c not in docs.column_names]
        if missing:
            raise bad_value("docs", docs.column_names, f"a table with columns {KEYS + ['text']} (missing {missing})")
        return pa.table({**{k: _strings(docs.column(k)) for k in KEYS}, "text": _strings(docs.column("text")).fill_null("")})
    _require(docs, "docs", KEYS + ["text"])
    d = _key_frame(docs)
    return pa.table({**{k: pa.array(d[k].tolist(), type=pa.string()) for k in KEYS},
                     "text": pa.array(docs["text"].fillna("").astype(str).tolist(), type=pa.string())})


def _arrow_matches(matches, frames: list[str], *, terms: bool) -> pa.Table:
    """Keys, frame, counted (and term) of the matches of ``frames`` in a shard, as Arrow."""
    cols = KEYS + ["frame", "counted"] + (["term"] if terms else [])
    if isinstance(matches, pa.Table):
        missing = [c for c in KEYS + ["frame", "term", "counted"] if c not in matches.column_names]
        if missing:
            raise bad_value("matches", matches.column_names,
                            f"a table with columns {KEYS + ['frame', 'term', 'counted']} (missing {missing})")
        out = {k: _strings(matches.column(k)) for k in KEYS + ["frame"]}
        out["counted"] = matches.column("counted").cast(pa.bool_())
        if terms:
            out["term"] = matches.column("term")
        t = pa.table(out)
        return t.filter(pc.is_in(t.column("frame"), value_set=pa.array(frames, type=pa.string())))
    _require(matches, "matches", KEYS + ["frame", "term", "counted"])
    m = matches.loc[matches["frame"].isin(frames), cols]
    out = {k: pa.array(m[k].astype(str).tolist(), type=pa.string()) for k in KEYS}
    out["frame"] = pa.array(m["frame"].tolist(), type=pa.string())
    out["counted"] = pa.array(m["counted"].astype(bool).tolist(), type=pa.bool_())
    if terms:
        out["term"] = pa.array([str(t) for t in m["term"].tolist()], type=pa.string())  # as stratify shows terms
    return pa.table(out)


def _shard_docs(docs, matches, frames: list[str]) -> tuple[pa.Table, list[str], np.ndarray, dict, np.ndarray]:
    """The documents of one shard as :func:`stratify` keeps them (input order), their distinct texts, and their matches of ``frames``.

    Returns ``(d, texts, text_code, m, kept)``: ``d`` an Arrow table of the
    kept documents (keys and text; blank texts are left out, as
    :func:`stratify` does), ``texts`` the distinct texts of the shard,
    ``text_code`` the position in ``texts`` of each kept document's text,
    ``m`` the matches as numpy arrays ``row`` (the document's position in
    ``d``), ``col`` (the frame's) and ``counted``, and ``kept`` the position
    in ``docs`` of each row of ``d``. Matches of documents not kept are
    dropped, as :func:`stratify`'s merge does.
    """
    d = _arrow_docs(docs)
    text_code, distinct = string_codes(d.column("text"))
    texts = distinct.to_pylist()
    # blank as stratify decides it (pandas' str.strip), once per distinct text
    blank = (pd.Series(np.array(texts, dtype=object), dtype=object).astype(str).str.strip() == "").to_numpy(dtype=bool)
    keep = ~blank[text_code] if len(text_code) else np.zeros(0, dtype=bool)
    d = d.filter(pa.array(keep, type=pa.bool_()))
    text_code = text_code[keep]
    mt = _arrow_matches(matches, frames, terms=False)
    col = pc.index_in(mt.column("frame"), value_set=pa.array(frames, type=pa.string()))
    if mt.num_rows and d.num_rows:
        row = pc.index_in(_joined_key(*(mt.column(k) for k in KEYS)), value_set=_joined_key(*(d.column(k) for k in KEYS)))
    else:
        row = pa.nulls(mt.num_rows, type=pa.int32())
    ok = pc.is_valid(row).to_numpy(zero_copy_only=False) if mt.num_rows else np.zeros(0, dtype=bool)
    m = {"row": pc.fill_null(row, 0).to_numpy(zero_copy_only=False).astype(np.int64)[ok],
         "col": pc.fill_null(col, 0).to_numpy(zero_copy_only=False).astype(np.int64)[ok],
         "counted": mt.column("counted").to_numpy(zero_copy_only=False).astype(bool)[ok]}
    return d, texts, text_code, m, np.flatnonzero(keep)


def documents_with_text(docs: pa.Table, comments: pa.Table, threads: pa.Table) -> pa.Table:
    """``docs`` (keys) with the column ``text`` of each document, as :func:`analysis.framing.document_texts` gives them.

    A ``comment`` document gets the text of its comment (by thread_id,
    comment_id; the last one when a comment is repeated), an ``article``
    document with an empty comment_id the non-empty ``article_text`` of its
    thread (the last one when a thread is repeated); any other document, or
    one without a text, gets ``""``. All in Arrow, one shard at a time.
    """
    thread, comment, doc = (_strings(docs.column(k)) for k in KEYS)

    def last_row(keys_docs, keys_table):
        """For each document, the row of the last entry of ``keys_table`` with its key (null where none)."""
        n = len(keys_table)
        if not n:
            return pa.nulls(len(keys_docs), type=pa.int64())
        back = keys_table.take(pa.array(np.arange(n - 1, -1, -1)))
        at = pc.index_in(keys_docs, value_set=back).cast(pa.int64())
        return pc.subtract(pa.scalar(n - 1, type=pa.int64()), at)

    texts = _strings(comments.column("text")).combine_chunks() if comments.num_rows else pa.array([], type=pa.string())
    c_row = last_row(_joined_key(thread, comment),
                     _joined_key(_strings(comments.column("thread_id")), _strings(comments.column("comment_id"))))
    articles = threads.filter(pc.not_equal(pc.fill_null(_strings(threads.column("article_text")), ""), ""))
    bodies = _strings(articles.column("article_text")).combine_chunks() if articles.num_rows else pa.array([], type=pa.string())
    a_row = last_row(thread.combine_chunks(), _strings(articles.column("thread_id")).combine_chunks())
    is_comment = pc.equal(doc, "comment")
    is_article = pc.and_(pc.equal(doc, "article"), pc.equal(comment, ""))
    text = pc.coalesce(pc.if_else(is_comment, texts.take(c_row), pa.scalar(None, pa.string())),
                       pc.if_else(is_article, bodies.take(a_row), pa.scalar(None, pa.string())),
                       pa.scalar("", pa.string()))
    return pa.table({**{k: c for k, c in zip(KEYS, (thread, comment, doc))}, "text": text})


class _PartialFinder:
    """Which documents have a partial match of which frame (see :func:`stratify`), split chunk by chunk."""

    def __init__(self, patterns: Mapping[str, tuple[set, set, tuple, tuple]], frames: Sequence[str]) -> None:
        self.patterns = patterns
        self.frames = list(frames)
        self.need = any(e or ec or p or pc_ for e, ec, p, pc_ in patterns.values())
        self.exact: dict[str, int] = {}
        self.exact_cs: dict[str, int] = {}
        self.pre: list[tuple[tuple, int]] = []
        self.pre_cs: list[tuple[tuple, int]] = []
        for j, f in enumerate(self.frames):
            e, ec, p, pcs = patterns[f]
            for w in e:
                self.exact[w] = self.exact.get(w, 0) | (1 << j)
            for w in ec:
                self.exact_cs[w] = self.exact_cs.get(w, 0) | (1 << j)
            if p:
                self.pre.append((p, 1 << j))
            if pcs:
                self.pre_cs.append((pcs, 1 << j))
        # Kept across calls (shards): words and chunks repeat across a corpus (Zipf).
        # Cleared when they reach CACHE_ENTRIES, so memory stays bounded.
        self._words: dict[str, int] = {}
        self._chunks: dict[str, int] = {}
        # Whole texts too (copies, "[deleted]", quoted posts recur across shards), cleared past TEXT_CACHE_CHARS.
        self._texts: dict[str, int] = {}
        self._text_chars = 0

    #: Entries of the word and chunk caches before they are cleared.
    CACHE_ENTRIES = 1_000_000
    #: Characters of the whole-text cache before it is cleared.
    TEXT_CACHE_CHARS = 32_000_000

    def _word_bits(self, word: str, memo: dict[str, int]) -> int:
        b = memo.get(word)
        if b is None:
            folded = word.casefold()
            b = self.exact.get(folded, 0) | self.exact_cs.get(word, 0)
            for tup, bit in self.pre:
                if folded.startswith(tup):
                    b |= bit
            for tup, bit in self.pre_cs:
                if word.startswith(tup):
                    b |= bit
            memo[word] = b
        return b

    def flags(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), n_frames)`` booleans: text i has a word making a partial match of frame j."""
        out = np.zeros((len(texts), len(self.frames)), dtype=bool)
        if not self.need or not texts:
            return out
        from analysis.tokenization import word_chunks, word_spans

        for cache in (self._words, self._chunks):
            if len(cache) > self.CACHE_ENTRIES:
                cache.clear()
        words, chunks = self._words, self._chunks
        wb = self._word_bits
        bits = []
        if self._text_chars > self.TEXT_CACHE_CHARS:
            self._texts.clear()
            self._text_chars = 0
        seen = self._texts  # a text repeated within the call or across calls is split once
        for text in texts:
            b = seen.get(text)
            if b is not None:
                bits.append(b)
                continue
            parts = word_chunks(text)
            b = 0
            if parts is None:  # a spaced ellipsis: the text is read whole
                for s, e in word_spans(text):
                    b |= wb(text[s:e], words)
            else:
                for chunk in parts:
                    c = chunks.get(chunk)
                    if c is None:
                        c = 0
                        for s, e in word_spans(chunk):
                            c |= wb(chunk[s:e], words)
                        chunks[chunk] = c
                    b |= c
            seen[text] = b
            self._text_chars += len(text)
            bits.append(b)
        if len(self.frames) < 63:
            out[:] = (np.array(bits, dtype=np.int64)[:, None] >> np.arange(len(self.frames), dtype=np.int64)) & 1 != 0
        else:
            for j in range(len(self.frames)):
                bit = 1 << j
                out[:, j] = [(b & bit) != 0 for b in bits]
        return out

    def partial_text(self, text: str, frame: str) -> str:
        """The ``partial`` column of :func:`stratify` for one document without a match of ``frame``."""
        exact, exact_cs, pre, pre_cs = self.patterns[frame]
        if not self.need or not (exact or exact_cs or pre or pre_cs):
            return ""
        from analysis.tokenization import word_spans

        shown = set()
        for s, e in word_spans(text):
            word = text[s:e]
            folded = word.casefold()
            cs_hit = word in exact_cs or (bool(pre_cs) and word.startswith(pre_cs))
            if folded in exact or cs_hit or (bool(pre) and folded.startswith(pre)):
                shown.add(word if cs_hit else folded)
        return "; ".join(sorted(shown))


def _escape_formula(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def coding_sheets(
    sample: pd.DataFrame,
    *,
    coders: Sequence[str],
    context: pd.DataFrame | None = None,
    lexicons: Lexicon | Sequence[Lexicon] = (),
    seed: int = 0,
    escape_formulas: bool = True,
) -> dict[str, pd.DataFrame]:
    """One blind coding sheet per coder: the sample's items in an order of its own.

    Each sheet has :data:`SHEET_COLUMNS`: ``item_id`` (the key
    :func:`read_codes` joins on), ``frame``, ``definition`` (the frame's
    label and description from ``lexicons``, as in :func:`codebook`; without
    them the placeholder ``"see the codebook, frame <frame>"``), ``text``,
    ``context`` (the text of the parent comment when ``context`` is given and
    the parent is in it, else empty), an empty ``code`` column for the coder
    (0 or 1; leave blank when unsure whether to code at all) and an empty
    ``note``. Nothing the dictionary decided (stratum, dict_label, terms) is
    on the sheet: coders code blind.

    ``context`` is the comments table (columns thread_id, comment_id,
    parent_id, text): an item's parent is the comment ``parent_id`` of the
    same thread. Top-level comments and articles get no context.

    Items are shuffled per coder by ``default_rng([seed, crc32(coder)])``, so
    coders see different orders (order effects do not line up across
    coders) and a coder's sheet does not change when another coder is added.

    ``escape_formulas``: a text starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return gets a leading ``'``, so that a spreadsheet opening the
    sheet shows it instead of running it as a formula (untrusted text). This
    changes what the coder sees by one character; ``item_id`` is untouched.

    Caveats: write the sheets as text (CSV, quoted) and read them back with
    ``dtype=str``; a spreadsheet may turn ids into numbers or dates.

    Reference: krippendorff2018content (independent coders, blind coding).
    """
    _require(sample, "sample", ["item_id", "frame", "thread_id", "comment_id", "doc", "text"])
    coders = _names_arg("coders", coders, what="coder")
    seed = int_arg("seed", seed, minimum=0)
    entries = _frame_entries(_lexicons_arg(lexicons))
    base = pd.DataFrame({"item_id": sample["item_id"].astype(str).to_numpy(), "frame": sample["frame"].astype(str).to_numpy()})
    base["definition"] = [_definition(f, entries) for f in base["frame"]]
    base["text"] = sample["text"].fillna("").astype(str).to_numpy()
    base["context"] = ""
    if context is not None:
        _require(context, "context", ["thread_id", "comment_id", "parent_id", "text"])
        ctx = context[["thread_id", "comment_id", "parent_id", "text"]].astype({"thread_id": str, "comment_id": str, "parent_id": str})
        text_of = dict(zip(zip(ctx["thread_id"], ctx["comment_id"]), ctx["text"].fillna("").astype(str)))
        parent_of = dict(zip(zip(ctx["thread_id"], ctx["comment_id"]), ctx["parent_id"].fillna("")))
        keys = list(zip(sample["thread_id"].astype(str), sample["comment_id"].astype(str), sample["doc"].astype(str)))
        base["context"] = [
            text_of.get((t, parent_of.get((t, c), "")), "") if doc == "comment" and parent_of.get((t, c), "") else ""
            for t, c, doc in keys
        ]
    if escape_formulas:
        for col in ("text", "context", "definition"):
            base[col] = base[col].map(_escape_formula)
    base["code"] = ""
    base["note"] = ""
    sheets = {}
    for coder in coders:
        order = _stream(seed, coder).permutation(len(base))
        sheets[coder] = base.iloc[order][SHEET_COLUMNS].reset_index(drop=True)
    return sheets


def _definition(frame: str, entries: Mapping[str, dict]) -> str:
    spec = entries.get(frame)
    if spec is None:
        return f"see the codebook, frame {frame}"
    label = str(spec.get("label", frame))
    desc = " ".join(str(spec.get("description", "")).split())
    return f"{label}: {desc}" if desc else label


def codebook(lexicons: Lexicon | Sequence[Lexicon], *, frames: Sequence[str] | None = None, show_terms: bool = True) -> str:
    """The coders' instructions as Markdown: the task, the coding rules, then one section per frame.

    Each frame section gives its label, name, description and (with
    ``show_terms``) the dictionary's terms. ``frames`` limits and orders the
    sections (default: every frame of ``lexicons`` in file order).

    Caveats: showing the terms may lead coders to look for words instead of
    reading for the frame; ``show_terms=False`` keeps them out (the rules
    already say a word alone is not enough).

    Reference: krippendorff2018content (instructions and coding rules),
    card2015media (frame dimensions).
    """
    lexicons = _lexicons_arg(lexicons)
    if not lexicons:
        raise bad_value("lexicons", lexicons, "at least one Lexicon")
    entries = _frame_entries(lexicons)
    names = list(entries) if frames is None else _names_arg("frames", frames, what="frame")
    unknown = [f for f in names if f not in entries]
    if unknown:
        raise bad_value("frames", frames, f"frames of the given lexicons (unknown: {unknown})")
    sources = ", ".join(f"{lx.name} {lx.version} (sha256 {lx.short_hash})" for lx in lexicons)
    lines = [
        "# Codebook: frames in comments and articles",
        "",
        f"Dictionaries: {sources}.",
        "",
        "## Your task",
        "",
        "Each row of your sheet is one *item*: a text and one frame. Read the text (and, when given, the",
        "comment it replies to, under `context`) and decide whether the text uses that frame.",
        "",
        "## Coding rules",
        "",
        "- Write **1** in `code` if the text uses the frame **in the author's own voice**: the author",
        "  defines, explains, evaluates or argues about the issue in terms of this frame.",
        "- Write **0** otherwise. In particular:",
        "  - a word that belongs to the frame is not enough: the frame must be what the author talks",
        "    about or argues with (\"the cost of living\" in a joke about a cat is 0 for Economic);",
        "  - words of someone else that the author quotes, reports or mocks without adopting them are 0;",
        "    a quotation the author uses to make their own point in this frame is 1;",
        "  - the `context` is there to understand the text; code only the text itself.",
        "- A text that argues *against* a view in the frame's own terms still uses it (\"the ban will not",
        "  cost jobs\" is 1 for Economic): code the frame as a dimension of the issue, whatever the",
        "  author's side or judgement.",
        "- Leave `code` **blank** only if you cannot read or understand the text at all (wrong language,",
        "  broken text); say why in `note`. A blank is a missing code, not a 0.",
        "- Code every item on its own; do not look at other coders' sheets, at the dictionary's results",
        "  or at the item's position in the sheet.",
        "- Use `note` for anything the analyst should know (a hard case, a typo in the text).",
        "",
        "## Frames",
    ]
    for frame in names:
        spec = entries[frame]
        lines += ["", f"### {spec.get('label', frame)} (`{frame}`)", ""]
        desc = " ".join(str(spec.get("description", "")).split())
        lines.append(desc or "(no description in the dictionary)")
        if show_terms:
            terms = list(spec.get("terms", [])) + [t for t in spec.get("case_sensitive", []) if t not in spec.get("terms", [])]
            lines += ["", "Words the dictionary looks for (a word alone is not the frame): " + ", ".join(terms) + "."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# 2. codes back in


def _parse_code(value) -> float | None:
    """0.0, 1.0, NaN for blank, or None for an invalid code."""
    if value is None or value is pd.NA or value is pd.NaT:
        return np.nan
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return float(value) if value in (0, 1) else None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return np.nan
        return float(value) if value in (0.0, 1.0) else None
    if isinstance(value, str):
        s = value.strip()
        if s == "":
            return np.nan
        return {"0": 0.0, "1": 1.0, "0.0": 0.0, "1.0": 1.0}.get(s)
    return None


def read_codes(sheets: Mapping[str, pd.DataFrame], sample: pd.DataFrame) -> pd.DataFrame:
    """Check the returned coding sheets and stack them: one row per (item, coder).

    ``sheets`` maps coder -> that coder's sheet (as read back, best with
    ``dtype=str, keep_default_na=False``); a sheet needs columns ``item_id``
    and ``code``; extra columns are ignored, except ``frame``, which must
    agree with the sample when filled in. Rows may come in any order.

    Codes: ``0`` and ``1`` (also ``0.0``/``1.0`` as a spreadsheet writes them,
    and the numbers 0 and 1); **blank** (empty, whitespace, NaN, None) means
    *not coded*: a missing value, kept as ``<NA>``, never read as 0. Items of
    the sample that a sheet lacks are missing for that coder too (they get
    no row).

    Returns item_id, coder, code (pandas ``Int64``, ``<NA>`` when blank), in
    the order coders are given, then sheet order.

    Errors (:class:`~analysis.errors.InputError` naming the coder's sheet and
    the record, 1-based among the data rows): a missing column, an empty or
    unknown item id, an item listed twice, a frame other than the sample's,
    a code that is not 0, 1 or blank (``"yes"``, ``2``, ``True``).

    Reference: krippendorff2018content (missing values in reliability data).
    """
    _require(sample, "sample", ["item_id", "frame"])
    if not isinstance(sheets, Mapping) or not sheets:
        raise bad_value("sheets", type(sheets).__name__, "a non-empty dict coder -> DataFrame")
    frame_of = dict(zip(sample["item_id"].astype(str), sample["frame"].astype(str)))
    parts = []
    for coder, sheet in sheets.items():
        where = f"coding sheet of coder {coder!r}"
        if not isinstance(coder, str) or not coder:
            raise bad_value("sheets", coder, "coder names that are non-empty strings")
        if not isinstance(sheet, pd.DataFrame):
            raise InputError(where, f"expected a table (DataFrame), got {type(sheet).__name__}")
        missing = [c for c in ("item_id", "code") if c not in sheet.columns]
        if missing:
            raise InputError(where, f"missing column(s) {missing}; the sheet has {list(sheet.columns)}")
        ids, codes = [], []
        seen: dict[str, int] = {}
        frames = sheet["frame"].tolist() if "frame" in sheet.columns else [None] * len(sheet)
        for record, (raw_id, raw_code, raw_frame) in enumerate(zip(sheet["item_id"].tolist(), sheet["code"].tolist(), frames), start=1):
            item = "" if raw_id is None or (isinstance(raw_id, float) and np.isnan(raw_id)) else str(raw_id).strip()
            if not item:
                raise InputError(where, "empty item_id", record=record)
            if item not in frame_of:
                raise InputError(where, f"unknown item id {item!r}: not in the coding sample", record=record)
            if item in seen:
                raise InputError(where, f"item id {item!r} appears twice (first at record {seen[item]})", record=record)
            seen[item] = record
            if isinstance(raw_frame, str) and raw_frame.strip() and raw_frame.strip() != frame_of[item]:
                raise InputError(where, f"item {item!r} has frame {raw_frame.strip()!r}; the sample says {frame_of[item]!r}",
                                 record=record)
            code = _parse_code(raw_code)
            if code is None:
                raise InputError(where, f"item {item!r}: invalid code {raw_code!r}; expected 0, 1 or blank (not coded)",
                                 record=record)
            ids.append(item)
            codes.append(code)
        parts.append(pd.DataFrame({"item_id": pd.Series(ids, dtype=object), "coder": coder,
                                   "code": pd.array(codes, dtype="float64")}))
    out = pd.concat(parts, ignore_index=True)
    out["code"] = pd.array([pd.NA if np.isnan(c) else int(c) for c in out["code"].to_numpy(dtype=float)], dtype="Int64")
    out["coder"] = out["coder"].astype(object)
    return out[["item_id", "coder", "code"]]


def reliability_matrix(codes: pd.DataFrame, *, coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Units x coders: the codes of :func:`read_codes` pivoted, NaN where a coder gave no code.

    Rows are item ids (sorted), columns coders (``coders`` order, else first
    appearance); values float 0.0/1.0/NaN. This is the input of
    :func:`krippendorff_alpha`.
    """
    _require(codes, "codes", ["item_id", "coder", "code"])
    names = list(pd.unique(codes["coder"])) if coders is None else _names_arg("coders", coders, what="coder")
    values = pd.to_numeric(codes["code"], errors="coerce").astype("float64")
    table = pd.DataFrame({"item_id": codes["item_id"].astype(str), "coder": codes["coder"], "code": values})
    if table.duplicated(["item_id", "coder"]).any():
        raise bad_value("codes", "duplicate (item_id, coder)", "one code per item and coder (as read_codes gives)")
    wide = table.pivot(index="item_id", columns="coder", values="code").reindex(columns=names).sort_index()
    wide.columns.name = "coder"
    return wide.astype("float64")


# --------------------------------------------------------------------------
# 3. agreement


def _reliability_values(reliability) -> tuple[np.ndarray, np.ndarray]:
    """(values as object array, missing mask) of a units x coders table."""
    if isinstance(reliability, pd.DataFrame):
        arr = reliability.to_numpy(dtype=object)
    else:
        arr = np.asarray(reliability, dtype=object)
    if arr.ndim != 2:
        raise bad_value("reliability", f"<array of shape {arr.shape}>", "a 2-D table: units (rows) x coders (columns)")
    missing = np.asarray(pd.isna(arr), dtype=bool)
    return arr, missing


def _pairs(reliability, level: str) -> tuple[sp.csr_array, np.ndarray, int, int]:
    """Per pairable unit, its contribution to the coincidence matrix, flattened.

    Returns (X, delta2, n_coders, n_units_all): X is (pairable units x V*V)
    with X[u, c*V+k] = (number of ordered pairs of coders giving c and k in
    unit u) / (m_u - 1), so that ``X.sum(0)`` is the coincidence matrix o
    (krippendorff2011computing, eq. for o_ck); delta2 is the V x V squared
    difference function of the metric ``level``.
    """
    if level not in _LEVELS:
        raise bad_value("level", level, f"one of {list(_LEVELS)}")
    arr, missing = _reliability_values(reliability)
    n_units, n_coders = arr.shape
    present = ~missing
    if level == "interval":
        vals = np.full(arr.shape, np.nan)
        try:
            vals[present] = [float(v) for v in arr[present]]
        except (TypeError, ValueError):
            raise bad_value("reliability", "<non-numeric values>", "numbers (or NaN) for level='interval'") from None
        if not np.isfinite(vals[present]).all():
            raise bad_value("reliability", "<inf>", "finite numbers for level='interval'")
        uniq, inv = np.unique(vals[present], return_inverse=True)
        delta2 = (uniq[:, None] - uniq[None, :]) ** 2
    else:
        inv, uniq = pd.factorize(pd.Series(arr[present], dtype=object), sort=False)
        delta2 = 1.0 - np.eye(len(uniq))
    codes = np.full(arr.shape, -1, dtype=np.int64)
    codes[present] = inv
    v = len(uniq)
    m = present.sum(axis=1)
    pairable = np.flatnonzero(m >= 2)
    row_of = np.full(n_units, -1, dtype=np.int64)
    row_of[pairable] = np.arange(len(pairable))
    rows, cols, data = [], [], []
    for a in range(n_coders):
        for b in range(n_coders):
            if a == b:
                continue
            both = np.flatnonzero(present[:, a] & present[:, b] & (m >= 2))
            rows.append(row_of[both])
            cols.append(codes[both, a] * v + codes[both, b])
            data.append(1.0 / (m[both] - 1))
    if rows:
        x = sp.coo_array((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(len(pairable), v * v)).tocsr()
    else:
        x = sp.csr_array((0, v * v))
    return x, delta2, n_coders, n_units


def _alpha_rows(o_flat: np.ndarray, delta2: np.ndarray) -> np.ndarray:
    """Alpha for each row of flattened coincidence matrices: 1 - (n - 1) sum(o d2) / sum(n_c n_k d2)."""
    v = delta2.shape[0]
    o = np.asarray(o_flat, dtype=np.float64).reshape(-1, v, v)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    observed = np.einsum("bck,ck->b", o, delta2)
    expected = np.einsum("bc,bk,ck->b", n_c, n_c, delta2)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where(expected > 0, alpha, np.nan)


def krippendorff_alpha(reliability: pd.DataFrame | np.ndarray, *, level: str = "nominal") -> float:
    """Krippendorff's alpha for reliability data of units (rows) x coders (columns), NaN for missing.

    Computed through the coincidence matrix (krippendorff2011computing):
    within each unit u with m_u >= 2 values, every ordered pair of values
    from two different coders adds 1/(m_u - 1) to o_ck; n_c = sum_k o_ck and
    n = sum_c n_c is the number of pairable values. Then::

        alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck

    with d2 the squared difference of the metric ``level``: ``"nominal"``
    (0 if equal, else 1; values may be any hashable labels) or
    ``"interval"`` ((c - k)^2; numeric values). Units with fewer than two
    values are not pairable and are dropped, so missing codes are allowed.

    Note the orientation: Krippendorff's own tables are coders x units;
    pass their transpose.

    Higher means: more agreement beyond chance. 1 is perfect agreement, 0
    agreement at chance level, below 0 systematic disagreement.
    Krippendorff's guideline (krippendorff2018content): rely on variables
    with alpha >= .800, draw only tentative conclusions from .667 to .800.

    Caveats: NaN when alpha is undefined: no pairable unit, or no variation
    among the pairable values (every coder gave the same single value
    everywhere: D_e = 0). Alpha for a rare frame (few 1s) is unstable: a
    handful of disagreements on the rare value moves it a lot; give the
    bootstrap interval (:func:`alpha_with_ci`) with it.

    References: krippendorff2011computing, krippendorff2018content.
    """
    x, delta2, _, _ = _pairs(reliability, level)
    if x.shape[0] == 0:
        return float("nan")
    return float(_alpha_rows(np.asarray(x.sum(axis=0)).reshape(1, -1), delta2)[0])


def alpha_with_ci(
    reliability: pd.DataFrame | np.ndarray,
    *,
    level: str = "nominal",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    thresholds: Sequence[float] = (0.667, 0.8),
) -> dict:
    """Krippendorff's alpha with a bootstrap interval over units.

    Resampling scheme (the choice made here): the *pairable units* (those
    with at least two codes) are drawn with replacement, as many as there
    are, and alpha is recomputed from the coincidence matrix of each
    replicate, expected disagreement included. Replicates are the
    multinomial weights of :func:`analysis.stats.replicate_sums` applied to
    each unit's contribution to the coincidence matrix, so one sparse product
    gives every replicate. This is the ordinary nonparametric bootstrap with
    the unit (the item coded) as the sampled entity.

    Hayes and Krippendorff (hayes2007answering) bootstrap differently: they
    keep the expected disagreement fixed and resample the pairs of pairable
    values within units, and report q, the probability that alpha falls
    below a minimum. Their interval is usually somewhat narrower, since the
    chance term does not vary; ``p_below`` here is the analogue of their q.

    Returns a dict: ``alpha`` (as :func:`krippendorff_alpha`), ``ci_low``,
    ``ci_high`` (percentile interval at ``confidence``; NaN when
    ``n_boot=0``), ``confidence``, ``n_units`` (pairable units), ``n_values``
    (pairable values, n), ``n_coders``, ``n_boot``, ``n_valid`` (replicates
    where alpha is defined; the others are ignored) and ``p_below``: for each
    threshold t, the share of valid replicates with alpha < t.

    Higher means: as for alpha; a wider interval is more uncertainty.

    Caveats: with few units (under about 30) or a rare value, the percentile
    interval is rough and replicates without the rare value are undefined
    (see ``n_valid``).

    References: hayes2007answering, krippendorff2011computing, efron1994bootstrap.
    """
    n_boot = int_arg("n_boot", n_boot, minimum=0)
    seed = int_arg("seed", seed, minimum=0)
    confidence = level_arg(confidence, name="confidence")
    ts = [float(t) for t in thresholds]
    x, delta2, n_coders, _ = _pairs(reliability, level)
    total = np.asarray(x.sum(axis=0)).reshape(1, -1) if x.shape[0] else np.zeros((1, delta2.size))
    alpha = float(_alpha_rows(total, delta2)[0]) if x.shape[0] else float("nan")
    out = {
        "alpha": alpha, "ci_low": float("nan"), "ci_high": float("nan"), "confidence": confidence,
        "n_units": int(x.shape[0]), "n_values": int(round(float(total.sum()))), "n_coders": int(n_coders),
        "n_boot": n_boot, "n_valid": 0, "p_below": {t: float("nan") for t in ts},
    }
    if n_boot == 0 or x.shape[0] == 0:
        return out
    reps = _alpha_rows(replicate_sums(x, n_boot=n_boot, seed=seed), delta2)
    valid = np.isfinite(reps)
    out["n_valid"] = int(valid.sum())
    if valid.any():
        out["ci_low"], out["ci_high"] = percentile_interval(reps, level=confidence)
        out["p_below"] = {t: float((reps[valid] < t).mean()) for t in ts}
    return out


def agreement_by_frame(
    codes: pd.DataFrame,
    sample: pd.DataFrame,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Nominal alpha with its bootstrap interval, per frame and over all items.

    One row per frame of ``sample`` (in order of first appearance), then a
    row ``frame="(all)"`` pooling every item. Columns: frame, alpha, ci_low,
    ci_high, n_items (items of the frame in the sample), n_units (items
    coded by at least two coders), n_values, n_coders, n_valid, p_below_667,
    p_below_800 (see :func:`alpha_with_ci`).

    Caveats: pooling frames mixes items of different base rates; report the
    per-frame rows.

    References: krippendorff2011computing, hayes2007answering.
    """
    _require(sample, "sample", ["item_id", "frame"])
    wide = reliability_matrix(codes)
    frame_of = pd.Series(sample["frame"].astype(str).to_numpy(), index=sample["item_id"].astype(str).to_numpy())
    rows = []
    groups = [(f, frame_of.index[frame_of.to_numpy() == f]) for f in pd.unique(frame_of)] + [("(all)", frame_of.index)]
    for frame, items in groups:
        r = alpha_with_ci(wide.reindex(items), n_boot=n_boot, seed=seed, confidence=confidence)
        rows.append({"frame": frame, "alpha": r["alpha"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "n_items": len(items), "n_units": r["n_units"], "n_values": r["n_values"],
                     "n_coders": r["n_coders"], "n_valid": r["n_valid"],
                     "p_below_667": r["p_below"][0.667], "p_below_800": r["p_below"][0.8]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# 4. gold


def adjudicate(codes: pd.DataFrame) -> pd.DataFrame:
    """Gold label per item by majority vote of the coders' non-missing codes.

    Returns item_id (sorted), ``gold`` (``Int64``: 1 if more coders gave 1
    than 0, 0 if more gave 0; ``<NA>`` on a tie or when nobody coded the
    item), ``n_codes`` (non-missing codes), ``n_ones`` and ``tie`` (True when
    as many coders gave 1 as 0, at least one each).

    Caveats: ties are not broken: with two coders every disagreement is a
    tie, so ``gold`` is missing there and :func:`precision_recall` leaves
    those items out (``n_unlabelled``). Resolve ties by discussion or a third
    coder and pass the resolved codes as another coder, or report them. A
    majority of 2 to 1 counts like unanimity; the ``n_ones``/``n_codes``
    ratio shows how clear an item was.

    Reference: krippendorff2018content.
    """
    _require(codes, "codes", ["item_id", "code"])
    c = pd.DataFrame({"item_id": codes["item_id"].astype(str),
                      "code": pd.to_numeric(codes["code"], errors="coerce").astype("float64")})
    bad = c["code"].notna() & ~c["code"].isin([0.0, 1.0])
    if bad.any():
        raise bad_value("codes", c.loc[bad, "code"].iloc[0], "codes 0, 1 or missing")
    g = c.groupby("item_id", sort=True)["code"]
    n_codes = g.count().astype("int64")
    n_ones = g.sum(min_count=0).fillna(0).astype("int64")
    n_zeros = n_codes - n_ones
    gold = pd.array([1 if o > z else 0 if z > o else pd.NA for o, z in zip(n_ones, n_zeros)], dtype="Int64")
    return pd.DataFrame({"item_id": n_codes.index.to_numpy(dtype=object), "gold": gold,
                         "n_codes": n_codes.to_numpy(), "n_ones": n_ones.to_numpy(),
                         "tie": ((n_ones == n_zeros) & (n_codes > 0)).to_numpy()})


# --------------------------------------------------------------------------
# 5. accuracy of the dictionary


def _binary(x, name: str, *, allow_missing: bool) -> np.ndarray:
    """A float array of 0.0/1.0, NaN where missing (an error unless ``allow_missing``)."""
    s = x if isinstance(x, pd.Series) else pd.Series(list(np.asarray(x, dtype=object).reshape(-1)), dtype=object)
    if pd.api.types.is_numeric_dtype(s.dtype):  # bool, int, float and their nullable forms
        vals = s.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        parsed = [float(v) if isinstance(v, (bool, np.bool_)) else _parse_code(v) for v in s.tolist()]
        vals = np.array([np.inf if v is None else v for v in parsed], dtype=np.float64)
    bad = ~np.isnan(vals) & ~np.isin(vals, (0.0, 1.0))
    if bad.any():
        raise bad_value(name, s.iloc[int(np.flatnonzero(bad)[0])], "0/1 or booleans (missing allowed only for gold)")
    if not allow_missing and np.isnan(vals).any():
        raise bad_value(name, "<missing value>", "a decision for every item (no missing values)")
    return vals


def _metrics(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 from rows (tp, fp, fn, ...); NaN where undefined."""
    tp, fp, fn = sums[:, 0], sums[:, 1], sums[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        r = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    return p, r, f


def precision_recall(
    predicted,
    gold,
    *,
    weights=None,
    clusters=None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict:
    """Precision, recall and F1 of binary decisions against gold labels, with bootstrap intervals.

    ``predicted`` (the dictionary's decision) and ``gold`` are 0/1 or
    boolean, one per item: pandas Series with the same index, or arrays of
    equal length. ``predicted`` has no missing value; items whose ``gold``
    is missing (a tie, not coded, unlabelled) are left out and counted in
    ``n_unlabelled``. With tp, fp, fn, tn the counts of (predicted, gold) =
    (1,1), (1,0), (0,1), (0,0)::

        precision = tp / (tp + fp)   recall = tp / (tp + fn)   F1 = 2 tp / (2 tp + fp + fn)

    ``weights`` (optional, >= 0, one per item) makes every count a weighted
    sum, e.g. the sampling weights of :func:`draw_coding_sample`, which
    estimate the corpus-wide counts from a stratified sample.

    Intervals: percentile bootstrap (:func:`analysis.stats.replicate_sums`,
    same seed -> same replicates). The resampled unit is the item, or the
    cluster when ``clusters`` (one label per item, e.g. thread ids or the
    source article of a sentence) is given: items of one thread are not
    independent. ``n_boot=0`` gives no interval (NaN bounds).

    Returns a dict with the keys of :data:`METRIC_COLUMNS`: ``n`` (items with
    gold), ``n_unlabelled``, ``support`` (gold positives, tp + fn),
    ``n_predicted`` (tp + fp), ``tp``, ``fp``, ``fn``, ``tn`` (ints, or
    weighted sums with ``weights``), each metric with ``_low``/``_high``,
    ``n_clusters``, ``n_boot``, ``confidence``.

    Higher means: precision, the share of the dictionary's hits that people
    call the frame; recall, the share of the frame's texts that the
    dictionary finds; F1, their harmonic mean.

    Caveats: a metric is NaN when its denominator is 0 (no predicted or no
    gold positive), never 0 by convention; replicates where it is undefined
    are ignored. The bootstrap is not stratified: with ``weights`` from a
    stratified sample, replicates vary the strata's sizes too, which widens
    the intervals somewhat. F1 ignores true negatives, so it depends on the
    base rate.

    References: efron1994bootstrap, field2007bootstrapping (clusters),
    card2015media.
    """
    n_boot = int_arg("n_boot", n_boot, minimum=0)
    seed = int_arg("seed", seed, minimum=0)
    confidence = level_arg(confidence, name="confidence")
    if isinstance(predicted, pd.Series) and isinstance(gold, pd.Series) and not predicted.index.equals(gold.index):
        raise bad_value("gold", "<Series>", "a Series with the same index as predicted (align them first)")
    pred = _binary(predicted, "predicted", allow_missing=False)
    g = _binary(gold, "gold", allow_missing=True)
    if len(pred) != len(g):
        raise bad_value("gold", f"<{len(g)} items>", f"one label per predicted item ({len(pred)})")
    w = np.ones(len(pred))
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
        if len(w) != len(pred) or not np.isfinite(w).all() or (w < 0).any():
            raise bad_value("weights", f"<{len(w)} values>", f"{len(pred)} finite weights >= 0")
    if clusters is not None:
        cl = np.asarray(clusters, dtype=object).reshape(-1)
        if len(cl) != len(pred):
            raise bad_value("clusters", f"<{len(cl)} labels>", f"one cluster label per item ({len(pred)})")
        codes, _ = pd.factorize(pd.Series(cl))
        if (codes < 0).any():
            raise bad_value("clusters", "<missing label>", "a cluster label for every item")
    else:
        codes = np.arange(len(pred))
    keep = ~np.isnan(g)
    pred, g, w, codes = pred[keep], g[keep], w[keep], codes[keep]
    cells = np.column_stack([pred * g, pred * (1 - g), (1 - pred) * g, (1 - pred) * (1 - g)]) * w[:, None]
    totals = cells.sum(axis=0)
    p, r, f = (float(v[0]) for v in _metrics(totals[None, :]))
    as_count = (lambda v: int(round(v))) if weights is None else float
    _, dense = np.unique(codes, return_inverse=True) if len(codes) else (None, codes)
    n_clusters = int(dense.max()) + 1 if len(dense) else 0
    out = {
        "n": int(keep.sum()), "n_unlabelled": int((~keep).sum()),
        "support": as_count(totals[0] + totals[2]), "n_predicted": as_count(totals[0] + totals[1]),
        "tp": as_count(totals[0]), "fp": as_count(totals[1]), "fn": as_count(totals[2]), "tn": as_count(totals[3]),
        "precision": p, "precision_low": np.nan, "precision_high": np.nan,
        "recall": r, "recall_low": np.nan, "recall_high": np.nan,
        "f1": f, "f1_low": np.nan, "f1_high": np.nan,
        "n_clusters": n_clusters, "n_boot": n_boot, "confidence": confidence,
    }
    if n_boot and n_clusters:
        per_cluster = np.zeros((n_clusters, 4))
        np.add.at(per_cluster, dense, cells)
        reps = replicate_sums(per_cluster, n_boot=n_boot, seed=seed)
        for name, values in zip(("precision", "recall", "f1"), _metrics(reps)):
            if np.isfinite(values).any():
                out[f"{name}_low"], out[f"{name}_high"] = percentile_interval(values, level=confidence)
    return out


def by_frame(
    table: pd.DataFrame,
    *,
    predicted: str = "dict_label",
    gold: str = "gold",
    frame: str = "frame",
    weights: str | None = None,
    clusters: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`precision_recall` for each frame of a long table (one row per item), as a tidy table.

    ``table`` has one row per (frame, item) with the columns named by
    ``frame``, ``predicted`` and ``gold`` (e.g. a coding sample merged with
    :func:`adjudicate`), and optionally ``weights`` and ``clusters`` columns
    (e.g. ``weights="weight"``, ``clusters="thread_id"``). Returns one row
    per frame, in order of first appearance: ``frame`` then
    :data:`METRIC_COLUMNS`. Every frame is bootstrapped with the same
    ``seed``.
    """
    cols = [frame, predicted, gold] + [c for c in (weights, clusters) if c is not None]
    _require(table, "table", cols)
    rows = []
    for name in pd.unique(table[frame]):
        part = table[table[frame] == name]
        res = precision_recall(part[predicted].reset_index(drop=True), part[gold].reset_index(drop=True),
                               weights=None if weights is None else part[weights].to_numpy(),
                               clusters=None if clusters is None else part[clusters].to_numpy(),
                               n_boot=n_boot, seed=seed, confidence=confidence)
        rows.append({"frame": name, **res})
    return pd.DataFrame(rows, columns=["frame"] + METRIC_COLUMNS)


def confusion(predicted, gold) -> pd.DataFrame:
    """The 2 x 2 confusion table: rows gold 0/1, columns predicted 0/1, item counts.

    Items with a missing gold label are left out (as in
    :func:`precision_recall`). Cell (gold=1, predicted=1) is tp, (0, 1) fp,
    (1, 0) fn, (0, 0) tn.
    """
    if isinstance(predicted, pd.Series) and isinstance(gold, pd.Series) and not predicted.index.equals(gold.index):
        raise bad_value("gold", "<Series>", "a Series with the same index as predicted (align them first)")
    pred = _binary(predicted, "predicted", allow_missing=False)
    g = _binary(gold, "gold", allow_missing=True)
    if len(pred) != len(g):
        raise bad_value("gold", f"<{len(g)} items>", f"one label per predicted item ({len(pred)})")
    keep = ~np.isnan(g)
    counts = np.zeros((2, 2), dtype=np.int64)
    np.add.at(counts, (g[keep].astype(int), pred[keep].astype(int)), 1)
    return pd.DataFrame(counts, index=pd.Index([0, 1], name="gold"), columns=pd.Index([0, 1], name="predicted"))


def document_predictions(docs: pd.DataFrame, matches: pd.DataFrame, *, frames: Sequence[str]) -> pd.DataFrame:
    """The dictionary's decision per document: counted matches of each frame.

    One row per row of ``docs`` (columns thread_id, comment_id, doc; order
    kept) with ``hits_<frame>``: the number of *counted* matches of that
    frame in ``matches`` (:func:`analysis.framing.match_frames`). The
    dictionary says the document has the frame when ``hits_<frame> > 0``.
    The same columns as :func:`analysis.framing.doc_frame_counts`, which
    can be passed to :func:`compare_to_labels` instead.
    """
    _require(docs, "docs", KEYS)
    _require(matches, "matches", KEYS + ["frame", "counted"])
    frames = _names_arg("frames", frames, what="frame")
    out = _key_frame(docs).reset_index(drop=True)
    m = matches.loc[matches["counted"].astype(bool) & matches["frame"].isin(frames), KEYS + ["frame"]].astype(str)
    hits = m.groupby(KEYS + ["frame"]).size().unstack("frame", fill_value=0) if len(m) else pd.DataFrame(
        index=pd.MultiIndex.from_arrays([[], [], []], names=KEYS))
    hits = hits.reindex(columns=frames, fill_value=0).add_prefix("hits_")
    out = out.merge(hits, left_on=KEYS, right_index=True, how="left")
    cols = [f"hits_{f}" for f in frames]
    out[cols] = out[cols].fillna(0).astype("int64")
    return out


def _code_set(value) -> list[str]:
    values = [value] if isinstance(value, (str, int, np.integer)) else list(value)
    return [str(v).strip() for v in values]


def compare_to_labels(
    doc_predictions: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    mapping: Mapping[str, object],
    label_column: str = "label",
    clusters: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Precision, recall and F1 of the dictionary against a label column already in the data.

    ``doc_predictions`` has the document keys and ``hits_<frame>`` columns
    (:func:`document_predictions`, or the documents table of
    :func:`analysis.framing.score_frames`); ``labels`` has thread_id,
    comment_id, optionally doc (default ``"comment"``) and ``label_column``
    (e.g. a corpus's annotation kept as comment metadata). ``mapping`` maps
    each frame to the label value, or list of values, that means it (e.g.
    ``{"security_defense": "8", "legality_crime": ["5", "7"]}``); values are
    compared as text with surrounding spaces removed, so ``8`` and ``"8"``
    are the same.

    For frame f: gold = the label is one of mapping[f]; predicted =
    ``hits_f > 0``. Every labelled document is an item; a labelled document
    missing from ``doc_predictions`` (no word tokens) is predicted 0. A blank
    or missing label is *unlabelled* and left out (``n_unlabelled``).
    ``clusters`` names a column of ``labels`` to resample (e.g. the source
    article of each sentence).

    Returns ``frame``, ``codes`` (the mapped values, ``"; "``-joined) and
    :data:`METRIC_COLUMNS`, one row per frame of ``mapping``.

    Caveats: a single-label annotation (one label per text) makes every
    other frame's "gold" 0 even when the text also uses it, so precision
    against it is a lower bound when texts can carry several frames.

    References: card2015media, guida2025frac.
    """
    if not isinstance(mapping, Mapping) or not mapping:
        raise bad_value("mapping", mapping, "a non-empty dict frame -> label value(s)")
    frames = _names_arg("mapping", list(mapping), what="frame")
    _require(doc_predictions, "doc_predictions", ["thread_id", "comment_id"] + [f"hits_{f}" for f in frames])
    _require(labels, "labels", ["thread_id", "comment_id", label_column] + ([clusters] if clusters else []))
    lab = labels[["thread_id", "comment_id"]].astype(str).reset_index(drop=True)
    lab["doc"] = labels["doc"].astype(str).to_numpy() if "doc" in labels.columns else "comment"
    raw = labels[label_column].reset_index(drop=True)
    lab["_label"] = raw.where(raw.notna(), "").astype(str).str.strip()
    if clusters:
        lab["_cluster"] = labels[clusters].astype(str).to_numpy()
    if lab.duplicated(KEYS).any():
        raise bad_value("labels", lab.loc[lab.duplicated(KEYS), KEYS].iloc[0].tolist(), "one label row per document")
    pred = doc_predictions.copy()
    if "doc" not in pred.columns:
        pred["doc"] = "comment"
    pred[KEYS] = pred[KEYS].astype(str)
    if pred.duplicated(KEYS).any():
        raise bad_value("doc_predictions", pred.loc[pred.duplicated(KEYS), KEYS].iloc[0].tolist(), "one row per document")
    hit_cols = [f"hits_{f}" for f in frames]
    both = lab.merge(pred[KEYS + hit_cols], on=KEYS, how="left")
    both[hit_cols] = both[hit_cols].fillna(0)
    labelled = both["_label"] != ""
    rows = []
    for f in frames:
        codes = _code_set(mapping[f])
        gold = pd.Series(np.where(labelled, both["_label"].isin(codes).astype(float), np.nan))
        res = precision_recall((both[f"hits_{f}"] > 0).astype("int64"), gold,
                               clusters=None if not clusters else both["_cluster"].to_numpy(),
                               n_boot=n_boot, seed=seed, confidence=confidence)
        rows.append({"frame": f, "codes": "; ".join(codes), **res})
    return pd.DataFrame(rows, columns=["frame", "codes"] + METRIC_COLUMNS)


def frac_validation(
    sentences: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    code_of_frame: Mapping[str, object],
    label_column: str = "label",
    clusters: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The dictionary against the FrAC sentences' Media Frames Corpus codes (guida2025frac).

    ``sentences`` has one row per annotated sentence with thread_id,
    comment_id (and optionally doc, default ``"comment"``) and the MFC code
    in ``label_column``; ``matches`` is :func:`analysis.framing.match_frames`
    on those sentences. For each frame of ``code_of_frame`` (frame -> MFC
    code, or list of codes): gold = the sentence's code is the frame's code,
    predicted = the sentence has a *counted* match of the frame. Returns the
    table of :func:`compare_to_labels` (P, R, F1 with bootstrap intervals,
    counts). Use ``clusters`` (e.g. the FrAC ``id`` column: several
    sentences come from one article or comment) to resample source
    documents.

    Caveats: FrAC gives one frame per sentence (the dominant one); a
    sentence that also touches the frame is gold 0, which lowers precision.
    Sentences are short, which lowers recall of a word list compared with
    whole comments.

    References: guida2025frac, card2015media.
    """
    frames = _names_arg("code_of_frame", list(code_of_frame) if isinstance(code_of_frame, Mapping) else code_of_frame,
                        what="frame")
    s = sentences.copy()
    if "doc" not in s.columns:
        s["doc"] = "comment"
    preds = document_predictions(s, matches, frames=frames)
    return compare_to_labels(preds, s, mapping=code_of_frame, label_column=label_column, clusters=clusters,
                             n_boot=n_boot, seed=seed, confidence=confidence)


# --------------------------------------------------------------------------
# 6. errors to read


def worst_errors(sample_with_gold: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """The dictionary's clearest mistakes per frame: up to ``n`` false positives and ``n`` false negatives.

    ``sample_with_gold`` is a coding sample (:func:`draw_coding_sample`)
    merged with :func:`adjudicate` on item_id; it needs item_id, frame,
    dict_label, gold and text, and uses n_counted, n_matches, terms, partial,
    stratum, n_codes and n_ones when present. A false positive has
    dict_label 1 and gold 0, a false negative dict_label 0 and gold 1;
    items without gold are skipped.

    "Worst" first: highest ``agreement`` (share of coders who gave the gold
    code, ``max(n_ones, n_codes - n_ones) / n_codes``: unanimous errors are
    the clearest), then most matches (``n_counted`` for false positives,
    ``n_matches`` for false negatives), then item_id.

    Returns: frame, error (``false_positive`` / ``false_negative``), item_id,
    stratum, gold, dict_label, agreement, n_counted, n_matches, terms (the
    matched terms, which explain a false positive), partial, text. Texts are
    returned unchanged and are untrusted: escape them before showing.
    """
    n = int_arg("n", n, minimum=1)
    _require(sample_with_gold, "sample_with_gold", ["item_id", "frame", "dict_label", "gold", "text"])
    t = sample_with_gold.copy()
    for col, default in (("stratum", ""), ("terms", ""), ("partial", ""), ("n_counted", 0), ("n_matches", 0)):
        if col not in t.columns:
            t[col] = default
    gold = pd.to_numeric(t["gold"], errors="coerce").astype("float64")
    pred = pd.to_numeric(t["dict_label"], errors="coerce").astype("float64")
    if {"n_codes", "n_ones"} <= set(t.columns):
        nc = t["n_codes"].astype("float64")
        no = t["n_ones"].astype("float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            t["agreement"] = np.where(nc > 0, np.maximum(no, nc - no) / nc, np.nan)
    else:
        t["agreement"] = np.nan
    t["error"] = np.select([(pred == 1) & (gold == 0), (pred == 0) & (gold == 1)],
                           ["false_positive", "false_negative"], default="")
    t = t[t["error"] != ""].copy()
    t["_matches"] = np.where(t["error"] == "false_positive", t["n_counted"], t["n_matches"])
    t["_frame_order"] = t["frame"].map({f: i for i, f in enumerate(pd.unique(sample_with_gold["frame"]))})
    t["_error_order"] = (t["error"] == "false_negative").astype(int)
    t["_agree"] = t["agreement"].fillna(-1.0)
    t = t.sort_values(["_frame_order", "_error_order", "_agree", "_matches", "item_id"],
                      ascending=[True, True, False, False, True], kind="stable")
    t = t.groupby(["_frame_order", "_error_order"], sort=False).head(n)
    cols = ["frame", "error", "item_id", "stratum", "gold", "dict_label", "agreement", "n_counted", "n_matches",
            "terms", "partial", "text"]
    return t[cols].reset_index(drop=True)


def frac_sentences(raw: pd.DataFrame) -> pd.DataFrame:
    """The FrAC gold file (columns sentence, label, id, type; read with ``dtype=str``) as documents.

    One document per sentence: ``thread_id`` = ``type`` (``comment`` or
    ``article``; ``unknown`` when blank), ``comment_id`` = the 1-based record
    number (FrAC's ``id`` is the source article or comment, shared by its
    sentences, so it is not unique), ``doc`` = ``"comment"``, ``text`` =
    ``sentence``, ``label`` (the MFC code, as text) and ``source_id`` = ``id``
    (``record-<n>`` when blank), the cluster to resample.
    """
    _require(raw, "raw", ["sentence", "label", "id", "type"])
    n = len(raw)
    record = pd.Series(np.arange(1, n + 1), dtype="int64").astype(str)
    kind = raw["type"].fillna("").astype(str).str.strip().reset_index(drop=True)
    source = raw["id"].fillna("").astype(str).str.strip().reset_index(drop=True)
    return pd.DataFrame({
        "thread_id": kind.where(kind != "", "unknown"),
        "comment_id": record,
        "doc": "comment",
        "text": raw["sentence"].fillna("").astype(str).to_numpy(),
        "label": raw["label"].fillna("").astype(str).str.strip().to_numpy(),
        "source_id": source.where(source != "", "record-" + record),
    })
