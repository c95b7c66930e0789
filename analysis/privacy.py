"""Pseudonyms and redaction: no output leads back to a commenter by default.

Author names (and names mentioned in text) are replaced by stable salted
pseudonyms: ``pseudonym("Hind Abyad", salt="s")`` is the same string on every
run and machine with the same salt, and cannot be reversed without the salt.

The salt
--------
A run's salt is ``pseudonym_salt`` from its config when set; when it is empty
(the default) it is the project's own random salt, made once by
:func:`run_salt` and kept in :data:`SALT_FILE` (``.threadscope/pseudonym_salt``
under the folder the workflow runs in, git-ignored). The salt is never written
to any output: the config as run shows it redacted
(:func:`analysis.provenance.config_as_run`). The public salt of earlier
versions (:data:`PUBLIC_SALT`) is refused: anyone could test guessed names
with it.

Personal data in text
---------------------
:func:`personal_spans` finds e-mail addresses, phone numbers and profile links
(rules in its docstring); the ingest replaces them by the typed placeholders
of :data:`PLACEHOLDERS`, and ``@handles`` and known authors' names by their
pseudonyms (:mod:`analysis.ingest.canonical`). Placeholders and pseudonyms are
one token each and never terms of keyness or partisanship lists
(:func:`is_redacted`).

Personal columns
----------------
Metadata columns whose name says they hold personal data (e-mail, phone, IP
address, user name, a user's id, ...; :func:`personal_column`) are dropped at
ingest unless the config keeps them (``privacy.keep_columns``).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ConfigError

__all__ = ["pseudonym", "pseudonymise", "run_salt", "SALT_FILE", "PUBLIC_SALT", "PLACEHOLDERS", "personal_spans",
           "replace_spans", "may_hold_personal_data", "is_redacted", "personal_column", "PSEUDONYM", "SECRET_KEYS"]

#: The salt earlier versions shipped in the public config: refused, since anyone can test guessed names with it.
PUBLIC_SALT = "threadscope-default-salt"
#: Where a project's random salt is kept (relative to the folder the workflow runs in; git-ignored).
SALT_FILE = Path(".threadscope") / "pseudonym_salt"
#: Config keys whose values are secrets: never written to an output.
SECRET_KEYS = ("pseudonym_salt",)
#: A pseudonym: 'u' and 10 hex digits (a handle's pseudonym has '@' before it).
PSEUDONYM = re.compile(r"@?u[0-9a-f]{10}")
#: The placeholder of each kind of personal data found in text (one token each for the tokenizer).
PLACEHOLDERS = {"email": "<email>", "phone": "<phone>", "profile": "<profile>"}


def pseudonym(name: str, *, salt: str) -> str:
    """``'u'`` followed by 10 hex digits of a keyed BLAKE2b hash of ``name``; ``''`` stays ``''``."""
    if not name:
        return ""
    digest = hashlib.blake2b(name.encode("utf-8"), key=salt.encode("utf-8")[:64], digest_size=5)
    return "u" + digest.hexdigest()


def pseudonymise(names: pd.Series, *, salt: str, enabled: bool = True) -> pd.Series:
    """Map every name in ``names`` to its pseudonym (each distinct name hashed once)."""
    if not enabled:
        return names.astype(str)
    uniq = pd.unique(names.astype(str))
    table = {n: pseudonym(n, salt=salt) for n in uniq}
    return names.astype(str).map(table)


def run_salt(configured: str | None, *, project: str | Path = ".") -> str:
    """The salt of a run: ``configured`` if set, else the project's random salt (made on first use).

    The project's salt is 64 random hex digits in ``project/``:data:`SALT_FILE`,
    created once (atomically: two runs starting together read the same
    salt) and reused by every later run in that folder, so pseudonyms stay
    stable across runs; delete the file and every pseudonym changes. The
    public salt of earlier versions raises :class:`ConfigError`.
    """
    if configured:
        if configured == PUBLIC_SALT:
            raise ConfigError("pseudonym_salt", "the public default salt makes pseudonyms reversible; leave the key "
                              f"empty for this project's own random salt ({SALT_FILE.as_posix()}) or set a secret")
        return configured
    path = Path(project) / SALT_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if another run made it first: then that salt is used
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    salt = path.read_text(encoding="utf-8").strip()
    if not salt:
        raise ConfigError("pseudonym_salt", f"the project's salt file {SALT_FILE.as_posix()} is empty; delete it "
                          "to make a new salt (every pseudonym changes)")
    return salt


# ------------------------------------------------------------------ personal data in text

_PROFILE_SITES = (
    r"(?:twitter|x|facebook|fb|instagram|tiktok|threads|github|gitlab|medium|pinterest|tumblr|vk|t)\.(?:com|net|me)"
    r"|linkedin\.com/(?:in|pub)|reddit\.com/(?:u|user)|youtube\.com/(?:@|user/|channel/|c/)|bsky\.app/profile"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?!\w)")
_PROFILE = re.compile(
    rf"(?<![\w/.])(?:https?://)?(?:www\.|m\.|mobile\.|old\.|new\.)?(?:{_PROFILE_SITES})/?[^\s<>\"')\]]*"
    r"|(?<![\w/.])https?://[\w.-]+/@\w[^\s<>\"')\]]*"  # Mastodon and similar: https://host/@name
    r"|(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w/])"  # Reddit's u/name and /u/name
)
_PHONE = re.compile(r"(?<![\w+.,/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?(?:\d{2,5}(?:[ .-]\d{2,5}){1,4}|\d{7,15})"
                    r"(?![\w.,/-]\d|\w)")
_SEVEN_DIGITS = re.compile(r"\d(?:\D{0,3}\d){6}")  # a cheap screen: no phone number without it
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def _is_phone(number: str) -> bool:
    """A phone number: 7 to 15 digits, written with ``+`` or a bracketed area code, in separated groups, or bare.

    Taken: ``+44 20 7946 0958``, ``(020) 7946 0958``, ``555-123-4567``,
    ``555-1234`` (7 digits only with ``-`` or ``.``), ``01 23 45 67 89``, ten
    or more bare digits. Not taken: groups that are all years (``1990 2000``,
    ``2011-2013``), thousands (``32 000 000``), dates of three groups and at
    most 8 digits (``12.05.2013``), fewer than 7 or more than 15 digits.
    """
    digits = sum(ch.isdigit() for ch in number)
    if not 7 <= digits <= 15:
        return False
    if number.startswith(("+", "(")):
        return True
    groups = re.findall(r"\d+", number)
    if len(groups) == 1:
        return digits >= 10
    if all(_YEAR.fullmatch(g) for g in groups) or all(len(g) == 3 for g in groups[1:]):
        return False
    if digits <= 8 and len(groups) == 3:
        return False
    return digits > 7 or bool(re.fullmatch(r"\d{3}[.-]\d{4}", number))


def personal_spans(text: str, *, kinds: Iterable[str] = ("email", "profile", "phone")) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of the e-mail addresses, phone numbers and profile links in ``text``.

    ``email``: ``name@domain.tld``. ``profile``: a link to a person's page on
    a social site (Twitter/X, Facebook, Instagram, TikTok, Threads, GitHub,
    GitLab, Medium, LinkedIn ``/in/``, Reddit ``/u/``, YouTube ``@``/user/
    channel, Bluesky, Telegram ``t.me``), with or without ``https://`` and
    ``www.``, up to the next space; ``https://host/@name`` (Mastodon); and
    Reddit's ``u/name``. ``phone``: see :func:`_is_phone`. Sorted by start;
    spans do not overlap. ``kinds``: which kinds to look for (e.g. those the
    screen :func:`may_hold_personal_data` leaves open).
    """
    found = []
    kinds = set(kinds)
    if "email" in kinds and "@" in text:
        found += [("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if "profile" in kinds and "/" in text:
        for m in _PROFILE.finditer(text):  # a sentence's punctuation after a link is not part of it
            found.append(("profile", m.start(), m.start() + len(m.group().rstrip(".,;:!?"))))
    if "phone" in kinds and _SEVEN_DIGITS.search(text):
        found += [("phone", m.start(), m.end()) for m in _PHONE.finditer(text) if _is_phone(m.group())]
    out: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(found, key=lambda f: (f[1], -f[2])):
        if not out or start >= out[-1][2]:
            out.append((kind, start, end))
    return out


def may_hold_personal_data(texts: pd.Series) -> pd.DataFrame:
    """Which kinds :func:`personal_spans` may find in each text: a fast screen over the whole column.

    One boolean column per kind (``email``, ``profile``, ``phone``), False
    only where that kind cannot be found: no ``@``; no profile site, ``/@``
    or ``u/``; no run of seven digits with at most three other characters
    between them. Missing texts are False. Arrow compute (RE2) scans the
    column at C speed, so the Python patterns run on the few texts that pass;
    an Arrow-backed column is scanned where it lies (no copy of the texts).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(texts.dtype, pd.StringDtype):
        arr = pa.array(texts, from_pandas=True)
    else:
        arr = pa.array(texts.astype(object), from_pandas=True, type=pa.large_string())
    screens = {
        "email": pc.match_substring(arr, "@"),
        "profile": pc.match_substring_regex(arr, rf"(?i)(?:{_PROFILE_SITES})|/@|u/"),
        "phone": pc.match_substring_regex(arr, r"\d(?:\D{0,3}\d){6}"),
    }
    return pd.DataFrame({k: np.asarray(pc.fill_null(v, False).to_numpy(zero_copy_only=False), dtype=bool)
                         for k, v in screens.items()}, index=texts.index)


def replace_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with each ``(start, end, replacement)`` applied (spans sorted, not overlapping).

    Returns the new text and, for each span, its ``(start, end)`` in the new text.
    """
    parts, where, pos, shift = [], [], 0, 0
    for start, end, new in spans:
        parts.append(text[pos:start])
        parts.append(new)
        where.append((start + shift, start + shift + len(new)))
        shift += len(new) - (end - start)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), where


def is_redacted(terms: pd.Series) -> np.ndarray:
    """Whether each term is a placeholder of :data:`PLACEHOLDERS` or a pseudonym (optionally with ``@``)."""
    placeholders = set(PLACEHOLDERS.values())
    return np.fromiter((isinstance(t, str) and (t in placeholders or PSEUDONYM.fullmatch(t) is not None)
                        for t in terms), dtype=bool, count=len(terms))


# ------------------------------------------------------------------ personal columns

_PERSONAL_PARTS = frozenset(
    "email mail phone tel telephone mobile cell fax ip ipaddress address street postcode zip username handle "
    "login screenname nickname nick profile avatar firstname lastname surname fullname birthday birthdate dob "
    "password".split()
)
_PERSON_PARTS = frozenset("user author speaker account member poster commenter".split())


def personal_column(name: str) -> bool:
    """Whether a metadata column's name says it holds personal data.

    The name is split into lowercase words (at ``_``, ``-``, spaces, dots and
    camelCase). Personal: a word such as email, phone, ip, address, username,
    handle, login, profile, avatar, first/last/full name, birthday, password;
    a column called ``name``; or a person word (user, author, speaker,
    account, member, poster, commenter) followed by ``id``, ``name`` or
    ``fullname`` (``user_id``, ``author_name``, ``author_fullname``).
    ``author_stance``, ``user_flair`` or ``thread_name`` are kept.
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name))
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]
    if words == ["name"] or any(w in _PERSONAL_PARTS for w in words):
        return True
    return any(a in _PERSON_PARTS and b in ("id", "ids", "name", "fullname") for a, b in zip(words, words[1:]))


# ------------------------------------------------------------------ what the book says


def privacy_sentences(config: dict) -> tuple[str, str]:
    """What a run did with personal data, for the book: (how author names were treated, the privacy sentences).

    The first completes "Author names were …"; the second states, from the
    config as run (``pseudonymise``, ``pseudonym_salt``,
    ``privacy.keep_raw_text``), what was pseudonymised, what was replaced in
    the text, and where the salt is kept (never the salt itself).
    """
    names = bool(config.get("pseudonymise", True))
    raw = bool(config.get("privacy", {}).get("keep_raw_text", False))
    where = (f"this project's own random salt, kept in `{SALT_FILE.as_posix()}` outside version control and in "
             "no output" if not config.get("pseudonym_salt") else
             "a secret set in the run's config, shown in no output")
    pseudo = (f"replaced by salted pseudonyms (the salt is {where})" if names
              else "kept as written (pseudonymisation was turned off)")
    first = (f"Authors appear only as salted pseudonyms (the salt is {where})." if names
             else "Author names are kept as written: pseudonymisation was turned off for this run.")
    if raw:
        second = ("**This is a private working copy:** comment text was kept as written, with any names, "
                  "handles, e-mail addresses, phone numbers and profile links it contains, and every metadata "
                  "column was kept; do not publish it.")
    else:
        replaced = "`@handles` and known authors' names by their pseudonyms, " if names else ""
        second = (f"Inside comment text, {replaced}e-mail addresses, phone numbers and profile links were "
                  "replaced by the placeholders `<email>`, `<phone>` and `<profile>`, and metadata columns "
                  "whose names mark personal data (e-mail, phone, user name, user id, ...) were dropped.")
    return pseudo, f"{first} {second}"
