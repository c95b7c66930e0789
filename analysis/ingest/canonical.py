"""From reader records to the canonical comments, threads and quarantine tables.

:func:`ingest` removes control characters from the texts (:func:`remove_control_chars`, counted in the report),
runs the integrity checks, prefixes thread ids with the source
id (``seed:assad-thanks…``, so sources never collide), computes depth and
position among siblings, pseudonymises authors and mentions, assigns shards,
and returns a report whose counts must balance: records read = comments kept
+ records quarantined.

Unless ``keep_raw_text`` is set, personal data is taken out of the text here,
once, so that every later table, export and page inherits it (rules in
:mod:`analysis.privacy`): ``@handles`` and known authors' names become their
pseudonyms (``@u…`` and ``u…``) when names are pseudonymised, e-mail
addresses, phone numbers and profile links become ``<email>``, ``<phone>``,
``<profile>``; the mentions table's offsets are those of the redacted text.
Quarantined records' ``raw`` is redacted the same way (and the source's known
author names in it replaced), and metadata columns whose name says they hold
personal data are dropped unless ``keep_columns`` names them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import columns, io
from analysis.errors import InputError
from analysis.ingest.base import QUARANTINE_REASONS, ReadResult
from analysis.ingest.integrity import check_integrity, depths, parent_index, repeated_posts
from analysis.mentions import HANDLE, author_pattern, find_mentions, name_pattern
from analysis.privacy import (
    PLACEHOLDERS,
    may_hold_personal_data,
    personal_column,
    personal_spans,
    pseudonym,
    pseudonymise,
    replace_spans,
)
from analysis.provenance import public_path
from analysis.sharding import shards

__all__ = ["Ingested", "ingest", "IntegrityError", "combine_reports", "threads_in_several_shards", "ingest_report",
           "write_shards"]


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
    keep_raw_text: bool = False,
    keep_columns: Sequence[str] = (),
    orphans: str = "quarantine",
    shard: int | None = None,
    processes: int = 1,
    consume: bool = False,
) -> Ingested:
    """Check, pseudonymise and shard one source's records.

    Threads go to shards by a stable hash of their id; ``shard`` instead puts
    every thread in that one shard (the records are one shard's files of a
    ``shard_by: file`` source). ``processes``: how many processes search the
    texts for mentions (:func:`analysis.mentions.find_mentions`). Personal
    data in text and personal metadata columns are removed unless
    ``keep_raw_text`` (module docstring); ``keep_columns`` are metadata
    columns kept even though their name says they are personal.
    ``consume``: ``result`` is not used again, and its records lose their
    ``text`` column once split into kept and quarantined (the ingest rules:
    the texts are not held twice).
    """
    records = result.records
    records["text"], n_control = remove_control_chars(records["text"])
    removed = records["removed"].ne("") if "removed" in records else None
    kept, quarantined = check_integrity(records, removed=removed, orphans=orphans)
    if consume:  # the texts live on in kept and quarantined; with the reader's copy the redacted ones make three
        result.records = records = records.drop(columns="text")
    redact = not keep_raw_text
    metadata = [m for m in result.metadata if not (redact and personal_column(m)) or m in keep_columns]

    comments = kept  # copy-on-write (pandas 3): changing a column copies that column only
    comments["thread_id"] = source + ":" + comments["thread_id"]
    parent = parent_index(comments["thread_id"], comments["comment_id"], comments["parent_id"])
    if orphans == "attach":
        comments.loc[parent == -2, "parent_id"] = ""
        parent[parent == -2] = -1
    comments["depth"] = depths(parent)
    comments["position"] = _positions(comments)
    comments["author_id"] = pseudonymise(comments["author"], salt=salt, enabled=pseudonymise_names)
    comments["source"] = source
    comments["shard"] = _shards(comments["thread_id"], n_shards, shard)
    comments = _sorted(comments, ["thread_id", "record", "file"])
    raw_authors = comments["author"]
    comments = comments[columns.core_names("comments") + metadata]

    mentions = _mentions(comments, raw_authors, salt=salt, enabled=pseudonymise_names, processes=processes)
    if redact:
        comments["text"], mentions = _redact(comments, mentions, authors=raw_authors, salt=salt,
                                             names=pseudonymise_names)

    threads = result.threads.copy()
    for col in ("title", "article_text"):
        threads[col], n = remove_control_chars(threads[col])
        n_control += n
    threads["thread_id"] = source + ":" + threads["thread_id"]
    threads = threads.drop_duplicates("thread_id").reset_index(drop=True)
    if redact:  # titles and articles are shown too (threads table, book, ConvoKit): the same personal data out
        for col in ("title", "article_text"):
            threads[col] = _redact_thread_text(threads, col, authors=raw_authors, salt=salt, names=pseudonymise_names)
    threads["source"] = source
    counts = comments.groupby("thread_id").size()
    threads["n_comments"] = threads["thread_id"].map(counts).fillna(0).astype("int64")
    threads["shard"] = _shards(threads["thread_id"], n_shards, shard)
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
    if redact and len(quarantine):
        quarantine["raw"] = redact_raw(quarantine["raw"], authors=raw_authors, salt=salt, names=pseudonymise_names)
    quarantine = quarantine.sort_values(["file", "record"], kind="stable").reset_index(drop=True)

    lines = _mark_quarantined_lines(result.lines, quarantine)
    # no output names the machine's folders: input files relative to the project folder (or shortened)
    for table in (comments, quarantine, lines):
        table["file"] = _public_files(table["file"])
    report = _report(result, comments, threads, quarantine, lines, source=source, fmt=fmt,
                     enabled=pseudonymise_names, redacted=redact, repeats=repeated_posts(comments),
                     dropped_columns=[m for m in result.metadata if m not in metadata])
    report["control_chars_removed"] = n_control
    return Ingested(comments, threads, mentions, quarantine, lines, report, metadata)


#: Control characters removed from comment text, titles and article text at ingest: C0 except tab, line feed and
#: carriage return, DEL, and C1 (U+0080-U+009F). They are invisible, break CSV and spreadsheet cells (NUL), and carry no
#: words; their count goes into the ingest report (``control_chars_removed``).
CONTROL_CHARS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def remove_control_chars(texts: pd.Series) -> tuple[pd.Series, int]:
    """``texts`` without :data:`CONTROL_CHARS`, and how many were removed (texts without any are not copied)."""
    if not len(texts):
        return texts, 0
    counts = texts.str.count(CONTROL_CHARS)
    n = int(counts.sum())
    if not n:
        return texts, 0
    hit = (counts > 0).to_numpy()
    out = texts.copy()
    out[hit] = texts[hit].str.replace(CONTROL_CHARS, "", regex=True)
    return out, n


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame.sort_values(keys, kind="stable")`` with a new index; the rows are not copied when already in order."""
    order = frame[keys].sort_values(keys, kind="stable").index.to_numpy()
    if np.array_equal(order, np.arange(len(frame))):
        return frame.reset_index(drop=True)
    return frame.take(order).reset_index(drop=True)


