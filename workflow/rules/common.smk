# Shared by every rule: the validated config, the shard list, source inputs.
import glob
from pathlib import Path

from snakemake.utils import validate

from analysis.config import check_config
from analysis.ingest.sources import resolve_paths

check_config(config, validate)

R = config["results"]
SHARDS = [f"{i:03d}" for i in range(config["n_shards"])]
SOURCES = {s["id"]: s for s in config["sources"]}
LOGS = f"{R}/logs"

wildcard_constraints:
    source="|".join(SOURCES),
    shard=r"\d{3}",


def source_files(wildcards):
    """The files a source reads: a change to any of them reruns its ingest."""
    src = SOURCES[wildcards.source]
    paths = resolve_paths(src["path"], src["format"])
    if src["format"] == "convokit":
        return sorted(str(p) for d in paths for p in Path(d).glob("*.json*"))
    return paths


def shard_files(pattern):
    """All shard files of one table, e.g. shard_files(R + '/comments/shard-{shard}.parquet')."""
    return expand(pattern, shard=SHARDS)


def figure_files(name):
    """The files of one figure: PNG, SVG, PDF and its data as CSV."""
    return {ext: f"{R}/figures/{name}.{ext}" for ext in ("png", "svg", "pdf", "csv")}
