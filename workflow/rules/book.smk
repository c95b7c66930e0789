# The book: prose pages from book/, numbers, tables and figures from the run,
# built with Jupyter Book 1 (warnings are errors) into <results>/book/.


rule book:
    input:
        pages=sorted(glob.glob("book/*.md")) + ["book/_toc.yml", "book/_config.yml", "book/references.bib"],
        static=sorted(glob.glob("book/_static/*")),
        numbers=rules.describe_corpus.output.numbers,
        threads=rules.describe_corpus.output.threads,
        report=rules.ingest_report.output.report,
        punkt=rules.train_punkt.output.params,
        tree=rules.figure_reply_tree.output.numbers,
        figures=list(figure_files("comments_per_depth").values()) + list(figure_files("reply_tree").values()),
        lexicons=config["lexicons"],
    output:
        index=R + "/book/_build/html/index.html",
    params:
        src=R + "/book/src",
        out=R + "/book",
        config=config,
    log:
        LOGS + "/book.log",
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/book.py"
