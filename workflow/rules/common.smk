# Shared by every rule: the validated config, the shard list, source inputs.
import ast
import glob
import sys
import time
from functools import cache
from pathlib import Path

from snakemake.utils import validate

from analysis.config import check_config
from analysis.errors import ConfigError, stop_messages
from analysis.figure_registry import FIGURES, caption_file
from analysis.ingest.sources import resolve_paths

STARTED = time.time()
try:  # a config error ends the run with its one line last on the console, not a traceback
    check_config(config, validate, given=workflow.config_settings.overwrite_config)
except ConfigError as exc:
    print(f"threadscope stopped: {exc}", file=sys.stderr)
    raise SystemExit(1) from None

# profiles/slurm ships placeholders for the values only its user knows; left in, sbatch would reject every
# job ("Invalid partition name specified") once Snakemake had started: stop before anything is submitted.
PLACEHOLDERS = {"slurm_partition": "my_partition", "slurm_account": "my_account"}
_res = workflow.resource_settings
for _where, _given in [("default-resources", _res.default_resources or {})] + [
    (f"set-resources {rule}:", given) for rule, given in (_res.overwrite_resources or {}).items()
]:
    for _name, _placeholder in PLACEHOLDERS.items():
        if _name in _given and str(getattr(_given[_name], "raw", _given[_name])).strip("'\"") == _placeholder:
            print(f"threadscope stopped: {_where} {_name} is still the placeholder '{_placeholder}' of "
                  "profiles/slurm/config.yaml: set your cluster's value there (keep the inner quotes), "
                  "or delete the line to use the cluster's default", file=sys.stderr)
            raise SystemExit(1)

R = config["results"]
SHARDS = [f"{i:03d}" for i in range(config["n_shards"])]
SOURCES = {s["id"]: s for s in config["sources"]}
LOGS = f"{R}/logs"


onerror:
    # the one-line message of each job stopped by a user error (analysis.errors.report_user_errors), last on the console
    for line in stop_messages(LOGS, since=STARTED):
        print(f"threadscope stopped: {line}", file=sys.stderr)


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
    """All shard files of one per-shard output, e.g. shard_files(rules.shard.output.comments)."""
    return expand(pattern, shard=SHARDS)


FIGURE_FORMATS = ("png", "svg", "pdf", "csv", "json")


def figure_files(name):
    """The files of one figure of analysis.figure_registry.FIGURES: PNG, SVG, PDF, its data as CSV and its caption facts as JSON.

    The PNG goes into ``snakemake --report`` under the figure's book chapter, with its
    caption from workflow/report/<name>.rst (the book uses the same text).
    """
    files = {ext: f"{R}/figures/{name}.{ext}" for ext in FIGURE_FORMATS}
    files["png"] = report(files["png"], caption=f"../../{caption_file(name)}", category=FIGURES[name].chapter,
                          labels={"figure": name})
    return files


@cache
def _analysis_imports(path):
    """The analysis modules a Python file imports directly, as file paths."""
    found = set()
    for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "analysis":
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] == "analysis"]
        else:
            continue
        for name in names:
            base = Path(*name.split("."))
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    found.add(str(candidate))
    return frozenset(found)


def code_of(script):
    """The script of a rule and every analysis module it imports, transitively.

    Listed as inputs, so that editing the code of a measure reruns exactly the
    rules whose results it can change (Snakemake itself tracks only the script).
    """
    todo, seen = [f"workflow/scripts/{script}.py"], set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo.extend(_analysis_imports(path))
    return sorted(seen - {f"workflow/scripts/{script}.py"})


def returned_coding_sheets():
    """The coders' sheets that have come back (validation.coded_sheets/<coder>.csv), in coder order."""
    val = config["validation"]
    return [f"{val['coded_sheets']}/{c}.csv" for c in val["coders"] if Path(val["coded_sheets"], f"{c}.csv").is_file()]
