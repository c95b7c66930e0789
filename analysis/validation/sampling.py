"""The coding sample: a stratified, seeded sample of documents to code by hand, per frame.

For each frame f, every document d with a non-blank text is in one stratum
(:data:`STRATA`): ``hit`` (d has a *counted* match of f: the dictionary says
1), ``near_miss`` (no counted match, but a match that is not counted, quoted
or negated, or a partial match of a multi-word term of f, see
:mod:`analysis.validation.partial`) or ``random_non_hit`` (everything else).
:func:`draw_coding_sample` draws from each stratum, reading a corpus held in
shards one shard at a time.

Documents that carry a ``language`` (rule ``shard``'s column) are also
stratified by it when there are several languages: each (stratum, language)
cell is drawn from on its own, so a small language is not crowded out of the
sample, and the sample gets a ``language`` column. A frame is drawn only from
the documents where it is measured: a document whose ``hits_<frame>`` is
missing (a language none of the frame's dictionaries covers) is in none of
the frame's strata, never a "no hit" of it.

Reference: krippendorff2018content (sampling units for validation), card2015media.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.codes import string_codes
from analysis.errors import bad_value, int_arg
from analysis.language import UNDETERMINED
from analysis.lexicons import Lexicon
from analysis.validation.common import KEYS, as_strings, frame_entries, joined_key, lexicons_arg, names_arg, stream
from analysis.validation.partial import PartialFinder, partial_patterns

__all__ = ["STRATA", "SAMPLE_COLUMNS", "draw_coding_sample"]

#: The strata, in sampling order.
STRATA = ("hit", "near_miss", "random_non_hit")

#: The stratum code of a document where a frame is not measured (after the positions of :data:`STRATA`).
NOT_MEASURED = len(STRATA)

#: Columns of :func:`draw_coding_sample`.
SAMPLE_COLUMNS = [
    "item_id", "frame", "stratum", "draw", "thread_id", "comment_id", "doc", "text", "dict_label",
    "n_counted", "n_matches", "terms", "partial", "stratum_size", "n_drawn", "weight",
]


def _frames_and_lexicons(frames, lexicons) -> tuple[list[str], list[Lexicon]]:
    """The checked ``frames`` and ``lexicons`` arguments of the sample draw: every frame must be one of the
    lexicons'."""
    frames = names_arg("frames", frames, what="frame")
    lexicons = lexicons_arg(lexicons)
    known = frame_entries(lexicons)
    if lexicons:
        unknown = [f for f in frames if f not in known]
        if unknown:
            raise bad_value("frames", frames, f"frames of the given lexicons (unknown: {unknown})")
    return frames, lexicons


