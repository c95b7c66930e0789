"""The table contract: every table one rule hands to another, defined once.

Each table is a list of ``Column`` (name, Arrow type, meaning). Writers call
:func:`conform` before writing, so a table with a missing, misnamed or mistyped
column fails at the rule that made it, with the table and column named.

Tables may carry extra *metadata* columns after the core ones (for example a
``side_label`` column from a CSV); these are stored as nullable strings and are
usable later as grouping variables. A metadata column may not reuse a core name.

Some tables have *optional* columns (:data:`OPTIONAL`): the comments' ``language`` and the threads'
``article_language``, which rule ``shard`` adds. A table without them (a source's ingest output, a
table built in a test) means what it meant before they existed: every document is in the dictionaries'
language. When present they are checked like core columns and stored right after them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

__all__ = [
    "Column",
    "TABLES",
    "RECORDS",
    "COMMENTS",
    "THREADS",
    "TOKENS",
    "MENTIONS",
    "QUARANTINE",
    "LINES",
    "OPTIONAL",
    "TableContractError",
    "conform",
    "core_names",
    "empty",
]


class TableContractError(ValueError):
    """A table does not match its contract in :mod:`analysis.columns`."""


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    doc: str
    nullable: bool = False


TS = pa.timestamp("us", tz="UTC")

# What a format reader hands to the integrity checks: one row per input record,
# before anything is quarantined. ``record`` is the 1-based line number (text,
# JSONL) or data-row number (CSV, Parquet) in ``file``.
RECORDS = [
    Column("file", pa.string(), "input file, as given in the config"),
    Column("record", pa.int64(), "1-based line (text, JSONL) or data row (CSV, Parquet) in the file"),
    Column("thread_id", pa.string(), "thread id as in the source"),
    Column("comment_id", pa.string(), "comment id as in the source ('' if missing)"),
    Column("parent_id", pa.string(), "id of the comment replied to; '' for a top-level comment"),
    Column("author", pa.string(), "author name as in the source; '' when unknown"),
    Column("created_at", TS, "creation time (UTC)", nullable=True),
    Column("text", pa.string(), "comment text"),
    Column("rule", pa.string(), "which parsing rule decided this comment (scraped text) or 'record'"),
]

COMMENTS = [
    Column("thread_id", pa.string(), "thread id, prefixed with the source id: '<source>:<id>'"),
    Column("comment_id", pa.string(), "comment id, unique within its thread"),
    Column("parent_id", pa.string(), "id of the comment replied to; '' for a top-level comment"),
    Column("depth", pa.int32(), "1 for a top-level comment, 2 for a reply to it, ..."),
    Column("position", pa.int32(), "1-based rank among siblings, by time then input order"),
    Column("author_id", pa.string(), "salted pseudonym of the author ('' when unknown)"),
    Column("created_at", TS, "creation time (UTC)", nullable=True),
    Column("text", pa.string(), "comment text (untrusted: escape wherever rendered)"),
    Column("source", pa.string(), "source id from the config"),
    Column("file", pa.string(), "input file"),
    Column("record", pa.int64(), "1-based line or data row in the file where the comment starts"),
    Column("rule", pa.string(), "parsing rule that decided this comment"),
    Column("is_placeholder", pa.bool_(), "text empty/removed but kept because replies hang from it"),
    Column("shard", pa.int32(), "stable hash shard of the thread id"),
]

THREADS = [
    Column("thread_id", pa.string(), "thread id, prefixed with the source id"),
    Column("source", pa.string(), "source id from the config"),
    Column("title", pa.string(), "thread or article title ('' when unknown)"),
    Column("article_text", pa.string(), "article body when the source has one, else ''"),
    Column("site_tags", pa.string(), "site tags found run into the article's first line, comma-separated"),
    Column("n_comments", pa.int64(), "comments kept in this thread"),
    Column("shard", pa.int32(), "stable hash shard of the thread id"),
]

TOKENS = [
    Column("thread_id", pa.string(), "thread id"),
    Column("comment_id", pa.string(), "comment id; '' for the article body"),
    Column("doc", pa.string(), "'comment' or 'article'"),
    Column("sentence", pa.int32(), "0-based sentence number within the document (Punkt)"),
    Column("index", pa.int32(), "0-based token number within the document"),
    Column("token", pa.string(), "surface form, exactly text[start:end] (MWE: first to last word)"),
    Column("norm", pa.string(), "case-folded form; an MWE joins its words with one space"),
    Column("stem", pa.string(), "Snowball stem of norm ('' when stemming is off)"),
    Column("start", pa.int32(), "character offset of the token in the document text"),
    Column("end", pa.int32(), "character offset one past the token's end"),
    Column("is_mwe", pa.bool_(), "token is a multi-word expression from an active dictionary"),
    Column("is_stopword", pa.bool_(), "norm is in the configured stopword list"),
]

MENTIONS = [
    Column("thread_id", pa.string(), "thread id"),
    Column("comment_id", pa.string(), "comment whose text contains the mention"),
    Column("kind", pa.string(), "'handle' (@name), 'author' (a known author's name) or 'vocative' (a name addressed)"),
    Column("target_id", pa.string(), "pseudonym of the mentioned name (same scheme as author_id)"),
    Column("mention", pa.string(), "the mention as written; '' when pseudonymisation is on"),
    Column("start", pa.int32(), "character offset in the comment text"),
    Column("end", pa.int32(), "character offset one past the mention"),
]

QUARANTINE = [
    Column("source", pa.string(), "source id"),
    Column("file", pa.string(), "input file"),
    Column("record", pa.int64(), "1-based line or data row"),
    Column("thread_id", pa.string(), "thread id as in the source ('' when unknown)"),
    Column("comment_id", pa.string(), "comment id as in the source ('' when unknown)"),
    Column("parent_id", pa.string(), "parent id as in the source"),
    Column("reason", pa.string(), "why the record was set aside"),
    Column("detail", pa.string(), "what exactly was wrong"),
    Column("raw", pa.string(), "the record's text, with undecodable bytes escaped"),
]

LINES = [
    Column("file", pa.string(), "input file"),
    Column("record", pa.int64(), "1-based line (scraped text) or record number"),
    Column("role", pa.string(),
           "where the unit went: title, article, site_tags, blank, author_header, comment, quarantine, ..."),
    Column("comment_id", pa.string(), "comment that holds this unit ('' for none)"),
]

MATCHES = [
    Column("thread_id", pa.string(), "thread id"),
    Column("comment_id", pa.string(), "comment id; '' for the article"),
    Column("doc", pa.string(), "'comment' or 'article'"),
    Column("lexicon", pa.string(), "dictionary name"),
    Column("lexicon_sha", pa.string(), "first 12 hex digits of the dictionary file's SHA-256"),
    Column("frame", pa.string(), "frame of the matched term"),
    Column("term", pa.string(), "dictionary term that matched (as written in the dictionary)"),
    Column("match", pa.string(), "the matched text, exactly text[start:end]"),
    Column("clitic", pa.string(), "clitic prefix stripped from the match's first word (Arabic: و, بال, لل, ..., "
           "normalised), '' for none"),
    Column("sentence", pa.int32(), "sentence number in the document"),
    Column("token_start", pa.int32(), "first token index of the match"),
    Column("token_end", pa.int32(), "token index one past the match"),
    Column("start", pa.int32(), "character offset of the match in the document text"),
    Column("end", pa.int32(), "character offset one past the match"),
    Column("quoted", pa.bool_(), "the match starts inside quotation marks"),
    Column("negated", pa.bool_(), "a negation cue precedes it within the negation window"),
    Column("in_quote", pa.bool_(), "the match lies in a passage quoted from another document (analysis.quotes)"),
    Column("counted", pa.bool_(), "counts as a hit under the configured quote/negation options"),
]

DOC_FRAMES = [
    Column("thread_id", pa.string(), "thread id"),
    Column("comment_id", pa.string(), "comment id; '' for the article"),
    Column("doc", pa.string(), "'comment' or 'article'"),
    Column("source", pa.string(), "source id"),
    Column("depth", pa.int32(), "reply depth; 0 for the article"),
    Column("author_id", pa.string(), "author pseudonym ('' unknown or article)"),
    Column("created_at", TS, "creation time (UTC)", nullable=True),
    Column("n_tokens", pa.int64(), "word tokens (letters or digits), the rate denominator"),
    Column("n_matches", pa.int64(), "dictionary matches, counted or not"),
]

DOC_STANCE = [
    Column("thread_id", pa.string(), "thread id"),
    Column("comment_id", pa.string(), "comment id; '' for the article"),
    Column("doc", pa.string(), "'comment' or 'article'"),
    Column("n_pro", pa.int64(), "stance cues for the pro pole (after flipping negated cues, if configured)"),
    Column("n_anti", pa.int64(), "stance cues for the anti pole"),
    Column("score", pa.float64(), "(pro - anti) / (pro + anti); missing when abstaining", nullable=True),
    Column("label", pa.string(), "pro, anti, neutral or abstain (no cue)"),
    Column("n_uncivil", pa.int64(), "hits of the incivility dictionary's incivility frame"),
]

#: Optional columns of a table (module docstring): checked and typed when present, never metadata.
OPTIONAL: dict[str, list[Column]] = {
    "comments": [Column("language", pa.string(),
                        "language of the text: ISO 639-1 code (en, ar, ...) or 'und' (analysis.language)")],
    "threads": [Column("article_language", pa.string(),
                       "language of article_text, as comments' language ('und' when there is no article)")],
}

TABLES: dict[str, list[Column]] = {
    "records": RECORDS,
    "comments": COMMENTS,
    "threads": THREADS,
    "tokens": TOKENS,
    "mentions": MENTIONS,
    "quarantine": QUARANTINE,
    "lines": LINES,
    "matches": MATCHES,
    "doc_frames": DOC_FRAMES,
    "doc_stance": DOC_STANCE,
}

# tables that may carry extra string metadata columns after their core columns
_WITH_METADATA = {"records", "comments", "threads", "doc_frames"}
# doc_frames also has one int64 column per frame, named hits_<frame> (null: not measured in that document's language)
_COUNT_PREFIX = "hits_"


def core_names(table: str) -> list[str]:
    """Names of the core columns of ``table``, in order."""
    return [c.name for c in _contract(table)]


def _optional_names(table: str) -> set[str]:
    return {c.name for c in OPTIONAL.get(table, [])}


def _contract(table: str) -> list[Column]:
    try:
        return TABLES[table]
    except KeyError:
        raise TableContractError(f"unknown table {table!r}; known: {sorted(TABLES)}") from None


def empty(table: str, *, metadata: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """An empty DataFrame with the contract's columns and dtypes."""
    return pa.schema(_fields(table, metadata)).empty_table().to_pandas()


