"""Rule coding_sample: a stratified sample to code by hand, blind sheets per coder, and the codebook."""

from pathlib import Path

from analysis import io
from analysis.errors import report_user_errors
from analysis.lexicons import load_lexicon
from analysis.validation.coding_sample import coding_sample

log = io.setup_logging(snakemake.log[0], "coding_sample")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
opts = snakemake.params.options
inp = snakemake.input
out = coding_sample(docs=inp.docs, matches=inp.matches, comments=inp.comments, threads=inp.threads,
                    lexicons=[load_lexicon(p, check_terms=False) for p in inp.lexicons],
                    coders=opts["coders"], per_stratum=opts["per_stratum"], seed=opts["seed"])
io.write_csv(out.sample, snakemake.output.sample)
for coder, path in zip(opts["coders"], snakemake.output.sheets):
    io.write_csv(out.sheets[coder], path)
Path(snakemake.output.codebook).write_text(out.codebook, encoding="utf-8")
log.info("%d items for %d coders", len(out.sample), len(out.sheets))
