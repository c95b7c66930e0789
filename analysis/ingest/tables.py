"""Flat tables: CSV, JSONL and Parquet files with one comment per row.

A column mapping names the source columns for the canonical fields::

    columns: {id: comment_id, parent_id: parent_id, thread_id: thread_id,
              author: author, created_at: created_at, text: text, title: thread_title}

Only ``text`` is required. Without ``id`` a comment's id is its record
number in its file (``<file stem>-<record>``). Without ``parent_id`` every comment is
top level; without ``thread_id`` each file is one thread named after the file
(its stem). ``title`` moves to the threads table (first non-empty value per
thread). Every other column is kept, unchanged and as text, as metadata.

Encodings: the declared encoding (``utf-8``, ``utf-8-sig``, ``cp1252``,
``latin-1``, ...); a UTF-8 byte-order mark is accepted with or without
``-sig``. CRLF line ends and quoted newlines inside CSV fields are read as
such. A record holding bytes that are not valid in the declared encoding is
quarantined (``undecodable_bytes``) with the bad bytes shown escaped; a JSONL
line that is not a JSON object is quarantined (``malformed_record``). A file
that cannot be parsed at all (broken CSV quoting, a missing mapped column)
stops the run with the file and line named.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from analysis import columns
from analysis.errors import ConfigError, InputError
from analysis.ingest.base import ReadResult

__all__ = ["read_table", "parse_times", "FIELDS"]

FIELDS = ("id", "parent_id", "thread_id", "author", "created_at", "text", "title")
_REQUIRED = ("text",)
# Undecodable bytes are kept visible as private-use characters U+F0000+byte
# (valid Unicode that Arrow strings can hold) until their record is set aside.
_BAD_BYTE = re.compile("[\U000F0000-\U000F00FF]")


def _mark_bad_bytes(err: UnicodeDecodeError) -> tuple[str, int]:
    return "".join(chr(0xF0000 + b) for b in err.object[err.start : err.end]), err.end


codecs.register_error("threadscope_mark", _mark_bad_bytes)


def read_table(
    paths: Sequence[str],
    *,
    fmt: str,
    mapping: Mapping[str, str],
    encoding: str = "utf-8",
    delimiter: str = ",",
    time_unit: str | None = None,
    timezone: str = "UTC",
) -> ReadResult:
    """Read CSV/JSONL/Parquet files into reader records (see :class:`ReadResult`).

    ``fmt`` is ``"csv"``, ``"jsonl"`` or ``"parquet"``; ``mapping`` maps
    canonical fields (:data:`FIELDS`) to source column names; ``time_unit``
    (``"s"``, ``"ms"``) reads numeric times as Unix epochs; naive times are
    taken to be in ``timezone``.
    """
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ConfigError("sources[].columns", f"unknown field(s) {unknown}; expected some of {list(FIELDS)}")
    for f in _REQUIRED:
        if not mapping.get(f):
            raise ConfigError(f"sources[].columns.{f}", "is required for table formats")
    readers = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}
    if fmt not in readers:
        raise ConfigError("sources[].format", f"{fmt!r} is not a table format; expected one of {sorted(readers)}")
    parts, rejects, lines = [], [], []
    for path in paths:
        frame, rej, maybe_bad = readers[fmt](str(path), encoding=encoding, delimiter=delimiter)
        missing = [mapping[f] for f in mapping if mapping[f] and mapping[f] not in frame.columns]
        if missing:
            raise InputError(str(path), f"mapped column(s) {missing} not found; the file has {list(frame.columns)}")
        if maybe_bad:  # some bytes did not decode: find their records
            frame = _bad_bytes_to_rejects(frame, rej, str(path))
        parts.append(_to_records(frame, str(path), mapping, time_unit=time_unit, timezone=timezone))
        rejects.extend(rej)
        lines.append(_line_map(str(path), parts[-1], rej))
    records = pd.concat(parts, ignore_index=True) if parts else columns.empty("records")
    meta = [c for c in records.columns if c not in columns.core_names("records") and c != "_title"]
    records[meta] = records[meta].fillna("")
    threads = _threads(records)
    records = records.drop(columns="_title")
    reject_df = pd.DataFrame(rejects, columns=[c.name for c in columns.QUARANTINE if c.name != "source"])
    return ReadResult(records=records, threads=threads, rejects=reject_df, lines=pd.concat(lines, ignore_index=True))


def _load(path: str, encoding: str) -> tuple[bytes, str]:
    """A file's bytes without a UTF-8 byte-order mark, and the encoding to decode them with."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError("sources[].encoding", f"unknown encoding {encoding!r}") from None
    if data.startswith(codecs.BOM_UTF8) and encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        data = data[len(codecs.BOM_UTF8):]
        encoding = "utf-8"
    return data, encoding


