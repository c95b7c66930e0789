"""Rule export_convokit: write the canonical corpus as a ConvoKit corpus folder, shard by shard."""

from pathlib import Path

from analysis import io
from analysis.ingest.convokit import write_convokit_shards

log = io.setup_logging(snakemake.log[0], "export_convokit")
write_convokit_shards(list(zip(snakemake.input.comments, snakemake.input.threads)), str(Path(snakemake.output.utterances).parent))
log.info("wrote the utterances of %d shards", len(snakemake.input.comments))