def draw_coding_sample(
    load_shard: Callable[[int], tuple[pa.Table, pa.Table]],
    n_shards: int,
    *,
    frames: Sequence[str],
    per_stratum: int,
    seed: int,
    lexicons: Lexicon | Sequence[Lexicon] = (),
) -> pd.DataFrame:
    """A stratified random sample of documents to code by hand, per frame (the analyst's file).

    ``load_shard(i)`` (``0 <= i < n_shards``) returns the ``(docs, matches)``
    of shard i as Arrow tables: ``docs`` has thread_id, comment_id, doc and
    text, one row per document (:func:`analysis.validation.coding_sample.documents_with_text`
    makes it from a shard's tables); ``matches`` is
    :func:`analysis.matcher.match_frames` for the same documents (of it only
    the keys, ``frame``, ``term`` and ``counted`` are read). The matches of a
    document must be in the shard of the document (as the per-shard framing
    tables are); a document in two shards is an error. Documents whose text
    is empty or only whitespace are left out: there is nothing to code.
    ``docs`` may carry ``hits_<frame>`` columns (the framing documents'):
    a document whose ``hits_<frame>`` is missing is not measured for that
    frame (its language has no dictionary of it) and is in none of the
    frame's strata; without the column every document is measured.

    Strata, for each frame f and document d: ``hit`` when d has at least
    one counted match of f; ``near_miss`` when it has none but has a match
    of f that is not counted (quoted or, with ``count_negated: false``,
    negated) or a partial match of f (:mod:`analysis.validation.partial`;
    the terms come from ``lexicons``, without them no document is a partial
    match); ``random_non_hit`` otherwise. The strata partition the documents
    of each frame, which is what the sampling weights rely on.

    For each frame and stratum, ``per_stratum`` documents are drawn without
    replacement (all of them when the stratum is smaller). Documents are put
    in a fixed order (thread_id, comment_id, doc) and shuffled by
    ``numpy.random.default_rng([seed, crc32(frame), crc32(stratum)])``; the
    first ``per_stratum`` of that order are taken. So the sample is
    deterministic, does not depend on the row order of the documents, on
    how they are split into shards or on the other frames listed, and is
    *nested*: the sample for ``per_stratum=k`` is the rows with
    ``draw <= k`` of any larger sample with the same seed. A document can
    be an item of several frames.

    Returns :data:`SAMPLE_COLUMNS`, one row per item, sorted by frame (in the
    order given), stratum (in :data:`STRATA` order) and draw:

    - ``item_id``: ``f"{frame}:{thread_id}:{comment_id}:{doc}"`` (stable);
    - ``stratum``, ``draw`` (1-based position in the stratum's random order);
    - the document's keys and ``text``;
    - ``dict_label``: the dictionary's decision, 1 for a hit, else 0. Keep it
      away from the coders: :func:`analysis.validation.sheets.coding_sheets`
      leaves it out;
    - ``n_counted`` (counted matches of f), ``n_matches`` (all matches of f),
      ``terms`` (the distinct terms of f matched, counted or not, sorted,
      joined by ``"; "``) and ``partial`` (the distinct words that make a
      partial match, joined by ``"; "``; empty unless the document has no
      match of f): what the dictionary saw, for reading errors later;
    - ``stratum_size`` (documents in the stratum), ``n_drawn`` (drawn from
      it) and ``weight = stratum_size / n_drawn``: the inverse sampling
      probability;
    - ``language``, only when ``docs`` has a ``language`` column (missing
      values count as ``und``). With two or more determined languages (not
      ``und``) among the documents where a frame is measured, every
      (stratum, language) cell of that frame is a stratum of its own:
      ``per_stratum`` documents are drawn from each, shuffled by
      ``default_rng([seed, crc32(frame), crc32(stratum), crc32(language)])``,
      and ``stratum_size``, ``n_drawn`` and ``weight`` are those of the cell.
      With one language (undetermined documents besides it or not) the
      draws are those without the column. Pass ``weights="weight"`` to
      :func:`analysis.validation.accuracy.by_frame` to estimate recall for
      the whole corpus; unweighted, the sample over-represents hits and near
      misses.

    Higher means: nothing; this is a sample, not a measure.

    Caveats: documents with empty text are never drawn. With few hits or
    near misses a stratum is small and so is its part of the sample; report
    ``n_drawn`` and ``stratum_size``. A frame with multi-word terms made of
    common words (``public health``: ``public``) has a large near-miss
    stratum; that is by design (those are the documents where the dictionary
    is most likely to miss), but it dilutes the stratum.

    How: each shard is loaded once to put its documents in strata and once
    more if a document of it is drawn. Only the stratum of every (document,
    frame) is kept for the whole corpus (one byte each, with the document
    keys), which is all the draws need (they depend on the pool sizes and
    on the documents' key order). Texts stay in Arrow: each distinct text of
    a shard is checked once for being blank and for partial matches.
    Partial matches are found on the distinct whitespace-separated *chunks*
    of a shard: the words of a text are those of its chunks, each split by
    :func:`~analysis.tokenization.word_spans` on its own (the equivalence
    :func:`~analysis.tokenization.token_table` relies on; a text
    with a spaced ellipsis is split whole), so each distinct chunk is split
    once. Counts, terms and partial words are worked out, and texts turned
    into Python strings, for the drawn documents only.

    Reference: krippendorff2018content (sampling for reliability and
    validity), card2015media.
    """
    per_stratum = int_arg("per_stratum", per_stratum, minimum=1)
    seed = int_arg("seed", seed, minimum=0)
    frames, lexicons = _frames_and_lexicons(frames, lexicons)
    patterns = partial_patterns(lexicons, frames)
    finder = PartialFinder(patterns, frames)
    keys: list[pa.Table] = []
    langs: list[np.ndarray] = []  # per shard, the language of each document kept (when docs carry one)
    codes: list[np.ndarray] = []
    kept: list[np.ndarray] = []  # per shard, the position in its docs of each document kept
    for i in range(n_shards):
        d, texts, text_code, m, at = _shard_docs(*load_shard(i), frames)
        keys.append(d.select(KEYS))
        if "language" in d.column_names:
            langs.append(d.column("language").to_numpy(zero_copy_only=False).astype(object))
        kept.append(at)
        has_match = np.zeros((d.num_rows, len(frames)), dtype=bool)
        has_counted = np.zeros((d.num_rows, len(frames)), dtype=bool)
        has_match[m["row"], m["col"]] = True
        c = m["counted"]
        has_counted[m["row"][c], m["col"][c]] = True
        partial = finder.flags(texts)[text_code]
        code = np.where(has_counted, 0, np.where(has_match | partial, 1, 2)).astype(np.int8)
        code[~_measured(d, frames)] = NOT_MEASURED  # in no stratum of the frame
        codes.append(code)
        del d, texts, text_code, m, at
    table = pa.concat_tables(keys) if keys else pa.table({k: pa.array([], type=pa.string()) for k in KEYS})
    shard_of = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
    local = np.concatenate([np.arange(len(k)) for k in keys]) if keys else np.zeros(0, dtype=np.int64)
    code = np.concatenate(codes) if codes else np.zeros((0, len(frames)), dtype=np.int8)
    has_language = bool(langs) and len(langs) == len(keys)
    language = np.concatenate(langs) if has_language else np.zeros(0, dtype=object)
    lang_code, lang_names = pd.factorize(language, sort=True)  # codes in sorted language order
    lang_names = [str(v) for v in lang_names]
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
            raise bad_value("docs", [first[k] for k in KEYS],
                            "one row per document (thread_id, comment_id, doc); this one is repeated")
        del srt
    drawn = []  # (frame position, stratum position, draw, global row, stratum size, n drawn)
    ordered_lang = lang_code[order] if has_language else None
    for j, frame in enumerate(frames):
        col = code[order, j]
        # the languages of the documents where the frame is measured; undetermined ones alone make no second language
        cells: list[int] = []
        if ordered_lang is not None:
            present = np.bincount(ordered_lang[col != NOT_MEASURED], minlength=len(lang_names)) > 0
            cells = np.flatnonzero(present).tolist()
            if len({lang_names[c] for c in cells} - {UNDETERMINED}) < 2:
                cells = []
        for s, stratum in enumerate(STRATA):
            in_stratum = col == s
            # several languages: one pool per (stratum, language); else the stratum's pool, drawn as without languages
            pools = ([(order[in_stratum & (ordered_lang == c)], (lang_names[c],)) for c in cells] if cells
                     else [(order[in_stratum], ())])
            for pool, by in pools:
                pick = stream(seed, frame, stratum, *by).permutation(len(pool))[:per_stratum]
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
        mt = mt.filter(pc.is_in(joined_key(*(mt.column(k) for k in KEYS)),
                                value_set=joined_key(*(picked.column(k) for k in KEYS))))
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
          "stratum_size": size, "n_drawn": n, "language": language[row] if has_language else ""}
         for j, s, draw, row, size, n in drawn],
        columns=KEYS + ["text", "n_counted", "n_matches", "terms", "partial", "frame", "stratum", "draw",
                        "stratum_size", "n_drawn", "language"],
    )
    return _finish_sample(out, language=has_language)



