"""Rule validation_report: alpha, gold labels and P/R/F1 from returned sheets; P/R/F1 against label columns."""

import pandas as pd

from analysis import io
from analysis.errors import report_user_errors
from analysis.validation.validation_report import read_sheets, validation_report

log = io.setup_logging(snakemake.log[0], "validation_report")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
opts = snakemake.params.options
sample = pd.read_csv(snakemake.input.sample, dtype={"thread_id": str, "comment_id": str}, keep_default_na=False)
sheets = read_sheets(opts["coded_sheets"], opts["coders"])
out = validation_report(io.read_tables(snakemake.input.docs), sample, sheets, coders=opts["coders"],
                        label_column=opts["label_column"], code_of_frame=opts["code_of_frame"],
                        cluster=opts["cluster"], n_boot=opts["n_boot"], seed=opts["seed"],
                        n_errors=opts["worst_errors"])
io.write_json(out["summary"], snakemake.output.summary)
for name in ("alpha", "coded", "errors", "labels"):
    io.write_csv(out[name], getattr(snakemake.output, name))
log.info("sheets returned: %s; label column: %s", sorted(sheets), opts["label_column"] or "none")
