"""What a run was made from: input checksums, code version, packages, rule graph.

The reproducibility page of the book and every figure's "cite this figure"
block are built from the files this module writes, so a reader can check
that a figure came from these inputs, these dictionaries and this code.
Nothing here depends on the time of the run, so two runs of the same inputs
and code write the same bytes. Nothing here names the machine either: paths
are shown relative to the project folder (:func:`public_path`), and secrets
(:data:`analysis.privacy.SECRET_KEYS`) are redacted from the config as run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import yaml

__all__ = [
    "provenance", "config_as_run", "rule_graph", "sha256_file", "file_table", "code_files", "code_version",
    "package_versions", "KEY_PACKAGES", "parse_rule_graph", "rule_graph_layers", "wrap_rule_name", "public_path",
    "public_text", "REDACTED",
]

#: What the config as run shows instead of a secret's value.
REDACTED = "<redacted>"

#: The packages whose versions the book lists; the CSV lists every installed one.
KEY_PACKAGES = ("threadscope", "snakemake", "nltk", "pandas", "numpy", "scipy", "pyarrow", "matplotlib", "networkx",
                "jupyter-book", "sphinx", "myst-parser", "sphinxcontrib-bibtex", "pyyaml", "jsonschema")
#: What counts as the code of a run: editing any of these can change a result.
CODE_PATHS = ("Snakefile", "pyproject.toml", "analysis", "workflow", "book")
_SKIP_DIRS = {"__pycache__", "_build", "_generated"}  # byte code and book build output, not code


def sha256_file(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks (any size, little memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def public_path(path: str | Path, root: str | Path = ".") -> str:
    """A path as an output may show it: relative to ``root`` (the project folder) when inside it.

    A relative path is returned as given (POSIX form); an absolute path inside
    ``root`` becomes relative to it; one outside keeps only its last two parts
    after ``…/`` (``/home/ann/data/x.csv`` -> ``…/data/x.csv``), so no output
    names the machine's folders or the user.
    """
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(Path(root).resolve()).as_posix() or "."
    except ValueError:
        return "…/" + "/".join(p.parts[-2:]) if len(p.parts) > 2 else "…/" + p.name


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PATH_CHARS = r"[^\s'\"`,;()\[\]<>]+"
_FILE_URL = re.compile(r"file://(/" + _PATH_CHARS + ")")
_UPWARD = re.compile(r"(?<![\w./~…:-])(?:\.\./)+" + _PATH_CHARS)
_ABSOLUTE = re.compile(r"(?<![\w./~…:-])/" + _PATH_CHARS)


def public_text(text: str, root: str | Path = ".") -> str:
    """``text`` (a tool's output, a command line) with every absolute path, ``file://`` address and path that climbs
    out of ``root`` (``../../tmp/x``) shown as :func:`public_path` shows it, and terminal colour codes removed:
    what a log may keep without naming the machine's folders."""
    text = _ANSI.sub("", text)
    text = _FILE_URL.sub(lambda m: "file://" + public_path(m.group(1), root), text)
    text = _UPWARD.sub(lambda m: public_path((Path(root) / m.group()).resolve(), root), text)
    return _ABSOLUTE.sub(lambda m: public_path(m.group(), root), text)


def file_table(files: Iterable[tuple[str, str | Path]], *, root: str | Path = ".") -> pd.DataFrame:
    """One row per (role, path): its size in bytes and SHA-256, sorted within a role.

    Paths are shown by :func:`public_path` (relative to ``root``).
    """
    rows = [{"role": role, "path": public_path(path, root), "bytes": Path(path).stat().st_size,
             "sha256": sha256_file(path)} for role, path in files]
    return pd.DataFrame(rows, columns=["role", "path", "bytes", "sha256"]).drop_duplicates().reset_index(drop=True)


def code_files(root: str | Path = ".") -> list[Path]:
    """Every file under :data:`CODE_PATHS`, sorted (build output and byte code left out).

    The code hash of :func:`code_version` covers exactly these files, and the
    provenance rule lists them as inputs, so editing any of them reruns it.
    """
    root = Path(root)
    files = []
    for name in CODE_PATHS:
        p = root / name
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(f for f in p.rglob("*") if f.is_file() and f.suffix != ".pyc"
                         and not _SKIP_DIRS.intersection(f.relative_to(root).parts))
    return sorted(files, key=lambda f: f.relative_to(root).as_posix())


def code_version(root: str | Path = ".") -> dict:
    """The code a run used: package version, a hash over the code files, and the git commit if any.

    ``code_sha256`` covers every file under :data:`CODE_PATHS` (names and
    bytes), so it identifies the code with or without git. ``modified`` says
    whether tracked code files differ from the commit (``None`` outside git).
    """
    root = Path(root)
    h = hashlib.sha256()
    for f in code_files(root):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + sha256_file(f).encode() + b"\n")
    out = {"package": "threadscope", "version": _version("threadscope"), "code_sha256": h.hexdigest(),
           "commit": None, "modified": None}

    def git(*args):
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else None

    try:
        commit = git("rev-parse", "HEAD")
    except FileNotFoundError:  # no git on this machine
        commit = None
    if commit:
        status = git("status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS)
        out.update(commit=commit, modified=bool(status))
    return out


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def package_versions() -> pd.DataFrame:
    """Python and every installed distribution with its version, sorted by name; key packages flagged."""
    seen = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            seen.setdefault(name.lower().replace("_", "-"), dist.version)
    rows = [{"package": "python", "version": platform.python_version(), "key": True}]
    rows += [{"package": n, "version": v, "key": n in KEY_PACKAGES} for n, v in sorted(seen.items())]
    return pd.DataFrame(rows, columns=["package", "version", "key"])


_NODE = re.compile(r'^\s*(\d+)\s*\[\s*label\s*=\s*"([^"]+)"')
_EDGE = re.compile(r"^\s*(\d+)\s*->\s*(\d+)")


def parse_rule_graph(dot: str) -> pd.DataFrame:
    """The edges (upstream rule, downstream rule) of ``snakemake --rulegraph`` output, sorted.

    A rule with no edge at all appears once with an empty ``downstream``.
    """
    names, edges = {}, []
    for line in dot.splitlines():
        if m := _NODE.match(line):
            names[m.group(1)] = m.group(2)
        elif m := _EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
    if not names:
        raise ValueError("no rule found in the rule graph (is this `snakemake --rulegraph` output?)")
    rows = {(names[a], names[b]) for a, b in edges}
    linked = {n for e in rows for n in e}
    rows |= {(n, "") for n in names.values() if n not in linked}
    return pd.DataFrame(sorted(rows), columns=["upstream", "downstream"])


def rule_graph_layers(edges: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """A layered drawing of the rule graph: rule -> (layer, position within the layer).

    The layer is the longest path from a rule without inputs from other rules;
    within a layer rules are ordered by the mean position of their upstream
    rules (one barycentre pass), then by name, which keeps most arrows short.
    """
    rules = sorted(set(edges["upstream"]) | (set(edges["downstream"]) - {""}))
    ups = {r: sorted(edges.loc[edges["downstream"] == r, "upstream"]) for r in rules}
    layer: dict[str, int] = {}

    def depth(r, trail=()):
        if r not in layer:
            if r in trail:
                raise ValueError(f"the rule graph has a cycle through {r}")
            layer[r] = 1 + max((depth(u, trail + (r,)) for u in ups[r]), default=-1)
        return layer[r]

    for r in rules:
        depth(r)
    pos: dict[str, tuple[int, float]] = {}
    for k in range(max(layer.values()) + 1):
        members = [r for r in rules if layer[r] == k]
        key = {r: (sum(pos[u][1] for u in ups[r]) / len(ups[r]) if ups[r] else 0.0, r) for r in members}
        for i, r in enumerate(sorted(members, key=key.get)):
            pos[r] = (k, i - (len(members) - 1) / 2)
    return pos


def wrap_rule_name(name: str, width: int = 11) -> str:
    """A rule name on short lines, broken after underscores: 'figure_frame_rates' -> 'figure_\\nframe_rates'."""
    lines, line = [], ""
    for part in name.split("_"):
        piece = part if not line else "_" + part
        if line and len(line) + len(piece) > width:
            lines.append(line + "_")
            line = part
        else:
            line += piece
    return "\n".join(lines + [line])


def provenance(files: Mapping[str, Sequence[str | Path]], *, config_file: str,
               root: str | Path = ".") -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Rule provenance: every input file with its size and SHA-256 (``files``: role -> paths, in role order),
    the installed packages, and the summary (code version, input count and bytes, key package versions).

    Returns ``(inputs, packages, summary)``; ``config_file`` is where the config as run is written
    (:func:`config_as_run`), named in the summary.
    """
    table = file_table(((role, path) for role, paths in files.items() for path in paths), root=root)
    packages = package_versions()
    key = packages["key"]
    summary = {"code": code_version(root), "n_inputs": len(table), "input_bytes": int(table["bytes"].sum()),
               "key_packages": dict(zip(packages.loc[key, "package"], packages.loc[key, "version"])),
               "config_file": public_path(config_file, root)}
    return table, packages, summary


def config_as_run(config: Mapping, *, root: str | Path = ".") -> str:
    """The text of the config file of a run: the complete config (defaults filled in), sorted, with how to rerun it.

    Secrets (:data:`analysis.privacy.SECRET_KEYS`, e.g. ``pseudonym_salt``)
    are shown as :data:`REDACTED` when set (an empty salt, the project's own
    random one, stays empty: rerun in the same project folder it is the same
    salt); absolute paths are shown by :func:`public_path`.
    """
    from analysis.privacy import SALT_FILE, SECRET_KEYS

    def clean(value):
        if isinstance(value, Mapping):
            return {k: REDACTED if k in SECRET_KEYS and v else clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        if isinstance(value, str) and Path(value).is_absolute():
            return public_path(value, root)
        return value

    shown = clean(dict(config))
    secrets = ", ".join(k for k in SECRET_KEYS if config.get(k))
    note = (f"# Secrets are not shown ({secrets}): set your own before rerunning.\n" if secrets else
            f"# pseudonym_salt is empty: the project's own salt ({SALT_FILE.as_posix()}, not shown) was used.\n")
    return ("# The configuration this run used, complete (defaults filled in).\n"
            + note
            + "# Paths outside the project folder are shortened to their last parts (…/).\n"
            "# Reproduce with: snakemake --cores 2 --configfile <this file>\n"
            + yaml.safe_dump(shown, sort_keys=True, allow_unicode=True))


def rule_graph(config: Mapping) -> pd.DataFrame:
    """The workflow's rule graph for ``config``, from ``snakemake --rulegraph`` run in the current folder
    (:func:`parse_rule_graph`); raises RuntimeError with Snakemake's message if it fails."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8") as fh:
        yaml.safe_dump(dict(config), fh, sort_keys=False, allow_unicode=True)
        fh.flush()
        cmd = [sys.executable, "-m", "snakemake", "--rulegraph", "--nolock", "--quiet", "all", "--configfile", fh.name]
        done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return parse_rule_graph(done.stdout)
