# Describe the corpus: the numbers and tables of the book's data page (its figures: figures.smk).


rule describe_corpus:
    input:
        comments=shard_files(rules.shard.output.comments),
        threads=shard_files(rules.shard.output.threads),
        tokens=shard_files(rules.annotate.output.tokens),
        quotes=shard_files(rules.quotes.output.quotes),
        code=code_of("describe_corpus"),
    output:
        numbers=R + "/describe_corpus/numbers.json",
        depth=R + "/describe_corpus/comments_per_depth.csv",
        threads=R + "/describe_corpus/threads.csv",
        quotes=R + "/describe_corpus/quotes.csv",
    log:
        LOGS + "/describe_corpus.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    script:
        "../scripts/describe_corpus.py"
