"""Sentences, words and multi-word expressions of comments and articles.

Everything here runs without any downloaded NLTK data: no ``nltk.download``,
nothing read from ``nltk_data``. Only NLTK parts that carry their own logic are
used:

* words: the regular expression of NLTK's ``TweetTokenizer``
  (:mod:`nltk.tokenize.casual`), applied with ``finditer`` to the *original*
  text, so every token keeps its character offsets;
* sentences: Punkt (:mod:`nltk.tokenize.punkt`), trained on the corpus itself
  rather than loaded from a pretrained pickle, run on each paragraph
  (:mod:`analysis.punkt`);
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
* Zero-width characters (:data:`analysis.matcher.ZERO_WIDTH`: U+200B, U+200C, U+200D, U+2060,
  U+FEFF and the soft hyphen U+00AD) next to a letter or digit belong to that
  word: ``civ\u200bil`` is one token (offsets and ``token`` keep the invisible
  character) whose ``norm`` is ``civil`` (:func:`analysis.matcher.strip_zero_width`), so it
  matches the dictionary term ``civil war`` like ``civil``. Matching reads
  the surface form without them too (:mod:`analysis.matcher`). A zero-width
  character with no letter or digit beside it is a token of its own. The
  ZWJ of an emoji sequence is not next to a letter and is left alone.
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

Arabic
------
The pattern runs on the ``regex`` engine, whose ``\\w`` takes combining marks
and modifier letters (Python's ``re`` splits ``الْحَرْبُ`` at its vowel marks):
an Arabic word stays one token with its tashkeel (U+064B-U+0652), its
superscript alef (U+0670) and any tatweel (U+0640) inside it; the Arabic
comma ``،``, semicolon ``؛`` and question mark ``؟`` are tokens of their own,
like their Latin counterparts; a number in Arabic-Indic digits (``١٩٩٠``) is
one token, and a digit run followed by letters (``٢٠١١م``) one word, as in
English. Nothing is rewritten, so offsets stay true to the text. Documents
whose ``language`` is ``ar`` get a normalised ``norm``, the Arabic sentence
rule, Arabic stems and no MWE joins (:func:`token_table`, Languages).
Bidirectional controls (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) are not
zero-width characters here: next to a word they are a token of their own
(not a word token, so no rate counts them).
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import regex
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import MWETokenizer, casual
from nltk.tokenize.casual import TweetTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis import arabic, columns
from analysis.errors import ConfigError, bad_value
from analysis.matcher import fill_zero_width, strip_zero_width
from analysis.punkt import arabic_sentence_spans, sentence_spans

__all__ = [
    "MAX_RUN",
    "ENGLISH_STOPWORDS",
    "ARABIC_STOPWORDS",
    "word_spans",
    "word_chunks",
    "multiword_tuples",
    "stopword_set",
    "token_table",
]

#: Longest run of non-space characters matched in one go (see module docstring).
MAX_RUN = 1000


#: The project's English stopword list (see ``data/stopwords/README.md``).
ENGLISH_STOPWORDS = Path(__file__).resolve().parents[1] / "data" / "stopwords" / "english.txt"
#: The project's Arabic stopword list (see ``data/stopwords/README.md``); compared in normalised spelling.
ARABIC_STOPWORDS = ENGLISH_STOPWORDS.with_name("arabic.txt")
#: The language code whose documents get Arabic normalisation, sentence rule, stems and stopwords.
_ARABIC = "ar"

# The TweetTokenizer's word pattern (without the phone-number branch), recompiled
# from its source and flags with the same ``regex`` engine. NLTK wraps it in a
# per-call time limit (``nltk.redos``); that guard roughly doubles the cost of a
# match, and it is not needed here because no match runs over more than MAX_RUN
# non-space characters, which bounds the pattern's backtracking.
_TWEET_RE = TweetTokenizer(match_phone_numbers=False).WORD_RE
_WORD_RE = regex.compile(_TWEET_RE.pattern, _TWEET_RE.flags)
# The same pattern without its first branch, NLTK's URL pattern (casual.URLS). That branch
# is the costly one: at every start inside a run like "a.a.a.a" it tries up to 255
# characters of domain name and 127 labels before failing, about 50 times the cost of
# the rest of the pattern (1 MB of "a." took 30 times as long as 1 MB of prose). Every
# match of it contains "http:"/"https:" or a period followed by two letters (the
# domain's last label), which :data:`_URL_HINT_RE` finds in one linear pass (same
# engine, same flags); a text range without one is matched with :data:`_NO_URL_RE`,
# whose tokens are then the same, since the URL branch cannot match anywhere in it.
_URL_BRANCH = "(" + casual.URLS + "|"
if not _TWEET_RE.pattern.startswith(_URL_BRANCH):  # pragma: no cover - NLTK's pattern changed
    raise ImportError("nltk.tokenize.casual: the word pattern no longer starts with URLS; see analysis/tokenization.py")
_NO_URL_RE = regex.compile("(" + _TWEET_RE.pattern[len(_URL_BRANCH):], _TWEET_RE.flags)
_URL_HINT_RE = regex.compile(r"https?:|[.][a-z]{2}", _TWEET_RE.flags)
# Marks that modify the character before them; a token starting with one is glued on.
_GLUE = frozenset("\ufe0e\ufe0f\u20e3")
_GLUE_RE = re.compile("[\ufe0e\ufe0f\u20e3]")
# Two to six letter-period pairs, not preceded by a word character or period
# and not followed by another letter-period pair.
_INITIALISM_RE = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,6}(?![^\W\d_]\.)")
# A maximal run of more than MAX_RUN non-space characters.
_LONG_RUN_RE = re.compile(r"(?<!\S)\S{%d,}" % (MAX_RUN + 1))  # noqa: UP031 -- %d keeps the regex braces literal

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
    """The text the pattern is matched against: same length, ``’`` read as ``'``, and a run of zero-width
    characters next to a letter or digit read as copies of that character
    (:func:`analysis.matcher.fill_zero_width`), so the run stays inside the word."""
    return fill_zero_width(text.replace("\u2019", "'") if "\u2019" in text else text)


def _long_runs(scan: str) -> list[tuple[int, int]]:
    if len(scan) <= MAX_RUN:
        return []
    return [m.span() for m in _LONG_RUN_RE.finditer(scan)]


def _initialisms(scan: str) -> list[tuple[int, int]]:
    return [m.span() for m in _INITIALISM_RE.finditer(scan)] if "." in scan else []


def _has_glue(scan: str) -> bool:
    return _GLUE_RE.search(scan) is not None


def _match(scan: str, pos: int, endpos: int) -> list[tuple[int, int]]:
    rx = _WORD_RE if _URL_HINT_RE.search(scan, pos, endpos) is not None else _NO_URL_RE
    return [m.span() for m in rx.finditer(scan, pos, endpos)]


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
            # a repeated blob is matched once: the window's tokens depend only on its text and on the
            # character before it (the pattern's look-behinds see it; look-aheads stop at the window's end)
            windows: dict[tuple[str, str], tuple[int, list[tuple[int, int]]]] = {}
            for w in range(a, b, MAX_RUN):
                e = min(w + MAX_RUN, b)
                piece = (scan[w - 1] if w else "", scan[w:e])
                seen = windows.get(piece)
                if seen is None:
                    found = _match(scan, w, e)
                    windows[piece] = (w, found)
                    spans += found
                else:
                    shift = w - seen[0]
                    spans += [(x + shift, y + shift) for x, y in seen[1]]
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
# dictionaries and stopwords


def multiword_tuples(terms: Iterable[str]) -> list[tuple[str, ...]]:
    """Multi-word expressions among dictionary ``terms``, ready for :func:`token_table`.

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


