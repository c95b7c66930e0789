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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from analysis.codes import string_codes
from analysis.framing import is_word
from analysis.groups import speaker_groups, speakers
from analysis.incivility import incivility_by_reply_type
from analysis.network import assortativity, cross_group_replies, modularity, random_walk_controversy, reply_graph
from analysis.polarization import esteban_ray, partisanship, partisanship_by_group, term_contributions
from analysis.stance import agreement, author_stance, stance_summary

__all__ = ["PolarizationReport", "polarization_report", "speaker_term_counts", "TermCounts", "read_chunks",
           "count_tokens", "count_frame_terms", "TOKEN_COLUMNS", "MATCH_COLUMNS"]

#: The columns of the token and match tables the report reads.
TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "norm", "is_stopword"]
MATCH_COLUMNS = ["thread_id", "comment_id", "doc", "frame", "term", "counted"]
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


def speaker_term_counts(keys: pd.DataFrame, speaker_of: pd.Series, terms: pd.Series, *, min_count: int = 1):
    """Sparse (speakers x terms) counts; speakers in sorted order; terms used at least ``min_count`` times.

    The one-pass definition, kept as the reference for :class:`TermCounts`
    (which builds the same matrix chunk by chunk).
    """
    sp_codes, sp_ids = pd.factorize(speaker_of, sort=True)
    frame = pd.DataFrame({"s": sp_codes, "t": terms.to_numpy()})
    frame = frame[frame["s"] >= 0]
    totals = frame["t"].value_counts()
    frame = frame[frame["t"].map(totals) >= min_count]
    t_codes, t_ids = pd.factorize(frame["t"], sort=True)
    m = sp.csr_array((np.ones(len(frame)), (frame["s"].to_numpy(), t_codes)), shape=(len(sp_ids), len(t_ids)))
    return m, list(sp_ids), list(t_ids)


# ---------------------------------------------------------------- counting terms chunk by chunk


def read_chunks(paths: Sequence[str], columns: Sequence[str], *, dictionary: Sequence[str] = ()) -> Iterator[pa.RecordBatch]:
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


def _codes(chunk, name: str) -> tuple[np.ndarray, list]:
    """Integer codes per row and the distinct values of one column of a chunk (Arrow or pandas); a missing value: -1."""
    if isinstance(chunk, pd.DataFrame):
        codes, uniques = pd.factorize(chunk[name])
        return np.asarray(codes, dtype=np.int64), list(uniques)
    codes, dictionary = string_codes(chunk.column(name))
    return codes, dictionary.to_pylist()


def _flags(chunk, name: str) -> np.ndarray:
    """A boolean column of a chunk as a numpy array."""
    col = chunk[name] if isinstance(chunk, pd.DataFrame) else chunk.column(name)
    if isinstance(chunk, pd.DataFrame):
        return col.to_numpy(bool)
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=bool)


def _per_row(per_value, codes: np.ndarray) -> np.ndarray:
    """Spread a flag per distinct value to the rows (code -1, a missing value: False)."""
    return np.append(np.asarray(per_value, dtype=bool), False)[codes]


def _is(values: list, wanted: str, codes: np.ndarray) -> np.ndarray:
    """Per row: is its value ``wanted``."""
    return _per_row([v == wanted for v in values], codes)


class TermCounts:
    """(speakers x terms) counts added up chunk by chunk: the matrix of :func:`speaker_term_counts` without holding the rows.

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
    matrix.
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

    def speakers(self, chunk, mask: np.ndarray) -> np.ndarray:
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
        """(counts as float64 CSR, as :func:`speaker_term_counts` gives them; speaker ids of the rows; terms of the columns).

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
    """Position of each value in ``index`` (-1: not there); the values take the index's dtype (a mismatch is 10x slower)."""
    return index.get_indexer(pd.Index(values, dtype=index.dtype)).astype(np.int64)


def _add(a: sp.csr_array, b: sp.csr_array) -> sp.csr_array:
    """Sum of two count matrices whose columns may differ in number (later terms are new columns)."""
    n = max(a.shape[1], b.shape[1])
    for x in (a, b):
        if x.shape[1] < n:
            x.resize((x.shape[0], n))
    return a + b


