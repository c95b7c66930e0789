"""ConvoKit corpus folders: reading them as reader records, writing canonical tables as one.

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
    and the placeholder speakers this module writes (:data:`UNKNOWN_SPEAKER`,
    :data:`ROOT_SPEAKER`); ``created_at`` is ``timestamp`` read as Unix seconds
    (integer, float or numeric string) or else as an ISO date-time (naive
    means UTC); ``record`` is the 1-based line in ``utterances.jsonl`` and
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

Writing (:func:`write_convokit`)
    Every thread becomes a conversation whose id is the ``thread_id``, led by
    a root utterance: id = ``thread_id``, speaker :data:`ROOT_SPEAKER`,
    ``reply_to`` null, ``timestamp`` null, text = ``article_text`` (or the
    title when there is no article text; meta ``text_is_title`` then says so,
    and reading it back gives an empty ``article_text`` again), meta
    ``{"is_thread_root": true, "source": ..., "text_is_title": ...}``.
    Every comment becomes an utterance: id = ``comment_id``, ``reply_to`` =
    ``parent_id``, or the thread root for a top-level comment; speaker =
    ``author_id`` (already a pseudonym), or :data:`UNKNOWN_SPEAKER` when it is
    ``''``, so all comments of unknown authorship share that one speaker;
    ``timestamp`` = Unix seconds (an integer when whole, else a float), null
    when unknown; meta = ``depth``, ``position``, ``source``,
    ``is_placeholder`` and every metadata column (text or null).
    ConvoKit needs utterance ids unique in the whole corpus, while comment ids
    are unique only within their source: by default (``qualify_ids=None``)
    comment ids are used as they are when they are unique and differ from
    every thread id, and otherwise every comment's utterance id is
    ``<thread_id>/<comment_id>`` (``qualify_ids=True`` always does this,
    ``qualify_ids=False`` raises ValueError instead).
    ``conversations.json`` holds ``title``, ``source``, ``n_comments`` (the
    comments written for it), ``site_tags`` and the thread metadata columns;
    ``speakers.json`` every speaker with empty metadata; ``corpus.json`` the
    ``corpus_meta`` given (or ``{}``). Output is deterministic: conversations
    sorted by id, each root first and then its comments by file, record and
    comment id; JSON with sorted keys, ``ensure_ascii=False`` and ``\\n`` line
    ends, so the same tables give the same bytes whatever their row order.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import columns
from analysis.arrow_csv import string_buffers
from analysis.errors import InputError
from analysis.ingest.base import ReadResult
from analysis.ingest.reddit import (
    REMOVED_MARKERS,
    check_encoding,
    clean_text,
    epoch_us,
    escape_bytes,
    iter_json_lines,
    line_frame,
    reject_frame,
    scalar_text,
    thread_frame,
    times_from_us,
)

__all__ = ["read_convokit", "write_convokit", "write_convokit_shards", "ROOT_SPEAKER", "UNKNOWN_SPEAKER", "INDEX_VERSION"]

ROOT_SPEAKER = "__thread__"
"""Speaker id written for a thread's root utterance (the article or post)."""

UNKNOWN_SPEAKER = "__unknown__"
"""Speaker id written for comments whose author is unknown (``author_id`` ``''``)."""

INDEX_VERSION = 1
"""``version`` written to ``index.json``."""