def stopword_set(spec: str | os.PathLike[str] | None) -> frozenset[str] | dict[str, frozenset[str]]:
    """The stopwords named by the config value ``tokenize.stopwords``.

    ``None`` or ``"none"``: no stopwords. ``"english"``: the project's list,
    ``data/stopwords/english.txt``, for every document whatever its language.
    ``"arabic"``: ``data/stopwords/arabic.txt``, for every document.
    ``"auto"``: each document's language's list, as a mapping language code
    -> set (``{"en": ..., "ar": ...}``) that :func:`token_table` reads per
    document (documents of another language, or ``und``, get none; without a
    ``language`` column every document is English). Anything else: a path to
    a UTF-8 file with one word per line; blank lines and everything after
    ``#`` are ignored. Words are case-folded (token norms are compared with
    them); Arabic words are also normalised (:func:`analysis.arabic.normalize`),
    as the norms of Arabic documents are.
    """
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "none"):
        return frozenset()
    name = spec.strip().lower() if isinstance(spec, str) else None
    if name == "auto":
        return {"en": stopword_set("english"), _ARABIC: stopword_set("arabic")}
    if name == "english":
        path = ENGLISH_STOPWORDS
    elif name == "arabic":
        path = ARABIC_STOPWORDS
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
            words.add(arabic.normalize(word.casefold()) if arabic.has_arabic(word) else word.casefold())
    return frozenset(words)


# --------------------------------------------------------------------------
# the token table


