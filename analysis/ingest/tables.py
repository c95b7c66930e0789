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

Every physical line of a CSV file is accounted for (header, blank, or part of
one record; the report's ``input_lines``), and a record whose quoted field
swallowed lines that look like rows of their own (a stray ``"``) is set aside
as ``malformed_record`` naming the lines. Times are parsed once over the whole
source (:func:`parse_times`): one unit for epochs, one day/month order for
numeric dates, or an error naming the column.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import columns
from analysis.errors import ConfigError, InputError
from analysis.ingest.base import ReadResult

# the csv module (used to count a file's physical lines per record) refuses fields over 131,072 characters by
# default; pandas reads them, so the count must too
csv.field_size_limit(2**31 - 1)

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
    time_format: str | None = None,
    timezone: str = "UTC",
) -> ReadResult:
    """Read CSV/JSONL/Parquet files into reader records (see :class:`ReadResult`).

    ``fmt`` is ``"csv"``, ``"jsonl"`` or ``"parquet"``; ``mapping`` maps
    canonical fields (:data:`FIELDS`) to source column names; ``time_unit``
    (``"s"``, ``"ms"``, ``"us"``, ``"ns"``) reads numeric times as Unix epochs,
    ``time_format`` (``"%d/%m/%Y %H:%M"``) reads date-time text in that one
    format; without either, see :func:`parse_times`. The time column is parsed
    once over all files of the source, so one source has one date order. Naive
    times are taken to be in ``timezone``.
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
    parts, rejects, lines, counts = [], [], [], {}
    for path in paths:
        frame, rej, maybe_bad = readers[fmt](str(path), encoding=encoding, delimiter=delimiter, counts=counts)
        missing = [mapping[f] for f in mapping if mapping[f] and mapping[f] not in frame.columns]
        if missing:
            raise InputError(str(path), f"mapped column(s) {missing} not found; the file has {list(frame.columns)}")
        if maybe_bad:  # some bytes did not decode: find their records
            frame = _bad_bytes_to_rejects(frame, rej, str(path))
        parts.append(_to_records(frame, str(path), mapping))
        rejects.extend(rej)
        lines.append(_line_map(str(path), parts[-1], rej))
    records = pd.concat(parts, ignore_index=True) if parts else columns.empty("records")
    warnings: list[str] = []
    if mapping.get("created_at") and len(records):
        records["created_at"] = parse_times(
            records["created_at"], time_unit=time_unit, time_format=time_format, timezone=timezone,
            column=mapping["created_at"], files=records["file"], warnings=warnings)
    else:
        records["created_at"] = pd.Series(pd.NaT, index=records.index, dtype="datetime64[us, UTC]")
    meta = [c for c in records.columns if c not in columns.core_names("records") and c != "_title"]
    records[meta] = records[meta].fillna("")
    threads = _threads(records)
    records = records.drop(columns="_title")
    reject_df = pd.DataFrame(rejects, columns=[c.name for c in columns.QUARANTINE if c.name != "source"])
    return ReadResult(records=records, threads=threads, rejects=reject_df, lines=pd.concat(lines, ignore_index=True),
                      warnings=warnings, line_counts=counts)


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


def _read_csv(path: str, *, encoding: str, delimiter: str, counts: dict) -> tuple[pd.DataFrame, list, bool]:
    data, enc = _load(path, encoding)
    data, bad = data.replace(b"\r\n", b"\n") if codecs.lookup(enc).name == "utf-8" else None, False
    frame = None
    if data is not None:  # UTF-8: the parser reads the bytes themselves, and raises on bytes that are not UTF-8
        try:
            frame = _parse_csv(path, io.BytesIO(data), delimiter=delimiter, encoding="utf-8")
        except UnicodeDecodeError:
            data = None
    if data is None:  # another encoding, or undecodable bytes: decoded with the bad bytes marked
        text, bad = _decode(path, encoding)
        frame = _parse_csv(path, io.StringIO(text), delimiter=delimiter)
    frame.insert(0, "_record", range(1, len(frame) + 1))
    rejects = _account_lines(path, data if data is not None else text, frame, delimiter=delimiter, counts=counts)
    if rejects:
        frame = frame.loc[~frame["_record"].isin([r[1] for r in rejects])]
    return frame, rejects, bad


def _parse_csv(path: str, source, *, delimiter: str, **encoding) -> pd.DataFrame:
    try:
        return pd.read_csv(source, dtype=str, keep_default_na=False, sep=delimiter, engine="c", **encoding)
    except pd.errors.EmptyDataError:
        raise InputError(path, "empty file: expected a header row") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(path, f"cannot parse as CSV: {exc}", line=int(m.group(1)) if m else None) from None


def _account_lines(path: str, content: bytes | str, frame: pd.DataFrame, *, delimiter: str,
                   counts: dict) -> list[tuple]:
    """Where every physical line of a CSV file went; records that swallowed other rows, as rejects.

    Every line is the header's, a blank one, or part of exactly one record;
    ``counts`` gets the sums (see :class:`~analysis.ingest.base.ReadResult`).
    When there are more non-blank lines than header + records, some records
    span lines (quoted newlines): each record spans one line more than the
    line breaks inside its parsed fields (:func:`_spans_from_fields`; with a
    lone CR line end, or a record the standard library's CSV reader would
    take for a blank line, the lines are found by that reader instead), and a
    record one of whose continuation lines looks like a row of its own
    (:func:`_row_shape`) is taken for rows glued together by a stray quote: it
    is set aside as ``malformed_record`` naming the lines it swallowed.
    Raises :class:`InputError` when the two parsers disagree on the number of
    records.
    """
    raw = content.encode("utf-8") if isinstance(content, str) else content
    arr = np.frombuffer(raw, dtype=np.uint8)
    breaks = np.flatnonzero(arr == 10)
    n_lines = len(breaks) + (1 if len(arr) and arr[-1] != 10 else 0)
    n_blank = (int(arr[0] == 10) + int((np.diff(breaks) == 1).sum())) if len(arr) else 0
    n_records = len(frame)
    add = {"lines": n_lines, "header": 1, "blank": n_blank, "in_records": n_records, "multiline_records": 0}
    rejects: list[tuple] = []
    if n_lines - n_blank != 1 + n_records:  # some record (or the header) spans lines: find which
        found = _spans_from_fields(arr, breaks, n_lines, frame)
        if found is not None:
            starts = np.concatenate(([0], breaks + 1))  # byte offset where each line starts, and ends
            ends = np.append(breaks, len(arr)) if len(starts) == n_lines else breaks

            def lines_of(a: int, b: int) -> list[str]:
                return raw[starts[a - 1] : ends[b - 1]].decode("utf-8").split("\n")

            header, rows, lines, blank = found
        else:
            text = content if isinstance(content, str) else content.decode("utf-8")
            spans = _row_spans(text, delimiter)
            rows = [(a, b) for a, b, has_fields in spans if has_fields]
            if len(rows) != n_records + 1:
                raise InputError(path, f"{len(rows) - 1} rows by the standard CSV reader but {n_records} records "
                                       "by pandas: check the quoting")
            header, rows = rows[0], np.array(rows[1:], dtype=np.int64).reshape(-1, 2)
            lines, blank = spans[-1][1] if spans else 0, sum(b - a + 1 for a, b, f in spans if not f)
            physical = re.split(r"\r\n?|\n", text)  # the lines as the csv module counts them

            def lines_of(a: int, b: int) -> list[str]:
                return physical[a - 1 : b]

        add.update(lines=lines,  # as the parsers count them (a lone CR ends a line too)
                   header=header[1] - header[0] + 1, blank=blank, in_records=int((rows[:, 1] - rows[:, 0] + 1).sum()),
                   multiline_records=int((rows[:, 1] > rows[:, 0]).sum()))
        # a line with fewer delimiters than a row has between its fields is not parsed: it cannot be one
        width = len(frame.columns) - 2  # the fields of a row (all columns but _record), less one
        fits = None
        suspects = rows[:, 1] > rows[:, 0]
        if found is not None and len(delimiter) == 1 and delimiter.isascii():  # no need to look at every record:
            # those with a continuation line of a row's delimiters, counted per line over the bytes
            per_line = np.bincount(np.searchsorted(breaks, np.flatnonzero(arr == ord(delimiter))), minlength=n_lines)
            wide = np.concatenate(([0], np.cumsum(per_line[:n_lines] >= width)))
            suspects &= wide[rows[:, 1]] > wide[rows[:, 0]]  # lines a+1..b are indices a..b-1 from 0
        for record in np.flatnonzero(suspects) + 1:
            a, b = (int(x) for x in rows[record - 1])
            physical_ab = lines_of(a, b)
            glued = []
            for k in range(a + 1, b + 1):
                line = physical_ab[k - a]
                if line.count(delimiter) < width:
                    continue
                fits = (_row_shape(frame) or False) if fits is None else fits  # decided once, when first needed
                if fits and fits(next(csv.reader([line], delimiter=delimiter), [])):
                    glued.append(k)
            if fits is False:  # no column tells a row from prose: no record is taken for glued rows
                break
            if glued:
                rejects.append((path, int(record), "", "", "", "malformed_record",
                                f"a quote opened on line {a} runs to line {b}, swallowing what look like rows "
                                f"of their own (line(s) {', '.join(map(str, glued))}): a stray quote?",
                                _escape("\n".join(physical_ab))))
    if add["lines"] != add["header"] + add["blank"] + add["in_records"]:
        raise InputError(path, f"{add['lines']} lines but {add['header']} header + {add['blank']} blank + "
                               f"{add['in_records']} in records: check the quoting")
    for k, v in add.items():
        counts[k] = counts.get(k, 0) + v
    return rejects


def _spans_from_fields(arr: np.ndarray, breaks: np.ndarray, n_lines: int, frame: pd.DataFrame):
    """The header's and each record's (first line, last line), the lines and the blank lines of a CSV file, from
    the line breaks inside the fields pandas parsed (no second parse).

    ``arr`` is the file's bytes (CRLF already read as LF), ``breaks`` the offsets of its LFs. A record spans
    one line more than the LFs inside its fields; between records, and before the header, lie the blank lines
    (empty, or spaces and tabs only) that pandas skips. None when this cannot decide as the standard library's
    CSV reader would: a lone CR (a line end to that reader), a record that reader would take for a blank line
    (one field, whitespace only), or lines that do not add up.
    """
    if (arr == 13).any() or not isinstance(frame.index, pd.RangeIndex):
        return None
    cols = [c for c in frame.columns if c != "_record"]
    if len(frame):
        rest_empty = np.ones(len(frame), dtype=bool)
        for c in cols[1:]:
            rest_empty &= (frame[c] == "").to_numpy(dtype=bool, na_value=True)
        if rest_empty.any() and any(not str(v).strip() for v in frame[cols[0]][rest_empty]):
            return None
    header_span = 1 + sum(str(c).count("\n") for c in cols)
    span = np.ones(len(frame), dtype=np.int64)
    for c in cols:
        span += frame[c].str.count("\n").to_numpy(dtype=np.int64, na_value=0)
    blank = n_lines - header_span - int(span.sum())
    if blank < 0:
        return None
    spans = np.concatenate(([header_span], span))
    if blank == 0:
        last = np.cumsum(spans)
    else:  # place the blank lines: a row starts at the first line that is not blank
        line_start = np.concatenate(([0], breaks + 1))[:n_lines]
        line_end = np.append(breaks, len(arr))[:n_lines]
        blankish = line_end == line_start
        maybe = np.flatnonzero(~blankish & ((arr[np.minimum(line_start, len(arr) - 1)] == 32)
                                            | (arr[np.minimum(line_start, len(arr) - 1)] == 9)))
        raw = arr.tobytes()
        for k in maybe:
            blankish[k] = not raw[line_start[k] : line_end[k]].strip(b" \t")
        last, pos, skipped = np.empty(len(spans), dtype=np.int64), 0, 0
        for i, n in enumerate(spans.tolist()):
            while pos < n_lines and blankish[pos]:
                pos += 1
                skipped += 1
            pos += n
            last[i] = pos
        if pos > n_lines or skipped + (n_lines - pos) != blank or not blankish[pos:].all():
            return None
    first = last - spans + 1
    bounds = np.column_stack((first, last))
    return (int(bounds[0, 0]), int(bounds[0, 1])), bounds[1:], n_lines, blank


def _row_shape(frame: pd.DataFrame):
    """A test whether a line's fields look like one more row of ``frame``.

    A row has as many fields as the header, and in every column whose values
    are all whole numbers (ids, scores; empty allowed) or all single words (no
    space: ids, dates without time) its field is of that kind too. Without any
    such column a line is never taken for a row (prose with the right number
    of commas would be), and None is returned.
    """
    cols = [c for c in frame.columns if c != "_record"]
    kinds = []
    number, word = re.compile(r"-?\d*"), re.compile(r"\S+")
    for i, c in enumerate(cols):
        values = frame[c].astype(str)
        # a column whose first value fails a test is not scanned for it (prose fails at once)
        if _first_fits(number, values) and values.str.fullmatch(number.pattern).all() and (values != "").any():
            kinds.append((i, number))
        elif _first_fits(word, values) and values.str.fullmatch(word.pattern).all():
            kinds.append((i, word))

    def fits(fields: list[str]) -> bool:
        return len(fields) == len(cols) and all(pattern.fullmatch(fields[i]) for i, pattern in kinds)

    return fits if kinds else None


def _first_fits(pattern: re.Pattern[str], values: pd.Series) -> bool:
    return not len(values) or pattern.fullmatch(values.iloc[0]) is not None


def _row_spans(text: str, delimiter: str) -> list[tuple[int, int, bool]]:
    """Each row of ``text`` read by :mod:`csv`, as (first line, last line, whether it has fields); blank (or
    whitespace-only) lines have none."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    spans, last = [], 0
    for fields in reader:
        # pandas skips whitespace-only lines too; the fields themselves are not kept (a copy of the file's text)
        spans.append((last + 1, reader.line_num, not (len(fields) == 1 and not fields[0].strip()) and bool(fields)))
        last = reader.line_num
    return spans


def _read_jsonl(path: str, *, encoding: str, delimiter: str, counts: dict) -> tuple[pd.DataFrame, list, bool]:
    text, bad = _decode(path, encoding)
    rows, rejects, blank = [], [], 0
    lines = text.split("\n")
    if lines and lines[-1] == "":  # after the last line's newline
        lines.pop()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            blank += 1
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
    add = {"lines": len(lines), "header": 0, "blank": blank, "in_records": len(rows) + len(rejects),
           "multiline_records": 0}
    for k, v in add.items():
        counts[k] = counts.get(k, 0) + v
    frame = pd.DataFrame(rows)
    if "_record" not in frame:
        frame["_record"] = pd.Series(dtype="int64")
    frame = frame[["_record"] + [c for c in frame.columns if c != "_record"]]
    return frame.fillna(""), rejects, bad


def _read_parquet(path: str, *, encoding: str, delimiter: str, counts: dict) -> tuple[pd.DataFrame, list, bool]:
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


def parse_times(
    values: pd.Series,
    *,
    time_unit: str | None = None,
    time_format: str | None = None,
    timezone: str = "UTC",
    column: str = "created_at",
    files: pd.Series | None = None,
    warnings: list[str] | None = None,
) -> pd.Series:
    """Parse a whole time column to UTC; empty values become NaT.

    - ``time_unit`` given: numbers are Unix epochs in that unit.
    - ``time_format`` given: text in that one ``strftime`` format.
    - Neither, and every non-empty value a number: Unix epochs, the unit
      inferred from the magnitude of the values (below 1e11 seconds, below
      1e14 milliseconds, below 1e17 microseconds, else nanoseconds: today is
      about 1.7e9 s); all values must point to the same unit.
    - Neither, and text: ISO 8601, or any form pandas recognises; numeric
      dates ``a/b/yyyy`` (also with ``.`` or ``-``, and two-digit years, which
      mean 1969-2068) are read in one order for the whole column: day first
      when some ``a`` is above 12, month first when some ``b`` is, and an
      error asking for ``time_format`` when both occur or when no value
      decides it (every ``a`` and ``b`` at most 12 and some differ).

    Raises :class:`InputError` naming ``column`` (and the first file of an
    offending value, from ``files``) when the unit or the order cannot be
    decided, a column mixes numbers with date text, or no non-empty value is a
    time. Values that do not parse in a column where others do become NaT,
    and a line saying how many is appended to ``warnings``. Naive date-times
    are localised to ``timezone``.
    """
    values = values.astype(str).str.strip()
    present = values != ""

    def where(mask) -> str:
        return str(files[mask].iloc[0]) if files is not None and mask.any() else f"column {column!r}"

    def fail(mask, message: str) -> InputError:
        return InputError(where(mask), f"column {column!r}: {message}")

    nonempty = values.where(present)
    if time_unit:
        num = pd.to_numeric(nonempty, errors="coerce")
        parsed = pd.to_datetime(num, unit=time_unit, utc=True)
    elif time_format:
        try:
            parsed = pd.to_datetime(nonempty, format=time_format, errors="coerce")
        except ValueError as exc:
            raise ConfigError("sources[].time_format", f"{time_format!r} is not a usable format: {exc}") from None
    else:
        num = pd.to_numeric(nonempty, errors="coerce")
        is_num = num.notna()
        if is_num.any() and (is_num == present).all():
            parsed = pd.to_datetime(num, unit=_epoch_unit(num, fail), utc=True)
        elif is_num.any():
            raise fail(is_num, f"mixes numbers (Unix epochs?) like {values[is_num].iloc[0][:20]!r} with date text "
                               f"like {values[present & ~is_num].iloc[0][:20]!r}: one kind per column")
        else:
            parsed = _parse_text_times(_one_date_order(nonempty, fail))
    if getattr(parsed.dt, "tz", None) is None:
        parsed = parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    parsed = parsed.dt.tz_convert("UTC")
    failed = present & parsed.isna()
    if failed.any():
        hint = "set time_format (e.g. '%d/%m/%Y %H:%M') or time_unit"
        if failed.sum() == present.sum():
            raise fail(failed, f"none of the {int(present.sum())} times could be read (e.g. "
                               f"{values[failed].iloc[0][:40]!r}): {hint}")
        if warnings is not None:
            warnings.append(f"{where(failed)}: column {column!r}: {int(failed.sum())} of {int(present.sum())} times "
                            f"could not be read and are missing (e.g. {values[failed].iloc[0][:40]!r})")
    return parsed


_EPOCH_UNITS = ((1e11, "s"), (1e14, "ms"), (1e17, "us"), (np.inf, "ns"))
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-])(.*)$", re.DOTALL)


