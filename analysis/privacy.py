"""Pseudonyms for people named in comment data.

Author names (and names mentioned in text) are replaced by stable salted
pseudonyms: ``pseudonym("Hind Abyad", salt="s")`` is the same string on every
run and machine with the same salt, and cannot be reversed without the salt.
With a public salt anyone can test a guessed name, so a published analysis
should set its own secret ``pseudonym_salt``.
"""

from __future__ import annotations

import hashlib

import pandas as pd

__all__ = ["pseudonym", "pseudonymise", "DEFAULT_SALT"]

DEFAULT_SALT = "threadscope-default-salt"


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