def _decode(path: str, encoding: str) -> tuple[str, bool]:
    """A file's text with CRLF read as LF, and whether some bytes were undecodable (and marked)."""
    data, encoding = _load(path, encoding)
    try:
        text, bad = data.decode(encoding), False
    except UnicodeDecodeError:
        text, bad = data.decode(encoding, errors="threadscope_mark"), True
    return text.replace("\r\n", "\n"), bad


def _escape(text: str) -> str:
    """Show undecodable bytes as \\xNN escapes in an otherwise readable string."""
    return _BAD_BYTE.sub(lambda m: f"\\x{ord(m.group()) - 0xF0000:02x}", text)


def _read_csv(path: str, *, encoding: str, delimiter: str) -> tuple[pd.DataFrame, list, bool]:
    data, enc = _load(path, encoding)
    data, bad = data.replace(b"\r\n", b"\n") if codecs.lookup(enc).name == "utf-8" else None, False
    if data is not None:  # valid UTF-8 (the usual case): the parser reads the bytes themselves
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            data = None
    if data is None:
        text, bad = _decode(path, encoding)
    try:
        source = io.BytesIO(data) if data is not None else io.StringIO(text)
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, sep=delimiter, engine="c",
                            **({"encoding": "utf-8"} if data is not None else {}))
    except pd.errors.EmptyDataError:
        raise InputError(path, "empty file: expected a header row") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(path, f"cannot parse as CSV: {exc}", line=int(m.group(1)) if m else None) from None
    frame.insert(0, "_record", range(1, len(frame) + 1))
    return frame, [], bad


