"""From one ``sources`` entry of the config to a :class:`ReadResult`.

A source has an ``id``, a ``path`` (a file, a glob, or a folder) and a
``format``; table formats also have a column mapping. A folder stands for the
files in it with the format's usual endings (``*.txt`` for scraped text,
``*.csv``, ``*.jsonl``/``*.json``/compressed JSONL for JSONL and Reddit,
``*.parquet``); a ConvoKit source's path is the corpus folder itself, or a
folder of corpus folders. Files are read in sorted order, so runs are
repeatable.

A source may be read whole (``shard_by: thread``, the default: threads are
sharded by their id after reading, so a thread may span files) or one shard
of files at a time (``shard_by: file``): :func:`files_by_shard` gives each
input file (each corpus folder, for ConvoKit) to one shard by a stable hash of
its path relative to the source's folder, :func:`read_source` with ``files``
reads just those, and :func:`check_threads_in_one_file` stops the run when a
thread turns out to span files.

Language: a source may declare the language of all its comments
(``language: ar``; its records get a ``language`` column and its articles an
``article_language``), or a table source may map a column of language codes
(``columns: {language: lang}``, renamed ``language``). Either way rule
``shard`` checks the codes instead of identifying the language
(:func:`analysis.language.add_language`). A column that happens to be called
``language`` but is not mapped is kept as metadata ``meta_language``.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from analysis import columns
from analysis.errors import ConfigError, InputError
from analysis.ingest.base import ReadResult
from analysis.sharding import shard_of_path

__all__ = ["FORMATS", "resolve_paths", "source_root", "files_by_shard", "read_source", "check_threads_in_one_file"]

FORMATS = ("scraped_text", "csv", "jsonl", "parquet", "reddit", "convokit")
_SUFFIXES = {
    "scraped_text": (".txt",),
    "csv": (".csv", ".tsv"),
    "jsonl": (".jsonl", ".json", ".ndjson"),
    "parquet": (".parquet",),
    "reddit": (".jsonl", ".json", ".ndjson", ".gz", ".bz2", ".xz", ".zst"),
}


def resolve_paths(path: str, fmt: str, *, base: str | Path = ".") -> list[str]:
    """The input files (or ConvoKit folders) a source's ``path`` stands for, sorted.

    Relative paths are taken from ``base``. Raises :class:`InputError` when
    nothing matches, so a typo stops the run before any work.
    """
    if fmt not in FORMATS:
        raise ConfigError("sources[].format", f"{fmt!r} is not known; expected one of {list(FORMATS)}")
    full = Path(base) / path
    if fmt == "convokit":
        if (full / "utterances.jsonl").is_file():
            return [str(Path(path))]
        found = sorted(p.parent for p in full.glob("*/utterances.jsonl")) if full.is_dir() else []
        if not found:
            raise InputError(path, "no ConvoKit corpus here: expected a folder holding utterances.jsonl")
        return [str(p.relative_to(base)) if Path(base) in p.parents else str(p) for p in found]
    if full.is_dir():
        found = sorted(p for p in full.iterdir() if p.is_file() and p.name.lower().endswith(_SUFFIXES[fmt]))
    elif any(ch in path for ch in "*?["):
        found = sorted(Path(p) for p in glob.glob(str(full), recursive=True) if Path(p).is_file())
    elif full.is_file():
        found = [full]
    else:
        raise InputError(path, "no such file or folder")
    if not found:
        raise InputError(path, f"no {fmt} input files found (looked for {', '.join(_SUFFIXES[fmt])})")
    return [_rel(p, base) for p in found]


def _rel(p: Path, base: str | Path) -> str:
    try:
        return str(p.resolve().relative_to(Path(base).resolve()))
    except ValueError:
        return str(p)


def source_root(path: str, *, base: str | Path = ".") -> PurePath:
    """The folder a source's ``path`` stands in: the folder itself, a file's folder, or a glob's fixed part.

    ``data/x`` (a folder) -> ``data/x``; ``data/x/a.csv`` (a file) -> ``data/x``;
    ``data/x/**/*.csv`` -> ``data/x``. Input files are named relative to it
    when they are assigned to shards, so moving the corpus does not move them.
    """
    fixed = []
    for part in PurePath(path).parts:
        if any(ch in part for ch in "*?["):
            return PurePath(*fixed) if fixed else PurePath(".")
        fixed.append(part)
    return PurePath(path).parent if (Path(base) / path).is_file() else PurePath(path)


def files_by_shard(source: Mapping, n_shards: int, *, base: str | Path = ".") -> list[list[str]]:
    """The input files (ConvoKit: corpus folders) of each shard of a ``shard_by: file`` source.

    A file goes whole to shard :func:`~analysis.sharding.shard_of_path` of its
    path relative to :func:`source_root`; only paths are needed, not content.
    Returns ``n_shards`` sorted lists of paths as :func:`resolve_paths` gives them.
    """
    paths = resolve_paths(source["path"], source["format"], base=base)
    root = source_root(source["path"], base=base)
    out: list[list[str]] = [[] for _ in range(n_shards)]
    for p in paths:
        out[shard_of_path(_relative_to(p, root, base), n_shards)].append(p)
    return out


def _relative_to(path: str, root: PurePath, base: str | Path) -> str:
    full, top = Path(base) / path, Path(base) / root
    try:
        return full.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return PurePath(path).as_posix()


def read_source(source: Mapping, *, base: str | Path = ".", files: Sequence[str] | None = None) -> ReadResult:
    """Read every file of one configured source with the reader for its format.

    ``files`` (paths as :func:`resolve_paths` or :func:`files_by_shard` give
    them) reads only those files of the source instead, e.g. one shard's; an
    empty list gives an empty result.
    """
    fmt = source["format"]
    paths = resolve_paths(source["path"], fmt, base=base) if files is None else [str(f) for f in files]
    if not paths:
        return _empty_result(fmt)
    encoding = source.get("encoding", "utf-8")
    full = [str(Path(base) / p) for p in paths]
    if fmt == "scraped_text":
        from analysis.ingest.scraped import read_scraped

        opts = source.get("scraped", {})
        parts = [
            read_scraped(f, file=p, thread_id=Path(p).stem, encoding=encoding,
                         paragraphs=opts.get("paragraphs", "continue"), site_tags=opts.get("site_tags", True))
            for f, p in zip(full, paths)
        ]
        result = _concat(parts)
    elif fmt in ("csv", "jsonl", "parquet"):
        from analysis.ingest.tables import read_table

        mapping = {k: v for k, v in source.get("columns", {}).items() if k != "language"}  # language: see below
        result = read_table(full, fmt=fmt, mapping=mapping, encoding=encoding,
                            delimiter=source.get("delimiter", ","), time_unit=source.get("time_unit"),
                            time_format=source.get("time_format"),
                            timezone=source.get("timezone", "UTC"))
    elif fmt == "reddit":
        from analysis.ingest.reddit import read_reddit

        result = read_reddit(full, encoding=encoding)
    else:
        from analysis.ingest.convokit import read_convokit

        root_is_article = source.get("convokit", {}).get("root_is_article", True)
        result = _concat([read_convokit(f, encoding=encoding, root_is_article=root_is_article) for f in full])
    return _language(_relabel_files(result, dict(zip(full, paths))), source)


def _language(result: ReadResult, source: Mapping) -> ReadResult:
    """The source's declared language, or its mapped column of codes, as the records' ``language`` column."""
    records = result.records
    mapped = (source.get("columns") or {}).get("language")
    if "language" in records and mapped != "language":  # a column of that name the user did not choose
        records = records.rename(columns={"language": "meta_language"})
    if mapped and len(records):
        if mapped not in records:
            raise InputError(source["path"], f"no column {mapped!r} (sources[].columns.language of source "
                             f"{source['id']!r}); columns: {[c for c in records.columns if c != 'text']}")
        records = records.rename(columns={mapped: "language"})
    declared = source.get("language")
    if declared:
        records = records.assign(language=declared)
        threads = result.threads
        result.threads = threads.assign(article_language=np.where(
            threads["article_text"].fillna("").astype(str).str.strip() != "", declared, "und"))
    result.records = records
    return result


def _empty_result(fmt: str) -> ReadResult:
    """What a reader returns for no input at all (a shard that no file falls in)."""
    metadata = ["removed"] if fmt in ("reddit", "convokit") else []
    return ReadResult(
        records=columns.empty("records", metadata=metadata),
        threads=pd.DataFrame({c: pd.Series(dtype=object) for c in ("thread_id", "title", "article_text", "site_tags")}),
    )


def check_threads_in_one_file(result: ReadResult, *, source: str) -> None:
    """Stop with one line naming the files when a thread's comments come from more than one file.

    With ``shard_by: file`` each file goes whole to one shard, so a thread that
    spans files would be split into two threads with the same id.
    """
    rec = result.records
    if not len(rec):
        return
    pairs = rec[["thread_id", "file"]].drop_duplicates()
    spread = pairs["thread_id"].duplicated(keep=False)
    if spread.any():
        tid = pairs.loc[spread, "thread_id"].iloc[0]
        files = sorted(pairs.loc[pairs["thread_id"] == tid, "file"])
        raise InputError(
            files[0],
            f"thread {tid!r} of source {source!r} also has comments in {', '.join(files[1:])}: "
            "with shard_by: file every thread must lie in one file (use shard_by: thread for this source)",
        )


def _concat(parts: list[ReadResult]) -> ReadResult:
    return ReadResult(
        records=pd.concat([p.records for p in parts], ignore_index=True),
        threads=pd.concat([p.threads for p in parts], ignore_index=True),
        rejects=pd.concat([p.rejects for p in parts], ignore_index=True),
        lines=pd.concat([p.lines for p in parts], ignore_index=True),
        warnings=[w for p in parts for w in p.warnings],
        line_counts=_add_counts(p.line_counts for p in parts),
    )


def _add_counts(counts) -> dict[str, int]:
    """Line counts of several readers' results added up key by key."""
    total: dict[str, int] = {}
    for c in counts:
        for k, v in c.items():
            total[k] = total.get(k, 0) + int(v)
    return total


def _relabel_files(result: ReadResult, names: dict[str, str]) -> ReadResult:
    """Report files by the path the user wrote, not the joined absolute one."""
    if all(k == v for k, v in names.items()):
        return result
    for frame in (result.records, result.rejects, result.lines):
        if "file" in frame and len(frame):
            codes, files = pd.factorize(frame["file"])  # a few files, many rows: map each file once
            frame["file"] = pd.Series(
                np.array([names.get(f, f) for f in files], dtype=object)[codes], index=frame.index)
    for full, given in names.items():
        result.warnings = [w.replace(full, given) for w in result.warnings]
    return result
