"""Rule export_convokit: canonical comments and threads tables written as a ConvoKit corpus folder.

The folder's format (five files, the utterance fields, the legacy keys) is
described in :mod:`analysis.ingest.convokit`, which reads it back.

Every thread becomes a conversation whose id is the ``thread_id``, led by
a root utterance: id = ``thread_id``, speaker :data:`ROOT_SPEAKER`,
``reply_to`` null, ``timestamp`` the thread's time (below), text =
``article_text`` (or the title when there is no article text; meta
``text_is_title`` then says so, and reading it back gives an empty
``article_text`` again), meta ``{"is_thread_root": true, "source": ...,
"text_is_title": ..., "language": ..., "threadscope": {...}}`` (``language``: the
thread's ``article_language``, when the threads table has it).
Every comment becomes an utterance: id = ``comment_id``, ``reply_to`` =
``parent_id``, or the thread root for a top-level comment; speaker =
``author_id`` (already a pseudonym), or ``<UNKNOWN_SPEAKER>:<utterance id>``
when it is ``''``: each comment of unknown authorship is a speaker of its
own (they are not one person); ``timestamp`` = Unix seconds (an integer
when whole, else a float); meta = ``depth``, ``position``, ``source``,
``is_placeholder``, ``language`` (when the comments table has it: the
column of :data:`analysis.columns.OPTIONAL`), every metadata column (text or
null) and ``threadscope``; a conversation's meta carries the thread's
``article_language`` likewise.

Every utterance has a timestamp, so that ConvoKit's own
``Conversation.get_chronological_utterance_list()`` and ``traverse()``
(which sort by it) work: the thread's time is the earliest known time of
its comments (0 when none is known); the root gets it, and so does a
comment whose time is unknown. ``threadscope.timestamp_known`` is false
for those (and for every root), and :mod:`analysis.ingest.convokit` reads
their time back as unknown. Stable sorting keeps them in input order.

``meta["threadscope"]`` holds what the workflow measured on the utterance
(when the export is given the ``framing/docs`` and ``stance`` tables):
``n_tokens``, ``n_matches``, ``frame_hits`` (``{frame: hits}``) and
``stance`` (``{"label", "score", "n_pro", "n_anti", "n_uncivil"}``), beside
``timestamp_known``. It is one nested key, so that no data metadata column
can clash with it (a metadata column named ``threadscope`` is refused), and
the reader leaves it out of the metadata columns like any object.
ConvoKit needs utterance ids unique in the whole corpus, while comment ids
are unique only within their source: by default (``qualify_ids=None``)
comment ids are used as they are when they are unique and differ from
every thread id, and otherwise every comment's utterance id is
``<thread_id>/<comment_id>`` (``qualify_ids=True`` always does this,
``qualify_ids=False`` raises ValueError instead).
``conversations.json`` holds ``title``, ``source``, ``n_comments`` (the
comments written for it), ``site_tags`` and the thread metadata columns;
``speakers.json`` every speaker with empty metadata; ``corpus.json`` the
``corpus_meta`` given (or ``{}``); ``index.json`` the type names of the
metadata fields (version :data:`INDEX_VERSION`). Output is deterministic:
conversations sorted by id, each root first and then its comments by file,
record and comment id. Every JSON text is ``json.dumps`` with sorted keys
and ``ensure_ascii=False`` (one utterance per line, ``\\n`` line ends), so
the same tables give the same bytes whatever their row order.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import columns, io
from analysis.ingest.convokit import ROOT_SPEAKER, UNKNOWN_SPEAKER

__all__ = ["export_convokit", "write_convokit", "INDEX_VERSION"]

INDEX_VERSION = 1
"""``version`` written to ``index.json``."""

_FILES = ("utterances.jsonl", "speakers.json", "conversations.json", "corpus.json", "index.json")
_BATCH_ROWS = 20_000
"""Comments turned into Python values at a time."""


def write_convokit(
    comments: pd.DataFrame,
    threads: pd.DataFrame,
    folder: str,
    *,
    corpus_meta: Mapping[str, Any] | None = None,
    qualify_ids: bool | None = None,
    doc_frames: pd.DataFrame | None = None,
    doc_stance: pd.DataFrame | None = None,
) -> None:
    """Write canonical ``comments`` and ``threads`` tables as a ConvoKit corpus folder.

    ``doc_frames`` and ``doc_stance`` (the ``framing/docs`` and ``stance``
    tables of rule ``annotate``, keyed by thread_id, comment_id, doc) go into
    each utterance's ``meta["threadscope"]`` (see the module docstring).

    Both tables must pass :func:`analysis.columns.conform` (their non-core
    columns are metadata); thread ids must be unique, comment ids unique
    within a thread, and every ``parent_id`` a comment of the same thread
    (as after :func:`analysis.ingest.canonical.ingest`), else ValueError.
    ``folder`` is created if needed; its five corpus
    files are replaced, other files in it are left alone. ``corpus_meta``
    (JSON-serialisable) goes to ``corpus.json``. See the module docstring for
    the layout, the placeholder speakers and ``qualify_ids``.
    :func:`export_convokit` writes the same files from shard files,
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
    ann = _annotations(_arrow_or_none(doc_frames), _arrow_or_none(doc_stance))
    out, tmp = _open_corpus(folder)
    try:
        with open(tmp, "wb") as fh:
            part.write(ctab, ttab, fh, ann)
        _finish_corpus(out, tmp, [part], overall)
    finally:
        tmp.unlink(missing_ok=True)


