"""Sentences: Punkt (:mod:`nltk.tokenize.punkt`) trained on the corpus itself, and the project's use of its internals.

Punkt's parameters are learned from the corpus with :func:`train_punkt`
(rule ``train_punkt``: :func:`train_from_shards` reads the texts,
:func:`frozen_params` checks a frozen model instead) rather than loaded from
a pretrained pickle: nothing is downloaded or read from ``nltk_data``.
:func:`punkt_from_params` turns the parameters back into a tokenizer and
:func:`sentence_spans` splits a text with it, paragraph by paragraph (a blank
line always ends a sentence; Punkt alone only breaks after ``.``, ``?`` or
``!``, and would run a title or an unpunctuated paragraph into the next one).

This is the one module that relies on NLTK's private Punkt internals (see
the classes at the end): ``pyproject.toml`` pins NLTK below its next minor
version, and ``tests/test_punkt.py`` fails when the attributes and methods
overridden here change in NLTK.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import regex
from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer, PunktToken, PunktTrainer

from analysis import io
from analysis.errors import InputError, bad_value

__all__ = [
    "PUNKT_MEMO",
    "PUNKT_TEXT_MEMO",
    "PUNKT_TRAIN_BATCH",
    "train_punkt",
    "train_from_shards",
    "punkt_from_params",
    "frozen_params",
    "sentence_spans",
    "arabic_sentence_spans",
]

#: Candidate sentence-end contexts whose Punkt decision is remembered (see :func:`punkt_from_params`).
PUNKT_MEMO = 500_000

#: Characters of texts whose sentence spans are remembered (see :class:`_MemoPunkt`; about that many bytes).
PUNKT_TEXT_MEMO = 20_000_000

#: Texts per Punkt training batch (joined with blank lines): see :func:`train_punkt`.
PUNKT_TRAIN_BATCH = 1000

_PARAM_KEYS = ("abbrev_types", "collocations", "sent_starters", "ortho_context")
# A blank line: two line breaks with only whitespace between them (and after).
_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*\n\s*")


def sentence_spans(punkt: PunktSentenceTokenizer, text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: Punkt within each paragraph; a blank line always ends a sentence."""
    if "\n" not in text or _BLANK_LINE_RE.search(text) is None:
        return list(punkt.span_tokenize(text))
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BLANK_LINE_RE.finditer(text):
        _paragraph(punkt, text, start, m.start(), spans)
        start = m.end()
    _paragraph(punkt, text, start, len(text), spans)
    return spans


# Arabic sentence ends: a run of sentence-final marks (. ! ? ؟ and the ellipsis …), with any closing quotes or
# brackets after it, followed by whitespace or the end of the text; or a line break.
_AR_END_RE = re.compile(r"[.!?\u061f\u2026]+[\"'\u201d\u2019\u00bb)\]]*(?=\s|$)|(?=\n)")


def arabic_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of an Arabic document, by a documented rule instead of Punkt.

    Punkt ends sentences only at ``.``, ``?`` and ``!`` and learns
    abbreviations from the capital letters Arabic does not have, so on
    Arabic it misses the Arabic question mark ``؟`` and cannot tell a
    sentence start. The rule: a sentence ends after a run of ``.``, ``!``,
    ``?``, ``؟`` or ``…`` (with the closing quotes or brackets that follow)
    that is followed by whitespace or the end of the text, except after a
    one-letter word and a period (``د.`` "Dr."); and at every line break
    (comments without punctuation use lines as sentences). The Arabic comma
    ``،`` and semicolon ``؛`` do not end a sentence. Spans leave out the
    whitespace between sentences, as Punkt's do.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _AR_END_RE.finditer(text):
        end = m.end()
        a = m.start()
        if m.group() == "." and a >= 1 and text[a - 1].isalpha() and (a == 1 or text[a - 2].isspace()):
            continue  # a one-letter word and a period: an abbreviation
        _add_trimmed(text, start, end, spans)
        start = end
    _add_trimmed(text, start, len(text), spans)
    return spans


