# Framing: dictionary matches per shard (rule annotate), then rates, indices, reply-chain
# dynamics, evidence (concordance, collocations) and keyness over all shards.
FRAMING = config["framing"]


rule frame_rates:
    input:
        docs=shard_files(rules.annotate.output.docs),
        matches=shard_files(rules.annotate.output.matches),
        tokens=shard_files(rules.annotate.output.tokens),
        lexicons=config["lexicons"],
        code=code_of("frame_rates"),
    output:
        rates=R + "/framing/rates.csv",
        index=R + "/framing/index.csv",
        article_vs_comments=R + "/framing/article_vs_comments.csv",
        numbers=R + "/framing/numbers.json",
        fit=R + "/framing/dictionary_fit.csv",
        by_language=R + "/framing/by_language.csv",
    params:
        framing=FRAMING,
    log:
        LOGS + "/frame_rates.log",
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    script:
        "../scripts/frame_rates.py"


rule frame_dynamics:
    input:
        docs=shard_files(rules.annotate.output.docs),
        matches=shard_files(rules.annotate.output.matches),
        comments=shard_files(rules.shard.output.comments),
        lexicons=config["lexicons"],
        code=code_of("frame_dynamics"),
    output:
        uptake=R + "/framing/uptake.csv",
        transitions=R + "/framing/transitions.csv",
        uses=R + "/framing/frame_uses.csv",
    params:
        framing=FRAMING,
    log:
        LOGS + "/frame_dynamics.log",
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    script:
        "../scripts/frame_dynamics.py"


rule concordance:
    input:
        matches=shard_files(rules.annotate.output.matches),
        comments=shard_files(rules.shard.output.comments),
        threads=shard_files(rules.shard.output.threads),
        code=code_of("concordance"),
    output:
        table=R + "/framing/concordance.parquet",
        csv=R + "/framing/concordance.csv",
    params:
        width=FRAMING["kwic_width"],
    log:
        LOGS + "/concordance.log",
    priority: 4
    threads: 1
    resources:
        mem_mb=2000,  # streams shard by shard: one shard at a time
        runtime=60,
    script:
        "../scripts/concordance.py"


rule frame_collocations:
    input:
        matches=shard_files(rules.annotate.output.matches),
        tokens=shard_files(rules.annotate.output.tokens),
        code=code_of("frame_collocations"),
    output:
        table=R + "/framing/collocations.csv",
    params:
        window=FRAMING["collocation_window"],
    log:
        LOGS + "/frame_collocations.log",
    priority: 3
    threads: 1
    resources:
        mem_mb=2000,  # streams shard by shard: one shard at a time
        runtime=60,
    script:
        "../scripts/frame_collocations.py"


rule keyness:
    input:
        tokens=shard_files(rules.annotate.output.tokens),
        docs=shard_files(rules.annotate.output.docs),
        code=code_of("keyness"),
    output:
        table=R + "/keyness/keyness.csv",
    params:
        groups=FRAMING["keyness_groups"],
        min_count=FRAMING["keyness_min_count"],
        min_docs=FRAMING["keyness_min_docs"],
        min_speakers=FRAMING["keyness_min_speakers"],
        drop_noise=config["terms"]["drop_noise"],
        ignore=config["terms"]["ignore"],
        languages=config["languages"],
    log:
        LOGS + "/keyness.log",
    threads: 1
    resources:
        mem_mb=2000,  # streams shard by shard: one shard at a time
        runtime=60,
    script:
        "../scripts/keyness.py"
