"""Rule figure_rule_graph: the workflow's rules and what feeds what, from `snakemake --rulegraph`
(analysis.provenance.rule_graph, drawn by analysis.figures.rule_graph)."""

from analysis import figures, io, provenance
from analysis.errors import report_user_errors

log = io.setup_logging(snakemake.log[0], "figure_rule_graph")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
edges = provenance.rule_graph(snakemake.params.config)
log.info(figures.rule_graph(snakemake.output.png.removesuffix(".png"), edges=edges))