def _shards(thread_ids: pd.Series, n_shards: int, shard: int | None) -> np.ndarray:
    if shard is None:
        return shards(thread_ids, n_shards)
    if not 0 <= shard < n_shards:
        raise ValueError(f"shard={shard!r}: expected 0 <= shard < n_shards={n_shards}")
    return np.full(len(thread_ids), shard, dtype=np.int32)


def _positions(comments: pd.DataFrame) -> np.ndarray:
    """1-based rank among siblings: by creation time (missing last), then input order (file, record).

    Sorted on integer codes (one stable lexsort), not on the strings themselves.
    """
    n = len(comments)
    if not n:
        return np.zeros(0, dtype=np.int32)
    thread = pd.factorize(comments["thread_id"])[0].astype(np.int64)
    parent = pd.factorize(comments["parent_id"])[0].astype(np.int64)
    sibling = thread * (int(parent.max()) + 1) + parent
    created = comments["created_at"]
    missing = created.isna().to_numpy()
    when = created.array.asi8 if hasattr(created.array, "asi8") else np.zeros(n, dtype=np.int64)
    when = np.where(missing, 0, when)
    file = pd.factorize(comments["file"], sort=True)[0]
    order = np.lexsort((comments["record"].to_numpy(), file, when, missing, sibling))
    first = np.ones(n, dtype=bool)
    first[1:] = sibling[order][1:] != sibling[order][:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    pos = np.empty(n, dtype=np.int32)
    pos[order] = np.arange(n) - start + 1
    return pos


def _mentions(comments: pd.DataFrame, raw_authors: pd.Series, *, salt: str, enabled: bool,
              processes: int = 1) -> pd.DataFrame:
    """Mentions of handles and of the thread's own authors; targets pseudonymised."""
    named = pd.DataFrame({"thread_id": comments["thread_id"], "author": raw_authors.to_numpy()})
    named = named[named["author"] != ""].drop_duplicates()
    by_thread = named.groupby("thread_id")["author"].agg(list).to_dict()
    found = find_mentions(comments[["thread_id", "comment_id", "text"]], authors_by_thread=by_thread,
                          processes=processes)
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
    return found[columns.core_names("mentions")].reset_index(drop=True)


def _redact_thread_text(threads: pd.DataFrame, column: str, *, authors: pd.Series, salt: str,
                        names: bool) -> pd.Series:
    """A thread column's text (title, article) without personal data, as :func:`_redact` leaves comment text:
    e-mails, phones and profile links by their placeholder, authors' names of the source by their pseudonym."""
    text = threads[column].fillna("").astype(str)
    as_comments = pd.DataFrame({"thread_id": threads["thread_id"], "comment_id": column, "text": text})
    no_mentions = pd.DataFrame({c: pd.Series(dtype=object) for c in ("thread_id", "comment_id", "kind", "target_id")}
                               | {"start": pd.Series(dtype="int64"), "end": pd.Series(dtype="int64")})
    redacted, _ = _redact(as_comments, no_mentions, authors=authors, salt=salt, names=names)
    return pd.Series(redacted, index=threads.index).where(threads[column].notna(), threads[column])


def _redact(comments: pd.DataFrame, mentions: pd.DataFrame, *, authors: pd.Series, salt: str,
            names: bool) -> tuple[pd.Series, pd.DataFrame]:
    """The comments' text without personal data, and the mentions with offsets into that text.

    Replaced, in this order of precedence where spans overlap: e-mails,
    phones and profile links by their placeholder; then, when ``names``
    (pseudonymised), the mentions' handles by ``@`` + pseudonym and authors'
    names by their pseudonym; then any other whole name of an author of the
    source (``authors``; a first name alone is replaced only in threads its
    owner writes in, as :func:`analysis.mentions.find_mentions` finds it). A
    mention inside a placeholder is dropped; vocatives are kept as written.
    """
    text = comments["text"]
    # the comment row of each mention (a comment is known by its thread and id)
    rows = pd.MultiIndex.from_arrays([comments["thread_id"], comments["comment_id"]]).get_indexer(
        pd.MultiIndex.from_arrays([mentions["thread_id"], mentions["comment_id"]]))
    if (rows < 0).any():
        raise ValueError("_redact: a mention of a comment that is not in comments")
    by_row: dict[int, list] = defaultdict(list)  # (priority, start, end, replacement or None, mention row or -1)
    for k, (row, kind, start, end, target) in enumerate(zip(
            rows.tolist(), mentions["kind"], mentions["start"], mentions["end"], mentions["target_id"])):
        new = ("@" + target if kind == "handle" else target if kind == "author" else None) if names else None
        by_row[row].append((1, int(start), int(end), new, k))
    everyone = name_pattern(authors[authors != ""].unique()) if names else None
    screen = may_hold_personal_data(text)
    kinds = list(screen.columns)
    flags = screen.to_numpy()
    flagged = flags.any(axis=1)
    starts = mentions["start"].to_numpy(copy=True)
    ends = mentions["end"].to_numpy(copy=True)
    keep = np.ones(len(mentions), dtype=bool)
    parts = []
    # the texts pass through Python a batch of rows at a time (a list of every text would hold a copy of them all)
    for lo in range(0, len(text), _REDACT_BATCH):
        batch = text.iloc[lo : lo + _REDACT_BATCH]
        texts = batch.tolist()
        changed = False
        for j, t in enumerate(texts):
            i = lo + j
            spans = by_row.get(i, [])
            if flagged[i]:
                for kind, start, end in personal_spans(t, kinds=[k for k, f in zip(kinds, flags[i]) if f]):
                    spans.append((0, start, end, PLACEHOLDERS[kind], -1))
            if everyone is not None and isinstance(t, str) and t:
                for m in everyone.finditer(t):
                    spans.append((2, m.start(), m.end(), pseudonym(" ".join(m.group().split()), salt=salt), -1))
            if not spans:
                continue
            chosen: list[tuple[int, int, str, int]] = []
            for _, s, e, new, k in sorted(spans, key=lambda x: (x[0], x[1])):
                if any(s < ce and cs < e for cs, ce, _, _ in chosen):
                    if k >= 0:
                        keep[k] = False
                    continue
                chosen.append((s, e, t[s:e] if new is None else new, k))
            chosen.sort()
            texts[j], where = replace_spans(t, [(s, e, new) for s, e, new, _ in chosen])
            changed = True
            for (_, _, _, k), (s, e) in zip(chosen, where):
                if k >= 0:
                    starts[k], ends[k] = s, e
        parts.append(pd.Series(texts, index=batch.index, dtype=text.dtype) if changed else batch)
    out = mentions.assign(start=starts, end=ends)
    if names:
        out["mention"] = ""
    redacted = pd.concat(parts) if len(parts) > 1 else parts[0] if parts else text.copy()
    return redacted, out[keep].reset_index(drop=True)


#: Rows of text :func:`_redact` handles at a time.
_REDACT_BATCH = 5_000

_JSON_PERSON = re.compile(r'("(?:author|user|username|user_name|name|screen_name|speaker|email|author_fullname)"'
                          r'\s*:\s*)"(?:[^"\\]|\\.)*"', re.IGNORECASE)


def redact_raw(raw: pd.Series, *, authors: pd.Series, salt: str, names: bool = True) -> pd.Series:
    """Quarantined records' ``raw`` text without personal data.

    E-mails, phones and profile links become placeholders; ``@handles`` and
    the source's known author names (``authors``, as written) become
    pseudonyms (placeholders ``<handle>``, ``<name>`` when ``names`` is
    false, since raw records are not shown elsewhere); a JSON field named
    like a person (``"author": "…"``, ``"user": "…"``, ``"email": "…"``) gets
    the value ``"<name>"``.
    """
    known = sorted({a for a in authors.astype(str) if a})
    pattern = author_pattern(known) if known else None
    table = {n: pseudonym(n, salt=salt) if names else "<name>" for n in known}
    out = []
    for text in raw.astype(str):
        text = _JSON_PERSON.sub(r'\1"<name>"', text)
        spans = [(s, e, PLACEHOLDERS[k]) for k, s, e in personal_spans(text)]
        taken = [(s, e) for s, e, _ in spans]
        extra = []
        for m in HANDLE.finditer(text):
            extra.append((m.start(), m.end(), "@" + pseudonym(m.group()[1:], salt=salt) if names else "<handle>"))
        if pattern is not None:
            for m in pattern.finditer(text):
                name = " ".join(m.group().split())
                extra.append((m.start(), m.end(), table.get(name, pseudonym(name, salt=salt) if names else "<name>")))
        for s, e, new in sorted(extra, key=lambda x: (x[0], -x[1])):
            if all(e <= ts or s >= te for ts, te in taken):
                spans.append((s, e, new))
                taken.append((s, e))
        out.append(replace_spans(text, sorted(spans))[0])
    return pd.Series(out, index=raw.index, dtype=object)


def _public_files(files: pd.Series) -> pd.Series:
    """Each file path as :func:`analysis.provenance.public_path` shows it (each distinct path once)."""
    if not len(files):
        return files
    return files.map({f: public_path(f) for f in pd.unique(files)}).astype(files.dtype)


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


def _report(result, comments, threads, quarantine, lines, *, source, fmt, enabled, redacted, repeats,
            dropped_columns) -> dict:
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
        "files": sorted({public_path(f) for f in pd.unique(
            result.lines["file"] if len(result.lines) else result.records["file"])}),
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
        "input_lines": {k: int(v) for k, v in result.line_counts.items()},
        "warnings": list(result.warnings),
        "pseudonymised": bool(enabled),
        "repeated_posts": int(len(repeats)),
        # the repeats (at most 100): comment -> the first comment with the same text
        "repeated_post_list": [f"{r.thread_id}/{r.comment_id} = {r.first_thread_id}/{r.first_comment_id}"
                               for r in repeats.head(100).itertuples()],
        "text_redacted": bool(redacted),
        "personal_columns_dropped": list(dropped_columns),
    }


