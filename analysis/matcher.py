"""The dictionary matcher: where the terms of a dictionary occur in a token table.

One matcher serves every dictionary measure: frames (:mod:`analysis.framing`),
stance and incivility (:mod:`analysis.stance`), and "what counts as a word"
for the rate denominators of framing, keyness and the polarization report
(:func:`is_word`).

Matching rules (what a reviewer asks "how was this counted?" about):

- Terms are matched on tokens (:mod:`analysis.tokenization`): on the
  case-folded ``norm``, or on the surface ``token`` for case-sensitive terms
  (``IS`` for Islamic State is never ``is``). A final ``*`` matches any ending
  (``terror*``: terror, terrorism, terrorists, ...).
- A multi-word term matches consecutive tokens within one sentence, or one
  token that tokenization already joined (an MWE such as ``civil war``).
- Longest match wins and a token counts once: candidate matches are taken
  longest first (in words; exclusions before terms of the same length; then
  left to right), and a candidate that overlaps an accepted one is dropped. So
  "civil war" is not also "war", and an exclusion such as "rebel yell"
  consumes its tokens and counts for no frame.
- A term listed under several frames counts once for each of them; two
  terms matching the same words (``terror*`` and ``terrorist*``) count once
  per frame, for each frame they belong to.
- Each match is flagged ``quoted`` when it starts inside quotation marks
  (“…”, "…", or ‘…’ not used as an apostrophe; a quote left open runs to the
  end of its paragraph; :func:`quoted_spans`) and ``negated`` when a negation
  cue (:data:`NEGATION_CUES`, or a word ending in n't) stands among the
  ``negation_window`` tokens before it in the same sentence. Whether such
  matches count is a configuration choice (``counted``).
- A *word token* (the denominator of a rate) is a token with at least one
  letter or digit (punctuation and emoji excluded), MWEs counted once
  (:func:`is_word`).
- Arabic dictionaries (``language: ar``, or ``language="ar"``): term words
  and token norms are compared in the normalised spelling of
  :func:`analysis.arabic.normalize` (no tashkeel or tatweel, one alef,
  ``ى`` as ``ي``, ``ة`` as ``ه``), so ``الأهلية``, ``الاهليه`` and
  ``الأَهْلِيَّة`` are one word. The first word of a term also matches a
  token that is that word behind a clitic prefix (``و ف ب ك ل ال`` and their
  combinations, :data:`analysis.arabic.CLITIC_PREFIXES`): ``والحرب الأهلية``
  and ``بالحرب الأهلية`` match ``الحرب الأهلية``, ``وسوريا`` matches
  ``سوريا``. Prefixes are stripped only as the dictionary guides: a token
  matches through a prefix only when the rest is the term's word (a token
  whose rest is no term word is never cut: ``بشار`` is not ``ب`` + ``شار``),
  and never when the whole token is itself a one-word entry of the
  dictionary (with both ``بشار`` and ``شار`` listed, ``بشار`` is ``بشار``). The ``clitic`` column says what was stripped
  (normalised letters, ``''`` for none; ``ل`` for ``للحرب`` against
  ``الحرب``, whose article lost its alef); ``match`` is the text as written,
  prefix included. Stems and roots are never used (a root stemmer conflates
  ``الإرهاب`` "terrorism" and ``راهب`` "monk"). Case-sensitive entries of an
  Arabic dictionary are matched as written, without these rules.

Every step is vectorised over token arrays: what depends only on a token's
text (which terms it matches, whether it is a word or a negation cue) is
decided once per distinct text and spread to the tokens by their codes; a
multi-word term is checked only where its first word occurs; only candidate
matches (not tokens) are looped over when resolving overlaps. One
:class:`TokenIndex` of a token table serves every dictionary matched on it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from analysis import arabic
from analysis.codes import numbers, run_starts, string_codes
from analysis.lexicons import Lexicon

__all__ = [
    "NEGATION_CUES",
    "MATCH_COLUMNS",
    "TokenIndex",
    "match_frames",
    "quoted_spans",
    "document_texts",
    "is_word",
    "ZERO_WIDTH",
    "fill_zero_width",
    "strip_zero_width",
]

#: Words that negate a match among the ``negation_window`` tokens before it (and any word ending in n't).
NEGATION_CUES = frozenset(
    """not no never nor neither none nobody nothing nowhere without hardly scarcely cannot
    n't n’t""".split()
)
_NEG_CONTRACTION = re.compile(r".+n[’']t$")
_WORDLIKE = re.compile(r"\w")

