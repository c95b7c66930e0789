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

import re
from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = ["find_mentions", "STOPLIST", "GREETINGS", "KINDS"]

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
_VOC_COMMA = re.compile(rf"(?P<name>{_NAME}),")
_VOC_GREETING = re.compile(
    rf"(?:{'|'.join(re.escape(g) for g in GREETINGS)}) (?P<name>{_NAME})(?=,| that\b| you\b|[.!?…]|[ \t]*(?:\n|$))"
)
_VOC_YOU = re.compile(rf"(?P<name>{_NAME}) you(?:['’]re| are)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|yourselves|u)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…]")
_OPENERS = "\"“‘'«(["


def find_mentions(
    comments: pd.DataFrame,
    *,
    known_authors: Iterable[str] = (),
    authors_by_thread: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Mentions in each comment's ``text`` (rules in the module docstring).

    ``comments`` needs columns ``thread_id``, ``comment_id`` and ``text``.
    Author names are looked for among ``known_authors`` in every thread, plus,
    for each thread, the names in ``authors_by_thread[thread_id]`` (the usual
    choice: the thread's own participants, which keeps the work linear in
    corpus size). Returns columns ``thread_id``, ``comment_id``, ``kind``,
    ``mention``, ``start``, ``end`` (int32), one row per kept span.
    """
    missing = [c for c in ("thread_id", "comment_id", "text") if c not in comments.columns]
    if missing:
        raise ValueError(f"comments: missing column(s) {missing}; has {list(comments.columns)}")
    everywhere = list(known_authors)
    by_thread = authors_by_thread or {}
    patterns: dict[str, re.Pattern[str] | None] = {}
    rows: list[tuple[str, str, str, str, int, int]] = []
    for thread_id, comment_id, text in zip(comments["thread_id"], comments["comment_id"], comments["text"]):
        if not isinstance(text, str) or not text:
            continue
        if thread_id not in patterns:
            patterns[thread_id] = _author_pattern(everywhere + list(by_thread.get(thread_id, ())))
        for kind, start, end in _resolve(_candidates(text, patterns[thread_id])):
            rows.append((str(thread_id), str(comment_id), kind, text[start:end], start, end))
    out = pd.DataFrame(rows, columns=list(_COLUMNS))
    out = out.astype({"thread_id": object, "comment_id": object, "kind": object, "mention": object})
    out[["start", "end"]] = out[["start", "end"]].astype("int32")
    return out.sort_values(["thread_id", "comment_id", "start"], kind="stable").reset_index(drop=True)


def _author_pattern(known_authors: Iterable[str]) -> re.Pattern[str] | None:
    """One whole-word, case-sensitive pattern for full names and usable first names.

    Alternatives are tried longest first, so a full name wins over its first
    name at the same place; one combined pattern scans the text once.
    """
    forms: set[str] = set()
    for name in known_authors:
        words = str(name).split()
        if not words:
            continue
        forms.add(r"\s+".join(re.escape(w) for w in words))
        if len(words) > 1 and len(words[0]) > 1 and words[0] not in STOPLIST:
            forms.add(re.escape(words[0]))
    if not forms:
        return None
    alternatives = sorted(forms, key=lambda f: (-len(f), f))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _candidates(text: str, author_pattern: re.Pattern[str] | None) -> list[tuple[str, int, int]]:
    # the handle pattern starts with a lookbehind, tried at every character: skip texts without "@"
    found = [("handle", m.start(), m.end()) for m in _HANDLE.finditer(text)] if "@" in text else []
    if author_pattern is not None:
        found += [("author", m.start(), m.end()) for m in author_pattern.finditer(text)]
    for m in _VOC_COMMA.finditer(text):
        if _at_sentence_start(text, m.start()) and _SECOND_PERSON.search(_rest_of_sentence(text, m.end())):
            found.append(_vocative(m))
    for pattern in (_VOC_GREETING, _VOC_YOU):
        for m in pattern.finditer(text):
            if _at_sentence_start(text, m.start()):
                found.append(_vocative(m))
    return [f for f in found if f[0] != "vocative" or text[f[1] : f[2]] not in STOPLIST]


def _vocative(m: re.Match[str]) -> tuple[str, int, int]:
    return ("vocative", m.start("name"), m.end("name"))


def _at_sentence_start(text: str, pos: int) -> bool:
    """True at the text's start, a line's start, or after sentence-final punctuation."""
    before = text[:pos].rstrip(" \t").rstrip(_OPENERS).rstrip(" \t")
    return before == "" or before[-1] == "\n" or before[-1] in ".!?…"


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
