"""Quoted passages: which parts of a comment are the author's own words, and which are copied.

On forums and Reddit a reply usually begins with a passage copied from the
post it answers. Counted as the replier's speech, that passage inflates frame
rates, turns "uptake" down reply chains into a measure of copying, and makes
two camps that quote each other look alike. :func:`find_quotes` splits every
document into own words and quoted passages; rule ``quotes`` writes the table
(:data:`QUOTE_COLUMNS`), and rule ``annotate`` drops the tokens inside quoted
passages from every measure unless ``quotes.count_quoted_text`` is set
(:func:`in_quote` decides which tokens and matches are inside one).

Sources of a quoted passage (the ``source`` column):

``declared``
    Spans the data declares: a comments column named by
    ``quotes.declared_column`` holding a JSON list of ``[start, end,
    quoted_id]`` character offsets into the text (``quoted_id`` may be null),
    as ``quote_spans`` of the Internet Argument Corpus.
``gt``
    Lines whose first non-blank character is ``>`` (or the escaped ``&gt;``):
    Reddit and Markdown block quotes, e-mail replies. Consecutive such lines
    form one passage.
``bbcode``
    ``[quote]…[/quote]``, ``[quote=name]…[/quote]`` and vBulletin's
    ``[quote=name;123]…[/quote]`` (case-insensitive; 123 is the quoted post's
    id and becomes ``quoted_id``). Nested quotes (a quote of a quote) form one
    passage, the outermost, tags included. An opening tag never closed is
    left alone (forum software shows it as text).
``header``
    The quote headers of common forum software, on a line of their own:
    "Originally Posted by X" (vBulletin; also after "Quote:"), "X wrote:" and
    "On <date>, X wrote:" (phpBB, mailing lists; at most 60 characters before
    "wrote:"), and "Quote:" alone. The passage is the header line and the
    paragraph after it (up to the next blank line): plain-text exports keep no
    end marker, so a longer quote is found by reuse, below.
``reuse``
    A run of at least ``min_words`` words copied verbatim from an earlier
    document of the same thread (the article, or a comment written earlier),
    after case and whitespace normalisation: words are runs of letters and
    digits (``\\w+``), case-folded; punctuation and spacing between them are
    ignored. ``quoted_id`` is the comment that first wrote the run ('' and
    ``quoted_doc`` "article" for the article). "Earlier" is by ``created_at``,
    then input order. A quote of a quote is credited to the run's first
    author.

Reuse is found with hashed word shingles, one pass per shard: every run of
``min_words`` consecutive words is hashed (a 64-bit mixing hash of the word
ids), and a run is copied when its (thread, hash) first occurs in an earlier
document. The cost is one hash-table pass over the shard's shingles, linear in its
words, never a comparison of pairs of comments, so a 10,000-comment thread
costs about what its words cost. Caveats: a run shorter than ``min_words``
words is missed (short quotes, or a long quote edited every few words); a
common phrase of ``min_words`` words written independently by two people
counts as a quote (raise ``min_words`` for formulaic corpora); quotation
marks are not a source here: they stay the matcher's finer ``quoted`` flag
(:mod:`analysis.matcher`), which also marks scare quotes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.codes import numbers, run_starts, string_codes
from analysis.errors import ConfigError, int_arg

__all__ = [
    "QUOTE_COLUMNS",
    "SOURCES",
    "bbcode_spans",
    "combine_shares",
    "declared_spans",
    "find_quotes",
    "gt_spans",
    "header_spans",
    "in_quote",
    "tokens_in_quote",
    "merge_spans",
    "quote_schema",
    "quoted_share",
    "reuse_spans",
]

SOURCES = ("declared", "gt", "bbcode", "header", "reuse")
DETECTORS = ("markup", "reuse")  # what ``quotes.detect`` may list; markup = gt, bbcode and header

QUOTE_COLUMNS = ["thread_id", "comment_id", "doc", "start", "end", "source", "quoted_id", "quoted_doc"]
_KEYS = ["thread_id", "comment_id", "doc"]


def quote_schema() -> pa.Schema:
    """The Arrow schema of the quotes table (rule ``quotes``): one row per quoted passage found by one source.

    ``start``/``end``: character offsets into the document text; ``source``:
    one of :data:`SOURCES`; ``quoted_id``: the quoted comment's id when known,
    else ''; ``quoted_doc``: "comment", "article" or '' (unknown). Passages of
    different sources may overlap: :func:`merge_spans` gives their union.
    """
    return pa.schema([pa.field(c, pa.int32() if c in ("start", "end") else pa.string(), nullable=False)
                      for c in QUOTE_COLUMNS])


# --------------------------------------------------------------------------
# markup

_GT_RE = re.compile(r"^[ \t]*(?:>|&gt;)[^\n]*", re.M)
_BB_OPEN_RE = re.compile(r"\[quote(?:=([^\]\n]*))?\]", re.I)
_BB_CLOSE_RE = re.compile(r"\[/quote\]", re.I)
_BB_POST_ID_RE = re.compile(r";\s*(\d+)\s*$")
_HEADER_RE = re.compile(
    r"^[ \t]*(?:"
    r"(?:quote:[ \t]*)?originally posted by\b[^\n]*"  # vBulletin
    r"|(?:on [^\n]{1,60}?,[ \t]*)?[^\n]{1,60}? wrote:[ \t]*"  # phpBB, mailing lists
    r"|quote:[ \t]*"  # vBulletin's header line alone
    r")$",
    re.I | re.M,
)
_BLANK_LINE_RE = re.compile(r"\n[ \t\r]*\n")


def gt_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``>`` block-quote lines (consecutive lines joined), from the line start to its end."""
    return merge_spans([m.span() for m in _GT_RE.finditer(text)], gap="\n", text=text)