def token_table(
    docs: pd.DataFrame,
    *,
    punkt: PunktSentenceTokenizer,
    mwes: Sequence[tuple[str, ...]] = (),
    lowercase: bool = True,
    stem: bool = False,
    stopwords: frozenset[str] | Mapping[str, frozenset[str]] = frozenset(),
    dictionary_keys: bool = False,
) -> pa.Table:
    """One row per token of each document: the ``tokens`` table, as an Arrow table with the contract's schema.

    The schema is :data:`analysis.columns.TOKENS` by construction (no
    ``columns.conform`` pass: string columns are built as Arrow arrays).
    With ``dictionary_keys``, the key columns ``thread_id``, ``comment_id``
    and ``doc`` are dictionary-encoded instead (each distinct value stored
    once, in first-seen order, as :func:`analysis.io.read_arrow` reads them
    with ``dictionary``): a fifth of the memory of plain strings, and
    numbered without hashing by :func:`analysis.codes.string_codes`; the same
    values (casting each to ``string`` gives the contract's table).

    ``docs`` has columns ``thread_id``, ``comment_id`` (text), ``doc``
    (``'comment'`` or ``'article'``) and ``text``. Rows come in document order, then token
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

    Languages: ``docs`` may have a ``language`` column (an ISO 639-1 code per
    document, ``und`` for undetermined); without it every document is
    English, as with any code other than ``ar``. Documents in Arabic
    (``ar``) are tokenized by the same word pattern (it keeps Arabic words
    whole, marks and tatweel included), but their ``norm`` is also
    normalised (:func:`analysis.arabic.normalize`: no tashkeel or tatweel,
    one alef, ``ى`` as ``ي``, ``ة`` as ``ه``) while ``token`` and the offsets
    keep the original text; they are split into sentences by
    :func:`analysis.punkt.arabic_sentence_spans` instead of Punkt, stemmed by
    ``SnowballStemmer("arabic")``, and their words are never joined into
    MWEs (a multi-word term is matched on consecutive tokens, so a clitic on
    its first word, ``والحرب الأهلية``, is matched like ``الحرب الأهلية`` and
    both count the same number of words). ``stopwords`` is one set for every
    document, or a mapping language code -> set (:func:`stopword_set` with
    ``auto``) read per document: a document whose language has no entry has
    no stopwords.

    How it is fast (the result is the same as sentence-by-sentence matching):
    no branch of the word pattern matches whitespace except the spaced
    ellipsis (``. . .``), and its look-arounds see a whitespace character at
    either end of a run of non-space characters (a *chunk*) exactly as they see
    the start or end of a string. So the tokens of a sentence that starts and
    ends at chunk edges are the tokens of its chunks, each tokenized on its own
    by :func:`word_spans` (long runs, initialisms and variation selectors are
    chunk-local too). Each distinct chunk is tokenized once per call, rows are
    gathered from the per-chunk results with numpy, and the string columns are
    built as Arrow arrays. A document where that equivalence is not certain
    (a spaced ellipsis, a sentence boundary inside a chunk, a gap between
    sentences that is not whitespace) is tokenized sentence by sentence, as
    the definition says. MWEs are looked for only in sentences holding the
    first two words of one, found with one vectorised comparison of adjacent
    tokens.
    """
    _check_docs(docs)
    languages = _languages(docs)
    cols = _tokenize(docs, punkt=punkt, mwes=_mwe_list(mwes), languages=languages).columns(
        docs, lowercase=lowercase, stem=stem, stopwords=stopwords, dictionary_keys=dictionary_keys,
        languages=languages)
    schema = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in columns.TABLES["tokens"]])
    if dictionary_keys:
        for key in _KEY_COLUMNS:
            i = schema.get_field_index(key)
            schema = schema.set(i, schema.field(i).with_type(pa.dictionary(pa.int32(), pa.string())))
    arrays = [cols[f.name] if isinstance(cols[f.name], pa.Array) else pa.array(cols[f.name], type=f.type)
              for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


_KEY_COLUMNS = ("thread_id", "comment_id", "doc")


def _check_docs(docs: pd.DataFrame) -> None:
    missing = [c for c in _DOCS_COLUMNS if c not in docs.columns]
    if missing:
        raise bad_value("docs", list(docs.columns),
                        f"a DataFrame with columns {list(_DOCS_COLUMNS)} (missing {missing})")
    odd = sorted({str(k) for k in docs["doc"].tolist() if k not in _DOC_KINDS})
    if odd:
        raise bad_value("docs.doc", odd[:5], "'comment' or 'article'")
    for key in ("thread_id", "comment_id"):
        odd = [v for v in docs[key].tolist() if not isinstance(v, str)]
        if odd:
            raise bad_value(f"docs.{key}", odd[:5], "text (str) ids")


def _languages(docs: pd.DataFrame) -> np.ndarray | None:
    """Each document's language code (``"en"`` for a missing value), or ``None`` without a ``language`` column."""
    if "language" not in docs.columns:
        return None
    return np.asarray([v if isinstance(v, str) and v else "en" for v in docs["language"].tolist()], dtype=object)


def _mwe_list(mwes: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Case-folded MWEs of two or more words."""
    out = []
    for mwe in mwes:
        words = tuple(str(w).casefold() for w in mwe)
        if len(words) >= 2:
            out.append(words)
    return out


def _tokenize(docs: pd.DataFrame, *, punkt: PunktSentenceTokenizer, mwes: list[tuple[str, ...]],
              languages: np.ndarray | None = None) -> _TokenTable:
    """Tokenize each distinct text once (see :meth:`_TokenTable.columns` for the copies)."""
    table = _TokenTable(punkt, mwes)
    values = docs["text"].tolist()
    if languages is None or not (languages == _ARABIC).any():
        texts, table.text_of_doc = _distinct_texts(values)
        is_ar = None
    else:
        # an Arabic document's tokens differ from those of the same text in another language (sentences, MWEs):
        # its text is keyed as a 1-tuple, distinct from the plain string
        keyed, table.text_of_doc = _distinct_texts([(v if isinstance(v, str) else "",) if ar else v
                                                    for v, ar in zip(values, languages == _ARABIC)])
        is_ar = np.fromiter((isinstance(k, tuple) for k in keyed), dtype=bool, count=len(keyed))
        texts = [k[0] if isinstance(k, tuple) else k for k in keyed]
    for start in range(0, len(texts), _BATCH_DOCS):
        table.add_batch(texts[start : start + _BATCH_DOCS], first_doc=start,
                        is_ar=None if is_ar is None else is_ar[start : start + _BATCH_DOCS])
    return table


def _distinct_texts(values: list) -> tuple[list, np.ndarray | None]:
    """The distinct texts in first-seen order, and the number of each document's text among them.

    A document's tokens depend on its text alone (Punkt, the word pattern, the
    chunks and the MWE joins never look at another document, and the
    offsets, sentence and token numbers are relative to the document), so the
    tokens of a text that repeats (``[deleted]``, copy-paste, bots) are worked
    out once and copied. Anything that is not a non-empty string gives no
    tokens and is read as ``""``. ``None`` instead of the numbers when every
    text is distinct.
    """
    number: dict[str, int] = {}
    setdefault = number.setdefault
    codes = np.fromiter((setdefault(v if isinstance(v, str | tuple) else "", len(number)) for v in values),
                        dtype=np.int64, count=len(values))
    if len(number) == len(values):
        return values, None
    return list(number), codes



#: Documents tokenized per batch (bounds the memory of the per-chunk lists).
_BATCH_DOCS = 10_000
_PAIR = np.int64(1 << 32)  # fold ids of two adjacent tokens as one int64: first * _PAIR + second


def _space_chars() -> frozenset[str]:
    """Every character the word pattern's ``\\s`` matches: Unicode White_Space, all of it below U+3001.

    ``re``'s ``\\s`` and ``str.isspace`` also take U+001C-U+001F, so neither is
    used to find chunks.
    """
    space = regex.compile(r"\s", _WORD_RE.flags)
    return frozenset(chr(i) for i in range(0x3001) if space.match(chr(i)))


_SPACE = _space_chars()
_SPACE_CLASS = "".join(re.escape(c) for c in sorted(_SPACE))
_SPLIT_RE = re.compile(f"([{_SPACE_CLASS}]+)")  # chunks and the whitespace between them
_SPACE_ONLY_RE = re.compile(f"[{_SPACE_CLASS}]*")
# the one token that can cross whitespace: a spaced ellipsis (". . .")
_SPACED_DOTS_RE = regex.compile(r"\.[^\S\r\n]+\.", _WORD_RE.flags)


# characters str.split() and the word pattern's \s disagree on (str.isspace takes U+001C-U+001F)
_ODD_SPACE_RE = re.compile(
    "[" + "".join(re.escape(c) for c in map(chr, range(0x3001)) if c.isspace() != (c in _SPACE)) + "]|(?!)"
)


def word_chunks(text: str) -> list[str] | None:
    """The whitespace-separated chunks of ``text``, whose words in order are the words of ``text``.

    The word pattern never matches across whitespace, so the words of a text
    are the words of its chunks, and a chunk that repeats across texts needs
    splitting once. The exception is a spaced ellipsis (``". . ."``), the one
    token that crosses whitespace: ``None`` then, and the text is read whole
    with :func:`word_spans`.
    """
    if "." in text and _SPACED_DOTS_RE.search(text) is not None:
        return None
    if _ODD_SPACE_RE.search(text) is None:
        return text.split()
    return [c for c in _SPLIT_RE.split(text)[0::2] if c]


def _chunk_aligned(text: str, sentences: list[tuple[int, int]]) -> bool:
    """Whether every sentence starts and ends at a chunk edge, with only whitespace between sentences.

    Then the tokens of the document are those of its chunks (see
    :func:`token_table`); a spaced ellipsis also rules that out.
    """
    if "." in text and _SPACED_DOTS_RE.search(text) is not None:
        return False
    n = len(text)
    space, only = _SPACE, _SPACE_ONLY_RE.fullmatch
    prev = 0
    for a, b in sentences:
        if a > prev and only(text, prev, a) is None:
            return False
        if 0 < a < n and text[a - 1] not in space and text[a] not in space:
            return False
        if 0 < b < n and text[b - 1] not in space and text[b] not in space:
            return False
        prev = b
    return prev >= n or only(text, prev, n) is not None


class _TokenTable:
    """Builds the tokens table of many documents: distinct chunks and their tokens, then rows gathered from them.

    An *entry* is one token of a distinct chunk (or of a document tokenized
    sentence by sentence, or a joined MWE): its text, case-folded text and
    offsets within its chunk. Rows are entry numbers with offsets.
    """

    def __init__(self, punkt: PunktSentenceTokenizer, mwes: list[tuple[str, ...]]) -> None:
        self.punkt = punkt
        self.mwe_tokenizer = MWETokenizer(mwes, separator=" ") if mwes else None
        self.bigrams = {(w[0], w[1]) for w in mwes}
        # entries
        self.e_tok: list[str] = []
        self.e_fold: list[str] = []
        self.e_fid: list[int] = []
        self.e_rs: list[int] = []
        self.e_re: list[int] = []
        self.e_mwe_words: dict[int, list[str]] = {}  # entry -> case-folded words of a joined MWE
        self.fold_ids: dict[str, int] = {}
        self.tok_fold: dict[str, tuple[str, int]] = {}  # token text -> (fold, fold id), for new_chunk
        # chunks: chunk text -> chunk number; per chunk its first entry and number of entries
        self.chunk_ids = _ChunkIds(self)
        self.c_first: list[int] = []
        self.c_n: list[int] = []
        # rows, one array per batch
        self.r_entry: list[np.ndarray] = []
        self.r_doc: list[np.ndarray] = []
        self.r_start: list[np.ndarray] = []
        self.r_end: list[np.ndarray] = []
        self.r_sentence: list[np.ndarray] = []
        self.r_mwe: list[np.ndarray] = []
        self.text_of_doc: np.ndarray | None = None  # distinct-text number of each document, None: all distinct

    # -- entries

    def _entry(self, tok: str, rs: int, re_: int) -> int:
        fold = strip_zero_width(tok).casefold()
        fid = self.fold_ids.get(fold)
        if fid is None:
            fid = self.fold_ids[fold] = len(self.fold_ids)
        self.e_tok.append(tok)
        self.e_fold.append(fold)
        self.e_fid.append(fid)
        self.e_rs.append(rs)
        self.e_re.append(re_)
        return len(self.e_tok) - 1

    def new_chunk(self, spans: list[tuple[int, int]], text: str) -> int:
        """Register the tokens ``spans`` of ``text`` as a chunk; its number.

        Each distinct token text is folded once (:attr:`tok_fold`): a long
        chunk of a few distinct tokens (``a.a.a.…``) costs a list append per
        token, not a case fold and two dictionary look-ups.
        """
        first = len(self.e_tok)
        toks = [text[s:e] for s, e in spans]
        tok_fold = self.tok_fold
        for tok in [t for t in dict.fromkeys(toks) if t not in tok_fold]:  # first-seen order
            fold = strip_zero_width(tok).casefold()
            fid = self.fold_ids.get(fold)
            if fid is None:
                fid = self.fold_ids[fold] = len(self.fold_ids)
            tok_fold[tok] = (fold, fid)
        pairs = [tok_fold[t] for t in toks]
        self.e_tok += toks
        self.e_fold += [f for f, _ in pairs]
        self.e_fid += [i for _, i in pairs]
        self.e_rs += [s for s, _ in spans]
        self.e_re += [e for _, e in spans]
        self.c_first.append(first)
        self.c_n.append(len(spans))
        return len(self.c_n) - 1

    # -- one batch of documents

    def add_batch(self, texts: list, *, first_doc: int, is_ar: np.ndarray | None = None) -> None:
        """Add the rows of a batch of distinct texts; ``is_ar``: which of them are Arabic documents (see
        :func:`token_table`, Languages)."""
        punkt = self.punkt
        parts: list[str] = []  # per document: chunk, space, chunk, ..., chunk, "" (an even count)
        n_parts: list[int] = []
        # (chunk position in the batch, chunk number) of sentence-by-sentence documents
        private: list[tuple[int, int]] = []
        s_doc: list[int] = []  # sentences: document (in the batch), start
        s_start: list[int] = []
        s_end: list[int] = []
        for d, text in enumerate(texts):
            if not (isinstance(text, str) and text and not text.isspace()):
                n_parts.append(0)
                continue
            sentences = arabic_sentence_spans(text) if is_ar is not None and is_ar[d] else sentence_spans(punkt, text)
            s_doc += [d] * len(sentences)
            s_start += [a for a, _ in sentences]
            s_end += [b for _, b in sentences]
            if _chunk_aligned(text, sentences):
                split = _SPLIT_RE.split(text)
                split.append("")
            else:
                split = self._sentence_parts(text, sentences, first=len(parts) // 2, private=private)
            parts += split
            n_parts.append(len(split))
        if not parts:
            return
        n_docs = len(texts)
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        part_start = np.cumsum(lengths) - lengths
        part_doc = np.repeat(np.arange(n_docs), n_parts)
        doc_first_part = np.minimum(np.cumsum(n_parts) - np.asarray(n_parts), len(parts) - 1)
        chunks = parts[0::2]
        for pos, _ in private:
            chunks[pos] = ""  # not looked up (nor tokenized) as a chunk
        chunk_ids = np.fromiter(map(self.chunk_ids.__getitem__, chunks), dtype=np.int64, count=len(chunks))
        for pos, cid in private:
            chunk_ids[pos] = cid
        chunk_doc = part_doc[0::2]
        chunk_off = part_start[0::2] - part_start[doc_first_part][chunk_doc]

        c_first = np.asarray(self.c_first, dtype=np.int64)
        c_n = np.asarray(self.c_n, dtype=np.int64)
        counts = c_n[chunk_ids]
        total = int(counts.sum())
        if total == 0:
            return
        first_row = np.cumsum(counts) - counts
        entry = np.repeat(c_first[chunk_ids] - first_row, counts) + np.arange(total, dtype=np.int64)
        doc = np.repeat(chunk_doc, counts)
        e_rs = np.asarray(self.e_rs, dtype=np.int64)
        e_re = np.asarray(self.e_re, dtype=np.int64)
        offset = np.repeat(chunk_off, counts)
        start = offset + e_rs[entry]
        end = offset + e_re[entry]

        # sentence of every row: the last sentence of its document starting at or before it
        key = lambda d, pos: np.asarray(d, dtype=np.int64) * _PAIR + np.asarray(pos, dtype=np.int64)  # noqa: E731
        s_key = key(s_doc, s_start)
        global_sentence = np.searchsorted(s_key, key(doc, start), side="right") - 1
        s_doc_arr = np.asarray(s_doc, dtype=np.int64)
        first_sentence = np.searchsorted(s_key, key(np.arange(n_docs), 0), side="left")
        sentence = global_sentence - first_sentence[doc]
        if (global_sentence < 0).any() or (s_doc_arr[global_sentence] != doc).any():
            raise AssertionError("a token outside every sentence of its document")  # cannot happen: see _chunk_aligned

        is_mwe = np.zeros(total, dtype=bool)
        if self.mwe_tokenizer is not None and total > 1:
            entry, start, end, doc, sentence, global_sentence, is_mwe = self._join_mwes(
                texts, entry, start, end, doc, sentence, global_sentence, is_ar
            )
        self.r_entry.append(entry.astype(np.int32))
        self.r_doc.append((doc + first_doc).astype(np.int32))
        self.r_start.append(start.astype(np.int32))
        self.r_end.append(end.astype(np.int32))
        self.r_sentence.append(sentence.astype(np.int32))
        self.r_mwe.append(is_mwe)

    def _sentence_parts(self, text: str, sentences: list[tuple[int, int]], *, first: int,
                        private: list[tuple[int, int]]) -> list[str]:
        """The parts of a document that is not chunk-aligned as a whole, sentence by sentence (the definition).

        A sentence that starts and ends at chunk edges, with no spaced ellipsis in it, is split into its chunks
        like an aligned document (its tokens are theirs: see :func:`token_table`); any other sentence is one
        chunk of its own, tokenized with the word pattern within the sentence's bounds, its number added to
        ``private``. The text between sentences is a separator (never tokenized). ``first`` is the batch
        position of the document's first chunk.
        """
        out = [""]  # an empty first chunk: the text before the first sentence is a separator
        scan = None
        prev, n, space = 0, len(text), _SPACE
        for a, b in sentences:
            out.append(text[prev:a])
            if ((a == 0 or text[a - 1] in space or text[a] in space)
                    and (b == n or text[b - 1] in space or text[b] in space)
                    and ("." not in text[a:b] or _SPACED_DOTS_RE.search(text, a, b) is None)):
                out += _SPLIT_RE.split(text[a:b])
            else:
                if scan is None:
                    scan = _scan_text(text)
                    long_runs, initialisms, glue = _long_runs(scan), _initialisms(scan), _has_glue(scan)
                if not (long_runs or initialisms or glue):
                    spans = _match(scan, a, b)
                else:
                    spans = _spans_in(scan, a, b, long_runs, _within(initialisms, a, b), glue)
                private.append((first + len(out) // 2, self.new_chunk([(x - a, y - a) for x, y in spans], text[a:b])))
                out.append(text[a:b])  # its length places what follows; its chunk number is the private one
            prev = b
        out.append(text[prev:])
        return out

    def _join_mwes(self, texts, entry, start, end, doc, sentence, global_sentence, is_ar=None):
        """Join MWEs with NLTK's MWETokenizer, in the sentences holding the first two words of one (never in an
        Arabic document: ``is_ar``)."""
        fold_ids = self.fold_ids
        codes = [fold_ids[a] * _PAIR + fold_ids[b] for a, b in self.bigrams if a in fold_ids and b in fold_ids]
        n = len(entry)
        if not codes:
            return entry, start, end, doc, sentence, global_sentence, np.zeros(n, dtype=bool)
        fid = np.asarray(self.e_fid, dtype=np.int64)[entry]
        # pairs are compared only where the first token is the first word of an MWE (a small share of the rows)
        is_first = np.zeros(len(fold_ids), dtype=bool)
        is_first[[fold_ids[a] for a, _ in self.bigrams if a in fold_ids]] = True
        at = np.flatnonzero(is_first[fid[:-1]])
        at = at[np.isin(fid[at] * _PAIR + fid[at + 1], np.asarray(codes, dtype=np.int64))]
        if is_ar is not None:
            at = at[~is_ar[doc[at]]]
        hits = np.unique(global_sentence[at][global_sentence[at] == global_sentence[at + 1]])
        if not len(hits):
            return entry, start, end, doc, sentence, global_sentence, np.zeros(n, dtype=bool)
        row_a = np.searchsorted(global_sentence, hits, side="left")
        row_b = np.searchsorted(global_sentence, hits, side="right")
        e_fold = self.e_fold
        drop: list[np.ndarray] = []
        heads: list[int] = []
        head_entries: list[int] = []
        for a, b in zip(row_a.tolist(), row_b.tolist()):
            folded = [e_fold[e] for e in entry[a:b].tolist()]
            joined = self.mwe_tokenizer.tokenize(folded)
            if len(joined) == len(folded):
                continue
            i = 0
            for out in joined:
                if out == folded[i]:
                    i += 1  # a joined token is longer than its first word
                    continue
                k = 2
                acc = folded[i] + " " + folded[i + 1]
                while acc != out:
                    acc += " " + folded[i + k]
                    k += 1
                row = a + i
                last = row + k - 1
                text = texts[int(doc[row])]
                s, e = int(start[row]), int(end[last])
                new = self._entry(text[s:e], 0, 0)
                self.e_fold[new] = out  # the dictionary form, not the casefolded text
                self.e_mwe_words[new] = folded[i : i + k]
                heads.append(row)
                head_entries.append(new)
                drop.append(np.arange(row + 1, last + 1))
                end[row] = end[last]
                i += k
        is_mwe = np.zeros(n, dtype=bool)
        if not heads:
            return entry, start, end, doc, sentence, global_sentence, is_mwe
        entry = entry.copy()
        entry[heads] = head_entries
        is_mwe[heads] = True
        keep = np.ones(n, dtype=bool)
        keep[np.concatenate(drop)] = False
        return (entry[keep], start[keep], end[keep], doc[keep], sentence[keep], global_sentence[keep], is_mwe[keep])

    # -- the table

    def columns(self, docs: pd.DataFrame, *, lowercase: bool, stem: bool,
                stopwords: frozenset[str] | Mapping[str, frozenset[str]], dictionary_keys: bool = False,
                languages: np.ndarray | None = None) -> dict:
        """The table's columns: text as Arrow ``string`` arrays, numbers as numpy.

        Frees the per-batch row arrays as it goes (call it once).
        """

        def cat(name: str, dtype) -> np.ndarray:
            parts = getattr(self, name)
            setattr(self, name, [])
            return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)

        entry = cat("r_entry", np.int32)
        doc = cat("r_doc", np.int32)
        sentence = cat("r_sentence", np.int32)
        start = cat("r_start", np.int32)
        end = cat("r_end", np.int32)
        is_mwe = cat("r_mwe", bool)
        if self.text_of_doc is not None:  # rows of each distinct text, copied to every document with that text
            rows, doc = _copy_rows(doc, self.text_of_doc)
            entry, sentence, start, end, is_mwe = entry[rows], sentence[rows], start[rows], end[rows], is_mwe[rows]
            del rows
        n = len(entry)
        sizes = np.bincount(doc, minlength=len(docs)) if n else np.zeros(len(docs), dtype=np.int64)
        doc_first = (np.cumsum(sizes) - sizes).astype(np.int64)
        mwe_entries = self.e_mwe_words
        if lowercase:
            e_norm = self.e_fold
        else:
            e_norm = list(map(strip_zero_width, self.e_tok))
            for k in mwe_entries:
                e_norm[k] = self.e_fold[k]
        take = pa.array(entry)
        n_entries = len(self.e_tok)
        # Arabic documents' rows take their norm, stem and stopword flag from a second copy of the entries
        # (entries are shared by every document with the same chunk): row value = entry + n_entries
        row_ar = None
        if languages is not None and n:
            row_ar = (languages == _ARABIC)[doc]
            if row_ar.any():
                take = pa.array(entry.astype(np.int64) + row_ar * n_entries)
            else:
                row_ar = None
        out = {key: _per_row(docs[key], doc, sizes, dictionary=dictionary_keys) for key in _KEY_COLUMNS}
        ar_norm = ar_fold = None
        if row_ar is not None:
            normalize = _Memo(arabic.normalize)
            ar_norm = list(map(normalize, e_norm))
            ar_fold = ar_norm if e_norm is self.e_fold else list(map(normalize, self.e_fold))
        out.update({
            "sentence": sentence,
            "index": (np.arange(n, dtype=np.int64) - doc_first[doc]).astype(np.int32),
            "token": pa.array(self.e_tok, type=pa.string()).take(pa.array(entry)),
            "norm": pa.array(e_norm if ar_norm is None else e_norm + ar_norm, type=pa.string()).take(take),
        })
        if stem:
            stem_of = _StemCache()
            e_stem = list(map(stem_of, e_norm))
            for k, words in mwe_entries.items():
                e_stem[k] = " ".join(map(stem_of, words))
            if ar_norm is not None:
                stem_ar = _StemCache("arabic")
                e_stem += [stem_ar(w) or w for w in ar_norm]  # punctuation stems to "" in Arabic Snowball
            out["stem"] = pa.array(e_stem, type=pa.string()).take(take)
        else:
            out["stem"] = pa.array([""], type=pa.string()).take(pa.array(np.zeros(n, dtype=np.int32)))
        out["start"] = start
        out["end"] = end
        out["is_mwe"] = is_mwe
        out["is_stopword"] = self._stopwords(stopwords, entry, doc, languages, row_ar, ar_fold)
        return {name: out[name] for name in columns.core_names("tokens")}

    def _stopwords(self, stopwords, entry: np.ndarray, doc: np.ndarray, languages: np.ndarray | None,
                   row_ar: np.ndarray | None, ar_fold: list[str] | None) -> np.ndarray:
        """``is_stopword`` of every row: one set for all documents, or one per document language (a mapping)."""
        n = len(entry)
        if not stopwords:
            return np.zeros(n, dtype=bool)

        def flags(words: frozenset[str], folds: list[str]) -> np.ndarray:
            return np.fromiter(map(words.__contains__, folds), dtype=bool, count=len(folds))

        if not isinstance(stopwords, Mapping):
            if row_ar is None:
                return flags(stopwords, self.e_fold)[entry]
            return np.where(row_ar, flags(stopwords, ar_fold)[entry], flags(stopwords, self.e_fold)[entry])
        lang = np.full(n, "en", dtype=object) if languages is None else languages[doc]
        out = np.zeros(n, dtype=bool)
        for code, words in stopwords.items():
            rows = np.flatnonzero(lang == code)
            if len(rows) and words:
                folds = ar_fold if code == _ARABIC and ar_fold is not None else self.e_fold
                out[rows] = flags(frozenset(words), folds)[entry[rows]]
        return out


def _copy_rows(text_doc: np.ndarray, text_of_doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the distinct texts to take for every document, and the document of each taken row.

    ``text_doc`` is the (sorted) distinct-text number of each row;
    ``text_of_doc`` the distinct-text number of each document.
    """
    n_texts = int(text_of_doc.max()) + 1 if len(text_of_doc) else 0
    sizes = np.bincount(text_doc, minlength=n_texts).astype(np.int64)
    first = np.cumsum(sizes) - sizes
    counts = sizes[text_of_doc]
    total = int(counts.sum())
    out_first = np.cumsum(counts) - counts
    rows = np.repeat(first[text_of_doc] - out_first, counts) + np.arange(total, dtype=np.int64)
    doc = np.repeat(np.arange(len(text_of_doc), dtype=np.int32), counts)
    return rows, doc


