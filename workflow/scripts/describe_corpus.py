"""Rule describe_corpus: corpus counts, comments per depth, one row per thread."""

from analysis import describe, io

log = io.setup_logging(snakemake.log[0], "describe_corpus")
comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "comment_id", "depth", "author_id"])
threads = io.read_tables(snakemake.input.threads)
tokens = io.read_tables(snakemake.input.tokens, columns=["thread_id", "comment_id", "doc", "sentence", "is_mwe"])
io.write_json(describe.corpus_numbers(comments, threads, tokens), snakemake.output.numbers)
io.write_csv(describe.comments_per_depth(comments), snakemake.output.depth)
io.write_csv(describe.thread_summary(comments, threads), snakemake.output.threads)
log.info("%d comments in %d threads", len(comments), len(threads))
