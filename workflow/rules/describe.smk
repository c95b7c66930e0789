# Describe the corpus: the numbers and figures of the book's data page.


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


rule figure_comments_per_depth:
    input:
        depth=rules.describe_corpus.output.depth,
        code=code_of("figure_comments_per_depth"),
    output:
        **figure_files("comments_per_depth", "Data"),
    log:
        LOGS + "/figure_comments_per_depth.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/figure_comments_per_depth.py"


rule figure_reply_tree:
    input:
        comments=shard_files(R + "/comments/shard-{shard}.parquet"),
        code=code_of("figure_reply_tree"),
    output:
        **figure_files("reply_tree", "Data"),
    params:
        example_thread=config["book"]["example_thread"],
        max_comments=config["book"]["tree_max_comments"],
    log:
        LOGS + "/figure_reply_tree.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/figure_reply_tree.py"
