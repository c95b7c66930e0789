"""Reddit comment dumps: JSON Lines, one comment object per line.

Each line is one Reddit comment as found in the usual dump files (the
official API's ``t1`` objects and archive dumps share the fields used here)::

    {"id": "g7x2k1a", "parent_id": "t1_g7x1zz9", "link_id": "t3_j4m1qe",
     "author": "someone", "body": "...", "created_utc": 1601990000,
     "subreddit": "science", "score": 12, ...}

Mapping to reader records (see :data:`analysis.columns.RECORDS`):

``comment_id``
    ``id`` (``''`` when missing; integrity then quarantines it as ``missing_id``).
``thread_id``
    ``link_id`` without its ``t3_`` prefix. When ``link_id`` is missing but
    ``parent_id`` names a submission (``t3_...``), that submission is the thread.
``parent_id``
    ``''`` when ``parent_id`` names a submission (``t3_...``: a top-level
    comment) or is missing; otherwise the comment id without its ``t1_`` prefix.
``author``
    ``''`` for ``[deleted]``, ``[removed]``, a missing or a null author.
    Authors are personal data: the original placeholder is not kept.
``text``
    ``body``. A body of ``[deleted]`` or ``[removed]`` (or Reddit's
    ``[ Removed by Reddit ... ]``) becomes ``''``, and the metadata column
    ``removed`` says ``"deleted"`` or ``"removed"`` (``''`` for other comments),
    so the integrity checks report it as ``removed`` rather than ``empty_text``.
``created_at``
    ``created_utc`` read as Unix seconds, whether an integer, a float or a
    string holding either; anything else (missing, null, not a number) is NaT.
``record``
    The 1-based line number in the (decompressed) file; ``rule`` is ``"record"``.

Metadata: the column ``removed`` first, then every other top-level field with
a scalar value (string, number, boolean, null), as text, in the order the keys
are first seen across all lines and files (numbers and booleans as JSON writes
them: ``12``, ``1.5``, ``true``; null and absent as ``''``). Not kept: the
mapped fields, ``link_title`` (it becomes the thread title), fields whose
values are objects or arrays (a key with scalar values on some lines keeps
``''`` where it holds an object or array), and every field whose name starts
with ``author`` (``author_fullname``, ``author_flair_text``, ...), since they
identify people. A field whose name is a core column of the records or
comments tables (``text``, ``depth``, ``source``, ...) or is ``removed`` is
kept as ``meta_<name>``.

Submissions: a line with a ``title`` and no ``body`` (a submission object, as
in submission dumps) is not a comment: it gives its thread's ``title`` and
``article_text`` (``selftext``; ``''`` when deleted or removed) and appears in
the line map with role ``article``. Otherwise a thread's title is the first
non-empty ``link_title`` of its comments, if any, and its article text is
``''``. Threads are listed in first-seen order.

Lines: blank lines are skipped (role ``blank`` in the line map). A line that
is not valid JSON, or is JSON but not an object, or whose id, parent, thread,
author or body field holds an object or array, is set aside as
``malformed_record``; a line holding bytes that are not valid in ``encoding``
is set aside as ``undecodable_bytes`` with the bad bytes shown as ``\\xNN``
escapes in ``raw``. Either way the rest of the file is read. JSON escapes for
lone UTF-16 surrogates (``"\\ud83d"``, from truncated emoji) cannot be stored
as text and are replaced by U+FFFD.

Files: plain, or compressed by name: ``.gz``, ``.bz2``, ``.xz`` (standard
library) and ``.zst`` (needs the optional :mod:`zstandard` package; Reddit
archive dumps use a long window, which is allowed; a file of several frames
is read frame after frame). A file that does not exist or cannot be opened or
decompressed, or a compressed file cut short (it ends inside a gzip member, a
bzip2 or xz stream or a Zstandard frame), raises
:class:`~analysis.errors.InputError` naming it, alike for every codec: a cut
dump never builds silently from the part before the cut. (A file cut exactly
between two gzip members or Zstandard frames is a complete file of fewer
members and cannot be told from one.)
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import json
import lzma
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import numpy as np
import pandas as pd

from analysis import columns
from analysis.errors import ConfigError, InputError
from analysis.ingest.base import ReadResult

__all__ = ["read_reddit", "REMOVED_MARKERS", "RESERVED_NAMES"]

# Body (and author) placeholders Reddit leaves behind, and what they mean.
REMOVED_MARKERS = {"[deleted]": "deleted", "[removed]": "removed"}
_REMOVED_BY_REDDIT = re.compile(r"^\[\s*removed by reddit\b.*\]$", re.IGNORECASE | re.DOTALL)

# Source field names that would clash with a column of the tables the records
# flow into; such fields are kept as ``meta_<name>``.
RESERVED_NAMES = frozenset(columns.core_names("records")) | frozenset(columns.core_names("comments")) | {"removed"}

_MAPPED = ("id", "parent_id", "link_id", "author", "body", "created_utc", "link_title")
_SURROGATE_ESC = re.compile("[\udc80-\udcff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_NAT = np.iinfo(np.int64).min
_REJECT_COLUMNS = [c.name for c in columns.QUARANTINE if c.name != "source"]
_LINE_COLUMNS = columns.core_names("lines")
_THREAD_COLUMNS = ["thread_id", "title", "article_text", "site_tags"]


def read_reddit(paths: Sequence[str], *, encoding: str = "utf-8") -> ReadResult:
    """Read Reddit comment dump files (JSON Lines, maybe compressed) into reader records.

    ``paths`` are read in the order given; ``file`` in every output table is
    the path as given. ``encoding`` must be ASCII-compatible (UTF-8, the
    default, for Reddit data). See the module docstring for the mapping.
    """
    check_encoding(encoding)
    core: dict[str, list] = {
        name: [] for name in ("file", "record", "thread_id", "comment_id", "parent_id", "author", "_us", "text")}
    meta_rows: list[dict[str, str]] = []
    meta_order: dict[str, None] = {"removed": None}
    rejects: list[tuple] = []
    lines: list[tuple] = []
    threads: dict[str, dict[str, str]] = {}

    for path in paths:
        path = str(path)
        for lineno, kind, value in iter_json_lines(path, encoding=encoding):
            if kind != "object":
                _account(kind, value, path, lineno, rejects, lines)
                continue
            obj, line = value
            if "body" not in obj and "title" in obj:
                _submission(obj, threads)
                lines.append((path, lineno, "article", ""))
                continue
            bad = [k for k in ("id", "parent_id", "link_id", "author", "body") if isinstance(obj.get(k), (dict, list))]
            if bad:
                rejects.append((path, lineno, "", "", "", "malformed_record",
                                f"field(s) {bad} hold an object or array, not text", escape_bytes(line)))
                lines.append((path, lineno, "reject", ""))
                continue
            comment_id = scalar_text(obj.get("id")).strip()
            parent_raw = scalar_text(obj.get("parent_id")).strip()
            link = scalar_text(obj.get("link_id")).strip()
            if not link and parent_raw.startswith("t3_"):
                link = parent_raw
            thread_id = _strip_prefix(link, "t3_")
            parent_id = "" if (not parent_raw or parent_raw.startswith("t3_")) else _strip_prefix(parent_raw, "t1_")
            text, removed = _body(obj.get("body"))
            core["file"].append(path)
            core["record"].append(lineno)
            core["thread_id"].append(thread_id)
            core["comment_id"].append(comment_id)
            core["parent_id"].append(parent_id)
            core["author"].append(_author(obj.get("author")))
            core["_us"].append(epoch_us(obj.get("created_utc")))
            core["text"].append(text)
            own = ((k, v) for k, v in obj.items() if not (k in _MAPPED or k.lower().startswith("author")))
            meta_rows.append(add_metadata({"removed": removed}, own, reserved=RESERVED_NAMES, order=meta_order))
            thread = threads.setdefault(thread_id, {"title": "", "article_text": ""})
            link_title = obj.get("link_title")
            if not thread["title"] and isinstance(link_title, str) and link_title.strip():
                thread["title"] = clean_text(link_title)
            lines.append((path, lineno, "record", comment_id))

    records = record_frame(core, files=core["file"], meta_rows=meta_rows, meta_names=list(meta_order))
    return ReadResult(records=records, threads=thread_frame(threads), rejects=reject_frame(rejects),
                      lines=line_frame(lines))


# ---------------------------------------------------------------------------
# helpers shared with the ConvoKit reader


def add_metadata(row: dict, items: Iterable[tuple[str, Any]], *, reserved: frozenset, order: dict) -> dict:
    """``row`` with the scalar fields of ``items`` (key, value pairs) added as text: a field named like a core column
    (``reserved``) becomes ``meta_<name>``, nested objects and arrays are left out, and ``order`` collects the
    metadata names in first-seen order."""
    for key, val in items:
        if isinstance(val, (dict, list)):
            continue
        name = f"meta_{key}" if key in reserved else key
        order.setdefault(name, None)
        row[name] = scalar_text(val)
    return row


def record_frame(core: Mapping[str, list], *, files: list, meta_rows: list[dict],
                 meta_names: list[str]) -> pd.DataFrame:
    """The records table of a JSON reader: each record's core fields (``core``: ``record``, ``thread_id``,
    ``comment_id``, ``parent_id``, ``author``, ``_us`` microseconds since the epoch, ``text``; one list each) and
    file, then its metadata columns in ``meta_names`` order (missing values empty)."""
    records = pd.DataFrame(
        {
            "file": pd.Series(files, dtype=object),
            "record": pd.Series(core["record"], dtype="int64"),
            "thread_id": pd.Series(core["thread_id"], dtype=object),
            "comment_id": pd.Series(core["comment_id"], dtype=object),
            "parent_id": pd.Series(core["parent_id"], dtype=object),
            "author": pd.Series(core["author"], dtype=object),
            "created_at": times_from_us(core["_us"]),
            "text": pd.Series(core["text"], dtype=object),
            "rule": pd.Series(["record"] * len(core["record"]), dtype=object),
        }
    )
    meta_frame = pd.DataFrame(meta_rows, columns=meta_names, dtype=object).fillna("")
    return pd.concat([records, meta_frame], axis=1)


def check_encoding(encoding: str) -> None:
    """Raise :class:`ConfigError` unless ``encoding`` is known and ASCII-compatible."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError("sources[].encoding", f"unknown encoding {encoding!r}") from None
    try:
        probe = codecs.decode(b'\n{}" ', encoding)
    except (UnicodeDecodeError, ValueError):
        probe = ""
    if probe != '\n{}" ':
        raise ConfigError("sources[].encoding", f"{encoding!r} is not ASCII-compatible; JSON Lines needs e.g. utf-8")


