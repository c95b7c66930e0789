# Quoted passages: which words of each comment are copied from others (analysis.quotes),
# one job per shard (a thread's comments are all in one shard). Rule annotate reads them
# to count own words only (quotes.count_quoted_text).


rule quotes:
    input:
        comments=rules.shard.output.comments,
        threads=rules.shard.output.threads,
        code=code_of("quotes"),
    output:
        quotes=R + "/quotes/shard-{shard}.parquet",
    params:
        quotes=config["quotes"],
    log:
        LOGS + "/quotes/{shard}.log",
    priority: 10
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/quotes.py"
