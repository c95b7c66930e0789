"""Dictionaries (lexicons) as versioned research instruments.

A dictionary is a YAML file: a name, a version, and frames (or stance poles),
each with a label, a description and its terms::

    name: syria_conflict
    version: "1.0.0"
    language: en
    description: Frames of the Syrian conflict.
    frames:
      civil_war:
        label: Civil war
        description: The conflict as a war among Syrians.
        terms: [civil war, uprising, rebel*]
        exclude: [rebel yell]            # never counted
        case_sensitive: [IS]             # matched only as written

Terms are matched on case-folded tokens unless listed under
``case_sensitive``; ``*`` at the end of a single word matches any ending;
terms of several words are multi-word expressions that tokenization joins into
one token. The file's SHA-256 (first 12 hex digits) identifies the exact
version used, and is recorded in every output that used it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from analysis.errors import ConfigError

__all__ = ["Lexicon", "load_lexicon", "SCHEMA_PATH"]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "lexicon.schema.yaml"


@dataclass(frozen=True)
class Lexicon:
    name: str
    version: str
    path: str
    sha256: str
    frames: dict  # frame -> {"label", "description", "terms", "exclude", "case_sensitive"}

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]

    def terms(self) -> list[str]:
        """Every term of every frame (including exclusions), in file order."""
        out = []
        for frame in self.frames.values():
            out += list(frame.get("terms", [])) + list(frame.get("exclude", []))
        return out


def load_lexicon(path: str | Path) -> Lexicon:
    """Read and validate a dictionary file; errors name the file and the key."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError("lexicons", f"cannot read dictionary {path}: {exc.strerror or exc}") from None
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError("lexicons", f"{path} is not valid UTF-8 YAML: {exc}") from None
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise ConfigError("lexicons", f"{path}, at {where}: {exc.message}") from None
    return Lexicon(
        name=doc["name"],
        version=str(doc["version"]),
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        frames=doc["frames"],
    )