def bbcode_spans(text: str) -> list[tuple[int, int, str]]:
    """Outermost ``[quote…]…[/quote]`` spans, tags included, with the quoted post id ('' unless vBulletin's ``;id``)."""
    tags = sorted([(m.start(), m.end(), m.group(1)) for m in _BB_OPEN_RE.finditer(text)]
                  + [(m.start(), m.end(), None) for m in _BB_CLOSE_RE.finditer(text)])
    out, stack = [], []
    for start, end, arg in tags:
        if arg is not None or text[start:end].lower().startswith("[quote"):
            stack.append((start, arg or ""))
        elif stack:
            open_start, open_arg = stack.pop()
            if not stack:  # the outermost quote closes
                post = _BB_POST_ID_RE.search(open_arg)
                out.append((open_start, end, post.group(1) if post else ""))
    return out


def header_spans(text: str) -> list[tuple[int, int]]:
    """Spans of a forum quote header line and the paragraph after it (to the next blank line)."""
    out = []
    for m in _HEADER_RE.finditer(text):
        # the paragraph after the header: skip blank lines, then run to the next blank line
        body = re.compile(r"\s*").match(text, m.end()).end()
        blank = _BLANK_LINE_RE.search(text, body)
        end = blank.start() if blank else len(text)
        out.append((m.start(), max(end, m.end())))
    return merge_spans(out)


def merge_spans(spans: Sequence[tuple[int, int]], *, gap: str = "", text: str = "") -> list[tuple[int, int]]:
    """The union of character spans, sorted; with ``gap``, spans separated only by characters of ``gap`` in
    ``text`` are joined too."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and (s <= out[-1][1] or (gap and text[out[-1][1]:s].strip(gap) == "" and s - out[-1][1] <= 2)):
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


# --------------------------------------------------------------------------
# declared spans


def declared_spans(value, *, text_length: int, column: str, comment_id: str) -> list[tuple[int, int, str]]:
    """The ``[start, end, quoted_id]`` spans of one record's declared column (JSON), checked against its text.

    An empty or missing value declares none. A value that is not such a list,
    or a span outside the text, raises a :class:`ConfigError` naming the
    column and the comment.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return []
    where = f"comment {comment_id!r}"
    try:
        spans = json.loads(value) if isinstance(value, str) else value
        out = []
        for span in spans:
            start, end = int(span[0]), int(span[1])
            quoted = span[2] if len(span) > 2 and span[2] is not None else ""
            if not 0 <= start <= end <= text_length:
                raise ValueError(f"span [{start}, {end}] outside the text (length {text_length})")
            if start < end:  # an empty span declares nothing
                out.append((start, end, str(quoted)))
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise ConfigError("quotes.declared_column",
                          f"column {column!r}, {where}: expected a JSON list of [start, end, quoted_id] ({exc})"
                          ) from None
    return out


