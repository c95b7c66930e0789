"""From one ``sources`` entry of the config to a :class:`ReadResult`.

A source has an ``id``, a ``path`` (a file, a glob, or a folder) and a
``format``; table formats also have a column mapping. A folder stands for the
files in it with the format's usual endings (``*.txt`` for scraped text,
``*.csv``, ``*.jsonl``/``*.json``/compressed JSONL for JSONL and Reddit,
``*.parquet``); a ConvoKit source's path is the corpus folder itself, or a
folder of corpus folders. Files are read in sorted order, so runs are
repeatable.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.errors import ConfigError, InputError
from analysis.ingest.base import ReadResult

__all__ = ["FORMATS", "resolve_paths", "read_source"]

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


def read_source(source: Mapping, *, base: str | Path = ".") -> ReadResult:
    """Read every file of one configured source with the reader for its format."""
    fmt = source["format"]
    paths = resolve_paths(source["path"], fmt, base=base)
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

        result = read_table(full, fmt=fmt, mapping=source.get("columns", {}), encoding=encoding,
                            delimiter=source.get("delimiter", ","), time_unit=source.get("time_unit"),
                            timezone=source.get("timezone", "UTC"))
    elif fmt == "reddit":
        from analysis.ingest.reddit import read_reddit

        result = read_reddit(full, encoding=encoding)
    else:
        from analysis.ingest.convokit import read_convokit

        result = _concat([read_convokit(f, encoding=encoding) for f in full])
    return _relabel_files(result, dict(zip(full, paths)))


def _concat(parts: list[ReadResult]) -> ReadResult:
    return ReadResult(
        records=pd.concat([p.records for p in parts], ignore_index=True),
        threads=pd.concat([p.threads for p in parts], ignore_index=True),
        rejects=pd.concat([p.rejects for p in parts], ignore_index=True),
        lines=pd.concat([p.lines for p in parts], ignore_index=True),
    )


def _relabel_files(result: ReadResult, names: dict[str, str]) -> ReadResult:
    """Report files by the path the user wrote, not the joined absolute one."""
    for frame in (result.records, result.rejects, result.lines):
        if "file" in frame and len(frame):
            frame["file"] = frame["file"].map(lambda f: names.get(f, f))
    return result
