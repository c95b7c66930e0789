"""Rule figure_rule_graph: the workflow's rules and what feeds what, from `snakemake --rulegraph`
(analysis.provenance.rule_graph, drawn by analysis.figures.rule_graph)."""

from analysis import figures, io, provenance

log = io.setup_logging(snakemake.log[0], "figure_rule_graph")
edges = provenance.rule_graph(snakemake.params.config)
log.info(figures.rule_graph(snakemake.output.png.removesuffix(".png"), edges=edges))
