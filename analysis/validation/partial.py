"""Partial matches: the words of a frame's multi-word terms that make a document a near miss.

A document without a match of frame f is a *near miss* of f when one of its
words (as split by :func:`analysis.tokenization.word_spans`) equals one word
of a multi-word term of f (case-folded on both sides, as written for a
case-sensitive term), or, for the last word of a multi-word term ending in
``*``, starts with it. Words of the project's English stopword list
(``data/stopwords/english.txt``) and words without a letter or digit are not
used: for ``right to bear arms`` a document with ``arms`` or ``bear`` but not
the term is a near miss, one with only ``to`` is not. Exclusions
(``exclude``) are not terms and give no partial matches.

:func:`partial_patterns` gives those words per frame; :class:`PartialFinder`
finds them in texts (:mod:`analysis.validation.sampling` uses it to put
documents in strata).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analysis.lexicons import Lexicon

__all__ = ["Patterns", "partial_patterns", "PartialFinder"]

#: Per frame: (exact words, exact case-sensitive words, prefixes, case-sensitive prefixes).
Patterns = dict[str, tuple[set, set, tuple, tuple]]


def partial_patterns(lexicons: Sequence[Lexicon], frames: Sequence[str]) -> Patterns:
    """Per frame: (exact words, exact case-sensitive words, prefixes, case-sensitive prefixes) of partial matches."""
    from analysis.tokenization import stopword_set  # NLTK: imported by the rule that draws the sample only

    stop = stopword_set("english")
    out = {f: (set(), set(), [], []) for f in frames}
    for lx in lexicons:
        table = lx.term_table()
        table = table[table["frame"].isin(frames) & ~table["exclude"] & (table["n_words"] > 1)]
        for frame, words, wildcard, cs in zip(table["frame"], table["words"], table["wildcard"],
                                              table["case_sensitive"]):
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


class PartialFinder:
    """Which documents have a partial match of which frame, split chunk by chunk.

    ``patterns`` is :func:`partial_patterns` of ``frames``. :meth:`flags` tells
    for many texts which frames they are near misses of (caching words,
    whitespace-separated chunks and whole texts across calls);
    :meth:`partial_text` lists the words of one text that make it one.
    """

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
        """The words of one document (without a match of ``frame``) that make a partial match of it.

        Distinct, sorted and joined by ``"; "``; as written where a
        case-sensitive pattern matched, else case-folded; ``""`` when none.
        """
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
