"""Every polarization measure of a corpus in one call: the work of rule ``polarization_report``.

Speakers and groups come from :mod:`analysis.groups`; the measures from
:mod:`analysis.polarization` (leave-out partisanship on all tokens and on
frame terms only, Esteban–Ray), :mod:`analysis.network` (cross-group
replies, assortativity, modularity, RWC) and :mod:`analysis.incivility`.
A measure that cannot be computed on a corpus (fewer than two groups, too
few speakers per group) is reported as not available with the reason, never
silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from analysis.codes import run_starts, string_codes
from analysis.errors import ConfigError
from analysis.framing import reading_language
from analysis.groups import MISSING_LABELS, map_groups, speaker_groups, speakers
from analysis.incivility import incivility_by_reply_type
from analysis.keyness import repeated_documents, term_mask
from analysis.network import (
    assortativity,
    cross_group_replies,
    cross_share_baseline,
    modularity,
    random_walk_controversy,
    reply_graph,
)
from analysis.polarization import (
    POOLED,
    esteban_ray,
    partisanship,
    partisanship_by_group,
    partisanship_by_stratum,
    partisanship_multigroup,
    term_contributions,
)
from analysis.stance import agreement, author_stance, stance_coverage, stance_summary

__all__ = ["PolarizationReport", "polarization_report", "TermCounts", "read_chunks", "count_tokens",
           "count_frame_terms", "aligned_rows", "TOKEN_COLUMNS", "MATCH_COLUMNS"]

#: The columns of the token and match tables the report reads.
TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "norm", "is_stopword"]
MATCH_COLUMNS = ["thread_id", "comment_id", "doc", "frame", "term", "counted"]
KEYS = ["thread_id", "comment_id"]
# rows per record batch read from a token table (one row group is about 1M rows)
_BATCH = 1 << 20


@dataclass
class PolarizationReport:
    summary: dict
    partisanship: pd.DataFrame
    terms: pd.DataFrame
    network: pd.DataFrame
    incivility: pd.DataFrame
    speakers: pd.DataFrame
    edges: pd.DataFrame = field(default_factory=pd.DataFrame)


# ---------------------------------------------------------------- counting terms chunk by chunk


def read_chunks(paths: Sequence[str], columns: Sequence[str], *,
                dictionary: Sequence[str] = ()) -> Iterator[pa.RecordBatch]:
    """The given columns of several Parquet files, one record batch (at most a row group) at a time.

    Columns named in ``dictionary`` are read dictionary-encoded (integer codes
    and the distinct strings), so no string is built per row. Files without
    any column (empty shards) are skipped, as :func:`analysis.io.read_tables`
    does.
    """
    for path in paths:
        names = pq.read_schema(path).names
        if not names:
            continue
        pf = pq.ParquetFile(path, read_dictionary=[c for c in dictionary if c in names])
        yield from pf.iter_batches(batch_size=_BATCH, columns=list(columns), use_threads=False)


def _codes(chunk: pa.RecordBatch | pa.Table, name: str) -> tuple[np.ndarray, list]:
    """Integer codes per row and the distinct values of one column of a chunk; a missing value: -1."""
    codes, dictionary = string_codes(chunk.column(name))
    return codes, dictionary.to_pylist()


def _flags(chunk: pa.RecordBatch | pa.Table, name: str) -> np.ndarray:
    """A boolean column of a chunk as a numpy array."""
    return np.asarray(chunk.column(name).to_numpy(zero_copy_only=False), dtype=bool)


def _per_row(per_value, codes: np.ndarray) -> np.ndarray:
    """Spread a flag per distinct value to the rows (code -1, a missing value: False)."""
    return np.append(np.asarray(per_value, dtype=bool), False)[codes]


def _is(values: list, wanted: str, codes: np.ndarray) -> np.ndarray:
    """Per row: is its value ``wanted``."""
    return _per_row([v == wanted for v in values], codes)


class TermCounts:
    """(speakers x terms) counts added up chunk by chunk, without holding the rows.

    ``comment_index`` maps (thread_id, comment_id) to a comment's row;
    ``speaker_code`` is each comment's speaker as a code into ``speaker_ids``
    (sorted); ``keep`` marks the speakers whose rows are counted (those with
    a known group: the others never enter a measure). Every chunk adds its
    (speaker, term) counts to a sparse integer matrix (terms get codes in the
    order first seen) and the term totals over *all* speakers; counts are
    additive, so chunks and shards can come in any order. :meth:`result`
    keeps the terms used at least ``min_count`` times, in sorted order, and
    the kept speakers with at least one token (before that filter), in
    sorted order: exactly the rows of the known speakers in the one-pass
    matrix of all rows at once (``tests/test_groups.py`` builds that matrix
    with pandas and compares).
    """

    def __init__(self, comment_index: pd.MultiIndex, speaker_code: np.ndarray, speaker_ids, keep: np.ndarray):
        # (thread, comment) -> comment row, by binary search in the sorted combined level codes of the index
        self.levels = comment_index.levels
        self.n_second = max(len(self.levels[1]), 1)
        key = comment_index.codes[0].astype(np.int64) * self.n_second + comment_index.codes[1]
        self.order = np.argsort(key, kind="stable")
        self.sorted_key = key[self.order]
        self.speaker_code = np.append(np.asarray(speaker_code, dtype=np.int64), -1)  # row -1 (not found): -1
        self.speaker_ids = np.asarray(speaker_ids, dtype=object)
        self.keep = np.asarray(keep, dtype=bool)
        self.vocab: dict = {}
        self.names: list = []
        self.totals = np.zeros(0, dtype=np.int64)
        self.doc_totals = np.zeros(0, dtype=np.int64)  # documents (of counted speakers) using each term
        self.parts: list[sp.csr_array] = []

    def encode(self, values: list) -> np.ndarray:
        """Global term codes of distinct values (new values get the next codes)."""
        vocab, names = self.vocab, self.names
        out = list(map(vocab.get, values))
        for i, c in enumerate(out):
            if c is None:
                c = vocab.get(values[i])  # a value repeated among the new ones
                if c is None:
                    c = vocab[values[i]] = len(names)
                    names.append(values[i])
                out[i] = c
        return np.array(out, dtype=np.int64)

    def speakers(self, chunk: pa.RecordBatch | pa.Table, mask: np.ndarray) -> np.ndarray:
        """Speaker code of each masked row of a chunk (-1 when its comment is not in the comments)."""
        th, th_v = _codes(chunk, "thread_id")
        cm, cm_v = _codes(chunk, "comment_id")
        th, cm = th[mask], cm[mask]
        out = np.full(len(th), -1, dtype=np.int64)
        valid = (th >= 0) & (cm >= 0)
        th, cm = th[valid], cm[valid]
        if not len(th):
            return out
        key = th * max(len(cm_v), 1) + cm
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])  # runs of one document (rows come grouped)
        # each distinct value is looked up once, as a code of the comment index's levels (-1: not there)
        th_g = _lookup(self.levels[0], th_v)[th[starts]]
        cm_g = _lookup(self.levels[1], cm_v)[cm[starts]]
        want = th_g * self.n_second + cm_g
        row = np.full(len(want), -1, dtype=np.int64)
        if len(self.sorted_key):
            pos = np.minimum(np.searchsorted(self.sorted_key, want), len(self.sorted_key) - 1)
            found = (th_g >= 0) & (cm_g >= 0) & (self.sorted_key[pos] == want)
            row[found] = self.order[pos[found]]
        out[valid] = np.repeat(self.speaker_code[row], np.diff(np.r_[starts, len(key)]))
        return out

    def add(self, speaker: np.ndarray, term: np.ndarray, doc: np.ndarray | None = None) -> None:
        """Count one (speaker, term) pair per row; rows with speaker -1 are left out, as in the one-pass merge.

        ``doc`` (optional): each row's document as an integer, all rows of a document in this one call; then the
        documents of counted speakers that use each term are counted too (:meth:`docs_of`)."""
        found = speaker >= 0
        speaker, term = speaker[found], term[found]
        n_terms = len(self.names)
        totals = np.bincount(term, minlength=n_terms)
        totals[: len(self.totals)] += self.totals
        self.totals = totals
        counted = self.keep[speaker]
        if doc is not None:
            pairs = np.unique(np.asarray(doc, dtype=np.int64)[found][counted] * max(n_terms, 1) + term[counted])
            doc_totals = np.bincount(pairs % max(n_terms, 1), minlength=n_terms)
            doc_totals[: len(self.doc_totals)] += self.doc_totals
            self.doc_totals = doc_totals
        if not counted.any():
            return
        s, t = speaker[counted], term[counted]
        part = sp.coo_array((np.ones(len(s), dtype=np.int32), (s, t)), shape=(len(self.keep), n_terms)).tocsr()
        self.parts.append(part)
        # merge like a binary counter: each count is merged about log2(chunks) times, at most ~2x the final nnz is held
        while len(self.parts) > 1 and self.parts[-2].nnz <= 2 * self.parts[-1].nnz:
            b, a = self.parts.pop(), self.parts.pop()
            self.parts.append(_add(a, b))

    def result(self, min_count: int = 1) -> tuple[sp.csr_array, list, list]:
        """(counts as float64 CSR; speaker ids of the rows; terms of the columns).

        (Integer counts would give the same values, but every pass of the
        estimator would then make a float copy of them.)
        """
        n_terms = len(self.names)
        m = sp.csr_array((len(self.keep), n_terms), dtype=np.int32)
        for part in self.parts:
            m = _add(m, part)
        totals = np.zeros(n_terms, dtype=np.int64)
        totals[: len(self.totals)] = self.totals
        names = np.asarray(self.names, dtype=object)
        used = np.flatnonzero((totals > 0) & (totals >= min_count))
        order = used[np.argsort(names[used], kind="stable")] if len(used) else used
        col_rank = np.full(n_terms, -1, dtype=np.int32)
        col_rank[order] = np.arange(len(order), dtype=np.int32)
        # rows: the speakers with a token (empty rows hold no entries, so the arrays stay as they are)
        rows = np.flatnonzero(np.diff(m.indptr) > 0)
        indptr = np.append(m.indptr[rows], m.indptr[-1])
        cols = col_rank[m.indices]
        data = m.data
        del m
        hit = cols >= 0
        if not hit.all():  # rare terms out
            cols, data = cols[hit], data[hit]
            indptr = np.append(0, np.cumsum(hit))[indptr]
        counts = sp.csr_array((data.astype(np.float64), cols, indptr), shape=(len(rows), len(order)))
        counts.has_sorted_indices = False
        counts.sort_indices()  # terms in sorted order within each row, as from a COO matrix
        return counts, self.speaker_ids[rows].tolist(), names[order].tolist()


    def docs_of(self, terms: Sequence[str]) -> np.ndarray:
        """How many documents of counted speakers use each of ``terms`` (added with ``doc``; else zeros)."""
        out = np.zeros(len(terms), dtype=np.int64)
        for i, t in enumerate(terms):
            c = self.vocab.get(t)
            if c is not None and c < len(self.doc_totals):
                out[i] = self.doc_totals[c]
        return out


def _lookup(index: pd.Index, values: list) -> np.ndarray:
    """Position of each value in ``index`` (-1: not there); the values take the index's dtype (a mismatch is 10x
    slower)."""
    return index.get_indexer(pd.Index(values, dtype=index.dtype)).astype(np.int64)


def _add(a: sp.csr_array, b: sp.csr_array) -> sp.csr_array:
    """Sum of two count matrices whose columns may differ in number (later terms are new columns)."""
    n = max(a.shape[1], b.shape[1])
    for x in (a, b):
        if x.shape[1] < n:
            x.resize((x.shape[0], n))
    return a + b


def _whole_documents(chunks: Iterable[pa.RecordBatch | pa.Table]) -> Iterator[pa.Table]:
    """The rows of ``chunks`` again, as tables that never cut a document (a run of rows with the same keys): the
    last document of a chunk is held back and put before the next chunk's rows."""
    held = None
    for chunk in chunks:
        table = (pa.Table.from_batches([chunk]) if isinstance(chunk, pa.RecordBatch) else chunk)
        table = table.replace_schema_metadata(None)
        if held is not None:
            table = pa.concat_tables([held, table])
        n = table.num_rows
        if not n:
            held = table
            continue
        starts = np.flatnonzero(run_starts([string_codes(table.column(k))[0] for k in KEYS + ["doc"]], n))
        last = int(starts[-1])
        held = table.slice(last)
        if last:
            yield table.slice(0, last)
    if held is not None and held.num_rows:
        yield held