# --------------------------------------------------------------------------
# text reuse

_CHUNK_CHARS = 4_000_000  # texts are scanned in chunks of about this many characters (bounded memory)
_HASH_P = 0x100000001B3  # odd: invertible modulo 2**64
_HASH_P_INV = pow(_HASH_P, -1, 2**64)
_LUTS: list[np.ndarray] = []  # is_word, fold, known (see _char_tables)
_POWERS: list[np.ndarray] = []  # P**1 .. P**n, and 1, P**-1 .. P**-n (see _powers)


def _char_tables(cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per code point: whether it is a word character (``\\w``: alphanumeric or ``_``) and its case-folded code
    point (the character's own when its folding is not one character). Filled in for the code points of ``cp``
    not seen before (a few thousand in a corpus, instead of all 1,114,112 up front)."""
    if not _LUTS:
        _LUTS.extend([np.zeros(0x110000, dtype=bool), np.arange(0x110000, dtype=np.uint64),
                      np.zeros(0x110000, dtype=bool)])
    is_word, fold, known = _LUTS
    present = np.zeros(0x110000, dtype=bool)
    present[cp] = True
    for i in np.flatnonzero(present & ~known).tolist():
        c = chr(i)
        is_word[i] = c.isalnum() or c == "_"
        f = c.casefold()
        fold[i] = ord(f) if len(f) == 1 else i
        known[i] = True
    return is_word, fold


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``P**1 .. P**n`` and ``1, P**-1 .. P**-n`` modulo 2**64 (:data:`_HASH_P`), computed once for the longest
    chunk seen."""
    if not _POWERS or len(_POWERS[0]) < n:
        size = max(n, _CHUNK_CHARS)
        with np.errstate(over="ignore"):
            _POWERS[:] = [np.cumprod(np.full(size, _HASH_P, dtype=np.uint64)),
                          np.concatenate([[np.uint64(1)], np.cumprod(np.full(size, _HASH_P_INV, dtype=np.uint64))])]
    return _POWERS[0][:n], _POWERS[1][:n + 1]


def _words(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Words (runs of ``\\w`` characters) of every text, vectorised: an id per distinct case-folded word, start
    and end offsets in its text, and the number of words per text.

    Texts are read as code-point arrays; a word's id comes from a 64-bit polynomial hash of its folded code
    points (prefix sums modulo 2**64), numbered by ``pd.factorize``: no Python step per word.
    """
    hashes, starts, ends, lengths = [], [], [], np.zeros(len(texts), dtype=np.int64)
    i = 0
    while i < len(texts):
        j, size = i, 0
        while j < len(texts) and (size == 0 or size + len(texts[j]) <= _CHUNK_CHARS):
            size += len(texts[j]) + 1
            j += 1
        chunk = texts[i:j]
        joined = "\n".join(chunk)  # "\n" is not a word character: words never span two texts
        cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        is_word, fold = _char_tables(cp)
        w = is_word[cp].astype(np.int8)
        edge = np.diff(w, prepend=np.int8(0), append=np.int8(0))
        s, e = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
        with np.errstate(over="ignore"):
            powers, inverse = _powers(len(cp))
            prefix = np.concatenate([[np.uint64(0)], np.cumsum((fold[cp] + np.uint64(1)) * powers)])
            # hash of cp[s:e] = (prefix[e] - prefix[s]) / P**s: the same wherever the word stands; length mixed in
            h = (prefix[e] - prefix[s]) * inverse[s]
            h ^= (e - s).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        text_start = np.concatenate([[0], np.cumsum([len(t) + 1 for t in chunk])[:-1]])
        doc = np.searchsorted(text_start, s, side="right") - 1
        lengths[i:j] = np.bincount(doc, minlength=len(chunk))
        hashes.append(h)
        starts.append(s - text_start[doc])
        ends.append(e - text_start[doc])
        i = j
    if not hashes or not sum(len(h) for h in hashes):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), lengths
    ids, _ = pd.factorize(np.concatenate(hashes))
    return ids.astype(np.int64), np.concatenate(starts), np.concatenate(ends), lengths
_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constants of splitmix64
_MIX = np.uint64(0xBF58476D1CE4E5B9)


def _shingle_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit hash of each run of ``n`` consecutive ids (positions 0 .. len-n), mixed non-linearly per step."""
    m = len(ids) - n + 1
    h = np.zeros(m, dtype=np.uint64)
    x = ids.astype(np.uint64) + np.uint64(1)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = (h ^ x[k:k + m]) * _MULT
            h ^= h >> np.uint64(29)
            h *= _MIX
    return h


def reuse_spans(docs: pd.DataFrame, *, min_words: int) -> pd.DataFrame:
    """Passages of at least ``min_words`` words copied from an earlier document of the same thread.

    ``docs`` has ``thread_id``, ``comment_id``, ``doc`` and ``text``, in the
    order documents were written within each thread (the article first);
    threads may be interleaved. With an ``author_id`` column, a run copied
    from the same author's earlier comment (a signature, a repost) stays own
    words ('' is an unknown author, never the same as another). Returns one row per passage: the document's
    keys, ``start``, ``end``, the quoted document's ``quoted_id`` (its
    comment id) and ``quoted_doc``, copied from the document where the run
    first occurs. See the module docstring for the method and its caveats.
    """
    min_words = int_arg("min_words", min_words, minimum=2)
    empty = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("start", "end") else "str")
                          for c in [*_KEYS, "start", "end", "quoted_id", "quoted_doc"]})
    texts = docs["text"].tolist()
    ids, starts, ends, lengths = _words(texts)
    if not len(ids):
        return empty
    doc = np.repeat(np.arange(len(texts)), lengths)
    thread, _ = pd.factorize(docs["thread_id"])
    n = len(ids) - min_words + 1
    if n <= 0:
        return empty
    h = _shingle_hashes(ids, min_words)
    valid = doc[:n] == doc[min_words - 1:]  # the run lies within one document
    pos = np.flatnonzero(valid)
    # first occurrence of each (thread, hash): documents come in writing order within each thread, so the first
    # row of a key is its first occurrence (pd.factorize: a hash table, no sort)
    with np.errstate(over="ignore"):
        key = h[pos] ^ (thread[doc[pos]].astype(np.uint64) + np.uint64(1)) * _MIX
        key ^= key >> np.uint64(31)
    codes, uniques = pd.factorize(key)
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes[::-1]] = pos[::-1]  # the last write wins: the first position of each key
    source_doc = np.full(len(ids), -1, dtype=np.int64)
    source_doc[pos] = doc[first[codes]]
    copied_start = (source_doc >= 0) & (source_doc != doc)
    if "author_id" in docs.columns:  # a run from one's own earlier comment (a signature, a repost) is own words
        author = docs["author_id"].fillna("").to_numpy(dtype=object)
        same = (author[np.maximum(source_doc, 0)] == author[doc]) & (author[doc] != "")
        copied_start &= ~same
    if not copied_start.any():
        return empty
    # a word is copied when a copied run covers it; its source is that of the first such run
    idx = np.arange(len(ids))
    nxt = np.where(copied_start, idx, len(ids))
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]  # the first copied run starting at or after each word
    first_run = nxt[np.maximum(idx - min_words + 1, 0)]
    covered = first_run <= idx  # it starts within the min_words words up to this one, so it reaches it
    src = np.where(covered, source_doc[np.minimum(first_run, len(ids) - 1)], -1)
    # passages: runs of covered words of one document with one source
    brk = np.ones(len(ids), dtype=bool)
    brk[1:] = (src[1:] != src[:-1]) | (doc[1:] != doc[:-1])
    first_word = np.flatnonzero(brk)
    last_word = np.append(first_word[1:] - 1, len(ids) - 1)
    keep = src[first_word] >= 0
    first_word, last_word = first_word[keep], last_word[keep]
    starts_a, ends_a = starts, ends
    d, s = doc[first_word], src[first_word]
    kinds = docs["doc"].to_numpy()
    ids_col = docs["comment_id"].to_numpy()
    return pd.DataFrame({
        "thread_id": docs["thread_id"].to_numpy()[d], "comment_id": ids_col[d], "doc": kinds[d],
        "start": starts_a[first_word], "end": ends_a[last_word],
        "quoted_id": ids_col[s], "quoted_doc": kinds[s],
    })


