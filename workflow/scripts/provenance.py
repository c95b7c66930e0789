"""Rule provenance: input checksums, the config as run, code version and package versions (analysis.provenance)."""

from pathlib import Path

from analysis import io, provenance
from analysis.errors import report_user_errors

log = io.setup_logging(snakemake.log[0], "provenance")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
inputs, packages, summary = provenance.provenance(
    {role: snakemake.input[role] for role in ("sources", "dictionaries", "other")}, config_file=snakemake.output.config)
io.write_csv(inputs, snakemake.output.inputs)
io.write_csv(packages, snakemake.output.packages)
Path(snakemake.output.config).write_text(provenance.config_as_run(snakemake.params.config), encoding="utf-8")
io.write_json(summary, snakemake.output.summary)
log.info("%d input files, commit %s (modified: %s)", len(inputs), summary["code"]["commit"],
         summary["code"]["modified"])
