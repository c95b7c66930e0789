"""Who speaks, and which group they belong to: the units of the polarization measures.

*Speakers.* Polarization is measured between speakers. When most comments
have a known author (share >= ``min_known_share``), a speaker is an author
(pseudonym); otherwise (as in scraped pages where most authors are missing)
every comment is its own speaker. ``unit="author"`` or ``"comment"`` forces
the choice. Every output says which unit was used and why.

*Groups* come from, in this order of preference when ``groups="auto"``:

1. ``column``: a metadata column of the data (e.g. CreateDebate's
   ``side_stance``); an author's group is the value most of their comments
   carry (ties: the first in sorted order);
2. ``table``: a user-supplied CSV with columns ``author`` and ``group``;
   authors are given by name (pseudonymised here with the run's salt) or by
   pseudonym;
3. ``stance``: the lexical stance label (``pro``/``anti``) of the speaker;
   speakers without stance evidence (abstain, neutral) have no group.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.errors import ConfigError
from analysis.privacy import pseudonym

__all__ = ["speakers", "speaker_groups"]

_PSEUDONYM = re.compile(r"^u[0-9a-f]{10}$")


def speakers(comments: pd.DataFrame, *, unit: str = "auto", min_known_share: float = 0.5) -> tuple[pd.Series, str, str]:
    """A speaker id per comment, the unit ('author' or 'comment') and the reason."""
    known = comments["author_id"] != ""
    share = float(known.mean()) if len(comments) else 0.0
    if unit == "auto":
        unit = "author" if share >= min_known_share else "comment"
        why = (f"{share:.0%} of comments have a known author" +
               (f" (at least {min_known_share:.0%})" if unit == "author" else f" (fewer than {min_known_share:.0%})"))
    elif unit in ("author", "comment"):
        why = f"set in the config ({share:.0%} of comments have a known author)"
    else:
        raise ConfigError("polarization.unit", f"expected auto, author or comment, got {unit!r}")
    by_comment = "c:" + comments["thread_id"] + "/" + comments["comment_id"]
    ids = comments["author_id"].where(known, by_comment) if unit == "author" else by_comment
    if unit == "author":
        why += "; comments without a known author are each their own speaker"
    return ids.rename("speaker"), unit, why


def speaker_groups(
    comments: pd.DataFrame,
    speaker: pd.Series,
    *,
    source: str,
    column: str = "",
    table: pd.DataFrame | None = None,
    salt: str = "",
    stance: pd.Series | None = None,
) -> pd.Series:
    """Group label per speaker (index: speaker id; '' when unknown).

    ``stance`` (for source 'stance') is a label per comment aligned with
    ``comments``; a speaker's stance group is the pooled label computed by the
    caller, passed here already per comment (all of a speaker's comments carry
    it).
    """
    if source == "column":
        if column not in comments.columns:
            raise ConfigError("polarization.group_column", f"no column {column!r} in the comments")
        values = comments[column].fillna("").astype(str)
    elif source == "table":
        if table is None or not {"author", "group"} <= set(table.columns):
            raise ConfigError("polarization.author_groups", "expected a CSV with columns author and group")
        ids = [a if _PSEUDONYM.match(a) else pseudonym(a, salt=salt) for a in table["author"].astype(str)]
        lookup = dict(zip(ids, table["group"].astype(str)))
        values = comments["author_id"].map(lookup).fillna("")
    elif source == "stance":
        values = pd.Series(stance, index=comments.index).where(lambda s: s.isin(["pro", "anti"]), "").fillna("")
    else:
        raise ConfigError("polarization.groups", f"expected auto, column, table or stance, got {source!r}")
    frame = pd.DataFrame({"speaker": speaker.to_numpy(), "group": values.to_numpy()})
    frame = frame[frame["group"] != ""]
    counts = frame.groupby(["speaker", "group"]).size().rename("n").reset_index()
    counts = counts.sort_values(["speaker", "n", "group"], ascending=[True, False, True])
    majority = counts.drop_duplicates("speaker").set_index("speaker")["group"]
    return pd.Series(speaker.unique(), name="speaker").map(majority).fillna("").set_axis(speaker.unique())