def iter_json_lines(path: str, *, encoding: str) -> Iterator[tuple[int, str, Any]]:
    """Yield ``(line_number, kind, value)`` for every line of a JSON Lines file.

    ``kind`` is ``"object"`` (value: the parsed dict and the line), ``"blank"`` (value:
    None), or ``"reject"`` (value: ``(reason, detail, raw)``). Lines are split
    on ``\\n`` only (a raw U+2028 inside a JSON string is not a line break);
    a trailing ``\\r`` and a UTF-8 byte-order mark on the first line are
    dropped. Compressed files are opened by their ending (see module doc).
    """
    utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    with _open_binary(path) as stream:
        lineno = 0
        while True:
            try:
                chunk = stream.readline()
            except Exception as exc:  # any decompressor's error (gzip, bz2, lzma, zlib, zstandard)
                raise InputError(path, f"cannot be decompressed: {exc}", line=lineno + 1) from None
            if not chunk:
                return
            lineno += 1
            if lineno == 1 and utf8 and chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8):]
            chunk = chunk.rstrip(b"\n").rstrip(b"\r")
            line = chunk.decode(encoding, errors="surrogateescape")
            if not line.strip():
                yield lineno, "blank", None
                continue
            if _SURROGATE_ESC.search(line):
                yield lineno, "reject", ("undecodable_bytes", f"bytes not valid in {encoding}", escape_bytes(line))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield lineno, "reject", ("malformed_record", f"invalid JSON: {exc.msg} at column {exc.colno}", line)
                continue
            except RecursionError:
                yield lineno, "reject", ("malformed_record", "invalid JSON: nested too deeply", line)
                continue
            if not isinstance(obj, dict):
                what = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
                    type(obj), "a number")
                yield lineno, "reject", ("malformed_record", f"a JSON value that is {what}, not an object", line)
                continue
            yield lineno, "object", (obj, line)


