"""Who speaks, and which group they belong to: the units of the polarization measures.

*Speakers.* Polarization is measured between speakers. When most comments
have a known author (share >= ``min_known_share``), a speaker is an author
(pseudonym); otherwise (as in scraped pages where most authors are missing)
every comment is its own speaker. ``unit="author"`` or ``"comment"`` forces
the choice; ``unit="author_thread"`` makes an author in one thread a speaker
of its own (the same person in two threads is two speakers, each with the
group of their comments in that thread). Every output says which unit was
used and why.

*Groups* come from, in this order of preference when ``groups="auto"``:

1. ``column``: a metadata column of the data (e.g. CreateDebate's
   ``side_stance``); an author's group is the value most of their comments
   carry (ties: the first in sorted order);
2. ``table``: a user-supplied CSV with columns ``author`` and ``group``;
   authors are given by name (pseudonymised here with the run's salt) or by
   pseudonym;
3. ``stance``: the lexical stance label (``pro``/``anti``) of the speaker;
   speakers without stance evidence (abstain, neutral) have no group.

Missing labels (empty, NaN, None) are never a group. :func:`map_groups`
then chooses and merges label values (``{pro: [pro, for], anti: [anti]}``:
every other value is left out) and drops groups with fewer than
``min_group_size`` speakers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.errors import ConfigError
from analysis.privacy import pseudonym

__all__ = ["speakers", "speaker_groups", "map_groups", "known", "MISSING_LABELS"]

#: Label texts that mean "no label" (as pandas writes missing values when they are turned into text).
MISSING_LABELS = frozenset({"", "nan", "NaN", "None", "<NA>", "NaT"})

_PSEUDONYM = re.compile(r"^u[0-9a-f]{10}$")


def known(values: pd.Series) -> np.ndarray:
    """Which labels are labels (a group, a thread id, an author): not missing, not empty or blank."""
    present = values.notna().to_numpy(dtype=bool)
    return present & (values.where(present, "").astype(str).str.strip() != "").to_numpy(dtype=bool)


def speakers(comments: pd.DataFrame, *, unit: str = "auto", min_known_share: float = 0.5) -> tuple[pd.Series, str, str]:
    """A speaker id per comment, the unit ('author' or 'comment') and the reason."""
    known = comments["author_id"] != ""
    share = float(known.mean()) if len(comments) else 0.0
    if unit == "auto":
        unit = "author" if share >= min_known_share else "comment"
        why = (f"{share:.0%} of comments have a known author" +
               (f" (at least {min_known_share:.0%})" if unit == "author" else f" (fewer than {min_known_share:.0%})"))
    elif unit in ("author", "comment", "author_thread"):
        why = f"set in the config ({share:.0%} of comments have a known author)"
    else:
        raise ConfigError("polarization.unit", f"expected auto, author, author_thread or comment, got {unit!r}")
    by_comment = "c:" + comments["thread_id"] + "/" + comments["comment_id"]
    if unit == "author":
        ids = comments["author_id"].where(known, by_comment)
    elif unit == "author_thread":
        ids = (comments["author_id"] + "@" + comments["thread_id"]).where(known, by_comment)
        why += "; an author in one thread is one speaker"
    else:
        ids = by_comment
    if unit in ("author", "author_thread"):
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
        values = comments[column].astype(object).where(comments[column].notna(), "").astype(str).str.strip()
        values = values.where(~values.isin(MISSING_LABELS), "")
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


def map_groups(groups: pd.Series, *, values: dict | None = None, min_size: int = 2) -> tuple[pd.Series, dict]:
    """Groups chosen and merged by the config, and too-small groups left out: (group per speaker, what was done).

    ``groups``: a group label per speaker ('' when unknown). ``values``
    (``polarization.group_values``): {group name: [label values]}; a speaker
    whose label is listed gets that group, every other speaker none; empty or
    None keeps every label as its own group. A group with fewer than
    ``min_size`` speakers (``polarization.min_group_size``) is left out: its
    speakers get no group. Missing labels are never a group. The second value
    says which labels were left out (``unlisted``, with speaker counts) and
    which groups were too small (``too_small``).
    """
    lookup: dict = {}
    for name, members in (values or {}).items():
        for v in ([members] if isinstance(members, str) else members):
            if str(v) in lookup and lookup[str(v)] != str(name):
                raise ConfigError("polarization.group_values",
                                  f"label {v!r} is listed under both {lookup[str(v)]!r} and {name!r}")
            lookup[str(v)] = str(name)
    # decided once per distinct label (the speakers can be millions, the labels are few)
    labels = groups.value_counts(dropna=False)
    done: dict = {"unlisted": {}, "too_small": {}}
    mapping, sizes = {}, {}
    for label, n in labels.items():
        text = "" if label is None or label != label else str(label)  # label != label: NaN
        text = "" if text in MISSING_LABELS else text
        if values and text:
            if text not in lookup:
                done["unlisted"][text] = done["unlisted"].get(text, 0) + int(n)
            text = lookup.get(text, "")
        mapping[label] = text
        if text:
            sizes[text] = sizes.get(text, 0) + int(n)
    done["unlisted"] = dict(sorted(done["unlisted"].items()))
    done["too_small"] = {g: n for g, n in sorted(sizes.items()) if n < min_size}
    mapping = {k: ("" if v in done["too_small"] else v) for k, v in mapping.items()}
    if all(isinstance(k, str) and k == v for k, v in mapping.items()):
        return groups.copy(), done  # nothing to change
    out = groups.map(lambda x: mapping.get(x, "")) if groups.isna().any() else groups.map(mapping)
    return out.fillna("").astype(object), done

