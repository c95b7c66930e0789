"""Checking a run's configuration before any job runs.

The JSON Schema in ``workflow/schemas/config.schema.yaml`` gives every key a
type, a description and a default. :func:`check_config` validates with
Snakemake's ``validate`` (which also fills in the defaults), and rewords the
first problem found as one line naming the key and what was expected; then it
checks what a schema cannot say (unique source ids, column mappings of table
formats, files that must exist).
"""

from __future__ import annotations

import codecs
import copy
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import jsonschema
import yaml

from analysis.errors import ConfigError, excerpt, schema_problem

__all__ = ["SCHEMA_PATH", "LEXICON_CHECK_CACHE", "check_config", "explain"]

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "workflow" / "schemas" / "config.schema.yaml"
TABLE_FORMATS = ("csv", "jsonl", "parquet")
#: Where a run under Snakemake remembers dictionaries that passed the full check (see :func:`check_config`).
LEXICON_CHECK_CACHE = Path(".snakemake") / "threadscope" / "lexicons-checked.json"
# What the full dictionary check depends on besides the dictionary itself.
_CHECK_CODE = ("analysis/lexicons.py", "analysis/tokenization.py", "analysis/errors.py",
               "workflow/schemas/lexicon.schema.yaml")


def explain(config: dict) -> str | None:
    """The first schema violation in ``config`` as 'key: expected …, got …', or None."""
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    err = jsonschema.exceptions.best_match(errors)
    key = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in err.absolute_path).replace(".[", "[")
    return f"{key or '(top level)'}: {schema_problem(err)}"


