# Describe the corpus: the numbers and tables of the book's data page (its figures: figures.smk).


rule describe_corpus:
    input:
        comments=shard_files(R + "/comments/shard-{shard}.parquet"),
        threads=shard_files(R + "/threads/shard-{shard}.parquet"),
        tokens=shard_files(R + "/tokens/shard-{shard}.parquet"),
        code=code_of("describe_corpus"),
    output:
        numbers=R + "/describe_corpus/numbers.json",
        depth=R + "/describe_corpus/comments_per_depth.csv",
        threads=R + "/describe_corpus/threads.csv",
    log:
        LOGS + "/describe_corpus.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    script:
        "../scripts/describe_corpus.py"
