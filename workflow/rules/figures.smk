# Figures: one job draws every figure of the data, framing and polarization
# chapters from the measure tables (analysis/figures.py, a function per
# figure), each as PNG, SVG, PDF, CSV and JSON. One job instead of one per
# figure: the imports (pandas, matplotlib) are paid once, then the figures are
# shared among forked processes. The rule graph is
# drawn on its own (provenance.smk): it changes with the config, not the data.

#: Figure id -> book chapter (the group in `snakemake --report`), in book order.
DATA_FIGURES = {
    "comments_per_depth": "Data",
    "reply_tree": "Data",
    "frame_rates": "Framing",
    "framing_index": "Framing",
    "frame_transitions": "Framing",
    "keyness": "Framing",
    "partisanship": "Polarization",
    "reply_network": "Polarization",
}


rule figures:
    input:
        depth=rules.describe_corpus.output.depth,
        threads=rules.describe_corpus.output.threads,
        comments=shard_files(R + "/comments/shard-{shard}.parquet"),
        rates=rules.frame_rates.output.rates,
        index=rules.frame_rates.output.index,
        uptake=rules.frame_dynamics.output.uptake,
        transitions=rules.frame_dynamics.output.transitions,
        keyness=rules.keyness.output.table,
        partisanship=rules.polarization_report.output.partisanship,
        terms=rules.polarization_report.output.terms,
        edges=rules.polarization_report.output.edges,
        incivility=rules.polarization_report.output.incivility,
        network=rules.polarization_report.output.network,
        partisanship_dictionaries=[POLAR["stance_lexicon"]] + config["lexicons"],
        reply_network_dictionaries=[POLAR["stance_lexicon"], POLAR["incivility_lexicon"]],
        code=code_of("figures"),
    output:
        **{f"{name}_{ext}": path for name, chapter in DATA_FIGURES.items() for ext, path in figure_files(name, chapter).items()},
    params:
        example_thread=config["book"]["example_thread"],
        max_comments=config["book"]["tree_max_comments"],
        seed=POLAR["seed"],
    log:
        LOGS + "/figures.log",
    # the figures are drawn by forked processes, one per thread (analysis.figures.draw)
    threads: 2
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/figures.py"
