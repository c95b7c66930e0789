"""Sentences, words and multi-word expressions of comments and articles.

Everything here runs without any downloaded NLTK data: no ``nltk.download``,
nothing read from ``nltk_data``. Only NLTK parts that carry their own logic are
used:

* words: the regular expression of NLTK's ``TweetTokenizer``
  (:mod:`nltk.tokenize.casual`), applied with ``finditer`` to the *original*
  text, so every token keeps its character offsets;
* sentences: Punkt (:mod:`nltk.tokenize.punkt`), trained on the corpus itself
  with :func:`train_punkt` rather than loaded from a pretrained pickle. Punkt
  runs on each paragraph, so a blank line always ends a sentence (Punkt alone
  only breaks after ``.``, ``?`` or ``!``, and would run a title or an
  unpunctuated paragraph into the next one);
* multi-word expressions: ``nltk.tokenize.MWETokenizer``;
* stems: ``SnowballStemmer("english")`` (its optional stopword list, which
  would need data, is not used).

Word tokens
-----------
:func:`word_spans` returns ``(start, end)`` offsets with ``text[start:end]``
equal to the token; the text is never unescaped or otherwise rewritten. The
TweetTokenizer pattern keeps ``@handles``, URLs, ``#hashtags``, emoticons such
as ``:-)``, contractions (``don't``) and hyphenated words (``war-torn``,
``al-Qaeda``) whole; any other non-space character (an emoji, a quote mark) is
a token of its own. Decisions on top of the pattern (all offset-preserving):

* The typographic apostrophe ``’`` (U+2019) is read as ``'`` when matching, so
  ``don’t`` and ``Assad’s`` are one token like ``don't`` and ``Assad's`` (the
  token keeps the ``’``). A ``’`` used as a closing quote is still a token of
  its own.
* Initialisms written as two to six letter-period pairs (``U.S.``, ``U.N.``,
  ``e.g.``) are one token, period included; the bare pattern would give
  ``U . S .``. Other abbreviations are a word and a period (``Dr`` ``.``);
  whether their period ends a sentence is Punkt's decision.
  ``U.S.-backed`` gives ``U.S.``, ``-``, ``backed``.
* A variation selector or keycap mark (U+FE0E, U+FE0F, U+20E3) stays with the
  character before it (``❤️`` is one token, not ``❤`` plus an invisible one).
* The HTML entity ``&amp;`` is three tokens (``&``, ``amp``, ``;``): texts are
  expected to be unescaped upstream.
* Two words joined by a period without a space (``war.The``) look like a web
  domain to the pattern and stay one token, as in TweetTokenizer.
* The pattern's phone-number branch is not used: it matches digit groups
  separated by spaces (``100 2000``) as one token.
* A run of more than :data:`MAX_RUN` non-space characters (a row of dashes, a
  pasted blob) is tokenized in windows of :data:`MAX_RUN` characters, so no
  token crosses a window edge. This keeps the cost linear: the pattern
  backtracks quadratically within such runs.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import regex
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import MWETokenizer
from nltk.tokenize.casual import TweetTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTrainer

from analysis import columns
from analysis.errors import ConfigError, bad_value

__all__ = [
    "MAX_RUN",
    "PUNKT_TRAIN_BATCH",
    "ENGLISH_STOPWORDS",
    "word_spans",
    "train_punkt",
    "punkt_from_params",
    "multiword_tuples",
    "stopword_set",
    "tokenize_documents",
]

#: Longest run of non-space characters matched in one go (see module docstring).
MAX_RUN = 1000

#: Texts per Punkt training batch (joined with blank lines): see :func:`train_punkt`.
PUNKT_TRAIN_BATCH = 1000

#: The project's English stopword list (see ``data/stopwords/README.md``).
ENGLISH_STOPWORDS = Path(__file__).resolve().parents[1] / "data" / "stopwords" / "english.txt"

# The TweetTokenizer's word pattern (without the phone-number branch), recompiled
# from its source and flags with the same ``regex`` engine. NLTK wraps it in a
# per-call time limit (``nltk.redos``); that guard roughly doubles the cost of a
# match, and it is not needed here because no match runs over more than MAX_RUN
# non-space characters, which bounds the pattern's backtracking.
_TWEET_RE = TweetTokenizer(match_phone_numbers=False).WORD_RE
_WORD_RE = regex.compile(_TWEET_RE.pattern, _TWEET_RE.flags)
# Marks that modify the character before them; a token starting with one is glued on.
_GLUE = frozenset("\ufe0e\ufe0f\u20e3")
_GLUE_RE = re.compile("[\ufe0e\ufe0f\u20e3]")
# Two to six letter-period pairs, not preceded by a word character or period
# and not followed by another letter-period pair.
_INITIALISM_RE = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,6}(?![^\W\d_]\.)")
# A maximal run of more than MAX_RUN non-space characters.
_LONG_RUN_RE = re.compile(r"(?<!\S)\S{%d,}" % (MAX_RUN + 1))
# A blank line: two line breaks with only whitespace between them (and after).
_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*\n\s*")

_PARAM_KEYS = ("abbrev_types", "collocations", "sent_starters", "ortho_context")
_DOCS_COLUMNS = ("thread_id", "comment_id", "doc", "text")
_DOC_KINDS = frozenset({"comment", "article"})


# --------------------------------------------------------------------------
# words


def word_spans(text: str) -> list[tuple[int, int]]:
    """Word tokens of ``text`` as ``(start, end)`` character offsets.

    ``text[start:end]`` is the token; tokens are in text order and never
    overlap. See the module docstring for what counts as a token.
    """
    if not text:
        return []
    scan = _scan_text(text)
    return _spans_in(scan, 0, len(text), _long_runs(scan), _initialisms(scan), _has_glue(scan))


def _scan_text(text: str) -> str:
    """The text the pattern is matched against: same length, ``’`` read as ``'``."""
    return text.replace("\u2019", "'") if "\u2019" in text else text


