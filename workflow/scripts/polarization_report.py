"""Rule polarization_report: groups, leave-out partisanship, Esteban-Ray, reply network, incivility."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import io
from analysis.errors import report_user_errors
from analysis.polarization_report import MATCH_COLUMNS, TOKEN_COLUMNS, polarization_report, read_chunks

log = io.setup_logging(snakemake.log[0], "polarization_report")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
opt = snakemake.params.options
table = pd.read_csv(snakemake.input.author_groups[0], dtype=str) if snakemake.input.author_groups else None
# only the columns the report uses; tokens and matches are read chunk by chunk (see polarization_report)
present = set().union(*(pq.read_schema(p).names for p in snakemake.input.comments))
keys = ["thread_id", "comment_id", "parent_id", "author_id"]
wanted = keys + list(dict.fromkeys(c for c in [opt["group_column"], *opt["strata"], "language"]
                                   if c in present and c not in keys))


def comment_rows(paths, columns=None):
    """The rows of documents that are comments (the report uses no other), only the columns given."""
    parts = [pq.read_table(p, columns=columns, filters=[("doc", "==", "comment")])
             for p in paths if pq.read_schema(p).names]
    return pa.concat_tables(parts).to_pandas() if parts else pd.DataFrame()


report = polarization_report(
    io.read_tables(snakemake.input.comments, columns=wanted),
    comment_rows(snakemake.input.docs, ["thread_id", "comment_id", "doc", "n_tokens"]),
    comment_rows(snakemake.input.stance),
    read_chunks(snakemake.input.tokens, TOKEN_COLUMNS, dictionary=TOKEN_COLUMNS[:4]),
    read_chunks(snakemake.input.matches, MATCH_COLUMNS, dictionary=MATCH_COLUMNS[:5]),
    salt=snakemake.params.salt, groups=opt["groups"], group_column=opt["group_column"], author_table=table,
    unit=opt["unit"], min_known_share=opt["min_known_share"], min_term_count=opt["min_term_count"],
    top_terms=opt["top_terms"], n_boot=opt["n_boot"], n_perm=opt["n_perm"], min_clusters=opt["min_clusters"],
    seed=opt["seed"], er_alpha=opt["er_alpha"], er_bins=opt["er_bins"], rwc_k=opt["rwc_k"],
    stance_mapping=opt["stance_mapping"], strata=opt["strata"], group_values=opt["group_values"],
    min_group_size=opt["min_group_size"], min_term_docs=opt["min_term_docs"],
    min_term_speakers=opt["min_term_speakers"], drop_noise=snakemake.params.drop_noise,
    ignore=snakemake.params.ignore, study_languages=snakemake.params.languages,
)
io.write_json(report.summary, snakemake.output.summary)
for name in ("partisanship", "terms", "network", "incivility", "speakers", "edges"):
    io.write_csv(getattr(report, name), getattr(snakemake.output, name))
log.info("unit %s, groups %s; not available: %s", report.summary["unit"], report.summary["groups"],
         report.summary["not_available"])
