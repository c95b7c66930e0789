"""The language of each text, identified offline.

:func:`identify` labels each text with a lower-case ISO 639-1 code (``en``,
``ar``, ...) or ``und`` (undetermined). The model is py3langid's
(a fork of langid.py, Lui & Baldwin 2012: a naive Bayes classifier over
byte n-grams, 140 labels in version 0.4); it ships inside the PyPI wheel and
makes no network call.

Which languages the classifier may answer (its *candidate set*) decides most
of its errors on short comments. :func:`candidates` gives the study's
``languages`` plus a fixed bucket of widely written languages
(:data:`BUCKET`), so that a French comment in an English study is labelled
``fr`` (and counted as outside the study's languages) instead of being forced
into ``en``, while rare languages that short English or Arabic texts are
mistaken for (Occitan, Walloon, Maltese, ...) are not candidates at all.
Dialect labels of the model (``arz`` Egyptian, ``ary`` Moroccan Arabic, and
the other Arabic varieties in :data:`DIALECTS`) count as ``ar``.

A text with no letters, or with fewer than :data:`MIN_WORDS` words (runs of
letters and their combining marks, so a vowelled Arabic word is one word), is
``und``: one word says too little. Web addresses and @handles are not read.
Only the first ``max_chars`` characters are read, which bounds the cost of a
long text (``benchmarks/language_id.py`` measures the agreement with
whole-text labels).

:func:`add_language` gives a comments table its ``language`` column and a
threads table its ``article_language`` (rule ``shard``); a source that
declares its language, or maps a column of codes, brings them along and is
not identified (:func:`declared_codes` checks them).

Caveats: a code-switched comment gets the one language with most evidence,
and the model reads bytes, so an Arabic letter (two UTF-8 bytes) weighs about
twice a Latin one: "I think الحرب الأهلية is the right name" comes out ``ar``.
Romanised Arabic (Arabizi) is labelled as some Latin-script language. Persian
and Urdu are candidates only when configured (see :data:`BUCKET`).
Measured on real corpora by ``benchmarks/language_id.py`` (README, Languages).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import regex

__all__ = ["UNDETERMINED", "MIN_WORDS", "MAX_CHARS", "DIALECTS", "BUCKET", "COLUMN", "model_name", "candidates",
           "identify", "declared_codes", "add_language", "with_languages", "shares"]

UNDETERMINED = "und"
#: Fewer words than this: undetermined.
MIN_WORDS = 2
#: Characters read from the start of a text (the label of the rest rarely differs; docs/performance.md).
MAX_CHARS = 200
#: Model labels that are varieties of a language with an ISO 639-1 code: the code they are reported as.
DIALECTS = {
    # Arabic varieties (ISO 639-3 individual languages of the macrolanguage ara); the model knows arz and ary
    "arz": "ar", "ary": "ar", "apc": "ar", "ajp": "ar", "acm": "ar", "afb": "ar", "aeb": "ar", "arq": "ar",
    "ayl": "ar", "acq": "ar", "apd": "ar", "ars": "ar", "shu": "ar", "ssh": "ar", "abv": "ar", "avl": "ar",
    "uzs": "uz",  # Southern Uzbek
}
#: Languages always among the candidates besides the study's own: widely written ones a comment section may hold.
#: Persian and Urdu are left out (candidates only when configured): written in Arabic script, they took 0.6% of the
#: dialectal Arabic comments of ../shared/data/arabic-comments, none of which was Persian (benchmarks/language_id.py).
BUCKET = ("ar", "de", "en", "es", "fr", "he", "hi", "id", "it", "ja", "ko", "nl", "pl", "pt", "ru", "sv", "tr", "uk",
          "zh")

#: The language column of each table that has one (analysis.columns.OPTIONAL), and the text it describes.
COLUMN = {"comments": ("language", "text"), "threads": ("article_language", "article_text")}

# a word: a letter, then letters and combining marks (Python's re would split a word at each Arabic diacritic)
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*")
# not words of any language: web addresses and @handles (MPOLD's @User.IDX) are removed before counting and reading
_NOT_LANGUAGE = regex.compile(r"(?:https?://|www\.)\S*|@\S+", regex.IGNORECASE)


def model_name() -> str:
    """The model and its version, as the book states it (e.g. 'py3langid 0.4.0')."""
    from importlib.metadata import version

    return f"py3langid {version('py3langid')}"


@functools.cache
def _model():
    """py3langid's model and all its labels, loaded once per process (about a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    return ident, tuple(ident.labels)  # the labels of the full model (set_languages narrows ident.labels)


def candidates(languages: Iterable[str] = ("en",), *, bucket: Iterable[str] | None = BUCKET) -> tuple[str, ...]:
    """The model labels the classifier chooses among: ``languages`` and ``bucket`` (None: every label of the model),
    with the dialect labels of each of them (``ar`` brings ``arz`` and ``ary``).

    A code the model does not know raises ``ValueError`` naming it and the codes it knows.
    """
    known = _model()[1]
    wanted = set(languages) | (set(known) if bucket is None else set(bucket))
    unknown = sorted(c for c in wanted if c not in known)
    if unknown:
        raise ValueError(f"language code(s) {unknown} are not known to {model_name()}; known: "
                         f"{sorted(c for c in known if len(c) == 2)}")
    if bucket is None:  # every label that maps to an ISO 639-1 code; 'zxx' (no linguistic content) is never chosen
        return tuple(sorted(c for c in known if (len(c) == 2 or c in DIALECTS)))
    return tuple(sorted(wanted | {d for d, code in DIALECTS.items() if code in wanted and d in known}))


