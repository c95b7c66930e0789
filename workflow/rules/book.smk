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
        # every figure of analysis.figure_registry.FIGURES, with its caption text
        figures=[f"{R}/figures/{name}.{ext}" for name in FIGURES for ext in FIGURE_FORMATS],
        captions=[caption_file(name) for name in FIGURES],
        provenance=rules.provenance.output.summary,
        inputs=rules.provenance.output.inputs,
        packages=rules.provenance.output.packages,
        config_as_run=rules.provenance.output.config,
        framing=rules.frame_rates.output.numbers,
        rates=rules.frame_rates.output.rates,
        index=rules.frame_rates.output.index,
        article_vs_comments=rules.frame_rates.output.article_vs_comments,
        dictionary_fit=rules.frame_rates.output.fit,
        by_language=rules.frame_rates.output.by_language,
        uptake=rules.frame_dynamics.output.uptake,
        frame_uses=rules.frame_dynamics.output.uses,
        quotes=rules.describe_corpus.output.quotes,
        concordance=rules.concordance.output.csv,
        concordance_table=rules.concordance.output.table,
        collocations=rules.frame_collocations.output.table,
        keyness=rules.keyness.output.table,
        explorer=rules.term_explorer.output.pages,
        polar=rules.polarization_report.output.summary,
        partisanship=rules.polarization_report.output.partisanship,
        polar_terms=rules.polarization_report.output.terms,
        network=rules.polarization_report.output.network,
        incivility=rules.polarization_report.output.incivility,
        valid=rules.validation_report.output.summary,
        sample=rules.coding_sample.output.sample,
        alpha=rules.validation_report.output.alpha,
        coded_prf=rules.validation_report.output.coded,
        worst_errors=rules.validation_report.output.errors,
        labels_prf=rules.validation_report.output.labels,
        lexicons=config["lexicons"],
        code=code_of("book"),
    output:
        index=R + "/book/_build/html/index.html",
    params:
        src=R + "/book/src",
        out=R + "/book",
        config=config,
    log:
        LOGS + "/book.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/book.py"