class _ChunkIds(dict):
    """Chunk text -> chunk number; a chunk seen for the first time is tokenized with :func:`word_spans`."""

    def __init__(self, table: _TokenTable) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, chunk: str) -> int:
        cid = self[chunk] = self._table.new_chunk(word_spans(chunk), chunk)
        return cid


def _per_row(column: pd.Series, doc: np.ndarray, sizes: np.ndarray, *, dictionary: bool) -> pa.Array:
    """Each row's value of a per-document text column (ids are text: :func:`_check_docs`), dictionary-encoded
    (the distinct values of the documents that have rows, ``sizes`` > 0, in first-seen order, as
    ``pc.dictionary_encode`` numbers them) or, unless ``dictionary``, as plain strings."""
    present = sizes > 0
    codes, values = pd.factorize(np.asarray(column.tolist(), dtype=object)[present])
    of_doc = np.full(len(column), -1, dtype=np.int32)
    of_doc[present] = codes
    out = pa.DictionaryArray.from_arrays(pa.array(of_doc[doc]), pa.array(values.tolist(), type=pa.string()))
    return out if dictionary else out.cast(pa.string())


class _Memo(dict):
    """A function of one string with memory: calling it looks the string up first."""

    def __init__(self, func) -> None:
        super().__init__()
        self._func = func

    def __missing__(self, word: str) -> str:
        out = self[word] = self._func(word)
        return out

    def __call__(self, word: str) -> str:
        return self[word]


class _StemCache(dict):
    """``SnowballStemmer(language).stem`` (English by default) with memory: calling it looks a word up first."""

    def __init__(self, language: str = "english") -> None:
        super().__init__()
        self._stem = SnowballStemmer(language).stem

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