#: The columns of :func:`match_frames`, one row per (match, frame).
MATCH_COLUMNS = [
    "thread_id", "comment_id", "doc", "lexicon", "lexicon_sha", "frame", "term", "match", "clitic", "sentence",
    "token_start", "token_end", "start", "end", "quoted", "negated", "in_quote", "counted",
]

#: Invisible characters that may sit inside a word (zero-width space, non-joiner and joiner, word
#: joiner, zero-width no-break space / BOM, soft hyphen): see :mod:`analysis.tokenization`, Word tokens.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZW_ANY_RE = re.compile(f"[{ZERO_WIDTH}]+")
_ZW_AFTER_WORD_RE = re.compile(f"(?<=\\w)[{ZERO_WIDTH}]+")
_ZW_BEFORE_WORD_RE = re.compile(f"[{ZERO_WIDTH}]+(?=\\w)")
_ZW_IN_WORD_RE = re.compile(f"(?<=\\w)[{ZERO_WIDTH}]+|[{ZERO_WIDTH}]+(?=\\w)")


def fill_zero_width(text: str) -> str:
    """``text`` with each run of zero-width characters next to a letter or digit replaced by copies of that
    character (the one before the run, else the one after it): the same length, so a tokenizer's offsets into it
    are offsets into ``text``, and the run stays inside the word."""
    if _ZW_ANY_RE.search(text) is None:
        return text
    text = _ZW_AFTER_WORD_RE.sub(lambda m: m.string[m.start() - 1] * (m.end() - m.start()), text)
    return _ZW_BEFORE_WORD_RE.sub(lambda m: m.string[m.end()] * (m.end() - m.start()), text)


def strip_zero_width(text: str) -> str:
    """``text`` without the zero-width characters (:data:`ZERO_WIDTH`) next to a letter or digit: the form
    tokens are matched in (``civ\\u200bil`` -> ``civil``; the joiners of an emoji sequence stay)."""
    return _ZW_IN_WORD_RE.sub("", text) if _ZW_ANY_RE.search(text) is not None else text


#: The token columns matching reads (not stem, is_mwe, is_stopword).
TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "sentence", "index", "token", "norm", "start", "end"]

_KEYS = ("thread_id", "comment_id", "doc")


def is_word(norms: pd.Series) -> np.ndarray:
    """True for tokens with at least one letter or digit (the rate denominator).

    Decided once per distinct norm (``re``'s Unicode ``\\w``), then spread to
    the tokens; a missing norm is not a word.
    """
    codes, vocab = pd.factorize(norms)
    return _per_token(codes, _word_flags(vocab))


def _word_flags(vocab) -> list[bool]:
    return [_WORDLIKE.search(v) is not None for v in _strings(vocab)]


def _negation_cue(norm: str) -> bool:
    lower = norm.lower()
    return lower in NEGATION_CUES or _NEG_CONTRACTION.match(lower) is not None


def _strings(vocab) -> list[str]:
    return [str(v) for v in vocab.tolist()] if len(vocab) else []


def _per_token(codes: np.ndarray, per_vocab: list[bool]) -> np.ndarray:
    """Spread a per-vocabulary flag to tokens (code -1, a missing value: False)."""
    flags = np.append(np.asarray(per_vocab, dtype=bool), False)  # index -1 -> False
    return flags[codes]