def _open_binary(path: str) -> contextlib.AbstractContextManager[IO[bytes]]:
    """Open ``path`` for reading bytes, decompressing by its ending; InputError if impossible."""
    lower = path.lower()
    openers: dict[str, Callable[[str], IO[bytes]]] = {
        ".gz": lambda p: gzip.open(p, "rb"),
        ".bz2": lambda p: bz2.open(p, "rb"),
        ".xz": lambda p: lzma.open(p, "rb"),
        ".zst": _open_zstd,
    }
    opener = next((fn for ext, fn in openers.items() if lower.endswith(ext)), lambda p: open(p, "rb"))
    try:
        stream = opener(path)
        stream.peek(1) if hasattr(stream, "peek") else None  # fail here on a file that is not compressed as named
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file") from None
    except InputError:
        raise
    except Exception as exc:  # any decompressor's error (gzip, bz2, lzma, zlib, zstandard)
        kind = next((ext for ext in openers if lower.endswith(ext)), "")
        what = f"cannot be decompressed as {kind}" if kind else "cannot be opened"
        raise InputError(path, f"{what}: {getattr(exc, 'strerror', None) or exc}") from None
    return contextlib.closing(stream)


def _open_zstd(path: str) -> IO[bytes]:
    raw = open(path, "rb")
    try:
        try:
            import zstandard
        except ImportError:
            raise InputError(path,
                             "is compressed with Zstandard (.zst): "
                             "install the 'zstandard' package to read it") from None
        return io.BufferedReader(_ZstdFrames(raw, zstandard.ZstdDecompressor(max_window_size=2**31)),
                                 buffer_size=1 << 20)
    except Exception:
        raw.close()
        raise


