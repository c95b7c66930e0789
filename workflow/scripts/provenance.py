"""Rule provenance: input checksums, the config as run, code version and package versions."""

import yaml

from analysis import io, provenance

log = io.setup_logging(snakemake.log[0], "provenance")
files = provenance.file_table((role, path) for role in ("sources", "dictionaries", "other")
                              for path in snakemake.input[role])
io.write_csv(files, snakemake.output.inputs)
packages = provenance.package_versions()
io.write_csv(packages, snakemake.output.packages)
with open(snakemake.output.config, "w", encoding="utf-8") as fh:
    fh.write("# The configuration this run used, complete (defaults filled in).\n"
             "# Reproduce with: snakemake --cores 2 --configfile <this file>\n")
    yaml.safe_dump(dict(snakemake.params.config), fh, sort_keys=True, allow_unicode=True)
code = provenance.code_version(".")
io.write_json({"code": code, "n_inputs": len(files), "input_bytes": int(files["bytes"].sum()),
               "key_packages": dict(zip(packages.loc[packages["key"], "package"], packages.loc[packages["key"], "version"])),
               "config_file": snakemake.output.config}, snakemake.output.summary)
log.info("%d input files, commit %s (modified: %s)", len(files), code["commit"], code["modified"])