def check_config(config: dict, validate: Callable | None = None, *, given: dict | None = None) -> dict:
    """Validate ``config`` in place (defaults filled in); raise :class:`ConfigError` on the first problem.

    Every dictionary in ``lexicons`` is loaded and checked in full
    (:func:`analysis.lexicons.load_lexicon`: schema, every term split as the
    tokenizer splits text), which imports NLTK: about a second. When called
    by Snakemake (``validate`` given), a dictionary that passed is remembered
    in :data:`LEXICON_CHECK_CACHE` under the working folder, keyed by the
    SHA-256 of its bytes and of the code that checks it, so parsing the
    workflow again (a no-op rerun, a dry run) skips the import; an edited
    dictionary or checking code is checked again. Failures are never
    remembered.

    ``given`` is what the user's own config files (``--configfile``) and
    ``--config`` set, before Snakemake merged them over ``config/config.yaml``
    (None: the sample config alone). A config that lists its own ``sources``
    must also name its dictionaries (:func:`check_own_dictionaries`).

    Besides the schema: a value too large or too deeply nested (a YAML alias
    bomb) is refused before anything walks it; ``results`` must be a folder
    safe to write and clean (:func:`check_results`); each source's encoding
    and time zone must be known. Every message quotes at most a short excerpt
    of a bad value (:func:`analysis.errors.excerpt`).
    """
    check_size(config)
    problem = explain(config)
    if problem:
        key, _, message = problem.partition(": ")
        raise ConfigError(key, message)
    if validate is not None:  # Snakemake's validate: the same schema, and it sets defaults
        validate(config, str(SCHEMA_PATH), set_default=True)
    else:
        _fill_defaults(config, yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8")))
    check_own_dictionaries(given)
    check_results(config["results"], config["sources"])
    ids = [s["id"] for s in config["sources"]]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ConfigError("sources", f"source ids must be unique; repeated: {dup}")
    for i, src in enumerate(config["sources"]):
        if src["format"] in TABLE_FORMATS:
            cols = src.get("columns") or {}
            missing = [f for f in ("text",) if not cols.get(f)]
            if missing:
                raise ConfigError(f"sources[{i}].columns", f"format {src['format']} needs a column for {missing}")
        elif src.get("columns"):
            raise ConfigError(f"sources[{i}].columns", f"format {src['format']} takes no column mapping")
        _check_encoding_and_timezone(src, key=f"sources[{i}]")
        if src.get("language") and (src.get("columns") or {}).get("language"):
            raise ConfigError(f"sources[{i}].language", "the source declares one language for every comment and "
                              "also maps a column of languages (columns.language); keep one of them")
    _check_languages(config["languages"])
    for i, path in enumerate(config["lexicons"]):
        if not Path(path).is_file():
            raise ConfigError("lexicons", f"item {i}: no dictionary file {excerpt(path)}")
    _check_frames(config, cache=LEXICON_CHECK_CACHE if validate is not None else None)
    return config


def _check_languages(languages: Sequence[str]) -> None:
    """The study's languages must be known to the identification model (loaded only for a code outside its
    default candidates)."""
    from analysis import language

    if set(languages) <= set(language.BUCKET):
        return
    try:
        language.candidates(languages)
    except ValueError as exc:
        raise ConfigError("languages", str(exc)) from None


#: Most values (list items, mapping entries, scalars) a config may hold, counted as if every YAML alias were copied.
MAX_CONFIG_VALUES = 100_000
#: Deepest nesting of lists and mappings a config may have.
MAX_CONFIG_DEPTH = 20


def check_size(config, *, limit: int = MAX_CONFIG_VALUES, depth: int = MAX_CONFIG_DEPTH) -> None:
    """Refuse a config that is huge once its YAML aliases are expanded, or nested too deep, naming the key.

    The walk stops at the first value over the limit, so an alias bomb
    (a few lines that expand to billions of values) costs ``limit`` steps,
    never the expansion (printing or validating it would take gigabytes).
    """
    count = 0
    stack = [(config, "", 0)]
    while stack:
        value, key, level = stack.pop()
        count += 1
        if count > limit or level > depth:
            what = f"more than {limit:,} values" if count > limit else f"nesting deeper than {depth} levels"
            raise ConfigError(key or "(top level)",
                              f"the value holds {what} once YAML aliases (&name / *name) are expanded; "
                              "a config needs far fewer (is an alias repeated by mistake?)")
        if isinstance(value, dict):
            stack.extend((v, f"{key}.{k}" if key else str(k), level + 1) for k, v in value.items())
        elif isinstance(value, (list, tuple)):  # the key named is the mapping key holding the list
            stack.extend((v, key, level + 1) for v in value)


#: Folders of the project itself that a run's results must not be, nor lie in.
PROJECT_FOLDERS = (".git", ".snakemake", ".venv", "analysis", "benchmarks", "book", "config", "data", "docs",
                   "profiles", "tests", "workflow")


def check_results(results: str, sources=(), *, project: str | Path | None = None) -> Path:
    """``results`` as a resolved folder that is safe to write and to clean, or a ConfigError naming ``results``.

    The book step deletes folders under it (``<results>/book/src``,
    ``<results>/book/_build/html``), so it must not be empty, the file-system
    root, the project folder (``project``, default the working folder) or a
    folder above it, one of the project's own folders (:data:`PROJECT_FOLDERS`)
    or inside one, a folder holding a source's files, or an existing file.
    A path outside the project (e.g. ``/scratch/run1``) is fine.
    """
    if not isinstance(results, str) or not results.strip():
        raise ConfigError("results", "expected a folder for the run's outputs, e.g. results/mycorpus; got nothing")
    if any(c in results for c in "{}\0"):
        raise ConfigError("results", f"expected a folder name without braces or NUL characters, got {excerpt(results)}")
    base = Path(project or Path.cwd()).resolve()
    folder = (base / results).resolve()
    why = None
    if folder == Path(folder.anchor):
        why = "the file-system root"
    elif folder == base or folder in base.parents:
        why = "the project folder or a folder above it"
    elif base in folder.parents and folder.relative_to(base).parts[0] in PROJECT_FOLDERS:
        why = f"the project's own folder {folder.relative_to(base).parts[0]}/ or inside it"
    elif folder.exists() and not folder.is_dir():
        why = "an existing file"
    else:
        for src in sources:
            path = str(src.get("path", "")) if isinstance(src, dict) else ""
            fixed = Path(path.split("*")[0].split("?")[0].split("[")[0] or ".")
            where = (base / fixed).resolve()
            if path and (folder == where or folder in where.parents):
                why = f"a folder holding the files of source {src.get('id')!r}"
                break
    if why:
        raise ConfigError("results", f"{excerpt(results)} is {why}; the run writes and deletes folders under "
                          "results, so give a folder of its own, e.g. results/mycorpus")
    return folder


def _check_encoding_and_timezone(src: dict, *, key: str) -> None:
    """A source's text encoding must be known to Python, its time zone to pandas."""
    try:
        codecs.lookup(src.get("encoding", "utf-8"))
    except LookupError:
        raise ConfigError(f"{key}.encoding", f"unknown text encoding {excerpt(src.get('encoding'))}; expected a "
                          "Python codec name such as utf-8, utf-8-sig, cp1252 or latin-1") from None
    tz = src.get("timezone", "UTC")
    if tz != "UTC":
        import pandas as pd

        try:
            pd.Timestamp("2000-01-01").tz_localize(tz)
        except Exception:  # pandas raises several kinds for an unknown zone
            raise ConfigError(f"{key}.timezone", f"unknown time zone {excerpt(tz)}; expected an IANA name such as "
                              "Europe/Berlin or America/New_York, or UTC") from None


#: What ``config/config.yaml`` chooses for its sample thread only; a config with its own sources names its own.
OWN_DICTIONARY_KEYS = (("lexicons",), ("polarization", "stance_lexicon"))


def check_own_dictionaries(given: dict | None) -> None:
    """A config that lists its own ``sources`` names its frame dictionaries and stance lexicon explicitly.

    Snakemake merges the user's config over ``config/config.yaml``, so a
    corpus config that said nothing about dictionaries would silently get the
    sample's Syria frame dictionaries and stance lexicon. ``given`` is what
    the user's config set (see :func:`check_config`); ``lexicons: []`` is a
    valid choice (no frames).
    """
    if not isinstance(given, dict) or "sources" not in given:
        return
    for path in OWN_DICTIONARY_KEYS:
        node = given
        for part in path:
            node = node.get(part, _MISSING) if isinstance(node, dict) else _MISSING
        if node is _MISSING:
            key = ".".join(path)
            example = ("lexicons: [data/lexicons/gun_control_frames.yaml] (or lexicons: [] for no frames)"
                       if key == "lexicons" else
                       "polarization: {stance_lexicon: data/lexicons/gun_control_stance.yaml}")
            raise ConfigError(key, "your config lists its own sources but does not name this dictionary, so the "
                              f"sample's Syria one in config/config.yaml would be used; name yours, e.g. {example}")


_MISSING = object()


def _check_frames(config: dict, *, cache: Path | None = None) -> None:
    """Frames named in framing and validation options must exist in the active dictionaries."""
    from analysis.lexicons import unique_frames  # here, as load_lexicon below: not at import

    frames_by_path = _lexicon_frames(config["lexicons"], cache=cache)
    study = list(config["languages"])
    for path in config["lexicons"]:  # a dictionary of another language would be matched on no document
        language = frames_by_path[path][1]
        if len(study) > 1 and language not in study:
            raise ConfigError("lexicons", f"{path} is in {language!r}, which is not among the study's languages "
                              f"{study}: add {language!r} to languages, or leave the dictionary out")
        if len(study) == 1 and language != study[0]:
            raise ConfigError("languages", f"the dictionary {path} is in {language!r} but the study's languages "
                              f"are {study}, so every comment is read as {study[0]!r}: name every language of "
                              f"the study, e.g. languages: [{study[0]}, {language}]")
    try:
        frames = unique_frames((str(Path(path)), *frames_by_path[path]) for path in config["lexicons"])
    except ValueError as exc:
        raise ConfigError("lexicons", str(exc)) from None
    for pair in config["framing"]["index_pairs"]:
        for f in pair:
            if f not in frames:
                raise ConfigError("framing.index_pairs",
                                  f"no frame {f!r} in the active dictionaries; their frames: {frames}")
    for f in config["validation"]["code_of_frame"]:
        if f not in frames:
            raise ConfigError("validation.code_of_frame",
                              f"no frame {f!r} in the active dictionaries; their frames: {frames}")


def _lexicon_frames(paths: Sequence[str], *, cache: Path | None) -> dict[str, list]:
    """[frame names in file order, language] of each dictionary, after the full check of ``load_lexicon``."""
    code = _code_fingerprint() if cache is not None else ""
    keys = {}
    for path in paths:
        try:
            keys[path] = hashlib.sha256(Path(path).read_bytes() + code.encode()).hexdigest()
        except OSError:
            keys[path] = ""  # load_lexicon reports it
    known = _read_cache(cache) if cache is not None else {}
    todo = [p for p in paths if not keys[p] or keys[p] not in known]
    if todo:
        from analysis.lexicons import load_lexicon

        for path in todo:
            lexicon = load_lexicon(path)
            known[keys[path]] = [list(lexicon.frames), lexicon.language]
        if cache is not None:
            _write_cache(cache, {keys[p]: known[keys[p]] for p in paths if keys[p]})
    return {p: known[keys[p]] for p in paths}


def _code_fingerprint() -> str:
    """The checking code's bytes, and which NLTK and regex are installed (their files' size and time)."""
    h = hashlib.sha256()
    for rel in _CHECK_CODE:
        h.update((ROOT / rel).read_bytes())
    for name in ("nltk", "regex"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin:
            st = os.stat(origin)
            h.update(f"{name}:{origin}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _read_cache(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, entries: dict) -> None:
    """Merge ``entries`` into the cache file (atomically; a cache that cannot be written is skipped)."""
    try:
        merged = {**_read_cache(path), **entries}
        if len(merged) > 200:  # keep it small: the current dictionaries win
            merged = entries
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(merged, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def _fill_defaults(instance, schema) -> None:
    """Set schema defaults in ``instance`` (the same rule as Snakemake's validate)."""
    if not isinstance(instance, dict):
        return
    for key, sub in schema.get("properties", {}).items():
        if key not in instance and "default" in sub:
            instance[key] = copy.deepcopy(sub["default"])
        if key in instance:
            if sub.get("type") == "object":
                _fill_defaults(instance[key], sub)
            elif sub.get("type") == "array" and isinstance(sub.get("items"), dict):
                for item in instance[key]:
                    _fill_defaults(item, sub["items"])