def combine_reports(parts: Sequence[Mapping], *, authors: int) -> dict:
    """One source's report from the reports of its shards (``shard_by: file``).

    Counts add up (threads too: a thread lies in one shard), ``max_depth`` is
    the largest, files are listed once; ``authors`` (distinct pseudonyms over
    all shards) cannot be added up and is passed in. The check read = kept +
    quarantined is made again on the sums.
    """
    if not parts:
        raise ValueError("combine_reports: no reports")
    first = parts[0]
    sources = {p["source"] for p in parts}
    if len(sources) > 1:
        raise ValueError(f"combine_reports: reports of several sources {sorted(sources)}")
    total = {k: int(sum(p[k] for p in parts)) for k in (
        "records_read", "comments_kept", "placeholders", "quarantined", "threads", "comments_without_author",
        "comments_without_time", "repeated_posts")}
    if total["records_read"] != total["comments_kept"] + total["quarantined"]:
        raise IntegrityError(f"source {first['source']!r}: read {total['records_read']} "
                             f"!= kept {total['comments_kept']}"
                             f" + quarantined {total['quarantined']} over its shards")

    def add(key: str) -> dict:
        keys = (sorted({k for p in parts for k in p.get(key, {})}) if key != "quarantined_by_reason"
                else list(QUARANTINE_REASONS))
        return {k: int(sum(p.get(key, {}).get(k, 0) for p in parts)) for k in keys}

    return {
        **first,
        **total,
        "files": sorted({f for p in parts for f in p["files"]}),
        "repeated_post_list": [r for p in parts for r in p["repeated_post_list"]][:100],
        "quarantined_by_reason": add("quarantined_by_reason"),
        "balanced": all(p["balanced"] for p in parts),
        "authors": int(authors),
        "max_depth": int(max(p["max_depth"] for p in parts)),
        "rules": add("rules"),
        "line_roles": add("line_roles"),
        "input_lines": add("input_lines"),
        "warnings": [w for p in parts for w in p.get("warnings", [])],
        "control_chars_removed": int(sum(p.get("control_chars_removed", 0) for p in parts)),
        "shards": len(parts),
    }