class _ZstdFrames(io.RawIOBase):
    """The decompressed bytes of every Zstandard frame of ``raw`` in turn; EOFError when a frame is cut short.

    (zstandard's own ``stream_reader`` returns what it has of a truncated frame
    and stops without an error, where gzip, bz2 and lzma raise.)
    """

    def __init__(self, raw: IO[bytes], dctx) -> None:
        self._raw, self._dctx = raw, dctx
        self._obj, self._in_frame = dctx.decompressobj(), False
        self._buf, self._pos = memoryview(b""), 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while self._pos >= len(self._buf):
            chunk = self._raw.read(1 << 20)
            if not chunk:
                if self._in_frame:
                    raise EOFError("Compressed file ended before the end-of-stream marker was reached")
                return 0
            self._buf, self._pos = memoryview(self._decompress(chunk)), 0
        n = min(len(b), len(self._buf) - self._pos)
        b[:n] = self._buf[self._pos : self._pos + n]
        self._pos += n
        return n

    def _decompress(self, data: bytes) -> bytes:
        out = []
        while data:
            self._in_frame = True
            out.append(self._obj.decompress(data))
            data = b""
            if self._obj.eof:  # a frame ended: the rest of the chunk starts the next one
                data, self._obj, self._in_frame = self._obj.unused_data, self._dctx.decompressobj(), False
        return b"".join(out)

    def close(self) -> None:
        self._raw.close()
        super().close()


def scalar_text(value: Any) -> str:
    """A JSON scalar as text: strings as they are, null as ``''``, others as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return clean_text(json.dumps(value, ensure_ascii=False))


def clean_text(text: str) -> str:
    """Replace lone UTF-16 surrogates (from JSON escapes) by U+FFFD so the text can be stored."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def epoch_us(value: Any, *, iso: bool = False) -> int:
    """Microseconds since the Unix epoch for a time in seconds (int, float or numeric string).

    With ``iso`` a non-numeric string is also parsed as a date-time (naive
    means UTC). Returns the NaT sentinel (minimum int64) when there is no
    usable time.
    """
    if isinstance(value, bool) or value is None:
        return _NAT
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return _NAT
        try:
            value = int(s)
        except ValueError:
            try:
                value = float(s)
            except ValueError:
                return _iso_us(s) if iso else _NAT
    if isinstance(value, int):
        us = value * 1_000_000
    elif isinstance(value, float) and math.isfinite(value):
        us = round(value * 1_000_000)
    else:
        return _NAT
    return us if -(2**62) < us < 2**62 else _NAT


