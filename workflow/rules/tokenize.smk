# Tokenize: Punkt is trained once on the corpus itself, then every shard is
# tokenized in parallel (NLTK, offline).


rule train_punkt:
    input:
        comments=shard_files(R + "/comments/shard-{shard}.parquet"),
        threads=shard_files(R + "/threads/shard-{shard}.parquet"),
        code=code_of("train_punkt"),
    output:
        params=R + "/punkt.json",
    params:
        max_docs=config["tokenize"]["punkt_max_docs"],
    log:
        LOGS + "/train_punkt.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/train_punkt.py"


rule tokenize_comments:
    input:
        comments=R + "/comments/shard-{shard}.parquet",
        threads=R + "/threads/shard-{shard}.parquet",
        punkt=rules.train_punkt.output.params,
        lexicons=config["lexicons"],
        code=code_of("tokenize_comments"),
    output:
        tokens=R + "/tokens/shard-{shard}.parquet",
    params:
        options=config["tokenize"],
    log:
        LOGS + "/tokenize_comments/{shard}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    script:
        "../scripts/tokenize_comments.py"