def threads_in_several_shards(threads: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``threads`` (``source``, ``thread_id``, ``shard``) whose thread id is in more than one shard.

    With ``shard_by: file`` a thread must lie in one file, hence one shard; a
    thread id found in two shards spans files that hash to different shards.
    """
    pairs = threads[["source", "thread_id", "shard"]].drop_duplicates()
    return (pairs.loc[pairs.duplicated(["source", "thread_id"], keep=False)]
            .sort_values(["source", "thread_id", "shard"]))


def ingest_report(reports: Sequence[str | Path], *, sources: Sequence[str], file_sources: Sequence[str],
                  shard_threads: Sequence[str | Path],
                  shard_comments: Sequence[str | Path]) -> tuple[dict, pd.DataFrame]:
    """Rule ingest_report: one report over all sources, as a dict (JSON) and as a table (one row per source).

    ``reports`` are the per-source report files (one per shard for a
    ``shard_by: file`` source, in ``file_sources``): those are added up with
    :func:`combine_reports` (authors counted once over the source's comments
    in ``shard_comments``), after checking that no thread id turns up in two of
    its shards (``shard_threads``; a thread spanning files that hash apart),
    which raises :class:`InputError` naming the files. ``totals`` also counts the control characters removed
    from text and the readers' warnings, which are listed whole under ``warnings``.
    """
    parts = defaultdict(list)
    for path in reports:
        report = io.read_json(path)
        parts[report["source"]].append(report)
    threads = io.read_tables(shard_threads, columns=["source", "thread_id", "shard"])
    if len(threads):
        spread = threads_in_several_shards(threads)
        if len(spread):
            source, tid = spread.iloc[0][["source", "thread_id"]]
            comments = io.read_tables(shard_comments, columns=["source", "thread_id", "file"])
            files = sorted(set(comments.loc[(comments["source"] == source) & (comments["thread_id"] == tid), "file"]))
            shards = ", ".join(f"{s:03d}" for s in sorted(set(spread.loc[spread["thread_id"] == tid, "shard"])))
            raise InputError(
                files[0] if files else f"source {source}",
                f"thread {tid.removeprefix(source + ':')!r} of source {source!r} also has comments in "
                f"{', '.join(files[1:]) or 'other files'} (shards {shards}): "
                "with shard_by: file every thread must lie in one file (use shard_by: thread for this source)",
            )
    authors = io.read_tables(shard_comments, columns=["source", "author_id"])
    combined = []
    for source in sources:
        if source not in file_sources:
            combined.append(parts[source][0])
        else:  # shard_by: file: one report per shard
            mine = authors.loc[authors["source"] == source, "author_id"] if len(authors) else pd.Series(dtype=object)
            combined.append(combine_reports(parts[source], authors=mine[mine != ""].nunique()))
    totals = {k: sum(r[k] for r in combined)
              for k in ("records_read", "comments_kept", "quarantined", "placeholders", "threads")}
    totals["control_chars_removed"] = sum(r.get("control_chars_removed", 0) for r in combined)
    warnings = [w for r in combined for w in r.get("warnings", [])]
    totals["warnings"] = len(warnings)
    table = pd.DataFrame([
        {"source": r["source"], "format": r["format"], "records_read": r["records_read"],
         "comments_kept": r["comments_kept"],
         "quarantined": r["quarantined"], **{f"q_{k}": v for k, v in r["quarantined_by_reason"].items()}}
        for r in combined
    ])
    return {"sources": combined, "totals": totals, "warnings": warnings, "reasons": QUARANTINE_REASONS}, table


def write_records(out: Ingested, *, quarantine: str | Path, lines: str | Path, report: str | Path) -> None:
    """Both ingest rules: write where every record and line went (quarantine, line map) and the report."""
    io.write_table(out.quarantine, quarantine, "quarantine")
    io.write_table(out.lines, lines, "lines")
    io.write_json(out.report, report)


def write_shards(out: Ingested, *, comments: Sequence[str | Path], threads: Sequence[str | Path],
                 mentions: Sequence[str | Path]) -> None:
    """Rule ingest: write the comments, threads and mentions of a source read whole, shard ``i`` to the ``i``-th path.

    Each shard's rows are picked by an Arrow filter, chunk by chunk: a pandas row selection would first join the
    chunks of the text column (one per input file), a copy of every text for every shard.
    """
    import pyarrow as pa

    arrow = pa.Table.from_pandas(out.comments, preserve_index=False)
    shard_of = out.comments["shard"].to_numpy()
    for i, (c_path, t_path, m_path) in enumerate(zip(comments, threads, mentions)):
        rows = arrow.filter(pa.array(shard_of == i)).to_pandas()
        io.write_table(rows, c_path, "comments", metadata=out.metadata)
        del rows
        shard_threads = out.threads[out.threads["shard"] == i]
        io.write_table(shard_threads, t_path, "threads")
        io.write_table(out.mentions[out.mentions["thread_id"].isin(shard_threads["thread_id"])], m_path, "mentions")
