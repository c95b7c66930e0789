#!/usr/bin/env python3
"""Check that two results folders of the same config hold the same outputs, byte for byte.

    same_results.py RESULTS OTHER_RESULTS

Compares the SHA-256 of every file of both folders (and that both have the same
files), except what records how or where a run happened rather than what it found:

- logs/ and benchmarks/: times, host names, job ids, peak memory;
- book/_build/.doctrees/: Sphinx's cache of parsed pages (pickles), not part of the book.

Everything else, the built HTML book included, must be identical. The name of
the results folder is part of the config, which the provenance record, the
book's config page, its reproduce command and its search index quote: so both
runs must write to a folder of the same name (`.ci/run` moves the local run's
results aside before the SLURM run writes its own).
Prints the differing files and exits 1 if there are any; exits 0 otherwise.
"""

import hashlib
import sys
from pathlib import Path

EXCLUDED = (("logs",), ("benchmarks",), ("book", "_build", ".doctrees"))


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every compared file, by its path relative to folder."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(rel.parts[: len(ex)] == ex for ex in EXCLUDED):
            continue
        found[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def differences(results: Path, other: Path) -> list[str]:
    """One line per file that is missing from one folder or differs, in path order."""
    a, b = digests(results), digests(other)
    lines = []
    for name in sorted(a.keys() | b.keys()):
        if name not in b:
            lines.append(f"only in {results}: {name}")
        elif name not in a:
            lines.append(f"only in {other}: {name}")
        elif a[name] != b[name]:
            lines.append(f"differs: {name}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    results, other = map(Path, argv)
    for folder in (results, other):
        if not folder.is_dir():
            print(f"same_results: {folder} is not a folder", file=sys.stderr)
            return 2
    lines = differences(results, other)
    for line in lines:
        print(line)
    n = len(digests(results))
    print(f"same_results: {n} files compared, {len(lines)} differ" if lines else
          f"same_results: {n} files of {results} and {other} are identical (logs, benchmarks, Sphinx cache excluded)")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
