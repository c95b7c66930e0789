"""Rule concordance: a keyword-in-context line for every frame match (the evidence), see :mod:`analysis.concordance`."""

from analysis import io
from analysis.concordance import concordance
from analysis.errors import report_user_errors

log = io.setup_logging(snakemake.log[0], "concordance")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
n_lines = concordance(snakemake.input.matches, snakemake.input.comments, snakemake.input.threads,
                      table=snakemake.output.table, csv=snakemake.output.csv, width=snakemake.params.width)
log.info("%d concordance lines", n_lines)