def _measured(d: pa.Table, frames: list[str]) -> np.ndarray:
    """Rows x frames: whether the frame is measured in the document (its ``hits_<frame>`` is not missing; all
    documents when ``d`` has no such column)."""
    out = np.ones((d.num_rows, len(frames)), dtype=bool)
    for j, f in enumerate(frames):
        if f"hits_{f}" in d.column_names:
            out[:, j] = pc.is_valid(d.column(f"hits_{f}")).to_numpy(zero_copy_only=False)
    return out


def _item_ids(frame: pd.Series, keys: pd.DataFrame) -> pd.Series:
    return frame.astype(str) + ":" + keys["thread_id"] + ":" + keys["comment_id"] + ":" + keys["doc"]



def _finish_sample(out: pd.DataFrame, *, language: bool = False) -> pd.DataFrame:
    """Item ids, labels and weights of the drawn rows; :data:`SAMPLE_COLUMNS` (and ``language`` when the
    documents carry one)."""
    out["item_id"] = _item_ids(out["frame"], out)
    if out["item_id"].duplicated().any():
        bad = out.loc[out["item_id"].duplicated(), "item_id"].iloc[0]
        raise bad_value("docs", bad, "keys whose item ids are distinct (a ':' inside ids made two items collide)")
    out["dict_label"] = (out["stratum"] == "hit").astype("int64")
    out["weight"] = out["stratum_size"] / out["n_drawn"]
    for c in ("draw", "n_counted", "n_matches", "stratum_size", "n_drawn"):
        out[c] = out[c].astype("int64")
    return out[SAMPLE_COLUMNS + (["language"] if language else [])].reset_index(drop=True)



