"""Rule train_punkt: learn Punkt sentence-splitting parameters from the corpus itself (analysis.punkt).

With tokenize.punkt_model set, the frozen parameters are checked and copied
instead (the book reports the model that was used).
"""

from analysis import io
from analysis.errors import report_user_errors
from analysis.punkt import frozen_params, train_from_shards

log = io.setup_logging(snakemake.log[0], "train_punkt")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
if "model" in snakemake.input.keys():
    params = frozen_params(snakemake.input.model)
    io.write_json(params, snakemake.output.params)
    log.info("frozen model %s: %d abbreviations", snakemake.input.model, len(params["abbrev_types"]))
else:
    params = train_from_shards(snakemake.input.threads, snakemake.input.comments, n_sources=snakemake.params.n_sources,
                               max_docs=snakemake.params.max_docs)
    io.write_json(params, snakemake.output.params)
    log.info("trained on the first %d non-empty documents: %d abbreviations", params["n_docs"],
             len(params["abbrev_types"]))
