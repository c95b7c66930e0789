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
from collections.abc import Callable
from pathlib import Path

import jsonschema
import yaml

from analysis.errors import ConfigError

__all__ = ["SCHEMA_PATH", "check_config", "explain"]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"
TABLE_FORMATS = ("csv", "jsonl", "parquet")


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
    """Validate ``config`` in place (defaults filled in); raise :class:`ConfigError` on the first problem."""
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
    _check_frames(config)
    return config


def _check_frames(config: dict) -> None:
    """Frames named in framing and validation options must exist in the active dictionaries."""
    from analysis.framing import frames_of
    from analysis.lexicons import load_lexicon

    try:
        frames = frames_of([load_lexicon(p) for p in config["lexicons"]])
    except ValueError as exc:
        raise ConfigError("lexicons", str(exc)) from None
    for pair in config["framing"]["index_pairs"]:
        for f in pair:
            if f not in frames:
                raise ConfigError("framing.index_pairs", f"no frame {f!r} in the active dictionaries; their frames: {frames}")
    for f in config["validation"]["code_of_frame"]:
        if f not in frames:
            raise ConfigError("validation.code_of_frame", f"no frame {f!r} in the active dictionaries; their frames: {frames}")


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