def _require_arrow(table, name: str, cols: Sequence[str]) -> None:
    """Fail unless ``table`` is an Arrow table with the columns ``cols``."""
    if not isinstance(table, pa.Table):
        raise bad_value(name, type(table).__name__, f"an Arrow table with columns {list(cols)}")
    missing = [c for c in cols if c not in table.column_names]
    if missing:
        raise bad_value(name, table.column_names, f"a table with columns {list(cols)} (missing {missing})")


def _arrow_docs(docs: pa.Table) -> pa.Table:
    """Keys and text of a shard's documents as Arrow strings (text: ``""`` where missing), and their language
    when ``docs`` has one (``und`` where missing), and its ``hits_<frame>`` columns (missing: not measured)."""
    _require_arrow(docs, "docs", KEYS + ["text"])
    lang = ({"language": as_strings(docs.column("language")).fill_null("und")}
            if "language" in docs.column_names else {})
    hits = {c: docs.column(c) for c in docs.column_names if c.startswith("hits_")}
    return pa.table({**{k: as_strings(docs.column(k)) for k in KEYS},
                     "text": as_strings(docs.column("text")).fill_null(""), **lang, **hits})


def _arrow_matches(matches: pa.Table, frames: list[str], *, terms: bool) -> pa.Table:
    """Keys, frame, counted (and term) of the matches of ``frames`` in a shard."""
    _require_arrow(matches, "matches", KEYS + ["frame", "term", "counted"])
    out = {k: as_strings(matches.column(k)) for k in KEYS + ["frame"]}
    out["counted"] = matches.column("counted").cast(pa.bool_())
    if terms:
        out["term"] = matches.column("term")
    t = pa.table(out)
    return t.filter(pc.is_in(t.column("frame"), value_set=pa.array(frames, type=pa.string())))


def _shard_docs(docs: pa.Table, matches: pa.Table,
                frames: list[str]) -> tuple[pa.Table, list[str], np.ndarray, dict, np.ndarray]:
    """The documents of one shard that are sampled (input order), their distinct texts, and their matches of ``frames``.

    Returns ``(d, texts, text_code, m, kept)``: ``d`` an Arrow table of the
    kept documents (keys and text; blank texts are left out), ``texts`` the distinct texts of the shard,
    ``text_code`` the position in ``texts`` of each kept document's text,
    ``m`` the matches as numpy arrays ``row`` (the document's position in
    ``d``), ``col`` (the frame's) and ``counted``, and ``kept`` the position
    in ``docs`` of each row of ``d``. Matches of documents not kept are
    dropped.
    """
    d = _arrow_docs(docs)
    text_code, distinct = string_codes(d.column("text"))
    texts = distinct.to_pylist()
    # blank as pandas' str.strip decides it, once per distinct text
    blank = (pd.Series(np.array(texts, dtype=object), dtype=object).astype(str).str.strip() == "").to_numpy(dtype=bool)
    keep = ~blank[text_code] if len(text_code) else np.zeros(0, dtype=bool)
    d = d.filter(pa.array(keep, type=pa.bool_()))
    text_code = text_code[keep]
    mt = _arrow_matches(matches, frames, terms=False)
    col = pc.index_in(mt.column("frame"), value_set=pa.array(frames, type=pa.string()))
    if mt.num_rows and d.num_rows:
        row = pc.index_in(joined_key(*(mt.column(k) for k in KEYS)), value_set=joined_key(*(d.column(k) for k in KEYS)))
    else:
        row = pa.nulls(mt.num_rows, type=pa.int32())
    ok = pc.is_valid(row).to_numpy(zero_copy_only=False) if mt.num_rows else np.zeros(0, dtype=bool)
    m = {"row": pc.fill_null(row, 0).to_numpy(zero_copy_only=False).astype(np.int64)[ok],
         "col": pc.fill_null(col, 0).to_numpy(zero_copy_only=False).astype(np.int64)[ok],
         "counted": mt.column("counted").to_numpy(zero_copy_only=False).astype(bool)[ok]}
    return d, texts, text_code, m, np.flatnonzero(keep)