def _add_trimmed(text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        out.append((a, b))


def _paragraph(punkt: PunktSentenceTokenizer, text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    if a >= b:
        return
    part = text[a:b]
    if part.isspace():
        return
    out += [(a + s, a + e) for s, e in punkt.span_tokenize(part)]



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
    trainer = PunktTrainer(lang_vars=_PlainLanguageVars(), token_cls=_PlainToken)
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
    return _MemoPunkt(p)


class _MemoPunkt(PunktSentenceTokenizer):
    """Punkt that remembers its sentence spans for each paragraph and its decision for each candidate context.

    The spans of a text depend only on the text and the fixed parameters.
    Paragraphs recur across a corpus far more than whole documents do (a reply
    quotes the paragraphs of the post it answers; signatures, boilerplate), so
    ``span_tokenize`` keeps the spans of each text it splits (up to
    :data:`PUNKT_TEXT_MEMO` characters of texts, then forgotten and relearned).
    For a new text, ``span_tokenize`` asks ``text_contains_sentbreak`` about
    the context of every potential sentence end (the word before it, the
    punctuation, the token after it: ``"war. The"``); those answers are kept
    too (up to :data:`PUNKT_MEMO` contexts). Output is exactly Punkt's.
    """

    def __init__(self, params: PunktParameters) -> None:
        super().__init__(params, lang_vars=_PlainLanguageVars(), token_cls=_PlainToken)
        self._memo: dict[str, bool] = {}
        self._spans: dict[str, tuple[tuple[int, int], ...]] = {}
        self._span_chars = 0

    def span_tokenize(self, text: str, realign_boundaries: bool = True) -> Iterator[tuple[int, int]]:
        if not realign_boundaries:
            return super().span_tokenize(text, realign_boundaries)
        found = self._spans.get(text)
        if found is None:
            if self._span_chars + len(text) > PUNKT_TEXT_MEMO:
                self._spans.clear()
                self._span_chars = 0
            found = self._spans[text] = tuple(super().span_tokenize(text))
            self._span_chars += len(text)
        return iter(found)

    def text_contains_sentbreak(self, text: str) -> bool:
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) >= PUNKT_MEMO:
                self._memo.clear()
            found = self._memo[text] = super().text_contains_sentbreak(text)
        return found



# Punkt's regular expressions, without NLTK's per-call time limit. NLTK compiles
# every pattern with the ``regex`` engine and runs each call under a 5-second
# timeout (``nltk.redos``); passing a timeout costs about 1.5 microseconds a call
# (7 times a short match), and Punkt calls a pattern several times per token
# when training and per candidate sentence end when splitting. The classes below
# are handed to NLTK's own ``lang_vars`` and ``token_cls`` parameters and use the
# very same patterns, compiled by the same engine from their pattern text and
# flags, so every decision is the same. None of them backtracks super-linearly
# (they run on single tokens, or scan forward without nested repetition; a
# 160,000-character run of non-space text splits in milliseconds), so the
# backstop buys nothing here; the word pattern already runs without it (see
# ``_WORD_RE``).
_PATTERN = type(regex.compile(""))


def _plain(pattern) -> Any:
    """The same pattern, compiled by the same engine, called without a time limit."""
    return pattern if isinstance(pattern, _PATTERN) else regex.compile(pattern.pattern, pattern.flags)


class _PlainLanguageVars(PunktLanguageVars):
    """English Punkt language variables (NLTK's defaults) whose patterns run without the time limit."""

    __slots__ = ()
    re_boundary_realignment = _plain(PunktLanguageVars.re_boundary_realignment)

    def _word_tokenizer_re(self):
        rx = super()._word_tokenizer_re()
        if not isinstance(rx, _PATTERN):
            rx = self._re_word_tokenizer = _plain(rx)
        return rx

    def period_context_re(self):
        rx = super().period_context_re()
        if not isinstance(rx, _PATTERN):
            rx = self._re_period_context = _plain(rx)
        return rx


_NON_PUNCT_RE = regex.compile(r"[^\W\d]", regex.UNICODE)  # NLTK's punkt._re_non_punct


class _PlainToken(PunktToken):
    """Punkt's token, its type patterns run without the time limit."""

    __slots__ = ()
    _RE_ELLIPSIS = _plain(PunktToken._RE_ELLIPSIS)
    _RE_NUMERIC = _plain(PunktToken._RE_NUMERIC)
    _RE_INITIAL = _plain(PunktToken._RE_INITIAL)
    _RE_ALPHA = _plain(PunktToken._RE_ALPHA)

    @property
    def is_non_punct(self):
        return _NON_PUNCT_RE.search(self.type)



# --------------------------------------------------------------------------
# rule train_punkt


def train_from_shards(
    thread_paths: Sequence[str | os.PathLike[str]],
    comment_paths: Sequence[str | os.PathLike[str]],
    *,
    n_sources: int,
    max_docs: int,
) -> dict[str, Any]:
    """:func:`train_punkt` on the first ``max_docs`` non-empty texts of a corpus's ingested shards.

    The texts are the articles in thread order, then the comments in shard
    order, each shard's rows in the order rule ``shard`` writes them (its
    sources' parts one after another, sorted by thread, record, file).
    ``comment_paths`` holds ``n_sources`` paths per shard (one per source),
    read from the sources' shards so that training need not wait for rule
    ``shard``; they are read only until there are enough texts (a large
    corpus is not read whole). ``max_docs`` >= 1 (the config schema).
    """
    threads = io.read_tables(thread_paths, columns=["thread_id", "article_text"])
    texts = [t for t in threads.sort_values("thread_id", kind="stable")["article_text"] if t.strip()]
    paths = list(comment_paths)
    for first in range(0, len(paths), n_sources):
        if len(texts) >= max_docs:
            break
        shard = io.read_tables(paths[first : first + n_sources], columns=["thread_id", "record", "file", "text"])
        if len(shard):
            shard = shard.sort_values(["thread_id", "record", "file"], kind="stable")
            texts += [t for t in shard["text"] if t.strip()]
    return train_punkt(texts, max_docs=max_docs)


def frozen_params(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Punkt parameters frozen in a JSON file (``tokenize.punkt_model``), checked by loading them.

    Raises :class:`~analysis.errors.InputError` naming the file when it does
    not hold parameters written by :func:`train_punkt`.
    """
    try:
        params = io.read_json(path)
        punkt_from_params(params)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError(str(path), f"not Punkt parameters written by train_punkt: {exc}") from None
    return params