_RESERVED = frozenset(columns.core_names("records")) | frozenset(columns.core_names("comments"))
_THREAD_RESERVED = frozenset(columns.core_names("threads"))
_NO_AUTHOR = {"", ROOT_SPEAKER, UNKNOWN_SPEAKER, *REMOVED_MARKERS}
_FILES = ("utterances.jsonl", "speakers.json", "conversations.json", "corpus.json", "index.json")


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
        raise InputError(folder, "no such folder" if not base.exists() else "is a file: expected a ConvoKit corpus folder")
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
        core["author"].append("" if e["speaker"] in _NO_AUTHOR else e["speaker"])
        core["_us"].append(e["us"])
        core["text"].append(e["text"])
        row: dict[str, str] = {}
        for key, val in e["meta"].items():
            if isinstance(val, (dict, list)):
                continue
            name = f"meta_{key}" if key in _RESERVED else key
            meta_order.setdefault(name, None)
            row[name] = scalar_text(val)
        meta_rows.append(row)

    n = len(core["record"])
    records = pd.DataFrame(
        {
            "file": pd.Series([folder] * n, dtype=object),
            "record": pd.Series(core["record"], dtype="int64"),
            "thread_id": pd.Series(core["thread_id"], dtype=object),
            "comment_id": pd.Series(core["comment_id"], dtype=object),
            "parent_id": pd.Series(core["parent_id"], dtype=object),
            "author": pd.Series(core["author"], dtype=object),
            "created_at": times_from_us(core["_us"]),
            "text": pd.Series(core["text"], dtype=object),
            "rule": pd.Series(["record"] * n, dtype=object),
        }
    )
    meta_frame = pd.DataFrame(meta_rows, columns=list(meta_order), dtype=object).fillna("")
    records = pd.concat([records, meta_frame], axis=1)
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
        raise InputError(str(path), f"invalid JSON: {getattr(exc, 'msg', exc)}", line=getattr(exc, "lineno", None)) from None
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
    return {
        "id": scalar_text(fields["id"]).strip(),
        "speaker": scalar_text(fields["speaker"]).strip(),
        "conv": None if fields["conv"] is None else scalar_text(fields["conv"]).strip(),
        "reply": None if fields["reply"] is None else scalar_text(fields["reply"]).strip(),
        "text": scalar_text(fields["text"]),
        "us": epoch_us(obj.get("timestamp"), iso=True),
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


def _thread(tid: str, meta: dict[str, Any] | None, root: dict[str, Any] | None, order: dict[str, None]) -> dict[str, str]:
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
    for key, val in meta.items():
        if key in ("title", "site_tags") or isinstance(val, (dict, list)):
            continue
        name = f"meta_{key}" if key in _THREAD_RESERVED else key
        order.setdefault(name, None)
        out[name] = scalar_text(val)
    return out


# ---------------------------------------------------------------------------
# writing


def write_convokit(
    comments: pd.DataFrame,
    threads: pd.DataFrame,
    folder: str,
    *,
    corpus_meta: Mapping[str, Any] | None = None,
    qualify_ids: bool | None = None,
) -> None:
    """Write canonical ``comments`` and ``threads`` tables as a ConvoKit corpus folder.

    Both tables must pass :func:`analysis.columns.conform` (their non-core
    columns are metadata); thread ids must be unique, comment ids unique
    within a thread, and every ``parent_id`` a comment of the same thread
    (as after :func:`analysis.ingest.canonical.ingest`), else ValueError. ``folder`` is created if needed; its five corpus
    files are replaced, other files in it are left alone. ``corpus_meta``
    (JSON-serialisable) goes to ``corpus.json``. See the module docstring for
    the layout, the placeholder speakers and ``qualify_ids``.
    :func:`write_convokit_shards` writes the same files from shard files,
    holding one shard at a time.
    """
    ctab = columns.conform(comments, "comments")
    ttab = columns.conform(threads, "threads")
    c_meta = [n for n in ctab.column_names if n not in columns.core_names("comments")]
    t_meta = [n for n in ttab.column_names if n not in columns.core_names("threads")]
    c_tids, c_ids = ctab.column("thread_id").to_pylist(), ctab.column("comment_id").to_pylist()
    t_ids = ttab.column("thread_id").to_pylist()

    dup_threads = _repeated(t_ids)
    if dup_threads:
        raise ValueError(f"threads: thread_id(s) {dup_threads[:5]} appear more than once")
    dups = _repeated(zip(c_tids, c_ids))
    if dups:
        raise ValueError(f"comments: (thread_id, comment_id) pair(s) {dups[:5]} appear more than once")
    orphans = _orphans(ctab)
    if orphans:
        raise ValueError(_ORPHAN_MESSAGE.format(orphans[:5]))
    all_threads = sorted(set(t_ids) | set(c_tids))
    qualify = _need_qualified(c_ids, all_threads, qualify_ids)
    del c_tids, c_ids
    overall = _overall(corpus_meta)
    part = _Part(c_meta, t_meta, qualify)
    out, tmp = _open_corpus(folder)
    try:
        with open(tmp, "wb") as fh:
            part.write(ctab, ttab, fh)
        _finish_corpus(out, tmp, [part], overall)
    finally:
        tmp.unlink(missing_ok=True)


def write_convokit_shards(
    shards: Sequence[tuple[str, str]],
    folder: str,
    *,
    corpus_meta: Mapping[str, Any] | None = None,
    qualify_ids: bool | None = None,
) -> None:
    """:func:`write_convokit` of the comments and threads tables of many shards, one shard in memory at a time.

    ``shards`` are ``(comments_path, threads_path)`` Parquet pairs (the
    tables concatenated in this order are the ones :func:`write_convokit`
    would get); the files written are byte for byte the same. The utterances
    of each shard are written, thread by thread in thread id order, to a
    scratch file beside the output; the final ``utterances.jsonl`` copies them
    in the global thread id order (each scratch file is read forward once).
    Only thread ids, comment ids, speakers and per-conversation metadata are
    held for the whole corpus. When a thread is spread over several shards,
    or the shards' metadata columns differ, or ids repeat, the tables are
    read whole and given to :func:`write_convokit` (which also raises the
    errors).
    """
    from analysis import io

    shards = [(str(c), str(t)) for c, t in shards]
    if not shards:
        raise ValueError("shards: expected at least one (comments, threads) pair")
    overall = _overall(corpus_meta)
    c_ids, c_tids, t_tids, c_cols, t_cols = [], [], [], set(), set()
    for cpath, tpath in shards:
        c = io.read_arrow(cpath, columns=["thread_id", "comment_id"])
        t = io.read_arrow(tpath, columns=["thread_id"])
        c_ids.append(c.column("comment_id").combine_chunks())
        c_tids.append(c.column("thread_id").combine_chunks())
        t_tids.append(t.column("thread_id").combine_chunks())
        c_cols.add(tuple(_schema_names(cpath)))
        t_cols.add(tuple(_schema_names(tpath)))
    shard_threads = [pc.unique(pa.concat_arrays([a, b])) for a, b in zip(c_tids, t_tids)]
    all_tids = pa.concat_arrays(shard_threads)
    all_cids = pa.concat_arrays(c_ids)
    t_all = pa.concat_arrays(t_tids)
    simple = (
        len(c_cols) == 1 and len(t_cols) == 1
        and len(pc.unique(all_tids)) == len(all_tids)  # no thread in two shards
        and len(pc.unique(t_all)) == len(t_all)
        and all(_pairs_unique(t, c) for t, c in zip(c_tids, c_ids))  # so (thread, comment) pairs are unique across shards
    )
    del t_all, c_tids, t_tids, c_ids
    if not simple:
        write_convokit(io.read_tables([c for c, _ in shards]), io.read_tables([t for _, t in shards]), folder,
                       corpus_meta=corpus_meta, qualify_ids=qualify_ids)
        return
    qualify = _need_qualified_arrow(all_cids, all_tids, qualify_ids)
    del all_cids
    out, tmp = _open_corpus(folder)
    scratch = [out / f".utterances.{k}.tmp" for k in range(len(shards))]
    parts: list[_Part] = []
    try:
        orphans: list[tuple[str, str]] = []
        for (cpath, tpath), path in zip(shards, scratch):
            ctab = _read_conformed(cpath, "comments")
            ttab = _read_conformed(tpath, "threads")
            orphans += _orphans(ctab)
            part = _Part([n for n in ctab.column_names if n not in columns.core_names("comments")],
                         [n for n in ttab.column_names if n not in columns.core_names("threads")], qualify)
            with open(path, "wb") as fh:
                part.write(ctab, ttab, fh)
            del ctab, ttab
            parts.append(part)
        if orphans:
            raise ValueError(_ORPHAN_MESSAGE.format(sorted(orphans)[:5]))
        order = sorted((tid, k, n) for k, part in enumerate(parts) for tid, n in zip(part.order, part.sizes))
        handles = [open(path, "rb") for path in scratch]
        try:
            with open(tmp, "wb") as fh:
                for _, k, n in order:
                    fh.write(handles[k].read(n))
        finally:
            for h in handles:
                h.close()
        _finish_corpus(out, tmp, parts, overall)
    finally:
        tmp.unlink(missing_ok=True)
        for path in scratch:
            path.unlink(missing_ok=True)


_ORPHAN_MESSAGE = "comments: {} reply to comment ids not in their thread; ConvoKit needs every reply_to to exist"


class _Part:
    """The conversations, speakers and metadata types of some whole threads, whose utterance lines it writes."""

    def __init__(self, c_meta: list[str], t_meta: list[str], qualify: bool) -> None:
        self.c_meta, self.t_meta, self.qualify = c_meta, t_meta, qualify
        self.order: list[str] = []
        self.sizes: list[int] = []
        self.conversations: dict[str, Any] = {}
        self.speakers: set[str] = set()
        self.u_types: dict[str, set[str]] = {}

    def write(self, ctab: pa.Table, ttab: pa.Table, fh) -> None:
        """Write the utterance lines of the (conformed) tables to the binary file ``fh``, thread by thread in thread id order.

        Each thread's root line is ``json.dumps`` of its dict; the comment
        lines are built column-wise by :func:`_comment_lines`, which writes
        the same bytes as ``json.dumps`` of each comment's dict.
        ``order`` and ``sizes`` get each thread's id and byte count.
        """
        if ctab.num_rows:
            keys = [(k, "ascending") for k in ("thread_id", "file", "record", "comment_id")]
            ctab = ctab.take(pc.sort_indices(ctab, sort_keys=keys))  # stable, like list.sort; UTF-8 order is code point order
        runs = pc.run_end_encode(ctab.column("thread_id").combine_chunks())
        run_tids = runs.values.to_pylist()
        ends = runs.run_ends.to_numpy().astype("int64") if len(run_tids) else []
        starts = [0, *ends[:-1]]
        first_source = ctab.column("source").take(pa.array(starts, pa.int64())).to_pylist() if run_tids else []
        run_of = {tid: k for k, tid in enumerate(run_tids)}
        speaker = _speaker_ids(ctab)
        lines = _comment_lines(ctab, self.c_meta, self.qualify, speaker)
        offsets, data = string_buffers(lines)
        _add_comment_types(self.u_types, ctab, self.c_meta)
        speakers = self.speakers
        speakers.update(speaker.unique().to_pylist())
        by_thread: dict[str, dict[str, Any]] = {t["thread_id"]: t for t in ttab.to_pylist()}
        all_threads = sorted(set(by_thread) | set(run_tids))
        root_metas: list[dict[str, Any]] = []
        for tid in all_threads:
            t = by_thread.get(tid, {})
            k = run_of.get(tid)
            title = t.get("title") or ""
            article = t.get("article_text") or ""
            source = t.get("source") or (first_source[k] if k is not None else "")
            root_meta = {"is_thread_root": True, "source": source, "text_is_title": not article and bool(title)}
            root_metas.append(root_meta)
            root = _dumps({"id": tid, "conversation_id": tid, "reply_to": None, "speaker": ROOT_SPEAKER, "timestamp": None,
                           "text": article or title, "meta": root_meta, "vectors": []}).encode("utf-8") + b"\n"
            speakers.add(ROOT_SPEAKER)
            fh.write(root)
            size, n_comments = len(root), 0
            if k is not None:
                lo, hi = offsets[starts[k]], offsets[ends[k]]
                fh.write(data[lo:hi])
                size += hi - lo
                n_comments = int(ends[k] - starts[k])
            self.order.append(tid)
            self.sizes.append(int(size))
            cmeta = {"title": title, "source": source, "n_comments": n_comments, "site_tags": t.get("site_tags") or ""}
            cmeta.update({m: t.get(m) for m in self.t_meta})
            self.conversations[tid] = {"meta": cmeta, "vectors": []}
        _add_types(self.u_types, root_metas)


# ---------------------------------------------------------------------------
# utterance lines, column by column
#
# json.dumps(d, sort_keys=True, ensure_ascii=False) of a dict of scalars is
# "{" + ", ".join(f"{key}: {value}") + "}" over the items in key order, each
# key and string value written by json.encoder.encode_basestring (the very
# function json.dumps calls), an int or a bool by its repr (true/false), a
# float by float.__repr__, None as null. So a column of such dicts can be
# written by joining per-column JSON texts with constant pieces between them.

_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'
"""The characters ``encode_basestring`` (ensure_ascii=False) changes; a string without any is written as ``"<s>"``."""
_SHORT_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
"""``(character, escape)`` as ``encode_basestring`` writes them, backslash first."""
_OTHER_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
"""The other characters ``encode_basestring`` changes (written as backslash-b, backslash-f or backslash-u00XX)."""


def _comment_lines(ctab: pa.Table, c_meta: list[str], qualify: bool, speaker: pa.Array) -> pa.Array:
    """Each comment's utterance line (``json.dumps`` of its dict, then a newline), as a large_string array in row order.

    ``speaker`` is :func:`_speaker_ids` of ``ctab``."""
    tid = ctab.column("thread_id").combine_chunks()
    cid = ctab.column("comment_id").combine_chunks()
    parent = ctab.column("parent_id").combine_chunks()
    if qualify:
        uid = pc.binary_join_element_wise(tid, cid, "/")
        reply = pc.if_else(pc.equal(parent, ""), tid, pc.binary_join_element_wise(tid, parent, "/"))
    else:
        uid = cid
        reply = pc.if_else(pc.equal(parent, ""), tid, parent)
    meta = {"depth": ctab.column("depth"), "position": ctab.column("position"), "source": ctab.column("source"),
            "is_placeholder": ctab.column("is_placeholder")}
    meta.update({m: ctab.column(m) for m in c_meta})
    pieces: list[Any] = ['{"conversation_id": ', _json_values(tid), ', "id": ', _json_values(uid), ', "meta": {']
    for k, key in enumerate(sorted(meta)):
        pieces += [(", " if k else "") + encode_basestring(key) + ": ", _json_values(meta[key])]
    pieces += ['}, "reply_to": ', _json_values(reply), ', "speaker": ', _json_values(speaker),
               ', "text": ', _json_values(ctab.column("text")), ', "timestamp": ', _json_seconds(ctab.column("created_at")),
               ', "vectors": []}\n']
    return _join(pieces)


def _join(pieces: list[Any]) -> pa.Array:
    """Row-wise concatenation of large_string arrays of one length and constant strings (adjacent ones merged); at least one array."""
    args: list[Any] = []
    for piece in pieces:
        if isinstance(piece, str) and args and isinstance(args[-1], str):
            args[-1] += piece
        else:
            args.append(piece)
    args = [pa.scalar(a, pa.large_string()) if isinstance(a, str) else a for a in args]
    return pc.binary_join_element_wise(*args, pa.scalar("", pa.large_string()))


def _speaker_ids(ctab: pa.Table) -> pa.Array:
    """``author_id``, or :data:`UNKNOWN_SPEAKER` where it is ``''``."""
    author = ctab.column("author_id").combine_chunks()
    return pc.if_else(pc.equal(author, ""), UNKNOWN_SPEAKER, author)


def _json_values(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each value as ``json.dumps`` writes it (ensure_ascii=False, allow_nan=False), as a null-free large_string array."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    typ = arr.type
    if pa.types.is_timestamp(typ):  # epoch microseconds (:func:`_epoch_us`)
        arr = _epoch_us(arr)
        typ = arr.type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _json_strings(arr)
    if pa.types.is_integer(typ) or pa.types.is_boolean(typ):  # decimal digits; true/false
        return pc.fill_null(arr.cast(pa.large_string()), "null")
    return pa.array([_dumps(v) for v in arr.to_pylist()], pa.large_string())


def _json_strings(arr: pa.Array) -> pa.Array:
    """JSON string literals of a string array, as ``encode_basestring`` writes them; ``null`` for nulls.

    ``encode_basestring`` (ensure_ascii=False) changes only the quote, the
    backslash and U+0000-U+001F. A string with none of them is quoted as it
    is. In one whose only such characters are the quote, the backslash, LF,
    CR and tab, Arrow replaces each by its two-character escape
    (:data:`_SHORT_ESCAPES`, backslashes first: no later replacement puts
    back a character an earlier one looks for). The rest (holding other
    control characters) go through ``encode_basestring`` itself.
    """
    arr = arr.cast(pa.large_string())
    quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    out = pc.binary_join_element_wise(quote, arr, quote, empty)
    need = pc.fill_null(pc.match_substring_regex(arr, _NEEDS_ESCAPE), False)
    if not pc.any(need).as_py():
        return pc.fill_null(out, "null")
    sub = pc.filter(arr, need)
    inner = sub
    for char, escape in _SHORT_ESCAPES:
        inner = pc.replace_substring(inner, char, escape)
    odd = pc.match_substring_regex(sub, _OTHER_CONTROL)
    if pc.any(odd).as_py():
        escaped = [encode_basestring(v)[1:-1] for v in pc.filter(sub, odd).to_pylist()]
        inner = pc.replace_with_mask(inner, odd, pa.array(escaped, pa.large_string()))
    out = pc.replace_with_mask(out, need, pc.binary_join_element_wise(quote, inner, quote, empty))
    return pc.fill_null(out, "null")


def _json_seconds(created: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`_seconds` of each time, as JSON: whole seconds as an integer, others as a float, null when unknown."""
    us = _epoch_us(created)
    vals = pc.fill_null(us, 0).to_numpy(zero_copy_only=False)
    whole = vals % 1_000_000 == 0
    out = pa.array(vals // 1_000_000, pa.int64()).cast(pa.large_string())
    if not whole.all():
        frac = np.flatnonzero(~whole)
        out = pc.replace_with_mask(out, pa.array(~whole), pa.array([_dumps(_seconds(int(v))) for v in vals[frac]], pa.large_string()))
    return pc.if_else(pc.is_null(us), pa.scalar("null", pa.large_string()), out)


def _epoch_us(created: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Times as epoch microseconds (int64, nulls kept)."""
    if isinstance(created, pa.ChunkedArray):
        created = created.combine_chunks()
    return created.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())


def _add_comment_types(types: dict[str, set[str]], ctab: pa.Table, c_meta: list[str]) -> None:
    """:func:`_add_types` of the comments' meta dicts, read off the column types (a column of nulls adds no type)."""
    if not ctab.num_rows:
        return
    for key in ["depth", "position", "source", "is_placeholder", *c_meta]:
        col = ctab.column(key)
        seen = types.setdefault(key, set())
        if col.null_count == len(col):
            continue
        typ = col.type
        if pa.types.is_boolean(typ):
            seen.add(str(bool))
        elif pa.types.is_integer(typ) or pa.types.is_timestamp(typ):
            seen.add(str(int))
        elif pa.types.is_string(typ) or pa.types.is_large_string(typ):
            seen.add(str(str))
        else:
            seen.update(str(type(v)) for v in col.to_pylist() if v is not None)


def _read_conformed(path: str, table: str) -> pa.Table:
    """``columns.conform(io.read_table(path), table)``, read straight into Arrow when the file has the contract's schema.

    That is: the core columns first, in order, with their contract types
    and no nulls where none are allowed, then string metadata columns (what
    :func:`analysis.io.write_table` writes). Any other file goes through
    pandas and :func:`columns.conform`, which casts or raises.
    """
    from analysis import io

    tab = io.read_arrow(path)
    core = columns.TABLES[table]
    names = tab.column_names
    pandas_index = (tab.schema.pandas_metadata or {}).get("index_columns", [])
    ok = (
        len(names) >= len(core) and len(set(names)) == len(names)
        and not any(isinstance(c, str) for c in pandas_index)
        and all(f.name == c.name and f.type == c.type and (c.nullable or tab.column(c.name).null_count == 0)
                for f, c in zip(tab.schema, core))
        and all(f.type == pa.string() for f in list(tab.schema)[len(core):])
    )
    if not ok:
        return columns.conform(io.read_table(path), table)
    return tab.replace_schema_metadata(None)


def _overall(corpus_meta: Mapping[str, Any] | None) -> dict[str, Any]:
    overall = dict(corpus_meta or {})
    try:
        _dumps(overall)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"corpus_meta: cannot be written as JSON: {exc}") from None
    return overall


def _open_corpus(folder: str) -> tuple[Path, Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    return out, out / ".utterances.jsonl.tmp"


def _finish_corpus(out: Path, utterances_tmp: Path, parts: list[_Part], overall: dict[str, Any]) -> None:
    """Write the four small files beside the finished utterances scratch file, then put all five in place."""
    conversations: dict[str, Any] = {}
    speakers: set[str] = set()
    u_types: dict[str, set[str]] = {}
    for part in parts:
        conversations.update(part.conversations)
        speakers |= part.speakers
        for key, seen in part.u_types.items():
            u_types.setdefault(key, set()).update(seen)
    index = {
        "utterances-index": _type_names(u_types),
        "speakers-index": {},
        "conversations-index": _type_index(c["meta"] for c in conversations.values()),
        "overall-index": _type_index([overall]),
        "version": INDEX_VERSION,
        "vectors": [],
    }
    texts = {
        "speakers.json": _speakers_json(speakers) + "\n",
        "conversations.json": _dumps(conversations) + "\n",
        "corpus.json": _dumps(overall) + "\n",
        "index.json": _dumps(index) + "\n",
    }
    for name in _FILES:
        if name == "utterances.jsonl":
            continue
        tmp = out / f".{name}.tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(texts[name])
    for name in _FILES:
        os.replace(utterances_tmp if name == "utterances.jsonl" else out / f".{name}.tmp", out / name)


def _speakers_json(speakers: set[str]) -> str:
    """``_dumps({s: {"meta": {}, "vectors": []} for s in speakers})``, written item by item (sorted keys)."""
    return "{" + ", ".join([encode_basestring(s) + ': {"meta": {}, "vectors": []}' for s in sorted(speakers)]) + "}"


def _schema_names(path: str) -> list[str]:
    import pyarrow.parquet as pq

    return list(pq.read_schema(path).names)


def _pair_codes(tids: pa.Array, ids: list[pa.Array]) -> list[pa.Array]:
    """For each array of ``ids`` (each as long as ``tids``), one int64 per row that is equal exactly when (thread id, id) is."""
    thread_code = pc.dictionary_encode(tids).indices.cast(pa.int64())
    codes = pc.dictionary_encode(pa.concat_arrays([a.cast(pa.large_string()) for a in ids]))
    base = pc.multiply(thread_code, len(codes.dictionary))  # thread * n_ids + id
    id_code = codes.indices.cast(pa.int64())
    return [pc.add(base, id_code.slice(k * len(tids), len(tids))) for k in range(len(ids))]


def _pairs_unique(tids: pa.Array, cids: pa.Array) -> bool:
    """No (thread_id, comment_id) pair occurs twice."""
    (pairs,) = _pair_codes(tids, [cids])
    return len(pc.unique(pairs)) == len(pairs)


def _orphans(ctab: pa.Table) -> list[tuple[str, str]]:
    """Sorted ``(thread_id, comment_id)`` of the comments whose ``parent_id`` is not a comment id of their thread."""
    n = ctab.num_rows
    if not n:
        return []
    tids = ctab.column("thread_id").combine_chunks()
    cids = ctab.column("comment_id").combine_chunks()
    parents = ctab.column("parent_id").combine_chunks()
    known, wanted = _pair_codes(tids, [cids, parents])
    bad = pc.and_(pc.not_equal(parents, ""), pc.invert(pc.is_in(wanted, value_set=known)))
    if not pc.any(bad).as_py():
        return []
    return sorted(zip(pc.filter(tids, bad).to_pylist(), pc.filter(cids, bad).to_pylist()))


def _need_qualified_arrow(comment_ids: pa.Array, thread_ids: pa.Array, qualify_ids: bool | None) -> bool:
    """:func:`_need_qualified` on Arrow arrays of all comment ids and all thread ids."""
    if qualify_ids is True:
        return True
    if len(pc.unique(comment_ids)) == len(comment_ids) and not pc.any(pc.is_in(comment_ids, value_set=thread_ids)).as_py():
        return False
    return _need_qualified(comment_ids.to_pylist(), thread_ids.to_pylist(), qualify_ids)


def _need_qualified(ids: list[str], thread_ids: list[str], qualify_ids: bool | None) -> bool:
    if qualify_ids is True:
        return True
    clashes = sorted(set(_repeated(ids)) | (set(ids) & set(thread_ids)))
    if not clashes:
        return False
    if qualify_ids is False:
        raise ValueError(
            f"qualify_ids=False: comment id(s) {clashes[:5]} are not unique across the corpus "
            "(or equal a thread id); ConvoKit needs unique utterance ids: expected qualify_ids=None or True"
        )
    return True


def _repeated(values) -> list:
    """Values occurring more than once, sorted."""
    return sorted(v for v, n in Counter(values).items() if n > 1)


def _seconds(us: int | None) -> int | float | None:
    if us is None:
        return None
    return us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000


def _type_index(metas) -> dict[str, list[str]]:
    """ConvoKit-style ``{field: [type names]}`` over metadata dicts (null values give no type)."""
    types: dict[str, set[str]] = {}
    _add_types(types, metas)
    return _type_names(types)


def _add_types(types: dict[str, set[str]], metas) -> None:
    """Add the type names of the non-null values of ``metas`` to ``types`` (a key seen only with nulls gets an empty set)."""
    for meta in metas:
        for key, val in meta.items():
            seen = types.setdefault(key, set())
            if val is not None:
                seen.add(str(type(val)))


def _type_names(types: dict[str, set[str]]) -> dict[str, list[str]]:
    return {k: sorted(v) if v else [str(type(None))] for k, v in types.items()}


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False)
