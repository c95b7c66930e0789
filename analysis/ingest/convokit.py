"""ConvoKit corpus folders: the format, and reading one as reader records.

The on-disk format (ConvoKit's documented "Data Format", as this module
assumes it)::

    corpus_folder/
        utterances.jsonl    one utterance object per line
        speakers.json       {speaker_id: metadata}
        conversations.json  {conversation_id: metadata}
        corpus.json         {key: value}: corpus metadata
        index.json          metadata field types (see below)

An utterance has ``id``, ``speaker`` (the speaker id), ``conversation_id``
(the id of the conversation's first utterance), ``reply_to`` (the id of the
utterance replied to; null when it replies to none), ``timestamp``, ``text``
and optionally ``meta`` (an object). Corpora made by older ConvoKit versions
use ``user`` for ``speaker`` and ``root`` for ``conversation_id``, and some
use ``reply-to`` for ``reply_to``; all are read. In ``speakers.json`` and
``conversations.json`` a value is either the metadata object itself (the
documented form) or ``{"meta": {...}, "vectors": [...]}`` (the form recent
ConvoKit versions dump); both are read, and the latter is written.
``index.json`` maps each metadata field to its Python type names, as
``{"utterances-index": {"score": ["<class 'int'>"]}, "speakers-index": {...},
"conversations-index": {...}, "overall-index": {...}, "version": 1,
"vectors": []}``.

Reading (:func:`read_convokit`)
    ``thread_id`` is the ``conversation_id`` (when null, the conversation of
    the utterance replied to, followed up the chain, as ConvoKit does).
    The utterance whose id equals its ``conversation_id`` and that replies to
    nothing is the conversation's root: the post or article the comments
    answer. It is not a comment: its text becomes the thread's
    ``article_text`` (its line has role ``article`` in the line map), and
    utterances replying to it (or to a conversation id with no root utterance
    in the file) are top-level comments (``parent_id`` ``''``). Other
    utterances replying to nothing are top-level comments too. With
    ``root_is_article=False`` (for dialogue corpora, whose first utterance is
    a turn like any other) the root is read as a top-level comment instead.
    ``comment_id`` is ``id``; ``parent_id`` is ``reply_to``; ``author`` is the
    speaker id, ``''`` for a missing speaker, ``[deleted]``, ``[removed]``
    and the placeholder speakers this module writes (:data:`ROOT_SPEAKER`,
    :data:`UNKNOWN_SPEAKER` and ``<UNKNOWN_SPEAKER>:<utterance id>``);
    ``created_at`` is ``timestamp`` read as Unix seconds (integer, float or
    numeric string) or else as an ISO date-time (naive means UTC), and
    unknown when ``meta.threadscope.timestamp_known`` is false (a time the
    export filled in from the thread, see :mod:`analysis.export_convokit`);
    ``record`` is the 1-based line in ``utterances.jsonl`` and
    ``file`` is the corpus folder as given. Scalar fields of ``meta`` become
    metadata columns (text, keys in first-seen order; objects and arrays are
    left out); a key that is a core column name of the records or comments
    tables (``text``, ``depth``, ``source``, ...) is kept as ``meta_<key>``.
    Blank, malformed and undecodable lines are handled as in
    :mod:`analysis.ingest.reddit`.

    Threads, in first-seen order: ``title`` is the conversation metadata's
    ``title`` (else the root utterance's ``meta.title``, else ``''``);
    ``site_tags`` the conversation metadata's ``site_tags`` if text; the other
    scalar conversation metadata become thread metadata columns (a key that is
    a core column of the threads table, such as ``source`` or ``n_comments``,
    as ``meta_<key>``). Speaker metadata (``speakers.json``) is not read: it
    describes people. ``corpus.json`` and ``index.json`` are not needed to
    read a corpus. Only ``utterances.jsonl`` is read (not the older single
    ``utterances.json``).

Writing
    :mod:`analysis.export_convokit` writes canonical tables in this format
    (rule ``export_convokit``), with the placeholder speakers
    :data:`ROOT_SPEAKER` and :data:`UNKNOWN_SPEAKER`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis import columns
from analysis.errors import InputError
from analysis.ingest.base import ReadResult
from analysis.ingest.reddit import (
    REMOVED_MARKERS,
    add_metadata,
    check_encoding,
    clean_text,
    epoch_us,
    escape_bytes,
    iter_json_lines,
    line_frame,
    record_frame,
    reject_frame,
    scalar_text,
    thread_frame,
)

__all__ = ["read_convokit", "ROOT_SPEAKER", "UNKNOWN_SPEAKER"]

ROOT_SPEAKER = "__thread__"
"""Speaker id written for a thread's root utterance (the article or post)."""

