"""From reader records to the canonical comments, threads and quarantine tables.

:func:`ingest` runs the integrity checks, prefixes thread ids with the source
id (``seed:assad-thanks…``, so sources never collide), computes depth and
position among siblings, pseudonymises authors and mentions, assigns shards,
and returns a report whose counts must balance: records read = comments kept
+ records quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import columns
from analysis.ingest.base import QUARANTINE_REASONS, ReadResult
from analysis.ingest.integrity import check_integrity, depths, parent_index
from analysis.mentions import find_mentions
from analysis.privacy import DEFAULT_SALT, pseudonym, pseudonymise
from analysis.sharding import shards

__all__ = ["Ingested", "ingest", "IntegrityError"]


class IntegrityError(RuntimeError):
    """The ingest counts do not balance (a bug, never a data problem)."""


@dataclass
class Ingested:
    comments: pd.DataFrame
    threads: pd.DataFrame
    mentions: pd.DataFrame
    quarantine: pd.DataFrame
    lines: pd.DataFrame
    report: dict
    metadata: list[str]


def ingest(
    result: ReadResult,
    *,
    source: str,
    fmt: str,
    n_shards: int,
    salt: str,
    pseudonymise_names: bool = True,
    orphans: str = "quarantine",
) -> Ingested:
    """Check, pseudonymise and shard one source's records."""
    records = result.records
    removed = records["removed"].ne("") if "removed" in records else None
    kept, quarantined = check_integrity(records, removed=removed, orphans=orphans)
    metadata = result.metadata

    comments = kept.copy()
    comments["thread_id"] = source + ":" + comments["thread_id"]
    parent = parent_index(comments["thread_id"], comments["comment_id"], comments["parent_id"])
    if orphans == "attach":
        comments.loc[parent == -2, "parent_id"] = ""
        parent[parent == -2] = -1
    comments["depth"] = depths(parent)
    comments["position"] = _positions(comments)
    raw_authors = comments["author"]
    comments["author_id"] = pseudonymise(raw_authors, salt=salt, enabled=pseudonymise_names)
    comments["source"] = source
    comments["shard"] = shards(comments["thread_id"], n_shards)
    comments = comments.sort_values(["thread_id", "record", "file"], kind="stable").reset_index(drop=True)
    comments = comments[columns.core_names("comments") + metadata]

    mentions = _mentions(comments, raw_authors, salt=salt, enabled=pseudonymise_names)

    threads = result.threads.copy()
    threads["thread_id"] = source + ":" + threads["thread_id"]
    threads = threads.drop_duplicates("thread_id").reset_index(drop=True)
    threads["source"] = source
    counts = comments.groupby("thread_id").size()
    threads["n_comments"] = threads["thread_id"].map(counts).fillna(0).astype("int64")
    threads["shard"] = shards(threads["thread_id"], n_shards)
    thread_meta = [c for c in threads.columns if c not in columns.core_names("threads")]
    threads = threads[columns.core_names("threads") + thread_meta].sort_values("thread_id").reset_index(drop=True)

    quarantine = pd.concat(
        [
            quarantined.assign(raw=quarantined["text"])[[c for c in columns.core_names("quarantine") if c != "source"]],
            result.rejects,
        ],
        ignore_index=True,
    )
    quarantine.insert(0, "source", source)
    quarantine = quarantine.sort_values(["file", "record"], kind="stable").reset_index(drop=True)

    lines = _mark_quarantined_lines(result.lines, quarantine)
    report = _report(result, comments, threads, quarantine, lines, source=source, fmt=fmt, salt=salt, enabled=pseudonymise_names)
    return Ingested(comments, threads, mentions, quarantine, lines, report, metadata)


def _positions(comments: pd.DataFrame) -> np.ndarray:
    """1-based rank among siblings: by creation time (missing last), then input order."""
    order = comments.assign(_t=comments["created_at"].isna()).sort_values(
        ["thread_id", "parent_id", "_t", "created_at", "file", "record"], kind="stable"
    )
    pos = order.groupby(["thread_id", "parent_id"], sort=False).cumcount() + 1
    return pos.reindex(comments.index).to_numpy(dtype=np.int32)