def identify(texts: Sequence[str] | pd.Series, *, languages: Iterable[str] = ("en",),
             bucket: Iterable[str] | None = BUCKET, max_chars: int | None = MAX_CHARS) -> np.ndarray:
    """The language of each text: an ISO 639-1 code (``en``, ``ar``, ...) or ``und``, as an array of str.

    ``languages`` (the study's, config key ``languages``) and ``bucket`` are
    the candidates (:func:`candidates`); ``max_chars`` characters are read
    from the start of each text (None: all). Texts with fewer than
    :data:`MIN_WORDS` words are ``und``. Texts with equal heads are classified once.
    """
    values = pd.Series(texts, dtype=object) if not isinstance(texts, pd.Series) else texts
    if not len(values):
        return np.array([], dtype=object)
    heads = values.fillna("").astype(str)
    if max_chars is not None:  # only the head is read: texts that start alike are classified once
        heads = heads.str.slice(0, max_chars)
    codes, uniq = pd.factorize(heads, sort=False)
    ident = _model()[0]
    ident.set_languages(list(candidates(languages, bucket=bucket)))  # from the full model each time: no state kept
    labels = np.empty(len(uniq), dtype=object)
    for i, text in enumerate(uniq):
        # NFKC: Arabic presentation forms (U+FB50-U+FEFF, as some keyboards and copied PDFs give them) become the
        # letters the model was trained on (without it such comments came out as zh)
        head = unicodedata.normalize("NFKC", text)
        head = _NOT_LANGUAGE.sub(" ", head) if ("@" in head or "://" in head or "www." in head.lower()) else head
        if not _enough_words(head):
            labels[i] = UNDETERMINED
            continue
        label, _ = ident.classify(head)
        labels[i] = DIALECTS.get(label, label)
    return labels[codes]


def _enough_words(text: str) -> bool:
    """At least MIN_WORDS words (stops scanning as soon as there are)."""
    n = 0
    for _ in _WORD.finditer(text):
        n += 1
        if n >= MIN_WORDS:
            return True
    return False


_CODE = regex.compile(r"[a-z]{2}|und")


def declared_codes(values: pd.Series) -> np.ndarray:
    """Language codes given with the data, as :func:`identify` gives them: lower case, dialect codes as their
    language (``arz`` -> ``ar``), empty or missing as ``und``.

    Raises ``ValueError`` naming the first value that is not an ISO 639-1 code (its position as ``.args[1]``).
    """
    codes, uniq = pd.factorize(values.fillna("").astype(str), sort=False)
    out = np.empty(len(uniq), dtype=object)
    for i, raw in enumerate(uniq):
        v = raw.strip().lower()
        v = DIALECTS.get(v, v) or UNDETERMINED
        if not _CODE.fullmatch(v):
            first = int(np.flatnonzero(codes == i)[0])
            raise ValueError(f"language {raw!r} is not an ISO 639-1 code (two letters such as en or ar, or und)",
                             first)
        out[i] = v
    return out[codes] if len(codes) else np.array([], dtype=object)


def add_language(frame: pd.DataFrame, table: str, *, languages: Iterable[str]) -> pd.DataFrame:
    """``frame`` (a comments or threads table of one source) with its language column (:data:`COLUMN`).

    A column already there (the source declared its language or mapped a
    column) is checked and normalised (:func:`declared_codes`); otherwise each
    text is identified (:func:`identify`, candidates from the study's
    ``languages``). Raises ``ValueError(message, row)`` for a bad declared code.
    """
    name, text = COLUMN[table]
    if name in frame.columns:
        values = declared_codes(frame[name])
    else:
        values = identify(frame[text], languages=languages)
    return frame.assign(**{name: pd.Series(values, index=frame.index, dtype=object)})


def with_languages(parts: Sequence[pd.DataFrame], table: str, *, languages: Iterable[str]) -> list[pd.DataFrame]:
    """Rule shard: each source's part of one shard (comments or threads) with its language column
    (:func:`add_language`), part by part, so a source that declares its language (or maps a column of codes) is
    not identified; other tables are returned as they are. A declared code that is not an ISO 639-1 code stops
    the run naming the comment's file and record (the source and thread, for threads)."""
    from analysis.errors import InputError

    if table not in COLUMN:
        return list(parts)
    out = []
    for part in parts:
        try:
            out.append(add_language(part, table, languages=languages))
        except ValueError as exc:
            message, row = exc.args
            if table == "comments":
                raise InputError(str(part["file"].iloc[row]), message, record=int(part["record"].iloc[row])) from None
            raise InputError(f"source {part['source'].iloc[row]!r}",
                             f"thread {part['thread_id'].iloc[row]!r}: {message}") from None
    return out


def shares(labels: pd.Series, *, languages: Sequence[str]) -> pd.DataFrame:
    """Comments per language: one row per label (most frequent first, ties by code) with ``n``, ``share`` (of all
    comments) and ``configured`` (the label is one of the study's ``languages``)."""
    counts = labels.astype(str).value_counts()
    out = pd.DataFrame({"language": counts.index.astype(str), "n": counts.to_numpy(dtype="int64")})
    out = out.sort_values(["n", "language"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["share"] = out["n"] / max(int(out["n"].sum()), 1)
    out["configured"] = out["language"].isin(list(languages))
    return out
