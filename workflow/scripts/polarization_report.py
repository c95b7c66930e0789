"""Rule polarization_report: groups, leave-out partisanship, Esteban-Ray, reply network, incivility."""

import pandas as pd

from analysis import io
from analysis.polarization_report import polarization_report

log = io.setup_logging(snakemake.log[0], "polarization_report")
table = pd.read_csv(snakemake.input.author_groups[0], dtype=str) if snakemake.input.author_groups else None
report = polarization_report(
    io.read_tables(snakemake.input.comments),
    io.read_tables(snakemake.input.docs, columns=["thread_id", "comment_id", "doc", "n_tokens"]),
    io.read_tables(snakemake.input.stance),
    io.read_tables(snakemake.input.tokens, columns=["thread_id", "comment_id", "doc", "norm", "is_stopword"]),
    io.read_tables(snakemake.input.matches),
    options=snakemake.params.options,
    salt=snakemake.params.salt,
    author_table=table,
)
io.write_json(report.summary, snakemake.output.summary)
for name in ("partisanship", "terms", "network", "incivility", "speakers", "edges"):
    io.write_csv(getattr(report, name), getattr(snakemake.output, name))
log.info("unit %s, groups %s; not available: %s", report.summary["unit"], report.summary["groups"], report.summary["not_available"])
