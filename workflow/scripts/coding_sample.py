"""Rule coding_sample: a stratified sample to code by hand, blind sheets per coder, and the codebook."""

from pathlib import Path

from analysis import io
from analysis.framing import document_texts, frames_of
from analysis.lexicons import load_lexicon
from analysis.validation import codebook, coding_sheets, draw_coding_sample

log = io.setup_logging(snakemake.log[0], "coding_sample")
opts = snakemake.params.options
lexicons = [load_lexicon(p) for p in snakemake.input.lexicons]
comments = io.read_tables(snakemake.input.comments, columns=["thread_id", "comment_id", "parent_id", "text"])
threads = io.read_tables(snakemake.input.threads, columns=["thread_id", "article_text"])
docs = io.read_tables(snakemake.input.docs, columns=["thread_id", "comment_id", "doc"])
texts = document_texts(comments, threads)
docs["text"] = [texts.get(k, "") for k in zip(docs["thread_id"], docs["comment_id"], docs["doc"])]
sample = draw_coding_sample(docs, io.read_tables(snakemake.input.matches), frames=frames_of(lexicons),
                            per_stratum=opts["per_stratum"], seed=opts["seed"], lexicons=lexicons)
io.write_csv(sample, snakemake.output.sample)
sheets = coding_sheets(sample, coders=opts["coders"], context=comments, lexicons=lexicons, seed=opts["seed"])
for coder, path in zip(opts["coders"], snakemake.output.sheets):
    io.write_csv(sheets[coder], path)
Path(snakemake.output.codebook).write_text(codebook(lexicons), encoding="utf-8")
log.info("%d items for %d coders", len(sample), len(sheets))