def _read_jsonl(path: str, *, encoding: str, delimiter: str) -> tuple[pd.DataFrame, list, bool]:
    text, bad = _decode(path, encoding)
    rows, rejects = [], []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rejects.append((path, lineno, "", "", "", "malformed_record",
                            f"invalid JSON: {exc.msg} at column {exc.colno}", _escape(line)))
            continue
        if not isinstance(obj, dict):
            rejects.append((path, lineno, "", "", "", "malformed_record", "a JSON value that is not an object",
                            _escape(line)))
            continue
        obj = {k: ("" if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
               for k, v in obj.items()}
        obj["_record"] = lineno
        rows.append(obj)
    frame = pd.DataFrame(rows)
    if "_record" not in frame:
        frame["_record"] = pd.Series(dtype="int64")
    frame = frame[["_record"] + [c for c in frame.columns if c != "_record"]]
    return frame.fillna(""), rejects, bad


def _read_parquet(path: str, *, encoding: str, delimiter: str) -> tuple[pd.DataFrame, list, bool]:
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot be read as Parquet: {exc}") from None
    frame = frame.astype(object).where(frame.notna(), "").astype(str)
    frame.insert(0, "_record", range(1, len(frame) + 1))
    return frame, [], True  # strings as stored: look for marks all the same


def _bad_bytes_to_rejects(frame: pd.DataFrame, rejects: list, path: str) -> pd.DataFrame:
    """Move rows holding undecodable bytes into ``rejects`` (reason undecodable_bytes)."""
    bad = pd.Series(False, index=frame.index)
    for col in frame.columns:
        if col != "_record" and frame[col].dtype != "int64":
            bad |= frame[col].astype(str).str.contains(_BAD_BYTE.pattern, regex=True)
    for _, row in frame.loc[bad].iterrows():
        cols = [c for c in frame.columns if c != "_record" and _BAD_BYTE.search(str(row[c]))]
        raw = " | ".join(f"{c}={_escape(str(row[c]))}" for c in frame.columns if c != "_record")
        rejects.append((path, int(row["_record"]), "", "", "", "undecodable_bytes",
                        f"invalid bytes in column(s) {cols}", raw))
    return frame.loc[~bad]


def parse_times(values: pd.Series, *, time_unit: str | None = None, timezone: str = "UTC") -> pd.Series:
    """Parse times to UTC; unparseable or empty values become NaT.

    Numeric strings are read as Unix epochs in ``time_unit`` when it is given;
    naive date-times are localised to ``timezone``.
    """
    values = values.astype(str).str.strip()
    if time_unit:
        num = pd.to_numeric(values.where(values != ""), errors="coerce")
        return pd.to_datetime(num, unit=time_unit, utc=True)
    parsed = _parse_text_times(values.where(values != ""))
    if getattr(parsed.dt, "tz", None) is None:
        parsed = parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    return parsed.dt.tz_convert("UTC")


def _parse_text_times(values: pd.Series) -> pd.Series:
    """Date-time text to times: ISO 8601 (fast) when every value is, else any format pandas recognises."""
    try:
        fast = pd.to_datetime(values, errors="coerce", format="ISO8601")
        if pd.api.types.is_datetime64_any_dtype(fast) and not (fast.isna() & values.notna()).any():
            return fast
    except (ValueError, TypeError):
        pass
    return pd.to_datetime(values, errors="coerce", format="mixed")


def _to_records(frame: pd.DataFrame, path: str, mapping: Mapping[str, str], *, time_unit, timezone) -> pd.DataFrame:
    def col(field: str, default: str = "") -> pd.Series:
        name = mapping.get(field)
        return frame[name].astype(str) if name else pd.Series(default, index=frame.index, dtype=object)

    out = pd.DataFrame(
        {
            "file": path,
            "record": frame["_record"].astype("int64"),
            "thread_id": col("thread_id", Path(path).stem),
            "comment_id": (col("id").str.strip() if mapping.get("id")
                           else Path(path).stem + "-" + frame["_record"].astype(str)),
            "parent_id": col("parent_id").str.strip(),
            "author": col("author").str.strip(),
            "created_at": parse_times(col("created_at"), time_unit=time_unit, timezone=timezone),
            "text": col("text"),
            "rule": "record",
            "_title": col("title"),
        },
        index=frame.index,
    )
    mapped = {v for v in mapping.values() if v}
    for c in frame.columns:
        if c == "_record" or c in mapped:
            continue
        name = c if c not in columns.core_names("records") else f"meta_{c}"
        out[name] = frame[c].astype(str)
    return out.reset_index(drop=True)


def _threads(records: pd.DataFrame) -> pd.DataFrame:
    titles = records.loc[records["_title"] != "", ["thread_id", "_title"]].drop_duplicates("thread_id")
    ids = pd.DataFrame({"thread_id": records["thread_id"].drop_duplicates()})
    threads = ids.merge(titles, on="thread_id", how="left").rename(columns={"_title": "title"})
    threads["title"] = threads["title"].fillna("")
    threads["article_text"] = ""
    threads["site_tags"] = ""
    return threads.reset_index(drop=True)


def _line_map(path: str, records: pd.DataFrame, rejects: list) -> pd.DataFrame:
    kept = pd.DataFrame({"file": path, "record": records["record"], "role": "record",
                         "comment_id": records["comment_id"]})
    if not any(r[0] == path for r in rejects):  # records are in file order already
        return kept.reset_index(drop=True)
    rej = pd.DataFrame(
        [(r[0], r[1], "reject", "") for r in rejects if r[0] == path], columns=["file", "record", "role", "comment_id"]
    )
    return pd.concat([kept, rej], ignore_index=True).sort_values("record", kind="stable").reset_index(drop=True)