UNKNOWN_SPEAKER = "__unknown__"
"""Speaker id of unknown authors: the export writes ``<UNKNOWN_SPEAKER>:<utterance id>``, one speaker per comment
whose ``author_id`` is ``''`` (older exports wrote this id alone, for all of them); both read as no author."""

_RESERVED = frozenset(columns.core_names("records")) | frozenset(columns.core_names("comments"))
_THREAD_RESERVED = frozenset(columns.core_names("threads"))
_NO_AUTHOR = {"", ROOT_SPEAKER, UNKNOWN_SPEAKER, *REMOVED_MARKERS}
_UNKNOWN_PREFIX = UNKNOWN_SPEAKER + ":"


# ---------------------------------------------------------------------------
# reading


def read_convokit(folder: str, *, encoding: str = "utf-8", root_is_article: bool = True) -> ReadResult:
    """Read one ConvoKit corpus folder into reader records (see the module docstring).

    Raises :class:`InputError` naming the folder when it holds no
    ``utterances.jsonl``, or naming ``conversations.json`` when that file is
    present but not a JSON object.
    """
    check_encoding(encoding)
    folder = str(folder)
    base = Path(folder)
    if not base.is_dir():
        raise InputError(folder, "no such folder" if not base.exists()
                         else "is a file: expected a ConvoKit corpus folder")
    utt_path = base / "utterances.jsonl"
    if not utt_path.is_file():
        raise InputError(folder, "not a ConvoKit corpus: expected a folder holding utterances.jsonl")
    convo_meta = _read_component(base / "conversations.json", encoding=encoding)

    entries: list[dict[str, Any]] = []
    rejects: list[tuple] = []
    line_rows: list[list] = []
    for lineno, kind, value in iter_json_lines(str(utt_path), encoding=encoding):
        if kind == "blank":
            line_rows.append([folder, lineno, "blank", ""])
            continue
        if kind == "reject":
            reason, detail, raw = value
            rejects.append((folder, lineno, "", "", "", reason, detail, escape_bytes(raw)))
            line_rows.append([folder, lineno, "reject", ""])
            continue
        obj, line = value
        entry = _utterance(obj)
        if isinstance(entry, str):
            rejects.append((folder, lineno, "", "", "", "malformed_record", entry, line))
            line_rows.append([folder, lineno, "reject", ""])
            continue
        entry["lineno"] = lineno
        entry["line_row"] = len(line_rows)
        line_rows.append([folder, lineno, "record", entry["id"]])
        entries.append(entry)

    _fill_conversations(entries)
    roots: dict[str, dict[str, Any]] = {}
    if root_is_article:
        for e in entries:
            if e["reply"] is None and e["id"] == e["conv"] and e["conv"] not in roots:
                roots[e["conv"]] = e
    known = {e["id"] for e in entries}

    threads: dict[str, dict[str, str]] = {}
    thread_meta: dict[str, None] = {}
    core: dict[str, list] = {k: [] for k in ("record", "thread_id", "comment_id", "parent_id", "author", "_us", "text")}
    meta_rows: list[dict[str, str]] = []
    meta_order: dict[str, None] = {}
    for e in entries:
        tid = e["conv"]
        if tid not in threads:
            threads[tid] = _thread(tid, convo_meta.get(tid), roots.get(tid), thread_meta)
        if roots.get(tid) is e:
            line_rows[e["line_row"]][2:] = ["article", ""]
            continue
        reply = e["reply"]
        top = reply is None or (root_is_article and reply == tid and (tid in roots or tid not in known))
        core["record"].append(e["lineno"])
        core["thread_id"].append(tid)
        core["comment_id"].append(e["id"])
        core["parent_id"].append("" if top else reply)
        core["author"].append("" if e["speaker"] in _NO_AUTHOR or e["speaker"].startswith(_UNKNOWN_PREFIX)
                              else e["speaker"])
        core["_us"].append(e["us"])
        core["text"].append(e["text"])
        meta_rows.append(add_metadata({}, e["meta"].items(), reserved=_RESERVED, order=meta_order))

    records = record_frame(core, files=[folder] * len(core["record"]), meta_rows=meta_rows, meta_names=list(meta_order))
    return ReadResult(
        records=records,
        threads=thread_frame(threads, metadata=list(thread_meta)),
        rejects=reject_frame(rejects),
        lines=line_frame([tuple(r) for r in line_rows]),
    )


