"""Rule figures: every figure of the data, framing and polarization chapters (analysis.figures.figures), in one job."""

from analysis import io
from analysis.errors import report_user_errors
from analysis.figure_registry import FIGURES
from analysis.figures import figures

log = io.setup_logging(snakemake.log[0], "figures")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
names = list(snakemake.params.figures)  # the figures this rule draws, by analysis.figure_registry.FIGURES
done = figures(
    inputs={name: {key: snakemake.input[f"{name}__{key}"] for key in FIGURES[name].inputs} for name in names},
    params=snakemake.params.figures,
    stems={name: snakemake.output[f"{name}_png"].removesuffix(".png") for name in names},
    processes=snakemake.threads,
)
for figure_id, line in done.items():
    log.info("%s: %s", figure_id, line)