def _iso_us(text: str) -> int:
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return _NAT
    if ts is pd.NaT:
        return _NAT
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC")
    try:
        return int(ts.tz_localize(None).as_unit("us").asm8.astype(np.int64))
    except (OverflowError, ValueError):  # pandas' OutOfBoundsDatetime is a ValueError
        return _NAT


def times_from_us(values: list[int]) -> pd.Series:
    """UTC timestamps (``datetime64[us, UTC]``) from epoch microseconds (NaT sentinel allowed)."""
    arr = np.asarray(values, dtype=np.int64).view("datetime64[us]")
    return pd.Series(arr, dtype="datetime64[us]").dt.tz_localize("UTC")


def escape_bytes(line: str) -> str:
    """The line as valid text, undecodable bytes shown as ``\\xNN`` escapes."""
    return line.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _account(kind: str, value: Any, path: str, lineno: int, rejects: list, lines: list) -> None:
    """Record a blank or rejected line in the line map (and the rejects)."""
    if kind == "blank":
        lines.append((path, lineno, "blank", ""))
        return
    reason, detail, raw = value
    rejects.append((path, lineno, "", "", "", reason, detail, escape_bytes(raw)))
    lines.append((path, lineno, "reject", ""))


def reject_frame(rejects: list[tuple]) -> pd.DataFrame:
    """Rejects as a DataFrame with the quarantine columns except ``source``."""
    frame = pd.DataFrame(rejects, columns=_REJECT_COLUMNS)
    return frame.astype({c: object for c in _REJECT_COLUMNS if c != "record"} | {"record": "int64"})


def line_frame(lines: list[tuple]) -> pd.DataFrame:
    """The line map (``columns.LINES``) from ``(file, record, role, comment_id)`` tuples."""
    frame = pd.DataFrame(lines, columns=_LINE_COLUMNS)
    return frame.astype({"file": object, "record": "int64", "role": object, "comment_id": object})


def thread_frame(threads: Mapping[str, Mapping[str, str]], *, metadata: Sequence[str] = ()) -> pd.DataFrame:
    """Threads table rows (thread_id, title, article_text, site_tags, metadata...) in insertion order."""
    rows = [
        {"thread_id": tid, "title": t.get("title", ""), "article_text": t.get("article_text", ""),
         "site_tags": t.get("site_tags", ""), **{m: t.get(m, "") for m in metadata}}
        for tid, t in threads.items()
    ]
    return pd.DataFrame(rows, columns=_THREAD_COLUMNS + list(metadata), dtype=object)


# ---------------------------------------------------------------------------
# Reddit specifics


def _strip_prefix(value: str, prefix: str) -> str:
    return value[len(prefix):] if value.startswith(prefix) else value


def _removal(text: str) -> str:
    """``"deleted"``/``"removed"`` when ``text`` is a Reddit removal placeholder, else ``''``."""
    s = text.strip()
    if s in REMOVED_MARKERS:
        return REMOVED_MARKERS[s]
    return "removed" if _REMOVED_BY_REDDIT.match(s) else ""


def _body(value: Any) -> tuple[str, str]:
    text = scalar_text(value)
    removed = _removal(text)
    return ("" if removed else text), removed


def _author(value: Any) -> str:
    name = scalar_text(value).strip()
    return "" if name in REMOVED_MARKERS else name


def _submission(obj: Mapping[str, Any], threads: dict[str, dict[str, str]]) -> None:
    """A submission line: its title and self text describe its thread."""
    tid = _strip_prefix(scalar_text(obj.get("id")).strip() or scalar_text(obj.get("name")).strip(), "t3_")
    thread = threads.setdefault(tid, {"title": "", "article_text": ""})
    title = obj.get("title")
    if isinstance(title, str) and title.strip():
        thread["title"] = clean_text(title)
    body, _ = _body(obj.get("selftext") if isinstance(obj.get("selftext"), str) else "")
    if body:
        thread["article_text"] = body