def count_tokens(counter: TermCounts, chunks: Iterable[pa.RecordBatch | pa.Table], *, drop_noise: bool = True,
                 drop_repeats: bool = False, ignore: Sequence[str] = ()) -> TermCounts:
    """Add the word tokens of comments (not stopwords) per speaker: the counts of partisanship on all tokens.

    ``chunks``: Arrow record batches (or tables) with :data:`TOKEN_COLUMNS`, e.g. :func:`read_chunks`, each
    document's rows together (a document cut between chunks is put together again). Terms are those
    :func:`analysis.keyness.term_mask` keeps (``drop_noise``, ``ignore``: config ``terms``), as in keyness; with
    ``drop_repeats`` a document repeated verbatim counts once (:func:`analysis.keyness.repeated_documents`, over all
    chunks), as in keyness. The documents using each term are counted too (:meth:`TermCounts.docs_of`).
    """
    word: np.ndarray = np.zeros(0, dtype=bool)
    fingerprints: frozenset = frozenset()
    for chunk in _whole_documents(chunks):
        doc, doc_v = _codes(chunk, "doc")
        mask = _is(doc_v, "comment", doc) & ~_flags(chunk, "is_stopword")
        if drop_repeats:
            repeats, fingerprints = repeated_documents(chunk, seen=fingerprints)
            mask &= ~repeats
        norm, norm_v = _codes(chunk, "norm")
        before = len(counter.names)
        codes = counter.encode(norm_v)
        if len(counter.names) > before:  # word or not: decided once per distinct norm
            word = np.append(word, term_mask(counter.names[before:], drop_noise=drop_noise,  # no placeholders
                                             ignore=ignore))
        mask &= _per_row(word[codes], norm)
        run = np.cumsum(run_starts([string_codes(chunk.column(k))[0] for k in KEYS + ["doc"]], chunk.num_rows)) - 1
        counter.add(counter.speakers(chunk, mask), codes[norm[mask]], doc=run[mask])
    return counter


