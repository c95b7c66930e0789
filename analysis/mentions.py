"""Mentions: where a comment names or addresses another participant.

Three kinds are found, each with character offsets into the comment text such
that ``text[start:end] == mention``:

``handle``
    An ``@name`` token: ``@`` followed by word characters (letters, digits,
    ``_``), the ``@`` included in the mention. Not a handle when the ``@`` is
    preceded by a word character, ``@``, ``.`` or ``/`` (e-mail addresses,
    URLs) or when the name is followed by ``.`` and a word character
    (``@example.com``).
``author``
    A known author's name (``known_authors``) as a whole word, case-sensitive:
    the full name (its words may be separated by any whitespace), or the first
    word of a multi-word name (``Hind`` for ``Hind Abyad``) unless that word is
    in :data:`STOPLIST` or is a single letter.
``vocative``
    A capitalised name (``[A-Z]`` then lowercase letters, Latin-1 accents
    allowed, optionally ``-Name``) addressed at a *sentence start*: the start
    of the text, of a line, or a position after ``.``, ``!``, ``?`` or ``…``
    (spaces and opening quotes/brackets may come between). The patterns:

    1. ``Name,`` at a sentence start, when the rest of that sentence contains
       a second-person word (you, your, yours, yourself, you're, u): "Danny,
       when you ..." (the second-person guard keeps lists like "Syria, Iran
       and ..." out);
    2. a greeting at a sentence start (``Remember``, ``Thanks``, ``Thank
       you``, ``Dear``, ``Hey``, ``Hi``, ``Sorry``, ``Well``) then ``Name``
       followed by a comma, ``that``, ``you``, sentence-final punctuation or
       the end of the line: "Remember Danny that ...";
    3. ``Name you're`` / ``Name you are`` at a sentence start: "HaHahh..Danny
       you're ...".

    A name in :data:`STOPLIST` (pronouns, days, months, greetings, common
    sentence openers) is never a vocative. Precision is preferred to recall:
    names addressed mid-sentence are not found.

Overlapping finds keep one row per span: the kind ranked first in ``handle >
author > vocative`` wins, then the longer span, then the earlier one. Rows are
sorted by ``thread_id``, ``comment_id``, ``start``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.parallel import forked_map

__all__ = ["find_mentions", "author_pattern", "name_pattern", "HANDLE", "STOPLIST", "GREETINGS", "KINDS",
           "MIN_ROWS_PER_PROCESS"]

KINDS = ("handle", "author", "vocative")  # in order of precedence
GREETINGS = ("Remember", "Thanks", "Thank you", "Dear", "Hey", "Hi", "Sorry", "Well")

STOPLIST = frozenset(
    """
    I Me My Mine Myself You Your Yours Yourself He Him His She Her Hers It Its We Us Our Ours
    They Them Their Theirs This That These Those Who Whom Whose What Which Where When Why How
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December
    Yes No Yeah Yep Nope Ok Okay Oh Ah Wow Lol Haha Well So But And Or Nor Yet Also Then Now
    Here There Please Thanks Thank Sorry Hey Hi Hello Dear Remember Sure Indeed Actually
    Anyway Again Still However Maybe Perhaps If Because Since While Although Though Unless Until
    Once As At In On Of For To With By From About After Before Just Only Even Clearly Surely
    Obviously Honestly Seriously Apparently Really Sadly Hopefully Unfortunately Fortunately
    Wait Look Listen See Note Why Not Never Always Everyone Everybody Someone Somebody Anyone
    Nobody People Guys Folks Sir Madam God Mr Mrs Ms Dr The An All Some Any Most Many Much
    Good Great Nice Right Wrong True False Agreed Exactly Absolutely Correct Welcome Bye Cheers
    """.split()
)

_COLUMNS = ("thread_id", "comment_id", "kind", "mention", "start", "end")
_NAME = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)?"
_HANDLE = re.compile(r"(?<![\w@./])@\w+(?!\w)(?!\.\w)")
#: An ``@handle`` as :func:`find_mentions` finds it (rules in the module docstring).
HANDLE = _HANDLE
_VOC_COMMA = re.compile(rf"(?P<name>{_NAME}),")
_VOC_GREETING = re.compile(
    rf"(?:{'|'.join(re.escape(g) for g in GREETINGS)}) (?P<name>{_NAME})(?=,| that\b| you\b|[.!?…]|[ \t]*(?:\n|$))"
)
_VOC_YOU = re.compile(rf"(?P<name>{_NAME}) you(?:['’]re| are)\b")
#: Arrow compute (RE2) screens of the whole text column, one per vocative pattern: each matches wherever its
#: pattern does (it is the pattern, or a start of it, without look-ahead), so a text it misses is not searched.
_VOC_SCREENS = (
    rf"{_NAME},",
    rf"(?:{'|'.join(re.escape(g) for g in GREETINGS)}) {_NAME}",
    rf"{_NAME} you(?:['’]re| are)",
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|yourselves|u)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…]")
_OPENERS = "\"“‘'«(["


def find_mentions(
    comments: pd.DataFrame,
    *,
    known_authors: Iterable[str] = (),
    authors_by_thread: Mapping[str, Iterable[str]] | None = None,
    processes: int = 1,
    min_rows_per_process: int | None = None,
) -> pd.DataFrame:
    """Mentions in each comment's ``text`` (rules in the module docstring).

    ``comments`` needs columns ``thread_id``, ``comment_id`` and ``text``.
    Author names are looked for among ``known_authors`` in every thread, plus,
    for each thread, the names in ``authors_by_thread[thread_id]`` (the usual
    choice: the thread's own participants, which keeps the work linear in
    corpus size). Returns columns ``thread_id``, ``comment_id``, ``kind``,
    ``mention``, ``start``, ``end`` (int32), one row per kept span.

    ``processes`` > 1 splits the rows into that many runs, each searched by a
    forked process (:func:`analysis.parallel.forked_map`). A
    comment's mentions depend on its text and its thread's names alone, so
    the rows are the same. A process gets at least ``min_rows_per_process``
    rows (default :data:`MIN_ROWS_PER_PROCESS`): fewer are not worth a fork.
    """
    missing = [c for c in ("thread_id", "comment_id", "text") if c not in comments.columns]
    if missing:
        raise ValueError(f"comments: missing column(s) {missing}; has {list(comments.columns)}")
    search = _Search(list(known_authors), authors_by_thread or {}, comments)
    n = len(comments)
    runs = max(1, min(int(processes), n // (min_rows_per_process or MIN_ROWS_PER_PROCESS)))
    bounds = [(n * k // runs, n * (k + 1) // runs) for k in range(runs)]
    rows = [row for part in forked_map(lambda b: search.rows(*b), bounds, processes=runs) for row in part]
    out = pd.DataFrame(rows, columns=list(_COLUMNS))
    out = out.astype({"thread_id": object, "comment_id": object, "kind": object, "mention": object})
    out[["start", "end"]] = out[["start", "end"]].astype("int32")
    return out.sort_values(["thread_id", "comment_id", "start"], kind="stable").reset_index(drop=True)


#: Fewer rows per process than this are not worth a fork.
MIN_ROWS_PER_PROCESS = 20_000


class _Search:
    """The names and patterns of :func:`find_mentions`, and the search of a run of its rows."""

    def __init__(self, everywhere: list[str], by_thread: Mapping[str, Iterable[str]], comments: pd.DataFrame):
        self.everywhere, self.by_thread, self.comments = everywhere, by_thread, comments
        self.patterns: dict[str, _AuthorPattern | None] = {}
        # one pattern of every name screens the texts: a thread's own pattern (a subset of the names) is compiled
        # and run only on a text where some name occurs, which most texts lack
        self.everyone = _author_forms(everywhere + [a for names in by_thread.values() for a in names])
        self.screen = _screen(self.everyone)
        self.vocatives = pd.Series(_vocative_screens(comments["text"]))  # one number per text (bits: screens)

    def rows(self, first: int, last: int) -> list[tuple[str, str, str, str, int, int]]:
        """The kept spans of rows ``first`` to ``last`` (excluded), in row order."""
        everyone, screen, patterns = self.everyone, self.screen, self.patterns
        rows: list[tuple[str, str, str, str, int, int]] = []
        for thread_id, comment_id, text, vocatives in zip(*(_batched(self.comments[c].iloc[first:last])
                                                            for c in ("thread_id", "comment_id", "text")),
                                                          _batched(self.vocatives.iloc[first:last])):
            if not isinstance(text, str) or not text:
                continue
            authors = None
            if everyone and (screen is None or screen.search(text)):
                if thread_id not in patterns:
                    patterns[thread_id] = author_pattern(self.everywhere + list(self.by_thread.get(thread_id, ())))
                authors = patterns[thread_id]
            found = _candidates(text, authors, vocatives)
            for kind, start, end in _resolve(found) if found else ():  # most texts have none
                rows.append((str(thread_id), str(comment_id), kind, text[start:end], start, end))
        return rows


def _batched(values: pd.Series, size: int = 8192) -> Iterator:
    """A column's values as Python objects, converted a batch at a time (faster than one by one, and no copy of
    a whole column of texts)."""
    for lo in range(0, len(values), size):
        yield from values.iloc[lo : lo + size].tolist()


def _author_forms(known_authors: Iterable[str]) -> list[tuple[str, ...]]:
    """Full names and usable first names as word tuples, in the order the pattern tries them.

    The order is that of their regex sources (words escaped, joined by
    ``\\s+``): longest source first, then alphabetical.
    """
    forms: dict[str, tuple[str, ...]] = {}
    for name in known_authors:
        words = tuple(str(name).split())
        if not words:
            continue
        forms[r"\s+".join(re.escape(w) for w in words)] = words
        if len(words) > 1 and len(words[0]) > 1 and words[0] not in STOPLIST:
            forms[re.escape(words[0])] = words[:1]
    return [forms[f] for f in sorted(forms, key=lambda f: (-len(f), f))]


def author_pattern(known_authors: Iterable[str]) -> _AuthorPattern | None:
    """One whole-word, case-sensitive pattern for full names and usable first names.

    Alternatives are tried longest first, so a full name wins over its first
    name at the same place; one combined pattern scans the text once.

    Its ``finditer`` gives the matches of the flat alternation
    ``(?<!\\w)(?:form|form|...)(?!\\w)``, found faster: the alternation is
    written as a trie (``Hind(?:\\s+Abyad|)`` for ``Hind\\s+Abyad|Hind``),
    which keeps its matches: forms that differ at some place cannot both
    match at one position (they differ in a literal character, or in a
    character against whitespace, since names are split on whitespace), and
    where one form extends another the longer one, tried first in the flat
    alternation, is tried first in the trie too (its branch comes before the
    empty one). The look-behind ``(?<!\\w)`` is tested on each match instead
    (a match after a word character is dropped and the search resumes one
    character later, as the regex engine would): a pattern that starts with
    the names' first characters lets the engine skip to them. A thread of a
    hundred authors compiles and scans several times faster.
    """
    forms = _author_forms(known_authors)
    if not forms:
        return None
    return _compile_forms(tuple(" ".join(words) for words in forms))


def name_pattern(names: Iterable[str]) -> _AuthorPattern | None:
    """Like :func:`author_pattern`, for whole names only (no first-name forms): ``finditer`` and ``search``."""
    forms = sorted({" ".join(str(n).split()) for n in names} - {""}, key=lambda f: (-len(f), f))
    return _compile_forms(tuple(forms)) if forms else None


class _AuthorPattern:
    """The trie pattern of :func:`author_pattern` with the look-behind tested per match."""

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        search, pos = self.pattern.search, 0
        while (m := search(text, pos)) is not None:
            start = m.start()
            if start and _WORD_CHAR.match(text, start - 1):  # (?<!\w) fails here: resume one character on
                pos = start + 1
                continue
            yield m
            pos = m.end()  # names are never empty, so a match always moves on

    def search(self, text: str) -> bool:
        """Whether the text holds a match."""
        return next(self.finditer(text), None) is not None


def _screen(forms: list[tuple[str, ...]]) -> _AuthorPattern | None:
    """The pattern of all the forms (None without forms, or when their trie is too deep to compile as one)."""
    if not forms:
        return None
    body = _trie([" ".join(words) for words in forms], 0)
    return None if body is None else _AuthorPattern(re.compile(r"(?:" + body + r")(?!\w)"))


_WORD_CHAR = re.compile(r"\w")


@lru_cache(maxsize=256)
def _compile_forms(forms: tuple[str, ...]) -> _AuthorPattern:
    """The pattern of forms given as words joined by one space (whitespace never occurs inside a word)."""
    body = _trie(list(forms), 0)
    if body is None:  # a pathologically deep trie: the flat alternation (same matches)
        body = "|".join(_literal(f) for f in forms)
    return _AuthorPattern(re.compile(r"(?:" + body + r")(?!\w)"))


_MAX_DEPTH = 100


def _literal(text: str) -> str:
    """Regex source of a piece of a form: characters escaped, each space (between words) any whitespace."""
    return r"\s+".join(re.escape(w) for w in text.split(" "))


def _trie(forms: list[str], depth: int) -> str | None:
    """Regex source matching ``forms`` (the rests after a shared prefix) in the same order; '' ends a form."""
    if depth > _MAX_DEPTH:
        return None
    groups: dict[str, list[str]] = {}
    for form in forms:
        if form:
            groups.setdefault(form[0], []).append(form)
    branches = []
    for members in groups.values():  # branches exclude each other: their order does not matter
        if len(members) == 1:
            branches.append(_literal(members[0]))
            continue
        prefix = os.path.commonprefix(members)
        rest = _trie([m[len(prefix) :] for m in members], depth + 1)
        if rest is None:
            return None
        branches.append(_literal(prefix) + rest)
    if "" in forms:  # a form ends here: tried after the longer ones
        branches.append("")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _vocative_screens(texts: pd.Series) -> np.ndarray:
    """For each text, which of :data:`_VOC_SCREENS` match: bit k set for screen k (all set where Arrow cannot
    hold the texts)."""
    try:
        arr = pa.array(texts if isinstance(texts.dtype, pd.StringDtype) else texts.astype(object),
                       from_pandas=True, type=pa.large_string())
    except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate from JSON: search every text
        return np.full(len(texts), 2 ** len(_VOC_SCREENS) - 1, dtype=np.uint8)
    bits = np.zeros(len(texts), dtype=np.uint8)
    for k, screen in enumerate(_VOC_SCREENS):
        bits |= np.asarray(pc.fill_null(pc.match_substring_regex(arr, screen), False), dtype=bool).astype(np.uint8) << k
    return bits


def _candidates(text: str, author_pattern: _AuthorPattern | None, vocatives: int = 7) -> list[tuple[str, int, int]]:
    # a scan is skipped where a text lacks a character or word its pattern requires ("@"), or where the screens
    # of the vocative patterns (comma, greeting, you; :func:`_vocative_screens`) found none:
    # the handle pattern starts with a lookbehind, tried at every character
    comma, greeting, you = vocatives & 1, vocatives & 2, vocatives & 4
    found = [("handle", m.start(), m.end()) for m in _HANDLE.finditer(text)] if "@" in text else []
    if author_pattern is not None:
        found += [("author", m.start(), m.end()) for m in author_pattern.finditer(text)]
    if comma:
        for m in _VOC_COMMA.finditer(text):
            if _at_sentence_start(text, m.start()) and _SECOND_PERSON.search(_rest_of_sentence(text, m.end())):
                found.append(_vocative(m))
    if greeting:
        for m in _VOC_GREETING.finditer(text):
            if _at_sentence_start(text, m.start()):
                found.append(_vocative(m))
    if you:
        for m in _VOC_YOU.finditer(text):
            if _at_sentence_start(text, m.start()):
                found.append(_vocative(m))
    return [f for f in found if f[0] != "vocative" or text[f[1] : f[2]] not in STOPLIST]


def _vocative(m: re.Match[str]) -> tuple[str, int, int]:
    return ("vocative", m.start("name"), m.end("name"))


def _at_sentence_start(text: str, pos: int) -> bool:
    """True at the text's start, a line's start, or after sentence-final punctuation.

    Spaces, tabs and opening quotes or brackets may come between (spaces, then
    openers, then spaces, going back from ``pos``); the text before is not copied.
    """
    k = pos
    while k and text[k - 1] in " \t":
        k -= 1
    while k and text[k - 1] in _OPENERS:
        k -= 1
    while k and text[k - 1] in " \t":
        k -= 1
    return k == 0 or text[k - 1] in "\n.!?…"


def _rest_of_sentence(text: str, pos: int) -> str:
    line_end = text.find("\n", pos)
    rest = text[pos:] if line_end < 0 else text[pos:line_end]
    m = _SENTENCE_END.search(rest)
    return rest if m is None else rest[: m.start()]


def _resolve(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Keep one find per span: by kind precedence, then longer, then earlier."""
    rank = {k: r for r, k in enumerate(KINDS)}
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(set(found), key=lambda f: (rank[f[0]], f[1] - f[2], f[1])):
        if all(end <= s or start >= e for _, s, e in kept):
            kept.append((kind, start, end))
    return kept