def document_texts(comments: pd.DataFrame, threads: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    """(thread_id, comment_id, doc) -> text for comments and article bodies (what :func:`match_frames` reads
    quotations from)."""
    texts = {(t, c, "comment"): x for t, c, x in zip(comments["thread_id"].tolist(), comments["comment_id"].tolist(),
                                                      comments["text"].tolist())}
    texts.update({(t, "", "article"): x
                  for t, x in zip(threads["thread_id"].tolist(), threads["article_text"].tolist()) if x})
    return texts


class TokenIndex:
    """What matching needs from one Arrow token table, computed once and shared by every dictionary.

    ``tokens`` has the :data:`TOKEN_COLUMNS` (more are ignored), its rows
    sorted by document then ``index``, as :func:`analysis.tokenization.token_table`
    builds them or :func:`analysis.io.read_arrow` reads them back (string
    columns plain or dictionary-encoded). Tokens are numbered by their
    distinct ``norm`` and surface ``token`` (Arrow's dictionary encoding:
    the codes of ``pd.factorize``, in first-seen order, never converted to
    pandas strings); per-token flags (negation cue, word) are decided per
    distinct norm; a multi-word term is checked only where its first word
    occurs (:meth:`first_word_positions`). ``doc`` numbers the runs of rows
    of one document.
    """

    def __init__(self, tokens: pa.Table) -> None:
        self.table = tokens
        self.n = tokens.num_rows
        self._keys = {k: _arrow_factorize(tokens[k]) for k in _KEYS}
        self.doc = np.cumsum(run_starts([codes for codes, _ in self._keys.values()], self.n)) - 1
        self.sentence = numbers(tokens, "sentence")
        norm_codes, norm_vocab = _arrow_factorize(tokens["norm"])
        surf_codes, surf_vocab = _surface_without_zero_width(*_arrow_factorize(tokens["token"]))
        self.codes = {False: norm_codes, True: surf_codes}
        self.vocab = {False: pd.Index(norm_vocab), True: pd.Index(surf_vocab)}
        self.norm_has_space = np.asarray(self.vocab[False].str.contains(" ", regex=False), dtype=bool)
        self.has_space = {False: self.norm_has_space}
        self._lookup: dict[bool, dict[str, int]] = {}
        self._sorted: dict[bool, tuple[list[str], np.ndarray]] = {}
        self._negation: np.ndarray | None = None

    def arabic(self) -> str:
        """Add the vocabulary of norms in Arabic normalised spelling (:func:`analysis.arabic.normalize`; the norms
        of Arabic documents already are) as the space ``"ar"`` of :attr:`codes`, :attr:`vocab` and
        :attr:`has_space`, once; returns ``"ar"``, the key :meth:`word_mask` takes for it."""
        if "ar" not in self.codes:
            words = _strings(self.vocab[False])
            normed = [arabic.normalize(w) for w in words]
            if normed == words:
                self.codes["ar"], self.vocab["ar"], self.has_space["ar"] = (
                    self.codes[False], self.vocab[False], self.norm_has_space)
            else:
                new_of_old, new_vocab = pd.factorize(pd.Index(normed, dtype=object))
                codes = self.codes[False]
                self.codes["ar"] = np.where(codes >= 0, new_of_old[np.maximum(codes, 0)], -1)
                self.vocab["ar"] = pd.Index(new_vocab, dtype=object)
                self.has_space["ar"] = np.asarray(self.vocab["ar"].str.contains(" ", regex=False), dtype=bool)
        return "ar"

    def take(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Values of column ``name`` at ``rows`` as a numpy array (Python strings for text)."""
        if name in self._keys:
            codes, vocab = self._keys[name]
            return np.append(np.asarray(vocab, dtype=object), None)[codes[rows]]
        return self.table[name].take(pa.array(rows, type=pa.int64())).to_numpy()

    def keys_at(self, rows: np.ndarray) -> pd.DataFrame:
        """``thread_id``, ``comment_id``, ``doc`` of ``rows`` (pandas ``str`` columns)."""
        return pd.DataFrame({k: pd.array(self.take(k, rows), dtype="str") for k in _KEYS})

    def run_first(self) -> np.ndarray:
        """The first row of each run of one document's rows."""
        return np.flatnonzero(np.diff(self.doc, prepend=-1)) if self.n else np.zeros(0, dtype=np.int64)

    def negation(self) -> np.ndarray:
        """Whether each token is a negation cue."""
        if self._negation is None:
            self._negation = _per_token(self.codes[False], [_negation_cue(v) for v in _strings(self.vocab[False])])
        return self._negation

    def is_word(self) -> np.ndarray:
        """Whether each token is a word (:func:`is_word` of the ``norm`` column)."""
        return _per_token(self.codes[False], _word_flags(self.vocab[False]))

    def word_mask(self, case_sensitive: bool | str, word: str) -> np.ndarray:
        """Which vocabulary entries one term word matches (exact, or prefix with *); ``case_sensitive`` may also
        be ``"ar"``, the normalised Arabic norms (:meth:`arabic`)."""
        vocab = self.vocab[case_sensitive]
        mask = np.zeros(len(vocab), dtype=bool)
        if not word.endswith("*"):
            if case_sensitive not in self._lookup:
                self._lookup[case_sensitive] = {v: i for i, v in enumerate(vocab.tolist())}
            pos = self._lookup[case_sensitive].get(word)
            if pos is not None:
                mask[pos] = True
            return mask
        prefix = word[:-1]
        if not prefix or ord(prefix[-1]) == 0x10FFFF:
            return np.asarray(vocab.str.startswith(prefix), dtype=bool)
        # the words starting with prefix are one range of the sorted vocabulary
        if case_sensitive not in self._sorted:
            order = np.argsort(np.asarray(_strings(vocab), dtype=object), kind="stable")
            self._sorted[case_sensitive] = ([str(v) for v in vocab[order].tolist()], order)
        words, order = self._sorted[case_sensitive]
        lo = bisect_left(words, prefix)
        hi = bisect_left(words, prefix[:-1] + chr(ord(prefix[-1]) + 1), lo)
        mask[order[lo:hi]] = True
        return mask

    def first_word_positions(self, case_sensitive: bool, masks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Sorted positions of the tokens matching each first word (``word -> vocabulary mask``).

        One pass over the tokens finds every token matching any of the words;
        each word's positions are then picked from those few.
        """
        if not masks:
            return {}
        codes = self.codes[case_sensitive]
        union = np.zeros(len(self.vocab[case_sensitive]) + 1, dtype=bool)  # index -1 (a missing value): no word
        for mask in masks.values():
            union[:-1] |= mask
        found = np.flatnonzero(union[codes])
        found_codes = codes[found]
        return {word: found[np.append(mask, False)[found_codes]] for word, mask in masks.items()}


def _surface_without_zero_width(codes: np.ndarray, vocab) -> tuple[np.ndarray, Any]:
    """Surface codes and vocabulary with zero-width characters left out (case-sensitive terms match
    ``IS\u200bIS`` as ``ISIS``, like the ``norm`` column does); the same arrays when no token has one."""
    words = _strings(vocab)
    joined = "".join(words)
    if strip_zero_width(joined) is joined:  # no zero-width character in any token
        return codes, vocab
    stripped = [strip_zero_width(w) for w in words]
    new_of_old, new_vocab = pd.factorize(pd.Index(stripped, dtype=object))
    return np.where(codes >= 0, new_of_old[np.maximum(codes, 0)], -1), pd.Index(new_vocab, dtype=object)


def _arrow_factorize(values: pa.ChunkedArray | pa.Array):
    """``pd.factorize`` of an Arrow string column: codes (-1 for a missing value) and the distinct values, in
    first-seen order."""
    codes, dictionary = string_codes(values)
    return codes, (pd.array(dictionary, dtype="str")
                   if pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type)
                   else dictionary.to_pandas())


def match_frames(
    index: TokenIndex,
    lexicon: Lexicon,
    *,
    texts: dict[tuple[str, str, str], str] | None = None,
    negation_window: int = 3,
    count_quoted: bool = False,
    count_negated: bool = True,
    language: str | None = None,
) -> pd.DataFrame:
    """Every match of the dictionary's terms in the indexed tokens, one row per (match, frame).

    ``language``: the language of the dictionary's terms (default: the
    lexicon's ``language`` attribute when it has one, else ``en``); ``ar``
    turns on Arabic normalisation and clitic prefixes (module docstring).

    ``index`` is the :class:`TokenIndex` of a token table (one index serves
    any number of dictionaries). ``texts`` maps (thread_id, comment_id, doc)
    to the document text (:func:`document_texts`), needed for the ``quoted``
    flag and for the surface form of a match spanning several tokens
    (without it nothing is flagged quoted). Returns the columns of
    :data:`MATCH_COLUMNS`, sorted by document, then ``start``, then frame;
    ``counted`` applies the two count options. Exclusions never appear in
    the output.
    """
    if negation_window < 0:
        raise ValueError(f"negation_window={negation_window!r}: expected a whole number >= 0")
    terms = lexicon.term_table().reset_index(drop=True)
    n = index.n
    if n == 0 or terms.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    terms["key"] = [f"{'=' if cs else ''}{'!' if ex else ''}{' '.join(w)}" for w, cs, ex in
                    zip(terms["words"], terms["case_sensitive"], terms["exclude"])]
    doc, sentence = index.doc, index.sentence
    is_arabic = (language or getattr(lexicon, "language", None) or "en") == "ar"
    # the vocabulary space case-folded terms are matched in, and how a term word is written there
    ci = index.arabic() if is_arabic else False
    norm_has_space = index.has_space[ci]

    def fold(word: str) -> str:
        return arabic.normalize(word.casefold()) if is_arabic else word.casefold()

    clitic_mask = _clitic_masks(index, ci, terms, fold) if is_arabic else None

    def first_mask(word: str) -> np.ndarray:
        """A term's first word (folded): exact, or (Arabic) behind a clitic prefix."""
        mask = index.word_mask(ci, word)
        return mask | clitic_mask(word) if clitic_mask is not None else mask

    # Candidates: (term row, first token, number of tokens)
    cand_term: list[np.ndarray] = []
    cand_start: list[np.ndarray] = []
    cand_len: list[np.ndarray] = []

    def add(row_ids, starts, length):
        cand_term.append(np.asarray(row_ids, dtype=np.int64))
        cand_start.append(np.asarray(starts, dtype=np.int64))
        cand_len.append(np.full(len(starts), length, dtype=np.int64))

    # Single tokens: every one-word term, and every multi-word term that tokenization
    # joined into one MWE token, is matched through one vocabulary x term table.
    for case_sensitive in (False, True):
        space = True if case_sensitive else ci
        codes, vocab = index.codes[space], index.vocab[space]
        pairs_v, pairs_t = [], []
        for row, term in enumerate(terms.itertuples(index=False)):
            if term.case_sensitive != case_sensitive:
                continue
            words = list(term.words)
            if len(words) == 1:
                mask = index.word_mask(True, words[0]) if case_sensitive else first_mask(fold(words[0]))
                if not case_sensitive:
                    mask &= ~norm_has_space  # a joined MWE token is not a single word
            elif not term.wildcard and not case_sensitive:
                mask = index.word_mask(ci, " ".join(fold(w) for w in words))
            else:
                continue
            v = np.flatnonzero(mask)
            pairs_v.append(v)
            pairs_t.append(np.full(len(v), row))
        if pairs_v:
            v_all = np.concatenate(pairs_v)
            table = sp.csr_array(
                (np.ones(len(v_all)), (v_all, np.concatenate(pairs_t))),
                shape=(len(vocab), len(terms)),
            )
            has_term = np.zeros(len(vocab) + 1, dtype=bool)  # index -1 (a missing value): no term
            has_term[v_all] = True
            candidates = np.flatnonzero(has_term[codes])
            rows, term_rows = table[codes[candidates]].nonzero()
            add(term_rows, candidates[rows], 1)
    # Consecutive tokens, one per word, within one sentence (multi-word terms):
    # checked only where the first word occurs.
    multi = []
    first_masks: dict[bool | str, dict[str, np.ndarray]] = {ci: {}, True: {}}
    for row, term in enumerate(terms.itertuples(index=False)):
        words = list(term.words)
        if len(words) < 2 or n < len(words):
            continue
        cs = True if term.case_sensitive else ci
        masks = []
        for k, word in enumerate(words):
            w = word if cs is True else fold(word)
            mask = index.word_mask(cs, w) if cs is True or k else first_mask(w)
            if cs is not True:
                mask &= ~norm_has_space  # a joined MWE token is not one word of a longer term
            masks.append((w, mask))
        first_masks[cs][masks[0][0]] = masks[0][1]
        multi.append((row, cs, masks))
    first_positions = {cs: index.first_word_positions(cs, first_masks[cs]) for cs in (ci, True)}
    for row, cs, masks in multi:
        codes = index.codes[cs]
        starts = first_positions[cs][masks[0][0]]
        starts = starts[starts < n - len(masks) + 1]
        ok = np.ones(len(starts), dtype=bool)
        for k in range(1, len(masks)):
            at = starts + k
            ok &= masks[k][1][codes[at]] & (doc[at] == doc[starts]) & (sentence[at] == sentence[starts])
        hit = starts[ok]
        add(np.full(len(hit), row), hit, len(masks))
    if not cand_term or not sum(len(c) for c in cand_term):
        return pd.DataFrame(columns=MATCH_COLUMNS)

    cand = pd.DataFrame({"term_row": np.concatenate(cand_term), "start_tok": np.concatenate(cand_start),
                         "n_tok": np.concatenate(cand_len)})
    cand["n_words"] = terms["n_words"].to_numpy()[cand["term_row"]]
    cand["exclude"] = terms["exclude"].to_numpy()[cand["term_row"]]
    cand["key"] = terms["key"].to_numpy()[cand["term_row"]]
    # one candidate per (term key, span): a term listed in several frames is resolved once
    cand = cand.drop_duplicates(["key", "start_tok", "n_tok"])
    cand = cand.sort_values(["n_words", "exclude", "start_tok", "key"], ascending=[False, False, True, True],
                            kind="stable")
    # Greedy, longest first: a candidate is accepted when none of its tokens is taken, or when
    # it covers exactly the same span (same length, same exclusion status) as an accepted one
    # (two terms matching the same words both count, for their own frames).
    acc = cand.loc[_greedy(cand, n)]
    acc = acc[~acc["exclude"]]
    acc = acc[~_shouted(acc, terms, index)]  # a case-sensitive "IS" does not match in "THIS IS WRONG"
    # expand to frames
    frames_of = terms.groupby("key")["frame"].agg(lambda f: sorted(set(f)))
    term_of = terms.drop_duplicates("key").set_index("key")["term"]
    acc = acc.assign(frame=acc["key"].map(frames_of), term=acc["key"].map(term_of)).explode("frame")
    acc = acc.drop_duplicates(["start_tok", "n_tok", "frame"])  # a span counts once per frame
    first = acc["start_tok"].to_numpy()
    last = first + acc["n_tok"].to_numpy() - 1

    at = index.take

    out = pd.DataFrame(
        {
            "thread_id": at("thread_id", first),
            "comment_id": at("comment_id", first),
            "doc": at("doc", first),
            "lexicon": lexicon.name,
            "lexicon_sha": lexicon.short_hash,
            "frame": acc["frame"].to_numpy(),
            "term": acc["term"].to_numpy(),
            "sentence": sentence[first],
            "token_start": at("index", first),
            "token_end": at("index", last) + 1,
            "start": at("start", first),
            "end": at("end", last),
        }
    )
    out["negated"] = _negated(first, doc, sentence, index.negation(), negation_window)
    out["quoted"] = _quoted(out, texts) if texts is not None else False
    out["match"] = _surface(out, index, first, last, texts)
    out["clitic"] = _clitics(acc, terms, index, first, fold) if is_arabic else ""
    out["in_quote"] = False  # set by the caller that knows the quoted passages (analysis.annotate)
    out["counted"] = (count_quoted | ~out["quoted"]) & (count_negated | ~out["negated"])
    out = out.sort_values(["thread_id", "comment_id", "doc", "start", "frame"], kind="stable").reset_index(drop=True)
    return out[MATCH_COLUMNS]


def _clitic_masks(index: TokenIndex, space: str, terms: pd.DataFrame, fold):
    """For an Arabic dictionary: a function giving, for a folded term word, the vocabulary entries that are the
    word behind a clitic prefix (:func:`analysis.arabic.clitic_forms`), leaving out every entry that is itself a
    one-word entry of the dictionary (case-folded, no wildcard): the dictionary guides where a prefix may be cut."""
    words = {fold(t.words[0]) for t in terms.itertuples(index=False)
             if not t.case_sensitive and len(t.words) == 1 and not t.wildcard}
    whole = np.zeros(len(index.vocab[space]), dtype=bool)
    for w in words:
        whole |= index.word_mask(space, w)
    memo: dict[str, np.ndarray] = {}

    def mask(word: str) -> np.ndarray:
        found = memo.get(word)
        if found is None:
            wildcard = word.endswith("*")
            stem = word[:-1] if wildcard else word
            found = np.zeros(len(whole), dtype=bool)
            for _, form in arabic.clitic_forms(stem):
                found |= index.word_mask(space, form + ("*" if wildcard else ""))
            found = memo[word] = found & ~whole
        return found

    return mask


def _clitics(acc: pd.DataFrame, terms: pd.DataFrame, index: TokenIndex, first: np.ndarray, fold) -> list[str]:
    """The clitic prefix stripped from each accepted match's first token (``''`` for none): see the module
    docstring."""
    norms = np.append(np.asarray(_strings(index.vocab["ar"]), dtype=object), "")[index.codes["ar"][first]]
    rows = acc["term_row"].to_numpy()
    out = []
    for norm, words, cs in zip(norms.tolist(), terms["words"].to_numpy()[rows].tolist(),
                               terms["case_sensitive"].to_numpy()[rows].tolist()):
        word = fold(words[0])
        if cs or " " in norm:  # as written, or a joined MWE token (matched whole)
            out.append("")
            continue
        wildcard = word.endswith("*")
        found = arabic.split_clitic(norm, word[:-1] if wildcard else word, wildcard=wildcard)
        out.append(found or "")
    return out


def long_word(token: str) -> bool:
    """A word of two or more letters (the words whose capitals say a text is shouted)."""
    return sum(c.isalpha() for c in token) >= 2


def capital_word(token: str) -> bool:
    """An all-capital word of two or more letters ("IS", "WRONG"; not "I" or "A"): the test of shouted text."""
    return token.isupper() and long_word(token)


def _shouted(acc: pd.DataFrame, terms: pd.DataFrame, index: TokenIndex) -> np.ndarray:
    """Whether each match of a case-sensitive all-capitals term (``IS``, ``SAA``) sits in text written in capitals.

    Such a term is case-sensitive to tell an acronym from a common word
    (``IS`` from "is"); in shouted text the common word is written in
    capitals too. A match counts as shouted when at least two of the two
    tokens before and the two after it (same document and sentence) are
    all-capital words of two or more letters: "THIS IS WRONG" is shouted,
    "the IS fighters" and "HTS, IS and the SAA" are not. Caveat: a shouted
    word at a sentence edge with one shouted neighbour ("WHY IS") still
    matches.
    """
    out = np.zeros(len(acc), dtype=bool)
    if not len(acc):
        return out
    rows = acc["term_row"].to_numpy()
    caps = terms["case_sensitive"].to_numpy(dtype=bool)[rows] & np.array(
        [str(t).isupper() for t in terms["term"].to_numpy()[rows]], dtype=bool)
    if not caps.any():
        return out
    vocab = _strings(index.vocab[True])
    capital = _per_token(index.codes[True], [capital_word(v) for v in vocab])
    at = np.flatnonzero(caps)
    first = acc["start_tok"].to_numpy()[at]
    last = first + acc["n_tok"].to_numpy()[at] - 1
    n, doc, sentence = index.n, index.doc, index.sentence
    count = np.zeros(len(at), dtype=np.int64)
    for pos, anchor in ((first - 1, first), (first - 2, first), (last + 1, last), (last + 2, last)):
        inside = (pos >= 0) & (pos < n)
        p = np.clip(pos, 0, max(n - 1, 0))
        count += inside & (doc[p] == doc[anchor]) & (sentence[p] == sentence[anchor]) & capital[p]
    out[at] = count >= 2
    return out


def _greedy(cand: pd.DataFrame, n: int) -> list:
    """Index labels of the accepted candidates (``cand`` in resolution order; see :func:`match_frames`).

    A candidate is accepted when none of its tokens is taken, or when an
    accepted candidate covers exactly its span with the same exclusion status;
    an accepted candidate whose span is new takes its tokens. Candidates are
    resolved in runs of equal (``n_words``, ``exclude``); in a run where every
    candidate is one token, candidates can only meet on the same token with
    the same exclusion status, so each one's fate is decided by the state
    before the run (vectorised). Other runs are walked one candidate at a time.
    """
    taken = np.zeros(n, dtype=bool)
    one_ex = np.full(n, -1, dtype=np.int8)  # exclusion status of the accepted one-token span at a token, -1: none
    spans: dict[tuple[int, int], bool] = {}  # accepted spans of two or more tokens
    labels = cand.index.to_numpy()
    start = cand["start_tok"].to_numpy()
    length = cand["n_tok"].to_numpy()
    exclude = cand["exclude"].to_numpy().astype(bool)
    n_words = cand["n_words"].to_numpy()
    cut = np.flatnonzero((n_words[1:] != n_words[:-1]) | (exclude[1:] != exclude[:-1])) + 1
    accepted = []
    for a, b in zip(np.r_[0, cut].tolist(), np.r_[cut, len(cand)].tolist()):
        if a == b:
            continue
        s, k = start[a:b], length[a:b]
        ex = int(exclude[a])
        if (k == 1).all():
            ok = (one_ex[s] == ex) | ~taken[s]
            new = s[ok & ~taken[s]]
            taken[new] = True
            one_ex[new] = ex
            accepted.append(labels[a:b][ok])
            continue
        run = []
        for i, si, ki in zip(range(a, b), s.tolist(), k.tolist()):
            if ki == 1:
                same = one_ex[si] == ex
            else:
                same = spans.get((si, ki)) == bool(ex)
            if same or not taken[si : si + ki].any():
                if ki == 1:
                    if one_ex[si] < 0:
                        taken[si] = True
                        one_ex[si] = ex
                elif (si, ki) not in spans:
                    taken[si : si + ki] = True
                    spans[(si, ki)] = bool(ex)
                run.append(i)
        accepted.append(labels[run])
    return np.concatenate(accepted).tolist() if accepted else []


def _negated(first: np.ndarray, doc: np.ndarray, sentence: np.ndarray, neg: np.ndarray, window: int) -> np.ndarray:
    out = np.zeros(len(first), dtype=bool)
    for k in range(1, window + 1):
        prev = first - k
        valid = prev >= 0
        p = np.where(valid, prev, 0)
        out |= valid & (doc[p] == doc[first]) & (sentence[p] == sentence[first]) & neg[p]
    return out


def _surface(out: pd.DataFrame, index: TokenIndex, first, last, texts) -> list[str]:
    if texts is None:  # without texts, an MWE spanning several tokens has no single surface form
        surface = index.take("token", first).astype(object)
        return np.where(first == last, surface, "").tolist()
    cols = [out[c].tolist() for c in ("thread_id", "comment_id", "doc", "start", "end")]
    return [texts[(t, c, d)][a:b] for t, c, d, a, b in zip(*cols)]


_QUOTE_RES = [
    re.compile(r"“[^”\n]*(?:”|$)", re.M),
    re.compile(r"\"[^\"\n]*(?:\"|$)", re.M),
    re.compile(r"(?<!\w)‘[^’\n]*?(?:’(?!\w)|$)", re.M),
    re.compile(r"«[^»\n]*(?:»|$)", re.M),
]
_QUOTE_CHARS = re.compile("[“\"‘«]")  # the opening characters of _QUOTE_RES


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of text inside quotation marks (see the module docstring)."""
    spans = sorted((m.start(), m.end()) for pattern in _QUOTE_RES for m in pattern.finditer(text))
    return spans


def _quoted(out: pd.DataFrame, texts) -> np.ndarray:
    """Whether each match starts inside a quotation: the last quoted span starting at or before it runs past it."""
    flags = np.zeros(len(out), dtype=bool)
    keys = zip(out["thread_id"].tolist(), out["comment_id"].tolist(), out["doc"].tolist())
    cache: dict = {}
    by_text: dict[str, tuple[list[int], list[int]]] = {}  # the spans depend on the text only (texts repeat)
    for i, (key, start) in enumerate(zip(keys, out["start"].tolist())):
        spans = cache.get(key)
        if spans is None:
            text = texts[key]
            spans = by_text.get(text)
            if spans is None:
                # every quotation starts with one of these characters: a text without any has none
                found = quoted_spans(text) if _QUOTE_CHARS.search(text) is not None else []
                spans = by_text[text] = ([s for s, _ in found], [e for _, e in found])
            cache[key] = spans
        starts, ends = spans
        if starts:
            j = bisect_right(starts, start) - 1
            flags[i] = j >= 0 and start < ends[j]
    return flags