def _parse_text_times(values: pd.Series) -> pd.Series:
    """Date-time text to times: ISO 8601 (fast) when every value is, else any format pandas recognises."""
    try:
        fast = pd.to_datetime(values, errors="coerce", format="ISO8601")
        if pd.api.types.is_datetime64_any_dtype(fast) and not (fast.isna() & values.notna()).any():
            return fast
    except (ValueError, TypeError):
        pass
    return pd.to_datetime(values, errors="coerce", format="mixed")


def _epoch_unit(num: pd.Series, fail) -> str:
    """The epoch unit all numbers of a column point to by their magnitude, or an error naming the column."""
    mag = num.dropna().abs()
    mag = mag[mag >= 1] if (mag >= 1).any() else mag  # 0 fits every unit
    units = pd.cut(mag, [-1] + [t for t, _ in _EPOCH_UNITS], labels=[u for _, u in _EPOCH_UNITS], right=False)
    found = list(pd.unique(units.astype(str)))
    if len(found) != 1:
        raise fail(num.notna(), f"numeric times of different magnitudes ({', '.join(found)} by size): set time_unit")
    return found[0]


def _one_date_order(values: pd.Series, fail) -> pd.Series:
    """Numeric dates ``a/b/y`` rewritten as ``y-mm-dd`` in one order decided over the whole column."""
    parts = values.str.extract(_NUMERIC_DATE)
    found = parts[0].notna()
    if not found.any():
        return values
    a, b = parts.loc[found, 0].astype(int), parts.loc[found, 2].astype(int)
    day_first, month_first = a > 12, b > 12
    hint = "set time_format, e.g. '%d/%m/%Y' (day first) or '%m/%d/%Y' (month first)"
    if day_first.any() and month_first.any():
        raise fail(found, f"dates in both day/month orders ({values[found][day_first].iloc[0][:20]!r} and "
                          f"{values[found][month_first].iloc[0][:20]!r}): {hint}")
    if not (day_first.any() or month_first.any()) and (a != b).any():
        raise fail(found, f"no date decides between day/month and month/day order (e.g. "
                          f"{values[found][a != b].iloc[0][:20]!r}): {hint}")
    day, month = (a, b) if day_first.any() else (b, a)
    year = parts.loc[found, 3]
    short = year.str.len() == 2
    year = year.where(~short, year.astype(int).map(lambda y: str(2000 + y if y < 69 else 1900 + y)))
    out = values.copy()
    out[found] = (year + "-" + month.map("{:02d}".format) + "-" + day.map("{:02d}".format)
                  + parts.loc[found, 4])
    return out


def _to_records(frame: pd.DataFrame, path: str, mapping: Mapping[str, str]) -> pd.DataFrame:
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
            "created_at": col("created_at"),  # text: parsed over the whole source (read_table)
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