def _fields(table: str, metadata) -> list[pa.Field]:
    fields = [pa.field(c.name, c.type, nullable=c.nullable) for c in _contract(table)]
    fields += [pa.field(m, pa.string(), nullable=True) for m in metadata]
    return fields


def conform(df: pd.DataFrame, table: str, *, metadata: list[str] | tuple[str, ...] | None = None) -> pa.Table:
    """Check ``df`` against the contract for ``table`` and return an Arrow table.

    Core columns must all be present; they are cast to their contract type, and
    a value that cannot be cast, or a null in a non-nullable column, raises
    :class:`TableContractError` naming the table and column. For tables with
    metadata, ``metadata`` lists the extra columns to keep (default: every
    non-core column, in the order found); they are stored as strings.
    """
    core = _contract(table)
    names = [c.name for c in core]
    optional = [c for c in OPTIONAL.get(table, []) if c.name in df.columns]
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise TableContractError(f"table {table!r} is missing column(s) {missing}; has {list(df.columns)}")
    counts = [c for c in df.columns if table == "doc_frames" and c.startswith(_COUNT_PREFIX)]
    extra = [c for c in df.columns if c not in names and c not in counts and c not in _optional_names(table)]
    if metadata is None:
        metadata = extra if table in _WITH_METADATA else []
    elif table not in _WITH_METADATA and metadata:
        raise TableContractError(f"table {table!r} takes no metadata columns, got {list(metadata)}")
    # an optional column named among the metadata is stored as the optional column it is
    metadata = [m for m in metadata if m not in _optional_names(table)]
    clash = [m for m in metadata if m in names]
    if clash:
        raise TableContractError(f"metadata column(s) {clash} of table {table!r} reuse core column names")
    arrays = []
    for col in core + optional:
        arrays.append(_cast(df[col.name], col.type, table, col.name, col.nullable))
    for c in counts:  # a count is missing (null) where it was not measured (a document of another language)
        arrays.append(_cast(df[c], pa.int64(), table, c, True))
    for m in metadata:
        if m in df.columns:
            arrays.append(_cast(df[m], pa.string(), table, m, True))
        else:
            arrays.append(pa.nulls(len(df), pa.string()))
    fields = _fields(table, []) + [pa.field(c.name, c.type, nullable=c.nullable) for c in optional]
    fields += [pa.field(c, pa.int64(), nullable=bool(a.null_count))
               for c, a in zip(counts, arrays[len(core) + len(optional):])]
    fields += [pa.field(m, pa.string(), nullable=True) for m in metadata]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _cast(series: pd.Series, typ: pa.DataType, table: str, name: str, nullable: bool) -> pa.Array:
    try:
        if pa.types.is_timestamp(typ):
            values = pd.to_datetime(series, utc=True)
            arr = pa.array(values, type=typ, from_pandas=True)
        elif pa.types.is_string(typ) and isinstance(series.dtype, pd.StringDtype):
            # already strings (missing values are nulls): cast in Arrow, no Python object per value
            arr = pa.array(series.array, from_pandas=True)
            arr = (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).cast(typ)
        elif pa.types.is_string(typ):
            arr = pa.array(series.astype(object).where(series.notna(), None), type=typ, from_pandas=True)
        else:
            arr = pa.array(series, from_pandas=True).cast(typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise TableContractError(f"table {table!r}, column {name!r}: cannot store as {typ}: {exc}") from None
    if not nullable and arr.null_count:
        raise TableContractError(f"table {table!r}, column {name!r}: {arr.null_count} missing value(s) not allowed")
    return arr
