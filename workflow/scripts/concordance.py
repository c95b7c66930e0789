"""Rule concordance: a keyword-in-context line for every frame match (the evidence)."""

from analysis import io
from analysis.framing import concordance, document_texts

log = io.setup_logging(snakemake.log[0], "concordance")
comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "comment_id", "author_id", "text"])
threads = io.read_tables(snakemake.input.threads, columns=["thread_id", "article_text"])
matches = io.read_tables(snakemake.input.matches)
authors = dict(zip(zip(comments["thread_id"], comments["comment_id"]), comments["author_id"]))
kwic = concordance(matches, document_texts(comments, threads), width=snakemake.params.width, authors=authors)
kwic.to_parquet(snakemake.output.table, index=False)
io.write_csv(kwic, snakemake.output.csv)
log.info("%d concordance lines", len(kwic))