def _read_component(path: Path, *, encoding: str) -> dict[str, dict[str, Any]]:
    """``{id: metadata}`` from speakers.json / conversations.json (either value form); {} if absent.

    Bytes not valid in ``encoding`` are read as U+FFFD (the file is one JSON
    document, so nothing smaller than it could be set aside).
    """
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_bytes().decode(encoding, errors="replace").lstrip("\ufeff"))
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(str(path), f"invalid JSON: {getattr(exc, 'msg', exc)}",
                         line=getattr(exc, "lineno", None)) from None
    if not isinstance(data, dict):
        raise InputError(str(path), "expected a JSON object mapping ids to metadata")
    return {str(k): _unwrap_meta(v) for k, v in data.items()}


def _unwrap_meta(value: Any) -> dict[str, Any]:
    """The metadata dict of a speakers/conversations entry, in either of ConvoKit's forms."""
    if not isinstance(value, dict):
        return {}
    if isinstance(value.get("meta"), dict) and set(value) <= {"meta", "vectors"}:
        return value["meta"]
    return value


def _first(obj: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in obj:
            return obj[k]
    return None


def _utterance(obj: Mapping[str, Any]) -> dict[str, Any] | str:
    """The fields of one utterance object, or a message saying why it is malformed."""
    fields = {
        "id": obj.get("id"),
        "speaker": _first(obj, "speaker", "user"),
        "conv": _first(obj, "conversation_id", "root"),
        "reply": _first(obj, "reply_to", "reply-to"),
        "text": obj.get("text"),
    }
    bad = [k for k, v in fields.items() if isinstance(v, (dict, list))]
    if bad:
        names = {"conv": "conversation_id", "reply": "reply_to"}
        return f"field(s) {[names.get(k, k) for k in bad]} hold an object or array, not text"
    meta = obj.get("meta")
    scope = meta.get("threadscope") if isinstance(meta, dict) else None
    time_known = not (isinstance(scope, dict) and scope.get("timestamp_known") is False)
    return {
        "id": scalar_text(fields["id"]).strip(),
        "speaker": scalar_text(fields["speaker"]).strip(),
        "conv": None if fields["conv"] is None else scalar_text(fields["conv"]).strip(),
        "reply": None if fields["reply"] is None else scalar_text(fields["reply"]).strip(),
        "text": scalar_text(fields["text"]),
        "us": epoch_us(obj.get("timestamp"), iso=True) if time_known else epoch_us(None),
        "meta": meta if isinstance(meta, dict) else {},
    }


def _fill_conversations(entries: list[dict[str, Any]]) -> None:
    """Give utterances without a conversation id the one of the utterance they reply to.

    Followed up the reply chain: the first ancestor with a conversation id
    gives it; an ancestor replying to nothing gives its own id; a chain that
    reaches an unknown utterance takes that utterance's id (it would have
    been the root), and a chain that loops takes the utterance's own id.
    """
    by_id: dict[str, dict[str, Any]] = {}
    for e in entries:
        by_id.setdefault(e["id"], e)
    for e in entries:
        if e["conv"] is not None:
            continue
        node, seen, conv = e, set(), None
        while conv is None:
            if node["conv"] is not None:
                conv = node["conv"]
            elif node["reply"] is None:
                conv = node["id"]
            elif node["reply"] not in by_id:
                conv = node["reply"]
            elif node["reply"] in seen:
                conv = e["id"]
            else:
                seen.add(node["id"])
                node = by_id[node["reply"]]
        e["conv"] = conv


def _thread(tid: str, meta: dict[str, Any] | None, root: dict[str, Any] | None,
            order: dict[str, None]) -> dict[str, str]:
    meta = meta or {}
    root_meta = root["meta"] if root else {}
    title = meta.get("title")
    if not (isinstance(title, str) and title.strip()):
        title = root_meta.get("title")
    title = clean_text(title) if isinstance(title, str) else ""
    article = root["text"] if root else ""
    if root_meta.get("text_is_title") is True:
        if not title:
            title = article
        article = ""
    tags = meta.get("site_tags")
    out = {"title": title, "article_text": article, "site_tags": clean_text(tags) if isinstance(tags, str) else ""}
    own = ((k, v) for k, v in meta.items() if k not in ("title", "site_tags"))
    return add_metadata(out, own, reserved=_THREAD_RESERVED, order=order)
