"""Rule export_convokit: write the canonical corpus as a ConvoKit corpus folder, shard by shard
(:mod:`analysis.export_convokit`)."""

from pathlib import Path

from analysis import io
from analysis.errors import report_user_errors
from analysis.export_convokit import export_convokit

log = io.setup_logging(snakemake.log[0], "export_convokit")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
export_convokit(list(zip(snakemake.input.comments, snakemake.input.threads, strict=True)),
                str(Path(snakemake.output.utterances).parent),
                annotations=list(zip(snakemake.input.docs, snakemake.input.stance, strict=True)))
log.info("wrote the utterances of %d shards", len(snakemake.input.comments))