def count_tokens(counter: TermCounts, chunks: Iterable) -> TermCounts:
    """Add the word tokens of comments (not stopwords) per speaker: the counts of partisanship on all tokens."""
    word: np.ndarray = np.zeros(0, dtype=bool)
    for chunk in chunks:
        doc, doc_v = _codes(chunk, "doc")
        mask = _is(doc_v, "comment", doc) & ~_flags(chunk, "is_stopword")
        norm, norm_v = _codes(chunk, "norm")
        before = len(counter.names)
        codes = counter.encode(norm_v)
        if len(counter.names) > before:  # word or not: decided once per distinct norm
            word = np.append(word, is_word(pd.Series(counter.names[before:], dtype=object)))
        mask &= _per_row(word[codes], norm)
        counter.add(counter.speakers(chunk, mask), codes[norm[mask]])
    return counter


def count_frame_terms(counter: TermCounts, chunks: Iterable) -> TermCounts:
    """Add the counted frame matches of comments per speaker, as terms 'frame:term'."""
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


def _measure(counts, ids, groups_of: pd.Series, terms, *, opts, label: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Leave-out partisanship between the groups; (table, term contributions, reason if not available)."""
    g = groups_of.reindex(ids).fillna("").to_numpy()
    known = g != ""
    labels = sorted(set(g[known]))
    speaks = np.asarray(counts.sum(axis=1)).ravel() > 0
    per_group = {x: int(((g == x) & speaks).sum()) for x in labels}
    if len(labels) < 2:
        return pd.DataFrame(), pd.DataFrame(), f"{label}: fewer than two groups among speakers ({labels or 'none'})"
    small = [x for x, n in per_group.items() if n < 2]
    if small:
        return pd.DataFrame(), pd.DataFrame(), f"{label}: group(s) {small} have fewer than 2 speakers with tokens"
    common = dict(n_perm=opts["n_perm"], n_boot=opts["n_boot"], seed=opts["seed"])
    m = counts if known.all() else counts[np.flatnonzero(known)]
    gk = g[known]
    if len(labels) == 2:
        res = partisanship(m, gk == labels[0], **common)
        table = pd.DataFrame([{"group_a": labels[0], "group_b": labels[1], **{k: v for k, v in res.items() if k != "contributions"}}])
    else:
        table = partisanship_by_group(m, gk, **common)
    contrib = []
    for a in labels if len(labels) > 2 else labels[:1]:
        c = term_contributions(m, gk == a, terms).head(opts["top_terms"] * 2)
        contrib.append(c.assign(group_a=a))
    table.insert(0, "tokens", label)
    return table, pd.concat(contrib, ignore_index=True).assign(tokens=label), ""


def _chunks(data) -> Iterable:
    """A table given whole (a DataFrame or Arrow table) as one chunk; otherwise the chunks themselves."""
    return [data] if isinstance(data, (pd.DataFrame, pa.Table, pa.RecordBatch)) else data


def polarization_report(
    comments: pd.DataFrame,
    docs: pd.DataFrame,
    stance: pd.DataFrame,
    tokens: pd.DataFrame | Iterable,
    matches: pd.DataFrame | Iterable,
    *,
    options: dict,
    salt: str,
    author_table: pd.DataFrame | None = None,
) -> PolarizationReport:
    """Speakers, groups, partisanship (all tokens, frame terms), Esteban–Ray, reply network, incivility.

    ``comments``, ``docs`` and ``stance`` are one row per document (only the
    columns used are needed: keys, ``parent_id``, ``author_id`` and the group
    column; ``doc``, ``n_tokens``; the stance columns). ``tokens``
    (``thread_id``, ``comment_id``, ``doc``, ``norm``, ``is_stopword``) and
    ``matches`` (keys, ``doc``, ``frame``, ``term``, ``counted``) are either
    whole tables or an iterable of chunks (DataFrames or Arrow record
    batches, e.g. :func:`read_chunks`), read once: only term counts per
    speaker are kept, so memory does not grow with the number of tokens.
    """
    opts = options
    comments = comments.reset_index(drop=True)
    speaker, unit, unit_why = speakers(comments, unit=opts["unit"], min_known_share=opts["min_known_share"])
    keys = ["thread_id", "comment_id"]
    n = len(comments)
    where = pd.MultiIndex.from_arrays([comments["thread_id"], comments["comment_id"]])
    if not where.is_unique:
        raise ValueError("comments: (thread_id, comment_id) is not unique; expected one row per comment")
    sp_code, sp_ids = pd.factorize(speaker, sort=True)

    # stance of each comment (a comment without a stance row: no cue, abstain), as a left merge on the keys
    stance = stance[stance["doc"] == "comment"]
    s_row, at = aligned_rows(where, comments, stance, "stance")
    n_pro = np.zeros(n, dtype=np.int64)
    n_anti = np.zeros(n, dtype=np.int64)
    unciv_of = np.zeros(n, dtype=np.int64)
    score = np.full(n, np.nan)
    label = np.full(n, "abstain", dtype=object)
    n_pro[at] = stance["n_pro"].to_numpy()[s_row]
    n_anti[at] = stance["n_anti"].to_numpy()[s_row]
    unciv_of[at] = stance["n_uncivil"].to_numpy()[s_row]
    score[at] = stance["score"].to_numpy(dtype=float, na_value=np.nan)[s_row]
    label[at] = stance["label"].to_numpy(dtype=object)[s_row]
    uncivil_share = float((stance["n_uncivil"] > 0).mean()) if len(stance) else float("nan")
    del stance, s_row, at
    docs = docs[docs["doc"] == "comment"]
    d_row, at = aligned_rows(where, comments, docs, "docs")
    tokens_of = np.zeros(n, dtype=np.int64)
    tokens_of[at] = docs["n_tokens"].to_numpy()[d_row]
    del docs, d_row, at

    # speaker stance: pooled cues of all of a speaker's comments
    scored = comments[keys].assign(n_pro=n_pro, n_anti=n_anti, score=score, label=label, doc="comment")
    pooled = author_stance(scored, comments[keys].assign(author_id=speaker.to_numpy()))
    stance_of = pooled.set_index("author_id")["label"] if len(pooled) else pd.Series(dtype=object)
    source = opts["groups"]
    if source == "auto":
        source = "column" if opts["group_column"] else "table" if author_table is not None else "stance"
    groups = speaker_groups(comments, speaker, source=source, column=opts["group_column"],
                            table=author_table, salt=salt, stance=speaker.map(stance_of))
    summary: dict = {"unit": unit, "unit_reason": unit_why, "group_source": source,
                     "group_column": opts["group_column"], "n_speakers": len(sp_ids),
                     "n_speakers_with_group": int((groups != "").sum()),
                     "groups": {g: int((groups == g).sum()) for g in sorted(set(groups) - {""})},
                     "stance": stance_summary(scored),
                     "not_available": []}
    del scored

    # agreement of stance labels with a group column, when mapped
    mapping = opts.get("stance_mapping") or {}
    if opts["group_column"] and mapping and opts["group_column"] in comments:
        ag = agreement(pd.Series(label), comments[opts["group_column"]], mapping=mapping)
        summary["stance_agreement"] = {k: v for k, v in ag.items() if not isinstance(v, dict)}
    del label

    # partisanship on all word tokens and on frame terms: counts added up chunk by chunk, for speakers with a group
    group_of = groups.reindex(sp_ids).fillna("").to_numpy(dtype=object)  # group per speaker code
    grouped = group_of != ""
    counter = count_tokens(TermCounts(where, sp_code, sp_ids, grouped), _chunks(tokens))
    counts, ids, terms = counter.result(opts["min_term_count"])
    del counter
    part, contrib, why = _measure(counts, ids, groups, terms, opts=opts, label="all tokens")
    del counts
    if why:
        summary["not_available"].append(why)
    f_counts, f_ids, f_terms = count_frame_terms(TermCounts(where, sp_code, sp_ids, grouped), _chunks(matches)).result()
    f_part, f_contrib, why = _measure(f_counts, f_ids, groups, f_terms, opts=opts, label="frame terms")
    if why:
        summary["not_available"].append(why)
    partisan = pd.concat([part, f_part], ignore_index=True)
    if len(part):
        first = part.iloc[0]
        summary["partisanship_all"] = {k: (float(first[k]) if k not in ("group_a", "group_b") else str(first[k]))
                                       for k in ("group_a", "group_b", "estimate", "ci_low", "ci_high", "baseline_mean", "p_value")}
    contributions = pd.concat([contrib, f_contrib], ignore_index=True)

    # Esteban-Ray over speakers' stance scores
    scores = pooled.loc[pooled["score"].notna(), "score"] if len(pooled) else pd.Series(dtype=float)
    summary["esteban_ray"] = (float(esteban_ray(scores.to_numpy(), alpha=opts["er_alpha"], bins=opts["er_bins"]))
                              if len(scores) else float("nan"))
    summary["esteban_ray_n"] = int(len(scores))
    summary["esteban_ray_alpha"] = opts["er_alpha"]

    # reply pairs between comments: a comment and its parent in the same thread (an inner merge on the keys)
    child = np.flatnonzero((comments["parent_id"] != "").to_numpy(dtype=bool))
    parent = where.get_indexer(pd.MultiIndex.from_arrays(
        [comments["thread_id"].take(child), comments["parent_id"].take(child)]))
    child, parent = child[parent >= 0], parent[parent >= 0]
    del where
    net_pairs = pd.DataFrame({
        "thread_id": comments["thread_id"].take(child).to_numpy(),
        "child_author": sp_ids.take(sp_code[child]),
        "parent_author": sp_ids.take(sp_code[parent]),
        "child_group": group_of[sp_code[child]],
        "parent_group": group_of[sp_code[parent]],
    })
    common = dict(n_boot=opts["n_boot"], seed=opts["seed"], min_clusters=opts["min_clusters"])
    known_pairs = (net_pairs["child_group"] != "") & (net_pairs["parent_group"] != "")
    network = pd.DataFrame()
    if known_pairs.any() and len(summary["groups"]) >= 2:
        network = cross_group_replies(net_pairs, **common)
        graph = reply_graph(net_pairs, known_only=True)  # the measures use only speakers with a group
        summary["assortativity"] = _safe(lambda: assortativity(graph))
        summary["modularity"] = _safe(lambda: modularity(graph))
        summary["rwc"] = _safe(lambda: random_walk_controversy(graph, k=opts["rwc_k"])) if len(summary["groups"]) == 2 else float("nan")
        summary["rwc_k"] = opts["rwc_k"]
    else:
        summary["not_available"].append("reply network: fewer than two groups, or no reply between two speakers with known groups")

    # incivility of cross- vs same-group replies
    inc_pairs = pd.DataFrame({
        "thread_id": net_pairs["thread_id"],
        "cross_group": np.where(known_pairs, net_pairs["child_group"] != net_pairs["parent_group"], None),
        "child_uncivil_hits": unciv_of[child],
        "child_tokens": tokens_of[child],
    })
    incivility = pd.DataFrame()
    if known_pairs.any():
        incivility = incivility_by_reply_type(inc_pairs, **common)
    else:
        summary["not_available"].append("incivility by reply type: no reply between speakers with known groups")
    summary["uncivil_comment_share"] = uncivil_share

    speaker_table = pd.DataFrame({"speaker": groups.index, "group": groups.to_numpy()})
    if len(pooled):
        speaker_table = speaker_table.merge(pooled.rename(columns={"author_id": "speaker"}), on="speaker", how="left")
    edges = net_pairs.groupby(["child_author", "parent_author", "child_group", "parent_group"]).size().rename("replies").reset_index()
    return PolarizationReport(summary, partisan, contributions, network, incivility, speaker_table, edges)


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
    keys = ["thread_id", "comment_id"]
    if len(table) == len(comments) and all(table[k].array.equals(comments[k].array) for k in keys):
        rows = np.arange(len(table))
        return rows, rows
    row = where.get_indexer(pd.MultiIndex.from_arrays([table[k] for k in keys]))
    hit = np.flatnonzero(row >= 0)
    at = row[hit]
    if len(at) and np.bincount(at).max() > 1:
        raise ValueError(f"{name}: more than one row for a comment; expected one row per (thread_id, comment_id)")
    return hit, at


def _safe(fn) -> float:
    """A network measure, or NaN where the graph does not allow it (e.g. RWC with too few nodes)."""
    try:
        return float(fn())
    except (ValueError, ZeroDivisionError):
        return float("nan")