def count_frame_terms(counter: TermCounts, chunks: Iterable[pa.RecordBatch | pa.Table]) -> TermCounts:
    """Add the counted frame matches of comments per speaker, as terms 'frame:term'.

    ``chunks``: Arrow record batches (or tables) with :data:`MATCH_COLUMNS`, e.g. :func:`read_chunks`.
    """
    for chunk in chunks:
        doc, doc_v = _codes(chunk, "doc")
        frame, frame_v = _codes(chunk, "frame")
        term, term_v = _codes(chunk, "term")
        mask = _is(doc_v, "comment", doc) & _flags(chunk, "counted") & (frame >= 0) & (term >= 0)
        pair = frame[mask].astype(np.int64) * max(len(term_v), 1) + term[mask]
        uniq, inverse = np.unique(pair, return_inverse=True)
        names = [f"{frame_v[p // max(len(term_v), 1)]}:{term_v[p % max(len(term_v), 1)]}" for p in uniq.tolist()]
        counter.add(counter.speakers(chunk, mask), counter.encode(names)[inverse.ravel()])
    return counter


def polarization_report(
    comments: pd.DataFrame,
    docs: pd.DataFrame,
    stance: pd.DataFrame,
    tokens: Iterable[pa.RecordBatch | pa.Table],
    matches: Iterable[pa.RecordBatch | pa.Table],
    *,
    salt: str,
    groups: str,
    group_column: str,
    unit: str,
    min_known_share: float,
    min_term_count: int,
    top_terms: int,
    n_boot: int,
    n_perm: int,
    min_clusters: int,
    seed: int,
    er_alpha: float,
    er_bins: int,
    rwc_k: int,
    stance_mapping: Mapping[str, str] | None = None,
    author_table: pd.DataFrame | None = None,
    strata: Sequence[str] = (),
    group_values: Mapping[str, Sequence[str]] | None = None,
    min_group_size: int = 2,
    min_term_docs: int = 1,
    min_term_speakers: int = 1,
    drop_noise: bool = True,
    ignore: Sequence[str] = (),
    study_languages: Sequence[str] | None = None,
) -> PolarizationReport:
    """Speakers, groups, partisanship (all tokens, frame terms), Esteban–Ray, reply network, incivility.

    ``comments``, ``docs`` and ``stance`` are one row per document (only the
    columns used are needed: keys, ``parent_id``, ``author_id`` and the group
    column; ``doc``, ``n_tokens``; the stance columns). ``tokens``
    (``thread_id``, ``comment_id``, ``doc``, ``norm``, ``is_stopword``) and
    ``matches`` (keys, ``doc``, ``frame``, ``term``, ``counted``) are
    iterables of Arrow record batches (or tables), e.g. :func:`read_chunks`,
    read once: only term counts per speaker are kept, so memory does not
    grow with the number of tokens.

    Partisanship on all tokens counts the terms keyness counts
    (:func:`analysis.keyness.term_mask`, ``drop_noise`` and ``ignore`` =
    config ``terms``), a post repeated verbatim once
    (:func:`analysis.keyness.repeated_documents`), and only terms used in at
    least ``min_term_docs`` documents by at least ``min_term_speakers``
    distinct speakers with a group (demszky2019analyzing).

    The keyword arguments are the ``polarization`` section of the workflow
    configuration (its schema documents each; ``groups`` is the group
    source: ``auto``, ``column``, ``table`` or ``stance``); ``author_table``
    is the table of ``author_groups`` when one is given. A measure that
    cannot be computed is NaN or absent, and ``summary["not_available"]``
    says which and why.

    With ``strata`` (columns of the comments, e.g. ``[topic]``), a speaker
    within a stratum (an author within a topic) is a unit of its own, with
    the group of its comments in that stratum; partisanship on all tokens
    (:func:`analysis.polarization.partisanship_by_stratum`), cross-group
    replies and incivility are measured within each stratum (labels shuffled
    within it) and pooled, and the between-strata estimate (the leave-out
    estimator on the speakers' comment counts per stratum: topic choice,
    demszky2019analyzing) is added. Those rows carry a ``stratum`` column;
    the whole-corpus rows have ``stratum`` = "(whole corpus)".

    Languages: when the comments' ``language`` column, read in the study's
    ``languages`` (:func:`analysis.framing.reading_language`), holds two or
    more languages (:func:`comment_languages`), ``language`` is added
    to the strata (undetermined comments belong to none), partisanship on all
    tokens is reported within each language (and pooled over them) but not
    over the whole corpus, and partisanship on frame terms is not computed:
    no estimate mixes the word distributions of two languages.
    """
    comments = comments.reset_index(drop=True)
    languages = comment_languages(comments, study=study_languages)
    if languages:  # several languages: word distributions are compared within a language, never across two
        read = reading_language(comments["language"], languages=study_languages)
        comments = comments.assign(language=read.where(read.isin(languages), ""))
        strata = list(dict.fromkeys([*strata, "language"]))
    where = _comment_index(comments)
    scored, label, uncivil_of, uncivil_share = _comment_stance(where, comments, stance)
    del stance
    tokens_of = _comment_tokens(where, comments, docs)
    del docs
    speaker, unit_used, unit_why = speakers(comments, unit=unit, min_known_share=min_known_share)
    sp_code, sp_ids = pd.factorize(speaker, sort=True)
    pooled = author_stance(scored, comments[KEYS].assign(author_id=speaker.to_numpy()))
    source = _group_source(groups, group_column, author_table)
    stance_ok, stance_why = stance_coverage(pooled)  # stance groups and Esteban-Ray only with enough coverage
    stance_of = pooled.set_index("author_id")["label"] if len(pooled) else pd.Series(dtype=object)
    stance_of = stance_of if stance_ok else pd.Series("abstain", index=stance_of.index, dtype=object)
    group_of = speaker_groups(comments, speaker, source=source, column=group_column,
                              table=author_table, salt=salt, stance=speaker.map(stance_of))
    group_of, grouping = map_groups(group_of, values=group_values, min_size=min_group_size)
    summary: dict = {"unit": unit_used, "unit_reason": unit_why, "group_source": source,
                     "group_column": group_column, "n_speakers": len(sp_ids),
                     "n_speakers_with_group": int((group_of != "").sum()),
                     "groups": {g: int((group_of == g).sum()) for g in sorted(set(group_of) - {""})},
                     "stance": stance_summary(scored),
                     "stance_reported": stance_ok, "not_available": [stance_why] if stance_why else []}
    not_available = summary["not_available"]
    if grouping["unlisted"] or grouping["too_small"]:
        summary["groups_left_out"] = grouping
    units = None
    if strata:
        units = _units(comments, speaker, sp_code, sp_ids, strata, scored=scored, source=source,
                       group_column=group_column, author_table=author_table, salt=salt, group_values=group_values,
                       min_group_size=min_group_size)
        summary["strata"] = list(strata)
        summary["n_strata"] = int((units["stratum_names"] != "").sum())
    del scored
    summary.update(_stance_agreement(label, comments, group_column, stance_mapping or {}))
    del label

    group_code = group_of.reindex(sp_ids).fillna("").to_numpy(dtype=object)  # group per speaker code
    counting = dict(where=where, sp_code=sp_code, sp_ids=sp_ids, grouped=group_code != "", group_of=group_of)
    measuring = dict(n_perm=n_perm, n_boot=n_boot, seed=seed, top_terms=top_terms)
    counter = partial(count_tokens, drop_noise=drop_noise, drop_repeats=True, ignore=ignore)
    part, contrib = _partisanship(counter, tokens,
                                  **counting, min_count=min_term_count, min_docs=min_term_docs,
                                  min_speakers=min_term_speakers, **measuring, label="all tokens",
                                  not_available=not_available, units=units)
    if languages:
        part, contrib, f_part, f_contrib = _within_languages_only(part, contrib, languages, not_available)
    else:
        f_part, f_contrib = _partisanship(count_frame_terms, matches, **counting, min_count=1, **measuring,
                                          label="frame terms", not_available=not_available)
    summary.update(_partisanship_summary(part[part["stratum"] == "(whole corpus)"] if "stratum" in part else part))
    partisan = pd.concat([part, f_part], ignore_index=True)
    contributions = pd.concat([contrib, f_contrib], ignore_index=True)
    summary.update(_esteban_ray(pooled if stance_ok else pooled.iloc[:0], alpha=er_alpha, bins=er_bins,
                                not_available=not_available if stance_ok else []))

    pairs, child = _reply_pairs(comments, where, sp_code, sp_ids, group_code)
    del counting
    resampling = dict(n_boot=n_boot, seed=seed, min_clusters=min_clusters)
    known_pairs = (pairs["child_group"] != "") & (pairs["parent_group"] != "")
    network, network_summary = _network(pairs, known_pairs, n_groups=len(summary["groups"]), rwc_k=rwc_k,
                                        resampling=resampling, not_available=not_available)
    summary.update(network_summary)
    incivility = _incivility(pairs, known_pairs, uncivil_of[child], tokens_of[child], resampling=resampling,
                             not_available=not_available)
    summary["uncivil_comment_share"] = uncivil_share
    if units is not None:
        network, incivility = _strata_replies(comments, where, units, network, incivility, uncivil_of, tokens_of,
                                              n_perm=n_perm, resampling=resampling, not_available=not_available)
        summary.update(_strata_summary(partisan))
    return PolarizationReport(summary, partisan, contributions, network, incivility,
                              _speaker_table(group_of, pooled), _edges(pairs))


