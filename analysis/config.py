"""Checking a run's configuration before any job runs.

The JSON Schema in ``workflow/schemas/config.schema.yaml`` gives every key a
type, a description and a default. :func:`check_config` validates with
Snakemake's ``validate`` (which also fills in the defaults), and rewords the
first problem found as one line naming the key and what was expected; then it
checks what a schema cannot say (unique source ids, column mappings of table
formats, files that must exist).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import jsonschema
import yaml

from analysis.errors import ConfigError

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
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    err = jsonschema.exceptions.best_match(errors)
    key = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in err.absolute_path).replace(".[", "[")
    if err.validator == "additionalProperties":
        return f"{key or '(top level)'}: {err.message} (allowed: {sorted(err.schema.get('properties', {}))})"
    if err.validator == "required":
        return f"{key or '(top level)'}: {err.message}"
    expected = {
        "type": f"a value of type {err.validator_value}",
        "enum": f"one of {err.validator_value}",
        "minimum": f"a number >= {err.validator_value}",
        "maximum": f"a number <= {err.validator_value}",
        "pattern": f"text matching {err.validator_value}",
        "minLength": f"text of at least {err.validator_value} character(s)",
        "maxLength": f"text of at most {err.validator_value} character(s)",
        "minItems": f"a list of at least {err.validator_value} item(s)",
    }.get(err.validator, err.message)
    return f"{key}: expected {expected}, got {err.instance!r}"


def check_config(config: dict, validate: Callable | None = None) -> dict:
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
    """
    problem = explain(config)
    if problem:
        key, _, message = problem.partition(": ")
        raise ConfigError(key, message)
    if validate is not None:  # Snakemake's validate: the same schema, and it sets defaults
        validate(config, str(SCHEMA_PATH), set_default=True)
    else:
        _fill_defaults(config, yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8")))
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
    for path in config["lexicons"]:
        if not Path(path).is_file():
            raise ConfigError("lexicons", f"no dictionary file {path!r}")
    _check_frames(config, cache=LEXICON_CHECK_CACHE if validate is not None else None)
    return config


def _check_frames(config: dict, *, cache: Path | None = None) -> None:
    """Frames named in framing and validation options must exist in the active dictionaries."""
    from analysis.lexicons import unique_frames  # here, as load_lexicon below: not at import

    frames_by_path = _lexicon_frames(config["lexicons"], cache=cache)
    try:
        frames = unique_frames((str(Path(path)), frames_by_path[path]) for path in config["lexicons"])
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


def _lexicon_frames(paths: Sequence[str], *, cache: Path | None) -> dict[str, list[str]]:
    """Frame names of each dictionary, in file order, after the full check of ``load_lexicon``."""
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
            known[keys[path]] = list(load_lexicon(path).frames)
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