# --------------------------------------------------------------------------
# all sources


def _writing_order(comments: pd.DataFrame, threads: pd.DataFrame) -> pd.DataFrame:
    """Articles and comments as documents, each thread's article first, then comments by time, then input order."""
    art = threads.loc[threads["article_text"] != "", ["thread_id", "article_text"]].rename(
        columns={"article_text": "text"}).assign(comment_id="", doc="article", author_id="", _t=pd.NaT, _k=0)
    com = comments[["thread_id", "comment_id", "text", "author_id"]].assign(doc="comment", _t=pd.to_datetime(
        comments["created_at"], utc=True), _k=1)
    art["_t"] = pd.to_datetime(art["_t"], utc=True)
    docs = pd.concat([art, com], ignore_index=True)
    docs["_i"] = np.arange(len(docs))
    docs = docs.sort_values(["thread_id", "_k", "_t", "_i"], kind="stable", na_position="last")
    return docs[[*_KEYS, "text", "author_id"]].reset_index(drop=True)


def find_quotes(
    comments: pd.DataFrame,
    threads: pd.DataFrame,
    *,
    detect: Sequence[str] = DETECTORS,
    min_words: int = 8,
    declared_column: str = "",
) -> pd.DataFrame:
    """Every quoted passage of the comments (and article bodies) of one shard, by each source that finds it.

    ``comments`` and ``threads`` are canonical tables (a thread's comments
    all in one shard; reuse reads ``author_id``, :func:`reuse_spans`).
    ``detect`` lists the detectors to run ("markup": ``>`` lines, BBCode and
    forum headers; "reuse": copied runs of ``min_words`` words);
    ``declared_column`` names a comments column of declared spans
    ('' for none). Returns :data:`QUOTE_COLUMNS`, sorted by document, start
    and source. Higher coverage means more of the text is someone else's words.
    """
    unknown = [d for d in detect if d not in DETECTORS]
    if unknown:
        raise ConfigError("quotes.detect", f"unknown detector(s) {unknown}; expected some of {list(DETECTORS)}")
    rows: list[tuple] = []
    if declared_column:
        if declared_column not in comments.columns:
            raise ConfigError("quotes.declared_column",
                              f"no comments column {declared_column!r}; columns: {list(comments.columns)}")
        for t, c, text, value in zip(comments["thread_id"], comments["comment_id"], comments["text"],
                                     comments[declared_column]):
            for s, e, q in declared_spans(value, text_length=len(text), column=declared_column, comment_id=c):
                rows.append((t, c, "comment", s, e, "declared", q, "comment" if q else ""))
    docs = _writing_order(comments, threads)
    if "markup" in detect:
        for t, c, kind, text in zip(*(docs[k].tolist() for k in [*_KEYS, "text"])):
            if ">" in text or "&gt;" in text:
                rows.extend((t, c, kind, s, e, "gt", "", "") for s, e in gt_spans(text))
            if "[" in text:
                rows.extend((t, c, kind, s, e, "bbcode", q, "comment" if q else "") for s, e, q in bbcode_spans(text))
            if ":" in text or "posted by" in text.lower():
                rows.extend((t, c, kind, s, e, "header", "", "") for s, e in header_spans(text))
    out = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    if "reuse" in detect:
        reused = reuse_spans(docs, min_words=min_words).assign(source="reuse")
        out = pd.concat([out, reused[QUOTE_COLUMNS]], ignore_index=True) if len(out) else reused[QUOTE_COLUMNS]
    out = out.astype({c: "int64" if c in ("start", "end") else "str" for c in QUOTE_COLUMNS})
    return out.sort_values([*_KEYS, "start", "source", "end"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------
# lookups


def _union(quotes: pd.DataFrame) -> pd.DataFrame:
    """The union of the passages of each document: non-overlapping spans, sorted by document and start."""
    q = quotes.sort_values([*_KEYS, "start"], kind="stable")
    s, e = q["start"].to_numpy(np.int64), q["end"].to_numpy(np.int64)
    key = pd.MultiIndex.from_frame(q[_KEYS]).codes if len(q) else [np.zeros(0, int)] * 3
    same = np.ones(len(q), dtype=bool)
    for k in key:
        same[1:] &= k[1:] == k[:-1]
    same[0:1] = False
    # a new span starts where the document changes or the start is past every earlier end of the document
    run_end = np.empty(len(q), dtype=np.int64)
    new = np.ones(len(q), dtype=bool)
    cur = -1
    for i in range(len(q)):  # one step per passage, not per word
        if same[i] and s[i] <= cur:
            new[i] = False
            cur = max(cur, e[i])
        else:
            cur = e[i]
        run_end[i] = cur
    group = np.cumsum(new) - 1
    ends = np.zeros(int(new.sum()), dtype=np.int64)
    np.maximum.at(ends, group, run_end)
    out = q.loc[new, _KEYS].reset_index(drop=True)
    out["start"], out["end"] = s[new], ends
    return out


def in_quote(keys: pd.DataFrame, starts: np.ndarray, quotes: pd.DataFrame, *,
             row_key: np.ndarray | None = None) -> np.ndarray:
    """Whether each character offset ``starts`` lies inside a quoted passage of its document.

    ``keys`` has ``thread_id``, ``comment_id``, ``doc``: one row per entry of
    ``starts``, or, with ``row_key``, one row per distinct document and
    ``row_key`` the row of ``keys`` of each entry (a token table's runs:
    the keys are then looked up once per document, not per token).
    """
    starts = np.asarray(starts, dtype=np.int64)
    if not len(quotes) or not len(starts):
        return np.zeros(len(starts), dtype=bool)
    spans = _union(quotes)
    both = pd.concat([keys[_KEYS], spans[_KEYS]], ignore_index=True)
    code = pd.MultiIndex.from_frame(both.astype("str")).factorize()[0] if len(both) else np.zeros(0, int)
    code = np.asarray(code, dtype=np.int64)
    doc_code, span_code = code[:len(keys)], code[len(keys):]
    shift = np.int64(1) << np.int64(32)
    # one int64 per offset, worked on in place (a token table's offsets are millions)
    at = doc_code[np.asarray(row_key)] if row_key is not None else doc_code.copy()
    at *= shift
    at += starts
    del starts
    s = span_code * shift + spans["start"].to_numpy(np.int64)
    e = span_code * shift + spans["end"].to_numpy(np.int64)
    # the passages are disjoint (their union): an offset is inside one when it is in [start, end) of a passage.
    # Offsets in order (a token table's are: documents in first-seen order, starts rising) are marked a range
    # per passage, found by two binary searches per passage, not one per offset
    order = None if (at[1:] >= at[:-1]).all() else np.argsort(at, kind="stable")
    ordered = at if order is None else at[order]
    inside = np.zeros(len(at) + 1, dtype=np.int64)
    np.add.at(inside, np.searchsorted(ordered, s, side="left"), 1)
    np.add.at(inside, np.searchsorted(ordered, e, side="left"), -1)
    del ordered, at
    flags = np.cumsum(inside[:-1], out=inside[:-1]) > 0
    if order is not None:
        flags[order] = flags.copy()
    return flags


def tokens_in_quote(tokens: pa.Table, quotes: pd.DataFrame) -> np.ndarray:
    """Whether each token of a token table starts inside a quoted passage of its document (:func:`in_quote`).

    ``tokens`` has ``thread_id``, ``comment_id``, ``doc`` and ``start``, each
    document's rows together (as :func:`analysis.tokenization.token_table`
    builds them): the keys are read once per document, from the document
    codes of the three key columns, without factorizing the token text.
    """
    n = tokens.num_rows
    if not len(quotes) or not n:
        return np.zeros(n, dtype=bool)
    new = np.zeros(n, dtype=bool)
    for key in _KEYS:  # one key's codes at a time
        new |= run_starts([string_codes(tokens[key])[0]], n)
    keys = tokens.select(_KEYS).take(pa.array(np.flatnonzero(new))).to_pandas()
    row_key = np.cumsum(new, dtype=np.int32 if n < 2**31 else np.int64)
    row_key -= 1
    return in_quote(keys, numbers(tokens, "start"), quotes, row_key=row_key)


def quoted_share(quotes: pd.DataFrame, comments: pd.DataFrame) -> pd.DataFrame:
    """Share of the comments' characters inside quoted passages, per source and in all (the union): one row each.

    Columns: ``source`` ("all" for the union), ``n_passages``,
    ``n_comments`` (comments with at least one passage), ``share_comments``,
    ``chars`` and ``share_chars`` (of all comment characters), and the
    totals ``total_comments`` and ``total_chars`` (counts add up over shards:
    :func:`combine_shares`). A source with no passage has no row.
    """
    total = int(comments["text"].str.len().sum())
    n_com = len(comments)
    q = quotes[quotes["doc"] == "comment"]
    rows = []
    for source in [*SOURCES, "all"]:
        sub = q if source == "all" else q[q["source"] == source]
        if source != "all" and not len(sub):
            continue
        chars = int((lambda u: (u["end"] - u["start"]).sum())(_union(sub))) if len(sub) else 0
        n_quoting = int(sub[["thread_id", "comment_id"]].drop_duplicates().shape[0])
        rows.append({"source": source, "n_passages": int(len(sub)), "n_comments": n_quoting,
                     "share_comments": n_quoting / n_com if n_com else np.nan, "chars": chars,
                     "share_chars": chars / total if total else np.nan, "total_comments": n_com,
                     "total_chars": total})
    return pd.DataFrame(rows)


def combine_shares(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """:func:`quoted_share` of a corpus from those of its shards (a document never spans shards)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["source", "n_passages", "n_comments", "share_comments", "chars", "share_chars",
                                     "total_comments", "total_chars"])
    totals = {k: sum(int(p["total_comments"].iloc[0]) if k == "c" else int(p["total_chars"].iloc[0]) for p in parts)
              for k in ("c", "x")}
    out = pd.concat(parts).groupby("source", sort=False)[["n_passages", "n_comments", "chars"]].sum().reset_index()
    order = {s: i for i, s in enumerate([*SOURCES, "all"])}
    out = out.sort_values("source", key=lambda c: c.map(order)).reset_index(drop=True)
    out["share_comments"] = out["n_comments"] / totals["c"] if totals["c"] else np.nan
    out["share_chars"] = out["chars"] / totals["x"] if totals["x"] else np.nan
    out["total_comments"], out["total_chars"] = totals["c"], totals["x"]
    return out[["source", "n_passages", "n_comments", "share_comments", "chars", "share_chars", "total_comments",
                "total_chars"]]