def comment_languages(comments: pd.DataFrame, *, study: Sequence[str] | None = None) -> list[str]:
    """The languages the comments are read in (``language`` column by :func:`analysis.framing.reading_language`
    with the ``study`` languages; ``und`` and missing left out), sorted, when there are two or more; []
    otherwise (one language, or no column: every measure as before)."""
    if "language" not in comments.columns:
        return []
    found = sorted(set(reading_language(comments["language"], languages=study)) - {"und", ""})
    return found if len(found) > 1 else []


def _within_languages_only(part: pd.DataFrame, contrib: pd.DataFrame, languages: Sequence[str],
                           not_available: list) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """With comments in several languages: partisanship on all tokens only within each language (the strata
    rows; the whole-corpus row, whose word distributions hold two languages, and its term contributions are
    dropped), and none on frame terms (their terms are those of several dictionaries); the reasons recorded."""
    which = ", ".join(languages)
    not_available.append(f"all tokens, whole corpus: the comments are in several languages ({which}), so "
                         "partisanship is measured within each language only (the rows of each language stratum, "
                         "and their pooled estimate), never over the words of two languages")
    not_available.append(f"frame terms: the comments are in several languages ({which}) and the frame terms are "
                         "those of each language's dictionary, so they are not compared in one estimate")
    if "stratum" in part.columns:
        part = part[part["stratum"] != "(whole corpus)"].reset_index(drop=True)
    return part, contrib.iloc[0:0], pd.DataFrame(), pd.DataFrame()


