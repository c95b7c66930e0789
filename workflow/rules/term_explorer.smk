# The term explorer: one offline HTML page per keyness grouping (analysis.term_explorer),
# linked from the book's explorer page and copied into the book by the book rule.


rule term_explorer:
    input:
        keyness=rules.keyness.output.table,
        tokens=shard_files(rules.annotate.output.tokens),
        docs=shard_files(rules.annotate.output.docs),
        comments=shard_files(rules.shard.output.comments),
        threads=shard_files(rules.shard.output.threads),
        code=code_of("term_explorer"),
    output:
        pages=[f"{R}/term_explorer/{by}.html" for by in FRAMING["keyness_groups"]],
    params:
        groupings=FRAMING["keyness_groups"],
        width=FRAMING["kwic_width"],
        explorer=config["explorer"],
    log:
        LOGS + "/term_explorer.log",
    threads: 1
    resources:
        mem_mb=2000,  # streams shard by shard: one shard's tokens and texts at a time
        runtime=30,
    script:
        "../scripts/term_explorer.py"
