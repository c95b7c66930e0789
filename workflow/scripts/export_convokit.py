"""Rule export_convokit: write the canonical corpus as a ConvoKit corpus folder."""

from pathlib import Path

from analysis import io
from analysis.ingest.convokit import write_convokit

log = io.setup_logging(snakemake.log[0], "export_convokit")
comments = io.read_tables(snakemake.input.comments)
threads = io.read_tables(snakemake.input.threads)
write_convokit(comments, threads, str(Path(snakemake.output.utterances).parent))
log.info("wrote %d utterances in %d conversations", len(comments), len(threads))