def _units(comments: pd.DataFrame, speaker: pd.Series, sp_code: np.ndarray, sp_ids: pd.Index, strata: Sequence[str],
           *, scored: pd.DataFrame, source: str, group_column: str, author_table, salt: str,
           group_values, min_group_size: int) -> dict:
    """Speakers within strata: each (speaker, stratum) is a unit with the group of its comments in the stratum.

    A comment's stratum is its values of the ``strata`` columns joined by " / "; a comment missing any of them
    has no stratum ("") and enters no stratified measure."""
    missing = [c for c in strata if c not in comments.columns]
    if missing:
        raise ConfigError("polarization.strata", f"no column(s) {missing} in the comments (expected metadata "
                          f"columns, e.g. topic, or thread_id)")
    parts = []
    for c in strata:
        v = comments[c].astype(object).where(comments[c].notna(), "").astype(str).str.strip()
        parts.append(v.where(~v.isin(MISSING_LABELS), ""))
    stratum = parts[0]
    for v in parts[1:]:
        stratum = stratum.where((stratum == "") | (v == ""), stratum + " / " + v).where(v != "", "")
    stratum_code, stratum_names = pd.factorize(stratum, sort=True)
    unit_ids = speaker.astype(str) + "\x1f" + stratum
    code, ids = pd.factorize(unit_ids, sort=True)
    first = np.zeros(len(ids), dtype=np.int64)
    first[code[::-1]] = np.arange(len(code))[::-1]  # a comment of each unit
    unit_stance = None
    if source == "stance":
        pooled = author_stance(scored, comments[KEYS].assign(author_id=unit_ids.to_numpy()))
        unit_stance = unit_ids.map(pooled.set_index("author_id")["label"] if len(pooled) else pd.Series(dtype=object))
    g = speaker_groups(comments, unit_ids, source=source, column=group_column, table=author_table, salt=salt,
                       stance=unit_stance)
    g, _ = _map_within_strata(g, stratum_names[stratum_code[first]], ids, group_values, min_group_size)
    group = g.reindex(ids).fillna("").to_numpy(dtype=object)
    return {"code": code, "ids": ids, "base": sp_code[first], "stratum": stratum_names[stratum_code[first]].to_numpy(
            dtype=object), "stratum_code": stratum_code[first], "stratum_names": stratum_names.to_numpy(dtype=object),
            "group": group, "keep": group != "", "speaker_ids": sp_ids,
            "comments_per_unit": np.bincount(code, minlength=len(ids)), "comment_unit": code}


def _map_within_strata(groups: pd.Series, stratum_of_unit: pd.Index, ids: pd.Index, values, min_size: int):
    """:func:`analysis.groups.map_groups` with the minimum group size applied within each stratum."""
    mapped, _ = map_groups(groups, values=values, min_size=1)
    frame = pd.DataFrame({"group": mapped.reindex(ids).fillna("").to_numpy(), "stratum": np.asarray(stratum_of_unit)},
                         index=ids)
    size = frame.groupby(["stratum", "group"])["group"].transform("size")
    frame.loc[(size < min_size).to_numpy(), "group"] = ""
    return frame["group"], None