def _mentions(comments: pd.DataFrame, raw_authors: pd.Series, *, salt: str, enabled: bool) -> pd.DataFrame:
    """Mentions of handles and of the thread's own authors; targets pseudonymised."""
    named = pd.DataFrame({"thread_id": comments["thread_id"], "author": raw_authors.to_numpy()})
    named = named[named["author"] != ""].drop_duplicates()
    by_thread = named.groupby("thread_id")["author"].agg(list).to_dict()
    found = find_mentions(comments[["thread_id", "comment_id", "text"]], authors_by_thread=by_thread)
    if found.empty:
        return columns.empty("mentions")
    # A first name resolves to the full name of the one author of the thread it starts.
    def resolve(row) -> str:
        name = row.mention.lstrip("@") if row.kind == "handle" else " ".join(row.mention.split())
        if row.kind == "author":
            full = [a for a in by_thread.get(row.thread_id, []) if a.split()[0] == name and len(a.split()) > 1]
            if len(full) == 1 and name not in by_thread.get(row.thread_id, []):
                return full[0]
        return name

    names = [resolve(r) for r in found.itertuples()]
    found["target_id"] = [pseudonym(n, salt=salt) for n in names] if enabled else names
    if enabled:
        found["mention"] = ""
    return found[columns.core_names("mentions")].reset_index(drop=True)


def _mark_quarantined_lines(lines: pd.DataFrame, quarantine: pd.DataFrame) -> pd.DataFrame:
    """Input units of quarantined comments get role 'quarantine' in the line map."""
    lines = lines.copy()
    if not (len(lines) and len(quarantine)):
        return lines
    qkeys = set(zip(quarantine["file"], quarantine["record"]))
    by_record = pd.Series([k in qkeys for k in zip(lines["file"], lines["record"])], index=lines.index)
    by_comment = lines["role"].eq("comment") & lines["comment_id"].isin(set(quarantine["comment_id"]) - {""})
    lines.loc[(by_record & lines["role"].isin(["record", "comment"])) | by_comment, "role"] = "quarantine"
    return lines


def _report(result, comments, threads, quarantine, lines, *, source, fmt, salt, enabled) -> dict:
    read = result.n_read
    kept = len(comments)
    by_reason = quarantine["reason"].value_counts().to_dict()
    if read != kept + len(quarantine):
        raise IntegrityError(f"source {source!r}: read {read} != kept {kept} + quarantined {len(quarantine)}")
    unknown = sorted(set(by_reason) - set(QUARANTINE_REASONS))
    if unknown:
        raise IntegrityError(f"source {source!r}: undocumented quarantine reason(s) {unknown}")
    return {
        "source": source,
        "format": fmt,
        "files": sorted(set(result.lines["file"])) if len(result.lines) else sorted(set(result.records["file"])),
        "records_read": int(read),
        "comments_kept": int(kept),
        "placeholders": int(comments["is_placeholder"].sum()),
        "quarantined": int(len(quarantine)),
        "quarantined_by_reason": {k: int(by_reason.get(k, 0)) for k in QUARANTINE_REASONS},
        "balanced": True,
        "threads": int(len(threads)),
        "authors": int(comments.loc[comments["author_id"] != "", "author_id"].nunique()),
        "comments_without_author": int((comments["author_id"] == "").sum()),
        "comments_without_time": int(comments["created_at"].isna().sum()),
        "max_depth": int(comments["depth"].max()) if kept else 0,
        "rules": {k: int(v) for k, v in sorted(comments["rule"].value_counts().items())},
        "line_roles": {k: int(v) for k, v in sorted(lines["role"].value_counts().items())},
        "pseudonymised": bool(enabled),
        "default_salt": salt == DEFAULT_SALT,
    }