def _long_runs(scan: str) -> list[tuple[int, int]]:
    if len(scan) <= MAX_RUN:
        return []
    return [m.span() for m in _LONG_RUN_RE.finditer(scan)]


def _initialisms(scan: str) -> list[tuple[int, int]]:
    return [m.span() for m in _INITIALISM_RE.finditer(scan)] if "." in scan else []


def _has_glue(scan: str) -> bool:
    return _GLUE_RE.search(scan) is not None


def _match(scan: str, pos: int, endpos: int) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD_RE.finditer(scan, pos, endpos)]


def _sentence_spans(punkt: PunktSentenceTokenizer, text: str) -> list[tuple[int, int]]:
    """Sentence spans: Punkt within each paragraph; a blank line always ends a sentence."""
    if "\n" not in text or _BLANK_LINE_RE.search(text) is None:
        return list(punkt.span_tokenize(text))
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BLANK_LINE_RE.finditer(text):
        _paragraph(punkt, text, start, m.start(), spans)
        start = m.end()
    _paragraph(punkt, text, start, len(text), spans)
    return spans


def _paragraph(punkt: PunktSentenceTokenizer, text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    if a >= b:
        return
    part = text[a:b]
    if part.isspace():
        return
    out += [(a + s, a + e) for s, e in punkt.span_tokenize(part)]


def _spans_in(
    scan: str,
    pos: int,
    endpos: int,
    long_runs: list[tuple[int, int]],
    initialisms: list[tuple[int, int]],
    glue: bool,
) -> list[tuple[int, int]]:
    """Token spans within ``scan[pos:endpos]`` (offsets relative to ``scan``)."""
    if not long_runs:
        spans = _match(scan, pos, endpos)
    else:
        spans = []
        cur = pos
        for a, b in long_runs:
            if b <= pos or a >= endpos:
                continue
            a, b = max(a, pos), min(b, endpos)
            if cur < a:
                spans += _match(scan, cur, a)
            for w in range(a, b, MAX_RUN):
                spans += _match(scan, w, min(w + MAX_RUN, b))
            cur = b
        if cur < endpos:
            spans += _match(scan, cur, endpos)
    if glue:
        spans = _glue(scan, spans)
    if initialisms:
        spans = _merge(spans, initialisms)
    return spans


def _glue(scan: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Attach a token that starts with a variation selector to the adjacent token before it.

    Not when that token itself ends with one, so a run of selectors is not
    glued into one long token.
    """
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and scan[s] in _GLUE and out[-1][1] == s and scan[s - 1] not in _GLUE:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _merge(spans: list[tuple[int, int]], merges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Replace the tokens covering each span of ``merges`` exactly by one token.

    A merge span applies only where a token starts at its start and a token
    ends at its end; otherwise the tokens are left alone.
    """
    out: list[tuple[int, int]] = []
    n, m = len(spans), len(merges)
    i = k = 0
    while i < n:
        s, e = spans[i]
        while k < m and merges[k][1] <= s:
            k += 1
        if k < m and merges[k][0] == s:
            b = merges[k][1]
            j = i
            while j < n and spans[j][1] < b:
                j += 1
            if j < n and spans[j][1] == b:
                out.append((s, b))
                i = j + 1
                continue
        out.append((s, e))
        i += 1
    return out


# --------------------------------------------------------------------------
# sentences


def train_punkt(texts: Iterable[str], *, max_docs: int | None = None) -> dict[str, Any]:
    """Learn Punkt sentence-boundary parameters from the corpus itself.

    Texts are fed to one ``PunktTrainer`` in batches of
    :data:`PUNKT_TRAIN_BATCH` (joined by blank lines, so each text starts a
    paragraph); empty texts are skipped. ``max_docs`` uses only the first
    ``max_docs`` texts. The result depends only on the texts and their order.

    Returns a JSON-serialisable dict with sorted lists, so writing it with
    ``json.dumps`` gives the same bytes on every rerun:

    ``abbrev_types``
        abbreviations, lowercase, without the final period (``"dr"``, ``"u.s"``)
    ``collocations``
        ``[word1, word2]`` pairs that span a period without a sentence break
    ``sent_starters``
        words that frequently start a sentence
    ``ortho_context``
        ``[word, flags]`` pairs: Punkt's bit flags for the cases in which the
        word was seen (only non-zero entries)
    ``n_docs``
        number of texts read (after ``max_docs``), for the record
    """
    if max_docs is not None and (isinstance(max_docs, bool) or not isinstance(max_docs, int) or max_docs < 0):
        raise bad_value("max_docs", max_docs, "a non-negative integer or None")
    trainer = PunktTrainer()
    batch: list[str] = []
    n_docs = 0
    for text in texts:
        if max_docs is not None and n_docs >= max_docs:
            break
        n_docs += 1
        if isinstance(text, str) and text.strip():
            batch.append(text)
            if len(batch) >= PUNKT_TRAIN_BATCH:
                trainer.train("\n\n".join(batch), finalize=False)
                batch = []
    if batch:
        trainer.train("\n\n".join(batch), finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    return {
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted([a, b] for a, b in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": sorted([w, int(f)] for w, f in params.ortho_context.items() if f),
        "n_docs": n_docs,
    }


def punkt_from_params(params: dict[str, Any]) -> PunktSentenceTokenizer:
    """A Punkt sentence tokenizer from a dict made by :func:`train_punkt`.

    Accepts the dict as read back from JSON (lists instead of tuples).
    """
    missing = [k for k in _PARAM_KEYS if k not in params]
    if missing:
        raise bad_value("params", sorted(params), f"a dict from train_punkt (missing {missing})")
    p = PunktParameters()
    p.abbrev_types = {str(w) for w in params["abbrev_types"]}
    p.collocations = {(str(a), str(b)) for a, b in params["collocations"]}
    p.sent_starters = {str(w) for w in params["sent_starters"]}
    p.ortho_context = defaultdict(int, {str(w): int(f) for w, f in params["ortho_context"]})
    return PunktSentenceTokenizer(p)


# --------------------------------------------------------------------------
# dictionaries and stopwords


def multiword_tuples(terms: Iterable[str]) -> list[tuple[str, ...]]:
    """Multi-word expressions among dictionary ``terms``, ready for :func:`tokenize_documents`.

    Each term is case-folded and split with :func:`word_spans` (so it is
    tokenized exactly as the texts are); terms of two or more words without a
    ``*`` wildcard are kept, once each, in first-seen order.
    """
    out: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for term in terms:
        if "*" in term:
            continue
        folded = term.casefold()
        words = tuple(folded[s:e] for s, e in word_spans(folded))
        if len(words) >= 2 and words not in seen:
            seen.add(words)
            out.append(words)
    return out


def stopword_set(spec: str | os.PathLike[str] | None) -> frozenset[str]:
    """The stopwords named by the config value ``tokenize.stopwords``.

    ``None`` or ``"none"``: no stopwords. ``"english"``: the project's list,
    ``data/stopwords/english.txt``. Anything else: a path to a UTF-8 file with
    one word per line; blank lines and everything after ``#`` are ignored.
    Words are case-folded (token norms are compared with them).
    """
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "none"):
        return frozenset()
    if isinstance(spec, str) and spec.strip().lower() == "english":
        path = ENGLISH_STOPWORDS
    else:
        path = Path(spec)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("tokenize.stopwords", f"stopword file {str(path)!r} not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError("tokenize.stopwords", f"stopword file {str(path)!r} is not UTF-8: {exc}") from None
    except OSError as exc:
        raise ConfigError("tokenize.stopwords", f"cannot read stopword file {str(path)!r}: {exc}") from None
    words = set()
    for line in raw.splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word.casefold())
    return frozenset(words)


# --------------------------------------------------------------------------
# the token table


def tokenize_documents(
    docs: pd.DataFrame,
    *,
    punkt: PunktSentenceTokenizer,
    mwes: Sequence[tuple[str, ...]] = (),
    lowercase: bool = True,
    stem: bool = False,
    stopwords: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """One row per token of each document: the ``tokens`` table of :mod:`analysis.columns`.

    ``docs`` has columns ``thread_id``, ``comment_id``, ``doc`` (``'comment'``
    or ``'article'``) and ``text``. Rows come in document order, then token
    order. Each text is split into paragraphs at blank lines, each paragraph
    into sentences by ``punkt.span_tokenize`` (``sentence`` numbers them from 0
    through the whole document), and each sentence into words as by
    :func:`word_spans` (offsets are into the whole text).

    ``norm`` is the case-folded token (the token itself when ``lowercase`` is
    false). ``mwes`` (e.g. from :func:`multiword_tuples`) are joined by NLTK's
    ``MWETokenizer`` within a sentence, never across a sentence boundary,
    longest match first. Matching always compares case-folded words, also when
    ``lowercase`` is false, and a joined MWE's ``norm`` is its case-folded words
    joined by one space (the dictionary form); its ``token`` runs from its first
    word's start to its last word's end in the text. ``index`` numbers the
    tokens of a document from 0 after joining. ``stem`` is the Snowball stem of
    ``norm`` (each word of an MWE stemmed, joined by a space), or ``''`` when
    ``stem`` is false. ``is_stopword`` is whether the case-folded ``norm`` is in
    ``stopwords``. Empty or whitespace-only texts give no rows.
    """
    missing = [c for c in _DOCS_COLUMNS if c not in docs.columns]
    if missing:
        raise bad_value("docs", list(docs.columns), f"a DataFrame with columns {list(_DOCS_COLUMNS)} (missing {missing})")
    kinds = docs["doc"].tolist()
    odd = sorted({str(k) for k in kinds if k not in _DOC_KINDS})
    if odd:
        raise bad_value("docs.doc", odd[:5], "'comment' or 'article'")

    # casefolded MWEs of 2+ words, and the words that can start one
    mwe_list = []
    for mwe in mwes:
        words = tuple(str(w).casefold() for w in mwe)
        if len(words) >= 2:
            mwe_list.append(words)
    mwe_tokenizer = MWETokenizer(mwe_list, separator=" ") if mwe_list else None
    first_words = frozenset(w[0] for w in mwe_list)

    stem_of = _StemCache() if stem else None
    word_re = _WORD_RE

    # per-token columns, plain lists; the DataFrame is made once at the end
    col_token: list[str] = []
    col_norm: list[str] = []
    col_stem: list[str] = []
    col_start: list[int] = []
    col_end: list[int] = []
    col_stop: list[bool] = []
    mwe_rows: list[int] = []  # row numbers of joined MWEs
    sent_ids: list[int] = []  # sentence number of each run of rows ...
    sent_sizes: list[int] = []  # ... and the run's length
    doc_sizes: list[int] = []  # rows per document

    for text in docs["text"].tolist():
        n_before = len(col_start)
        if isinstance(text, str) and text and not text.isspace():
            scan = _scan_text(text)
            long_runs = _long_runs(scan)
            initialisms = _initialisms(scan)
            glue = _has_glue(scan)
            plain = not (long_runs or initialisms or glue)
            for sentence, (s0, s1) in enumerate(_sentence_spans(punkt, text)):
                if plain:
                    spans = [m.span() for m in word_re.finditer(scan, s0, s1)]
                else:
                    spans = _spans_in(scan, s0, s1, long_runs, _within(initialisms, s0, s1), glue)
                if not spans:
                    continue
                toks = [text[s:e] for s, e in spans]
                folded = [t.casefold() for t in toks]
                norms = folded if lowercase else toks
                joined = None
                if mwe_tokenizer is not None and not first_words.isdisjoint(folded):
                    joined = mwe_tokenizer.tokenize(folded)
                    if len(joined) == len(folded):
                        joined = None  # nothing was joined
                sent_ids.append(sentence)
                if joined is None:
                    # one row per word
                    sent_sizes.append(len(toks))
                    starts, ends = zip(*spans)
                    col_start += starts
                    col_end += ends
                    col_token += toks
                    col_norm += norms
                    if stopwords:
                        col_stop += map(stopwords.__contains__, folded)
                    if stem_of is not None:
                        col_stem += map(stem_of, norms)
                    continue
                # walk the joined tokens alongside the words they came from
                sent_sizes.append(len(joined))
                i = 0
                for out in joined:
                    if out == folded[i]:
                        k = 1  # a joined token is longer than its first word
                    else:
                        k = 2
                        acc = folded[i] + " " + folded[i + 1]
                        while acc != out:
                            acc += " " + folded[i + k]
                            k += 1
                    if k == 1:
                        col_start.append(spans[i][0])
                        col_end.append(spans[i][1])
                        col_token.append(toks[i])
                        col_norm.append(norms[i])
                        if stopwords:
                            col_stop.append(folded[i] in stopwords)
                        if stem_of is not None:
                            col_stem.append(stem_of(norms[i]))
                    else:
                        start, end = spans[i][0], spans[i + k - 1][1]
                        mwe_rows.append(len(col_start))
                        col_start.append(start)
                        col_end.append(end)
                        col_token.append(text[start:end])
                        col_norm.append(out)
                        if stopwords:
                            col_stop.append(out in stopwords)
                        if stem_of is not None:
                            col_stem.append(" ".join(map(stem_of, folded[i : i + k])))
                    i += k
        doc_sizes.append(len(col_start) - n_before)

    n = len(col_start)
    sizes = np.array(doc_sizes, dtype=np.int64)
    doc_first = np.cumsum(sizes) - sizes  # row number of each document's first token

    def per_doc(name: str) -> np.ndarray:
        return np.repeat(np.array(docs[name].tolist(), dtype=object), sizes)

    is_mwe = np.zeros(n, dtype=bool)
    is_mwe[mwe_rows] = True
    return pd.DataFrame(
        {
            "thread_id": per_doc("thread_id"),
            "comment_id": per_doc("comment_id"),
            "doc": per_doc("doc"),
            "sentence": np.repeat(np.array(sent_ids, dtype=np.int32), sent_sizes),
            "index": (np.arange(n, dtype=np.int64) - np.repeat(doc_first, sizes)).astype(np.int32),
            "token": np.array(col_token, dtype=object),
            "norm": np.array(col_norm, dtype=object),
            "stem": np.array(col_stem, dtype=object) if stem_of is not None else np.full(n, "", dtype=object),
            "start": np.array(col_start, dtype=np.int32),
            "end": np.array(col_end, dtype=np.int32),
            "is_mwe": is_mwe,
            "is_stopword": np.array(col_stop, dtype=bool) if stopwords else np.zeros(n, dtype=bool),
        },
        columns=columns.core_names("tokens"),
    )


class _StemCache(dict):
    """``SnowballStemmer("english").stem`` with memory: calling it looks a word up first."""

    def __init__(self) -> None:
        super().__init__()
        self._stem = SnowballStemmer("english").stem

    def __missing__(self, word: str) -> str:
        stem = self[word] = self._stem(word)
        return stem

    def __call__(self, word: str) -> str:
        return self[word]


def _within(spans: list[tuple[int, int]], a: int, b: int) -> list[tuple[int, int]]:
    """The spans (sorted by start) that start in ``[a, b)``."""
    if not spans:
        return spans
    return spans[bisect_left(spans, (a, -1)) : bisect_left(spans, (b, -1))]