def _strata_replies(comments, where, units: dict, network: pd.DataFrame, incivility: pd.DataFrame,
                    uncivil_of: np.ndarray, tokens_of: np.ndarray, *, n_perm: int, resampling: dict,
                    not_available: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cross-group replies (with a shuffled-label baseline) and incivility within each stratum and pooled over
    strata: replies whose child and parent are in the same stratum, groups of the speakers within it."""
    pairs, child = _reply_pairs(comments, where, units["comment_unit"], units["ids"], units["group"])
    stratum = units["stratum"][units["comment_unit"]]
    parent_row = where.get_indexer(pd.MultiIndex.from_arrays(
        [comments["thread_id"].take(child), comments["parent_id"].take(child)]))
    same = (stratum[child] != "") & (stratum[child] == stratum[parent_row])
    pairs = pairs.assign(stratum=stratum[child])[same].reset_index(drop=True)
    child = child[same]
    known = (pairs["child_group"] != "") & (pairs["parent_group"] != "")
    net_rows = [network.assign(stratum="(whole corpus)")] if len(network) else []
    inc_rows = [incivility.assign(stratum="(whole corpus)")] if len(incivility) else []
    names = sorted(set(pairs["stratum"])) + [POOLED]
    for name in names:
        at = np.ones(len(pairs), dtype=bool) if name == POOLED else (pairs["stratum"] == name).to_numpy()
        k = known.to_numpy() & at
        groups_here = set(pairs.loc[k, "child_group"]) | set(pairs.loc[k, "parent_group"])
        if not k.any() or len(groups_here) < 2:
            if name == POOLED:
                not_available.append("replies within strata: no stratum has replies between two groups")
            continue
        sub = pairs[at].reset_index(drop=True)
        try:
            net = cross_group_replies(sub, **resampling)
            base = cross_share_baseline(sub, n_perm=n_perm, seed=resampling["seed"], within="stratum")
        except ValueError:
            continue
        net = net.assign(stratum=name, baseline_mean=np.nan, baseline_low=np.nan, baseline_high=np.nan,
                         p_low=np.nan, p_high=np.nan)
        first = net["quantity"] == "cross_share"
        for key in ("baseline_mean", "baseline_low", "baseline_high", "p_low", "p_high"):
            net.loc[first, key] = base[key]
        net_rows.append(net)
        inc_rows.append(_incivility(sub, k[at], uncivil_of[child[at]], tokens_of[child[at]], resampling=resampling,
                                    not_available=[]).assign(stratum=name))
    return (pd.concat(net_rows, ignore_index=True) if net_rows else network,
            pd.concat([r for r in inc_rows if len(r)], ignore_index=True) if any(len(r) for r in inc_rows)
            else incivility)


def _strata_summary(partisan: pd.DataFrame) -> dict:
    """The pooled within-strata and the between-strata partisanship on all tokens, for the summary and the book."""
    if "stratum" not in partisan:
        return {}
    out = {}
    rows = partisan[partisan["tokens"] == "all tokens"]
    for key, name in (("partisanship_within_strata", POOLED), ("partisanship_between_strata", BETWEEN)):
        r = rows[rows["stratum"] == name]
        if len(r):
            out[key] = {k: float(r.iloc[0][k]) for k in ("estimate", "ci_low", "ci_high", "baseline_mean",
                                                          "p_value", "chance")}
    return out


def _comment_index(comments: pd.DataFrame) -> pd.MultiIndex:
    """The comments' (thread_id, comment_id) as an index; they must be unique."""
    where = pd.MultiIndex.from_arrays([comments["thread_id"], comments["comment_id"]])
    if not where.is_unique:
        raise ValueError("comments: (thread_id, comment_id) is not unique; expected one row per comment")
    return where


def _comment_stance(where: pd.MultiIndex, comments: pd.DataFrame, stance: pd.DataFrame):
    """Stance cues of each comment (a comment without a stance row: no cue, abstain), as a left merge on the keys.

    Returns (the comments' keys with ``n_pro``, ``n_anti``, ``score``,
    ``label``, ``doc``; the labels; uncivil cues per comment; the share of
    stance rows with an uncivil cue).
    """
    stance = stance[stance["doc"] == "comment"]
    s_row, at = aligned_rows(where, comments, stance, "stance")
    n = len(comments)
    n_pro = np.zeros(n, dtype=np.int64)
    n_anti = np.zeros(n, dtype=np.int64)
    uncivil_of = np.zeros(n, dtype=np.int64)
    score = np.full(n, np.nan)
    label = np.full(n, "abstain", dtype=object)
    n_pro[at] = stance["n_pro"].to_numpy()[s_row]
    n_anti[at] = stance["n_anti"].to_numpy()[s_row]
    uncivil_of[at] = stance["n_uncivil"].to_numpy()[s_row]
    score[at] = stance["score"].to_numpy(dtype=float, na_value=np.nan)[s_row]
    label[at] = stance["label"].to_numpy(dtype=object)[s_row]
    uncivil_share = float((stance["n_uncivil"] > 0).mean()) if len(stance) else float("nan")
    scored = comments[KEYS].assign(n_pro=n_pro, n_anti=n_anti, score=score, label=label, doc="comment")
    return scored, label, uncivil_of, uncivil_share


def _comment_tokens(where: pd.MultiIndex, comments: pd.DataFrame, docs: pd.DataFrame) -> np.ndarray:
    """Tokens of each comment (0 without a docs row)."""
    docs = docs[docs["doc"] == "comment"]
    d_row, at = aligned_rows(where, comments, docs, "docs")
    tokens_of = np.zeros(len(comments), dtype=np.int64)
    tokens_of[at] = docs["n_tokens"].to_numpy()[d_row]
    return tokens_of


def _group_source(groups: str, group_column: str, author_table: pd.DataFrame | None) -> str:
    """The group source; ``auto``: the group column if named, else the author table if given, else stance."""
    if groups != "auto":
        return groups
    return "column" if group_column else "table" if author_table is not None else "stance"


def _stance_agreement(label: np.ndarray, comments: pd.DataFrame, group_column: str, mapping: Mapping) -> dict:
    """Agreement of the comments' stance labels with the group column, when a mapping is given."""
    if not (group_column and mapping and group_column in comments):
        return {}
    ag = agreement(pd.Series(label), comments[group_column], mapping=mapping)
    return {"stance_agreement": {k: v for k, v in ag.items() if not isinstance(v, dict)}}


def _spread(counter: TermCounts, counts: sp.csr_array, terms: list, *, min_docs: int,
            min_speakers: int) -> np.ndarray | None:
    """The columns of ``counts`` (speakers with a group x ``terms``) used in at least ``min_docs`` documents by at
    least ``min_speakers`` distinct speakers; None when both are 1 (every column)."""
    if min_docs <= 1 and min_speakers <= 1:
        return None
    speakers = np.bincount(counts.indices, minlength=counts.shape[1])  # canonical CSR: one entry per speaker and term
    return np.flatnonzero((counter.docs_of(terms) >= min_docs) & (speakers >= min_speakers))


def _partisanship(count, chunks, *, where, sp_code, sp_ids, grouped, group_of: pd.Series, min_count: int,
                  n_perm: int, n_boot: int, seed: int, top_terms: int, label: str,
                  not_available: list, units: dict | None = None, min_docs: int = 1,
                  min_speakers: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leave-out partisanship between the groups on the terms ``count`` adds up from ``chunks``, for speakers
    with a group; (table, term contributions), both empty and the reason recorded when not available.

    Terms: used at least ``min_count`` times, in at least ``min_docs`` documents (of speakers with a group), by at
    least ``min_speakers`` distinct speakers with a group (demszky2019analyzing keep terms of two speakers).
    With ``units`` (strata configured), terms are counted per speaker within a stratum, once; the speakers'
    rows are their sums, and the table gains the rows of :func:`_strata_partisanship`."""
    if units is None:
        counter = count(TermCounts(where, sp_code, sp_ids, grouped), chunks)
        counts, ids, terms = counter.result(min_count)
        cols = _spread(counter, counts, terms, min_docs=min_docs, min_speakers=min_speakers)
        if cols is not None:
            counts, terms = sp.csr_array(counts[:, cols]), [terms[i] for i in cols]
        strata_rows = pd.DataFrame()
    else:
        counter = count(TermCounts(where, units["code"], units["ids"], units["keep"] | grouped[units["base"]]),
                        chunks)
        u_counts, u_ids, terms = counter.result(min_count)
        u_row = units["ids"].get_indexer(u_ids)
        base = units["base"][u_row]
        agg = sp.csr_array((np.ones(len(base)), (base, np.arange(len(base)))), shape=(len(sp_ids), len(base)))
        counts = sp.csr_array(agg @ u_counts)
        cols = _spread(counter, counts, terms, min_docs=min_docs, min_speakers=min_speakers)
        if cols is not None:  # distinct speakers, not speakers within strata
            counts, u_counts = sp.csr_array(counts[:, cols]), sp.csr_array(u_counts[:, cols])
            terms = [terms[i] for i in cols]
        rows = np.flatnonzero(np.diff(counts.indptr) > 0)
        counts, ids = counts[rows], sp_ids[rows].tolist()
        common = dict(n_perm=n_perm, n_boot=n_boot, seed=seed)
        strata_rows = _strata_partisanship(u_counts, units["group"][u_row], units["stratum"][u_row], units,
                                           group_of, not_available=not_available, **common)
    table, contrib = _partisanship_table(counts, ids, terms, group_of, n_perm=n_perm, n_boot=n_boot, seed=seed,
                                         top_terms=top_terms, label=label, not_available=not_available)
    if units is not None:
        table = pd.concat([table.assign(stratum="(whole corpus)") if len(table) else table,
                           strata_rows.assign(tokens=label) if len(strata_rows) else strata_rows], ignore_index=True)
    return table, contrib


def _partisanship_table(counts, ids, terms, group_of: pd.Series, *, n_perm: int, n_boot: int, seed: int,
                        top_terms: int, label: str, not_available: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two groups: one row; K > 2 groups: the K-group estimate, then every pair."""
    g = group_of.reindex(ids).fillna("").to_numpy()
    known = g != ""
    labels = sorted(set(g[known]))
    speaks = np.asarray(counts.sum(axis=1)).ravel() > 0
    per_group = {x: int(((g == x) & speaks).sum()) for x in labels}
    if not len(terms) and len(set(group_of.dropna().astype(str)) - {""}) >= 2:  # groups there, but no word
        not_available.append(f"{label}: no term was counted (for frame terms: no frame dictionary, or no match)")
        return pd.DataFrame(), pd.DataFrame()
    if len(labels) < 2:
        not_available.append(f"{label}: fewer than two groups among speakers ({labels or 'none'})")
        return pd.DataFrame(), pd.DataFrame()
    small = [x for x, n in per_group.items() if n < 2]
    if small:
        not_available.append(f"{label}: group(s) {small} have fewer than 2 speakers with tokens")
        return pd.DataFrame(), pd.DataFrame()
    common = dict(n_perm=n_perm, n_boot=n_boot, seed=seed)
    m = counts if known.all() else counts[np.flatnonzero(known)]
    del counts
    gk = g[known]
    if len(labels) == 2:
        res = partisanship(m, gk == labels[0], **common)
        table = pd.DataFrame([{"group_a": labels[0], "group_b": labels[1],
                               **{k: v for k, v in res.items() if k != "contributions"}}])
    else:
        res = partisanship_multigroup(m, gk, **common)
        every = {"group_a": ALL_GROUPS.format(k=len(labels)), "group_b": "",
                 **{k: v for k, v in res.items() if k not in ("groups", "n_per_group")},
                 "n_a": sum(res["n_per_group"].values()), "n_b": 0}
        table = pd.concat([pd.DataFrame([every]), partisanship_by_group(m, gk, pairwise=True, **common)
                           .assign(chance=0.5, level=res["level"], n_boot=n_boot, n_perm=n_perm)],
                          ignore_index=True)
    contrib = []
    for a in labels if len(labels) > 2 else labels[:1]:
        c = term_contributions(m, gk == a, terms).head(top_terms * 2)
        contrib.append(c.assign(group_a=a))
    table.insert(0, "tokens", label)
    return table, pd.concat(contrib, ignore_index=True).assign(tokens=label)


#: ``group_a`` of the K-group row of the partisanship table (``group_b`` is empty).
ALL_GROUPS = "(all {k} groups)"
#: ``stratum`` of the between-strata row (the leave-out estimator on comment counts per stratum).
BETWEEN = "(between strata)"


def _strata_partisanship(counts, groups: np.ndarray, strata: np.ndarray, units: dict, group_of: pd.Series, *,
                         n_perm: int, n_boot: int, seed: int, not_available: list) -> pd.DataFrame:
    """Per-stratum and pooled partisanship of the units (speakers within strata), then the between-strata row."""
    in_stratum = strata != ""
    table = partisanship_by_stratum(counts[np.flatnonzero(in_stratum)], groups[in_stratum], strata[in_stratum],
                                    n_perm=n_perm, n_boot=n_boot, seed=seed)
    if "groups" not in table:  # no stratum at all
        table = table.assign(groups=pd.Series(dtype=object))
    if not len(table) or (table["stratum"] != POOLED).all() or not (table["stratum"] == POOLED).any():
        not_available.append("partisanship within strata: no stratum has 2 groups of 2 speakers with tokens")
    # between strata: each speaker's comments per stratum are its "terms", its group the whole-corpus one
    # (demszky2019analyzing's between-topic polarization)
    per = units["comments_per_unit"]
    has = (units["stratum"] != "") & (per > 0)
    between = sp.csr_array((per[has].astype(np.float64), (units["base"][has], units["stratum_code"][has])),
                           shape=(len(group_of), int(units["stratum_code"].max()) + 1))
    labels = group_of.reindex(units["speaker_ids"]).fillna("").to_numpy(dtype=object)
    try:
        res = partisanship_multigroup(between, labels, n_perm=n_perm, n_boot=n_boot, seed=seed)
    except ValueError as e:
        not_available.append(f"between-strata partisanship: {e}")
        return table.assign(group_a=table["groups"].fillna("").astype(str), group_b="").drop(columns="groups")
    row = {"stratum": BETWEEN, **{k: v for k, v in res.items() if k not in ("groups", "n_per_group")},
           "groups": " | ".join(res["groups"]), "n_speakers": sum(res["n_per_group"].values()), "reason": ""}
    table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    # the groups compared, in the columns of the whole-corpus rows: "a | b | c" against nobody
    table.insert(1, "group_a", table["groups"].fillna("").astype(str))
    table.insert(2, "group_b", "")
    return table.drop(columns="groups")


def _partisanship_summary(part: pd.DataFrame) -> dict:
    """The first comparison on all tokens, for the summary."""
    if not len(part):
        return {}
    first = part.iloc[0]
    keys = ["group_a", "group_b", "estimate", "ci_low", "ci_high", "baseline_mean", "p_value"]
    if not first["group_b"]:  # the K-group row: its chance level 1/K
        keys.append("chance")
    return {"partisanship_all": {k: (float(first[k]) if k not in ("group_a", "group_b") else str(first[k]))
                                 for k in keys}}


def _esteban_ray(pooled: pd.DataFrame, *, alpha: float, bins: int, not_available: list) -> dict:
    """Esteban–Ray polarization over the speakers' stance scores."""
    scores = pooled.loc[pooled["score"].notna(), "score"] if len(pooled) else pd.Series(dtype=float)
    if len(scores):
        value = float(esteban_ray(scores.to_numpy(), alpha=alpha, bins=bins))
    else:
        value = float("nan")
        not_available.append("Esteban–Ray: no speaker with a stance score")
    return {"esteban_ray": value, "esteban_ray_n": int(len(scores)), "esteban_ray_alpha": alpha}


def _reply_pairs(comments: pd.DataFrame, where: pd.MultiIndex, sp_code: np.ndarray, sp_ids: pd.Index,
                 group_code: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Reply pairs: a comment and its parent in the same thread (an inner merge on the keys), with both speakers
    and their groups; and the child comments' rows."""
    child = np.flatnonzero((comments["parent_id"] != "").to_numpy(dtype=bool))
    parent = where.get_indexer(pd.MultiIndex.from_arrays(
        [comments["thread_id"].take(child), comments["parent_id"].take(child)]))
    child, parent = child[parent >= 0], parent[parent >= 0]
    pairs = pd.DataFrame({
        "thread_id": comments["thread_id"].take(child).to_numpy(),
        "child_author": sp_ids.take(sp_code[child]),
        "parent_author": sp_ids.take(sp_code[parent]),
        "child_group": group_code[sp_code[child]],
        "parent_group": group_code[sp_code[parent]],
    })
    return pairs, child


def _network(pairs: pd.DataFrame, known_pairs: pd.Series, *, n_groups: int, rwc_k: int, resampling: dict,
             not_available: list) -> tuple[pd.DataFrame, dict]:
    """Cross-group replies, and assortativity, modularity and RWC of the reply graph of speakers with a group."""
    if not (known_pairs.any() and n_groups >= 2):
        not_available.append("reply network: fewer than two groups, or no reply between two speakers with known groups")
        return pd.DataFrame(), {}
    network = cross_group_replies(pairs, **resampling)
    graph = reply_graph(pairs, known_only=True)  # the measures use only speakers with a group
    summary = {"assortativity": _graph_measure("assortativity", lambda: assortativity(graph), not_available),
               "modularity": _graph_measure("modularity", lambda: modularity(graph), not_available)}
    if n_groups == 2:
        summary["rwc"] = _graph_measure("rwc", lambda: random_walk_controversy(graph, k=rwc_k), not_available)
    else:
        summary["rwc"] = float("nan")
        not_available.append(f"rwc: random walk controversy needs exactly two groups (found {n_groups})")
    summary["rwc_k"] = rwc_k
    return network, summary


def _graph_measure(name: str, measure, not_available: list) -> float:
    """A measure of the reply graph; NaN with the reason recorded where the graph does not allow it."""
    try:
        value = float(measure())
    except (ValueError, ZeroDivisionError) as e:  # e.g. RWC with too few speakers per side
        not_available.append(f"{name}: {e}")
        return float("nan")
    if np.isnan(value):
        not_available.append(f"{name}: undefined on this reply graph (no edge, or a single group)")
    return value


def _incivility(pairs: pd.DataFrame, known_pairs: pd.Series, child_uncivil: np.ndarray, child_tokens: np.ndarray,
                *, resampling: dict, not_available: list) -> pd.DataFrame:
    """Incivility of cross- vs same-group replies."""
    if not known_pairs.any():
        not_available.append("incivility by reply type: no reply between speakers with known groups")
        return pd.DataFrame()
    return incivility_by_reply_type(pd.DataFrame({
        "thread_id": pairs["thread_id"],
        "cross_group": np.where(known_pairs, pairs["child_group"] != pairs["parent_group"], None),
        "child_uncivil_hits": child_uncivil,
        "child_tokens": child_tokens,
    }), **resampling)


def _speaker_table(group_of: pd.Series, pooled: pd.DataFrame) -> pd.DataFrame:
    """One row per speaker: group, and pooled stance where there is one."""
    table = pd.DataFrame({"speaker": group_of.index, "group": group_of.to_numpy()})
    if len(pooled):
        table = table.merge(pooled.rename(columns={"author_id": "speaker"}), on="speaker", how="left")
    return table


def _edges(pairs: pd.DataFrame) -> pd.DataFrame:
    """Replies per (child speaker, parent speaker) with their groups."""
    return (pairs.groupby(["child_author", "parent_author", "child_group", "parent_group"]).size()
            .rename("replies").reset_index())


def aligned_rows(
    where: pd.MultiIndex, comments: pd.DataFrame, table: pd.DataFrame, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``table`` that match a comment, and those comments' rows: (table rows, comment rows).

    The same as a left merge of the comments with ``table`` on the keys,
    which must be unique in ``table`` (one row per comment). ``where`` is
    the (unique) index of the comments' keys. When ``table`` holds the same
    keys as ``comments`` in the same order (as per-comment tables written
    shard by shard do), row i matches comment i and no lookup is needed.
    """
    if len(table) == len(comments) and all(table[k].array.equals(comments[k].array) for k in KEYS):
        rows = np.arange(len(table))
        return rows, rows
    row = where.get_indexer(pd.MultiIndex.from_arrays([table[k] for k in KEYS]))
    hit = np.flatnonzero(row >= 0)
    at = row[hit]
    if len(at) and np.bincount(at).max() > 1:
        raise ValueError(f"{name}: more than one row for a comment; expected one row per (thread_id, comment_id)")
    return hit, at
