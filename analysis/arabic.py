"""Arabic orthography: the normalisation tables matching uses, and the clitic prefixes of dictionary matching.

Arabic is written with optional short-vowel marks, with a stretching
character, and with several spellings of the same letter that writers use
interchangeably, so a dictionary term and a comment rarely agree letter for
letter. :func:`normalize` maps a word to one spelling, used for the ``norm``
column of tokens of Arabic documents (:mod:`analysis.tokenization`) and for
the words of Arabic dictionary terms (:mod:`analysis.matcher`); the token
(``token``) and the character offsets always keep the original text.

Normalisation (in this order):

1. Presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFF: the isolated, initial,
   medial and final glyph forms and ligatures such as ``ﻻ`` and ``ﷲ``, found
   in text copied from PDFs and old keyboards) are replaced by their letters
   (Unicode NFKC; only when the word holds one, so other text is untouched).
2. Removed (:data:`STRIPPED`): tashkeel, the short vowels, tanween, shadda and
   sukun (U+064B-U+0652), the other combining Arabic marks (U+0653-U+065F:
   maddah, combining hamza above and below, ...), the superscript (dagger)
   alef U+0670, the Quranic annotation signs (U+0610-U+061A, U+06D6-U+06ED)
   and the tatweel (kashida) U+0640 that stretches a word (``الحـــرب``).
3. Mapped (:data:`LETTER_MAP`): the alef variants ``أ إ آ ٱ`` (hamza above,
   hamza below, madda, wasla) to the bare alef ``ا``; alef maqsura ``ى`` to
   ``ي`` (final ``ى``/``ي`` are confused in Egyptian and much informal
   writing); the Persian yeh ``ی`` (Persian keyboards) to ``ي`` and the
   keheh ``ک`` to ``ك``; ta marbuta ``ة`` to ``ه``.

The ta marbuta choice: informal writers often drop its two dots and write
``ه`` (``الثوره`` for ``الثورة``), and the reverse never happens in standard
spelling, so both spellings are mapped to ``ه``. Mapping the other way (``ه``
to ``ة``) would rewrite every pronoun suffix "his/its" (``كتابه``) instead.
The cost: a word ending in ta marbuta and the same stem with the suffix
``ه`` fall together (``قوة`` "force" and ``قوه``); matching prefers to miss
no spelling. Hamza on waw and yeh (``ؤ ئ``) are kept: they are not
interchangeable with bare ``و ي`` in the words of the dictionaries.

Clitic prefixes (:func:`clitic_forms`): Arabic writes the conjunctions ``و``
"and" and ``ف`` "so", the prepositions ``ب`` "with/by", ``ك`` "like", ``ل``
"for" and the article ``ال`` "the" as one word with what follows, in that
order: conjunction, preposition, article (``وبالحرب`` "and with the war").
``ل`` followed by ``ال`` is written ``لل`` (``للحرب``, "for the war": the
article's alef is dropped). Matching strips a prefix only where the dictionary
says what remains is a word of its term (see :mod:`analysis.matcher`), never
by rule alone: ``بشار`` is never read as ``ب`` + ``شار``. Stems and roots are
never used for matching (a root stemmer gives ``الإرهاب`` "terrorism" and
``راهب`` "monk" the same root).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "STRIPPED",
    "LETTER_MAP",
    "CLITIC_PREFIXES",
    "ARTICLE",
    "normalize",
    "has_arabic",
    "clitic_forms",
    "split_clitic",
]

#: Characters removed by :func:`normalize` (marks, Quranic signs, tatweel).
STRIPPED = (
    "".join(map(chr, range(0x0610, 0x061B)))  # Quranic honorifics and small high letters
    + "".join(map(chr, range(0x064B, 0x0660)))  # tashkeel U+064B-U+0652 and the other combining marks
    + "\u0670"  # superscript (dagger) alef
    + "".join(map(chr, range(0x06D6, 0x06EE)))  # Quranic annotation signs
    + "\u0640"  # tatweel
)

#: Letters replaced by :func:`normalize` (variant -> letter).
LETTER_MAP = {
    "\u0623": "\u0627",  # أ alef with hamza above -> ا
    "\u0625": "\u0627",  # إ alef with hamza below -> ا
    "\u0622": "\u0627",  # آ alef with madda -> ا
    "\u0671": "\u0627",  # ٱ alef wasla -> ا
    "\u0649": "\u064a",  # ى alef maqsura -> ي
    "\u06cc": "\u064a",  # ی Persian yeh -> ي
    "\u06a9": "\u0643",  # ک keheh -> ك
    "\u0629": "\u0647",  # ة ta marbuta -> ه (see the module docstring)
}

_TABLE = str.maketrans({**{c: None for c in STRIPPED}, **LETTER_MAP})
_PRESENTATION_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe]")

#: The article.
ARTICLE = "\u0627\u0644"  # ال
_CONJUNCTIONS = ("", "\u0648", "\u0641")  # و ف
_PREPOSITIONS = ("", "\u0628", "\u0643", "\u0644")  # ب ك ل
_LAM = "\u0644"


def _prefixes() -> tuple[str, ...]:
    out = []
    for conj in _CONJUNCTIONS:
        for prep in _PREPOSITIONS:
            for art in ("", ARTICLE):
                if not (conj or prep or art):
                    continue
                out.append(conj + (_LAM + _LAM if prep == _LAM and art else prep + art))  # ل + ال is written لل
    return tuple(sorted(set(out), key=lambda p: (-len(p), p)))


#: Every clitic prefix combination, normalised, longest first: conjunction (و ف), then preposition (ب ك ل),
#: then article (ال), each optional, ``ل`` + ``ال`` written ``لل`` (``وبال``, ``فلل``, ``بال``, ``و``, ...).
CLITIC_PREFIXES = _prefixes()


def has_arabic(text: str) -> bool:
    """Whether ``text`` holds an Arabic letter or mark (the Arabic blocks and presentation forms)."""
    return _ARABIC_RE.search(text) is not None


def normalize(word: str) -> str:
    """``word`` in the one spelling matching compares (see the module docstring); other scripts unchanged.

    >>> normalize("الْحَرْبُ الأَهْلِيَّة")
    'الحرب الاهليه'
    >>> normalize("الحـــرب")
    'الحرب'
    """
    if _PRESENTATION_RE.search(word) is not None:
        word = unicodedata.normalize("NFKC", word)
    return word.translate(_TABLE)


def clitic_forms(word: str) -> list[tuple[str, str]]:
    """The spellings of a normalised dictionary ``word`` with a clitic prefix: ``(prefix, form)`` pairs.

    ``form`` is ``prefix + word``; where the word starts with the article
    and the prefix ends with ``ل``, also the contracted spelling (``الحرب``
    gives ``للحرب`` and ``وللحرب``, with prefix ``ل``/``ول``: the article's alef
    is dropped). A word of fewer than two letters gets none.
    """
    if len(word) < 2:
        return []
    out = [(p, p + word) for p in CLITIC_PREFIXES]
    if word.startswith(ARTICLE) and len(word) > 3:
        for conj in _CONJUNCTIONS:
            out.append((conj + _LAM, conj + _LAM + word[1:]))  # ل + الحرب -> للحرب
    return out


def split_clitic(token: str, word: str, *, wildcard: bool = False) -> str | None:
    """The clitic prefix that turns the dictionary ``word`` into ``token`` (both normalised), ``""`` when the token
    is the word itself, ``None`` when no prefix does. With ``wildcard``, ``word`` is the part before ``*`` and the
    token may continue after it.

    >>> split_clitic("والحرب", "الحرب")
    'و'
    >>> split_clitic("للحرب", "الحرب")
    'ل'
    """
    same = token.startswith(word) if wildcard else token == word
    if same:
        return ""
    for prefix, form in clitic_forms(word):
        if (token.startswith(form) if wildcard else token == form):
            return prefix
    return None
