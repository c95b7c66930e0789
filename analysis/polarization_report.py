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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from analysis.codes import string_codes
from analysis.groups import speaker_groups, speakers
from analysis.incivility import incivility_by_reply_type
from analysis.keyness import term_mask
from analysis.network import assortativity, cross_group_replies, modularity, random_walk_controversy, reply_graph
from analysis.polarization import esteban_ray, partisanship, partisanship_by_group, term_contributions
from analysis.stance import agreement, author_stance, stance_summary

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

    def add(self, speaker: np.ndarray, term: np.ndarray) -> None:
        """Count one (speaker, term) pair per row; rows with speaker -1 are left out, as in the one-pass merge."""
        found = speaker >= 0
        speaker, term = speaker[found], term[found]
        n_terms = len(self.names)
        totals = np.bincount(term, minlength=n_terms)
        totals[: len(self.totals)] += self.totals
        self.totals = totals
        counted = self.keep[speaker]
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


def count_tokens(counter: TermCounts, chunks: Iterable[pa.RecordBatch | pa.Table]) -> TermCounts:
    """Add the word tokens of comments (not stopwords) per speaker: the counts of partisanship on all tokens.

    ``chunks``: Arrow record batches (or tables) with :data:`TOKEN_COLUMNS`, e.g. :func:`read_chunks`.
    """
    word: np.ndarray = np.zeros(0, dtype=bool)
    for chunk in chunks:
        doc, doc_v = _codes(chunk, "doc")
        mask = _is(doc_v, "comment", doc) & ~_flags(chunk, "is_stopword")
        norm, norm_v = _codes(chunk, "norm")
        before = len(counter.names)
        codes = counter.encode(norm_v)
        if len(counter.names) > before:  # word or not: decided once per distinct norm
            word = np.append(word, term_mask(counter.names[before:]))  # no placeholders, URLs, numbers
        mask &= _per_row(word[codes], norm)
        counter.add(counter.speakers(chunk, mask), codes[norm[mask]])
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

    The keyword arguments are the ``polarization`` section of the workflow
    configuration (its schema documents each; ``groups`` is the group
    source: ``auto``, ``column``, ``table`` or ``stance``); ``author_table``
    is the table of ``author_groups`` when one is given. A measure that
    cannot be computed is NaN or absent, and ``summary["not_available"]``
    says which and why.
    """
    comments = comments.reset_index(drop=True)
    where = _comment_index(comments)
    scored, label, uncivil_of, uncivil_share = _comment_stance(where, comments, stance)
    del stance
    tokens_of = _comment_tokens(where, comments, docs)
    del docs
    speaker, unit_used, unit_why = speakers(comments, unit=unit, min_known_share=min_known_share)
    sp_code, sp_ids = pd.factorize(speaker, sort=True)
    pooled = author_stance(scored, comments[KEYS].assign(author_id=speaker.to_numpy()))
    source = _group_source(groups, group_column, author_table)
    stance_of = pooled.set_index("author_id")["label"] if len(pooled) else pd.Series(dtype=object)
    group_of = speaker_groups(comments, speaker, source=source, column=group_column,
                              table=author_table, salt=salt, stance=speaker.map(stance_of))
    summary: dict = {"unit": unit_used, "unit_reason": unit_why, "group_source": source,
                     "group_column": group_column, "n_speakers": len(sp_ids),
                     "n_speakers_with_group": int((group_of != "").sum()),
                     "groups": {g: int((group_of == g).sum()) for g in sorted(set(group_of) - {""})},
                     "stance": stance_summary(scored),
                     "not_available": []}
    not_available = summary["not_available"]
    del scored
    summary.update(_stance_agreement(label, comments, group_column, stance_mapping or {}))
    del label

    group_code = group_of.reindex(sp_ids).fillna("").to_numpy(dtype=object)  # group per speaker code
    counting = dict(where=where, sp_code=sp_code, sp_ids=sp_ids, grouped=group_code != "", group_of=group_of)
    measuring = dict(n_perm=n_perm, n_boot=n_boot, seed=seed, top_terms=top_terms)
    part, contrib = _partisanship(count_tokens, tokens, **counting, min_count=min_term_count, **measuring,
                                  label="all tokens", not_available=not_available)
    f_part, f_contrib = _partisanship(count_frame_terms, matches, **counting, min_count=1, **measuring,
                                      label="frame terms", not_available=not_available)
    summary.update(_partisanship_summary(part))
    partisan = pd.concat([part, f_part], ignore_index=True)
    contributions = pd.concat([contrib, f_contrib], ignore_index=True)
    summary.update(_esteban_ray(pooled, alpha=er_alpha, bins=er_bins, not_available=not_available))

    pairs, child = _reply_pairs(comments, where, sp_code, sp_ids, group_code)
    del counting, where
    resampling = dict(n_boot=n_boot, seed=seed, min_clusters=min_clusters)
    known_pairs = (pairs["child_group"] != "") & (pairs["parent_group"] != "")
    network, network_summary = _network(pairs, known_pairs, n_groups=len(summary["groups"]), rwc_k=rwc_k,
                                        resampling=resampling, not_available=not_available)
    summary.update(network_summary)
    incivility = _incivility(pairs, known_pairs, uncivil_of[child], tokens_of[child], resampling=resampling,
                             not_available=not_available)
    summary["uncivil_comment_share"] = uncivil_share
    return PolarizationReport(summary, partisan, contributions, network, incivility,
                              _speaker_table(group_of, pooled), _edges(pairs))


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


def _partisanship(count, chunks, *, where, sp_code, sp_ids, grouped, group_of: pd.Series, min_count: int,
                  n_perm: int, n_boot: int, seed: int, top_terms: int, label: str,
                  not_available: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leave-out partisanship between the groups on the terms ``count`` adds up from ``chunks``, for speakers
    with a group; (table, term contributions), both empty and the reason recorded when not available."""
    counts, ids, terms = count(TermCounts(where, sp_code, sp_ids, grouped), chunks).result(min_count)
    g = group_of.reindex(ids).fillna("").to_numpy()
    known = g != ""
    labels = sorted(set(g[known]))
    speaks = np.asarray(counts.sum(axis=1)).ravel() > 0
    per_group = {x: int(((g == x) & speaks).sum()) for x in labels}
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
        table = partisanship_by_group(m, gk, **common)
    contrib = []
    for a in labels if len(labels) > 2 else labels[:1]:
        c = term_contributions(m, gk == a, terms).head(top_terms * 2)
        contrib.append(c.assign(group_a=a))
    table.insert(0, "tokens", label)
    return table, pd.concat(contrib, ignore_index=True).assign(tokens=label)


def _partisanship_summary(part: pd.DataFrame) -> dict:
    """The first comparison on all tokens, for the summary."""
    if not len(part):
        return {}
    first = part.iloc[0]
    return {"partisanship_all": {k: (float(first[k]) if k not in ("group_a", "group_b") else str(first[k]))
                                 for k in ("group_a", "group_b", "estimate", "ci_low", "ci_high", "baseline_mean",
                                           "p_value")}}


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