def export_convokit(
    shards: Sequence[tuple[str | Path, str | Path]],
    folder: str,
    *,
    corpus_meta: Mapping[str, Any] | None = None,
    qualify_ids: bool | None = None,
    annotations: Sequence[tuple[str | Path, str | Path]] | None = None,
) -> None:
    """:func:`write_convokit` of the comments and threads tables of many shards, one shard in memory at a time
    (rule ``export_convokit``).

    ``annotations``: one ``(framing/docs, stance)`` Parquet pair per shard, in
    the order of ``shards`` (the same sharding: rule ``annotate``'s outputs);
    they give :func:`write_convokit`'s ``doc_frames`` and ``doc_stance``.

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
    shards = [(str(c), str(t)) for c, t in shards]
    if not shards:
        raise ValueError("shards: expected at least one (comments, threads) pair")
    ann_paths = [(str(d), str(st)) for d, st in annotations] if annotations is not None else None
    if ann_paths is not None and len(ann_paths) != len(shards):
        raise ValueError(f"annotations: expected one (docs, stance) pair per shard ({len(shards)}), "
                         f"got {len(ann_paths)}")
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
        # so (thread, comment) pairs are unique across shards
        and all(_pairs_unique(t, c) for t, c in zip(c_tids, c_ids))
    )
    del t_all, c_tids, t_tids, c_ids
    if not simple:
        write_convokit(io.read_tables([c for c, _ in shards]), io.read_tables([t for _, t in shards]), folder,
                       corpus_meta=corpus_meta, qualify_ids=qualify_ids,
                       doc_frames=io.read_tables([d for d, _ in ann_paths]) if ann_paths else None,
                       doc_stance=io.read_tables([st for _, st in ann_paths]) if ann_paths else None)
        return
    qualify = _need_qualified_arrow(all_cids, all_tids, qualify_ids)
    del all_cids
    out, tmp = _open_corpus(folder)
    scratch = [out / f".utterances.{k}.tmp" for k in range(len(shards))]
    parts: list[_Part] = []
    try:
        orphans: list[tuple[str, str]] = []
        for k, ((cpath, tpath), path) in enumerate(zip(shards, scratch)):
            ctab = _read_conformed(cpath, "comments")
            ttab = _read_conformed(tpath, "threads")
            orphans += _orphans(ctab)
            part = _Part([n for n in ctab.column_names if n not in columns.core_names("comments")],
                         [n for n in ttab.column_names if n not in columns.core_names("threads")], qualify)
            ann = _annotations(io.read_arrow(ann_paths[k][0]), io.read_arrow(ann_paths[k][1])) if ann_paths else None
            with open(path, "wb") as fh:
                part.write(ctab, ttab, fh, ann)
            del ctab, ttab, ann
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

    def write(self, ctab: pa.Table, ttab: pa.Table, fh, ann: pa.Table | None = None) -> None:
        """Write the utterance lines of the (conformed) tables to the binary file ``fh``, thread by thread in thread
        id order.

        Each line is ``json.dumps`` of the utterance's dict (see the module
        docstring); the comments are turned into Python values a batch at a
        time (:func:`_comment_lines`). ``order`` and ``sizes`` get each
        thread's id and byte count. ``ann`` is :func:`_annotations` of the
        shard's documents, or None.
        """
        if _THREADSCOPE in self.c_meta:
            raise ValueError(f"comments: metadata column {_THREADSCOPE!r} clashes with the export's own utterance "
                             "metadata key; rename the column")
        articles: dict[str, dict[str, Any]] = {}
        if ann is not None:
            is_article = pc.equal(ann.column("doc"), "article")
            art = ann.filter(is_article)
            articles = dict(zip(art.column("thread_id").to_pylist(), _scopes(art, {}).to_pylist()))
            ctab = ctab.join(ann.filter(pc.invert(is_article)).drop_columns(["doc"]),
                             keys=["thread_id", "comment_id"], join_type="left outer")
        thread_time = _thread_times(ctab)
        if ctab.num_rows:
            keys = [(k, "ascending") for k in ("thread_id", "file", "record", "comment_id")]
            # stable, like list.sort; UTF-8 order is code point order
            ctab = ctab.take(pc.sort_indices(ctab, sort_keys=keys))
        runs = pc.run_end_encode(ctab.column("thread_id").combine_chunks())
        run_tids = runs.values.to_pylist()
        ends = runs.run_ends.to_numpy().astype("int64") if len(run_tids) else []
        starts = [0, *ends[:-1]]
        first_source = ctab.column("source").take(pa.array(starts, pa.int64())).to_pylist() if run_tids else []
        run_of = {tid: k for k, tid in enumerate(run_tids)}
        # in row order: runs in thread id order
        lines = _comment_lines(ctab, self.c_meta, self.qualify, self.speakers, self.u_types, thread_time,
                               ann is not None)
        speakers = self.speakers
        by_thread: dict[str, dict[str, Any]] = {t["thread_id"]: t for t in ttab.to_pylist()}
        all_threads = sorted(set(by_thread) | set(run_tids))
        root_metas: list[dict[str, Any]] = []
        for tid in all_threads:
            t = by_thread.get(tid, {})
            k = run_of.get(tid)
            title = t.get("title") or ""
            article = t.get("article_text") or ""
            source = t.get("source") or (first_source[k] if k is not None else "")
            root_meta = {"is_thread_root": True, "source": source, "text_is_title": not article and bool(title),
                         **({"language": t["article_language"]} if "article_language" in t else {}),
                         _THREADSCOPE: {"timestamp_known": False, **articles.get(tid, {})}}
            root_metas.append(root_meta)
            root = _dumps({"id": tid, "conversation_id": tid, "reply_to": None, "speaker": ROOT_SPEAKER,
                           "timestamp": _seconds(thread_time.get(tid, 0)),
                           "text": article or title, "meta": root_meta, "vectors": []}).encode("utf-8") + b"\n"
            speakers.add(ROOT_SPEAKER)
            fh.write(root)
            size, n_comments = len(root), 0
            if k is not None:  # the next run of lines: all_threads and the runs are both in thread id order
                n_comments = int(ends[k] - starts[k])
                comments = "".join(islice(lines, n_comments)).encode("utf-8")
                fh.write(comments)
                size += len(comments)
            self.order.append(tid)
            self.sizes.append(int(size))
            cmeta = {"title": title, "source": source, "n_comments": n_comments, "site_tags": t.get("site_tags") or ""}
            cmeta.update({m: t.get(m) for m in self.t_meta})
            self.conversations[tid] = {"meta": cmeta, "vectors": []}
        _add_types(self.u_types, _columns_of(root_metas))


def _comment_lines(ctab: pa.Table, c_meta: list[str], qualify: bool, speakers: set[str],
                   types: dict[str, set[str]], thread_time: Mapping[str, int], annotated: bool) -> Iterator[str]:
    """Each comment's utterance line (``json.dumps`` of its dict, then a newline), in row order.

    The speakers written are added to ``speakers`` and the type names of
    the meta values to ``types``. A comment without a time gets its
    thread's (``thread_time``, microseconds). ``annotated``: ``ctab``
    carries the :func:`_annotations` columns.

    The utterance dicts, but for their timestamps, are made by Arrow from
    columns (a struct array's ``to_pylist``), a batch at a time; Python
    only adds each timestamp and calls ``json.dumps``.
    """
    meta_keys = ["depth", "position", "source", "is_placeholder", *c_meta]
    tids, cids, parents = (ctab.column(k).combine_chunks() for k in ("thread_id", "comment_id", "parent_id"))
    top = pc.equal(parents, "")
    if qualify:
        uid = pc.binary_join_element_wise(tids, cids, "/")
        reply = pc.if_else(top, tids, pc.binary_join_element_wise(tids, parents, "/"))
    else:
        uid, reply = cids, pc.if_else(top, tids, parents)
    authors = ctab.column("author_id").combine_chunks()
    speaker = pc.if_else(pc.equal(authors, ""), pc.binary_join_element_wise(f"{UNKNOWN_SPEAKER}:", uid, ""), authors)
    speakers.update(pc.unique(speaker).to_pylist())
    us = ctab.column("created_at").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).combine_chunks()
    known = pc.is_valid(us)
    scope = _scopes(ctab, {"timestamp_known": known}) if annotated else _scopes(None, {"timestamp_known": known})
    meta = pa.StructArray.from_arrays([*(ctab.column(k).combine_chunks() for k in meta_keys), scope],
                                      names=[*meta_keys, _THREADSCOPE])
    if len(meta):  # no comment, no field
        _add_types(types, {**{k: _one_value(meta.field(k)) for k in meta_keys}, _THREADSCOPE: [{}]})
    utterances = pa.StructArray.from_arrays(
        [tids, uid, meta, reply, speaker, ctab.column("text").combine_chunks(),
         pa.array([[]] * len(tids), type=pa.list_(pa.null()))],
        names=["conversation_id", "id", "meta", "reply_to", "speaker", "text", "vectors"])
    # a comment without a time gets its thread's: microseconds, whole seconds as int
    if len(us) and us.null_count:
        times = pa.array([thread_time[t] for t in pc.filter(tids, pc.invert(known)).to_pylist()], pa.int64())
        us = pc.replace_with_mask(us, pc.invert(known), times)
    encode = _ENCODER.encode
    for start in range(0, len(utterances), _BATCH_ROWS):
        batch = utterances.slice(start, _BATCH_ROWS).to_pylist()
        for record, time in zip(batch, us.slice(start, _BATCH_ROWS).to_pylist()):
            record["timestamp"] = _seconds(time)
            yield encode(record) + "\n"


def _one_value(values: pa.Array) -> list[Any]:
    """One non-null value of ``values`` as Python (none when all are null): what its Python type is."""
    valid = values.drop_null()
    return [valid[0].as_py()] if len(valid) else []


def _scopes(ann: pa.Table | None, extra: Mapping[str, pa.Array]) -> pa.StructArray:
    """``meta["threadscope"]`` of each row of a table carrying the :func:`_annotations` columns (``ann``; None:
    only ``extra``), as a struct array: ``extra`` fields, then ``n_tokens``, ``n_matches``, ``frame_hits``
    (``{frame: hits}``) and ``stance`` as there are columns for them; NaN becomes null (JSON has no NaN)."""
    fields: dict[str, pa.Array] = dict(extra)
    hits: dict[str, pa.Array] = {}
    stance: dict[str, pa.Array] = {}
    for key in ann.column_names if ann is not None else []:
        if not key.startswith(_ANN):
            continue
        name, value = key[len(_ANN):], ann.column(key).combine_chunks()
        if pa.types.is_floating(value.type):
            value = pc.if_else(pc.is_nan(value), pa.scalar(None, value.type), value)
        if name.startswith("frame:"):
            hits[name[len("frame:"):]] = value
        elif name.startswith("stance:"):
            stance[name[len("stance:"):]] = value
        else:
            fields[name] = value
    for name, group in (("frame_hits", hits), ("stance", stance)):
        if group:
            fields[name] = pa.StructArray.from_arrays(list(group.values()), names=list(group))
    if not fields:
        return pa.array([{}] * (ann.num_rows if ann is not None else 0), pa.struct([]))
    return pa.StructArray.from_arrays(list(fields.values()), names=list(fields))


_THREADSCOPE = "threadscope"
"""The utterance metadata key of what the workflow measured (see the module docstring)."""
_ANN = "\x00ann:"
"""Prefix of the annotation columns joined onto the comments (no data column can start with NUL)."""
_STANCE_KEYS = ("label", "score", "n_pro", "n_anti", "n_uncivil")


def _arrow_or_none(df: pd.DataFrame | None) -> pa.Table | None:
    if df is None:
        return None
    return pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)


def _annotations(docs: pa.Table | None, stance: pa.Table | None) -> pa.Table | None:
    """One row per document (thread_id, comment_id, doc) with the counts, frame hits and stance that go into
    ``meta["threadscope"]``, as columns named ``_ANN + key`` (``frame:<frame>`` for each ``hits_<frame>``)."""
    if docs is None and stance is None:
        return None
    keys = ["thread_id", "comment_id", "doc"]
    parts = []
    if docs is not None:
        hits = [n for n in docs.column_names if n.startswith("hits_")]
        cols = ["n_tokens", "n_matches", *hits]
        names = [_ANN + n for n in ("n_tokens", "n_matches")] + [_ANN + "frame:" + n[len("hits_"):] for n in hits]
        parts.append(pa.Table.from_arrays([*_keys(docs), *docs.select(cols).columns], names=[*keys, *names]))
    if stance is not None:
        parts.append(pa.Table.from_arrays([*_keys(stance), *stance.select(_STANCE_KEYS).columns],
                                          names=[*keys, *(_ANN + "stance:" + n for n in _STANCE_KEYS)]))
    out = parts[0]
    for part in parts[1:]:
        out = out.join(part, keys=keys, join_type="full outer")
    return out


def _keys(tab: pa.Table) -> list[pa.ChunkedArray]:
    """thread_id, comment_id, doc as plain strings (the comments table's type, which joins need)."""
    return [tab.column(k).cast(pa.string()) for k in ("thread_id", "comment_id", "doc")]


def _thread_times(ctab: pa.Table) -> dict[str, int]:
    """Each thread's time in Unix microseconds: the earliest known time of its comments, 0 when none is known."""
    if not ctab.num_rows:
        return {}
    us = ctab.column("created_at").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
    grouped = pa.table({"thread_id": ctab.column("thread_id"), "us": us}).group_by("thread_id").aggregate(
        [("us", "min")])
    return {t: (0 if u is None else u) for t, u in zip(grouped.column("thread_id").to_pylist(),
                                                       grouped.column("us_min").to_pylist())}


def _read_conformed(path: str, table: str) -> pa.Table:
    """``columns.conform(io.read_table(path), table)``, read straight into Arrow when the file has the contract's
    schema.

    That is: the core columns first, in order, with their contract types
    and no nulls where none are allowed, then string metadata columns (what
    :func:`analysis.io.write_table` writes). Any other file goes through
    pandas and :func:`columns.conform`, which casts or raises.
    """
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
        "conversations-index": _type_index([c["meta"] for c in conversations.values()]),
        "overall-index": _type_index([overall]),
        "version": INDEX_VERSION,
        "vectors": [],
    }
    texts = {
        "speakers.json": _dumps({s: {"meta": {}, "vectors": []} for s in speakers}) + "\n",
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


def _schema_names(path: str) -> list[str]:
    return list(pq.read_schema(path).names)


def _pair_codes(tids: pa.Array, ids: list[pa.Array]) -> list[pa.Array]:
    """For each array of ``ids`` (each as long as ``tids``), one int64 per row that is equal exactly when (thread
    id, id) is."""
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
    if (len(pc.unique(comment_ids)) == len(comment_ids)
            and not pc.any(pc.is_in(comment_ids, value_set=thread_ids)).as_py()):
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


def _type_index(metas: list[dict[str, Any]]) -> dict[str, list[str]]:
    """ConvoKit-style ``{field: [type names]}`` over metadata dicts (null values give no type)."""
    types: dict[str, set[str]] = {}
    _add_types(types, _columns_of(metas))
    return _type_names(types)


def _columns_of(metas: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The values of each key of some dicts."""
    out: dict[str, list[Any]] = {}
    for meta in metas:
        for key, val in meta.items():
            out.setdefault(key, []).append(val)
    return out


def _add_types(types: dict[str, set[str]], values: Mapping[str, Iterable[Any]]) -> None:
    """Add the type names of the non-null values of each field to ``types`` (a field seen only with nulls gets an
    empty set)."""
    for key, vals in values.items():
        types.setdefault(key, set()).update(str(t) for t in set(map(type, vals)) if t is not type(None))


def _type_names(types: dict[str, set[str]]) -> dict[str, list[str]]:
    return {k: sorted(v) if v else [str(type(None))] for k, v in types.items()}


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=False)
"""``json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False)`` is ``_ENCODER.encode(obj)``."""


def _dumps(obj: Any) -> str:
    """The JSON text of every file of the folder: sorted keys, non-ASCII characters as they are, no NaN."""
    return _ENCODER.encode(obj)
