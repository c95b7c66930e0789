# Figures: one job draws every figure of the data, framing and polarization
# chapters from the measure tables, each as PNG, SVG, PDF, CSV and JSON. The
# figures, their chapters and what each is drawn from are listed once, in
# analysis.figure_registry.FIGURES; this rule is built from that list. One job instead
# of one per figure: the imports (pandas, matplotlib) are paid once, then the
# figures are shared among forked processes. The rule graph is drawn on its
# own (provenance.smk): it changes with the config, not the data. Each group's
# colour is assigned once, by group_colours, and read by every figure that
# draws groups.

rule group_colours:
    input:
        rates=rules.frame_rates.output.rates,
        keyness=rules.keyness.output.table,
        edges=rules.polarization_report.output.edges,
        code=code_of("group_colours"),
    output:
        table=R + "/figures/group_colours.csv",
    params:
        group_by=config["polarization"]["group_column"],
    log:
        LOGS + "/group_colours.log",
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/group_colours.py"


#: The figures rule figures draws, in book order.
DATA_FIGURES = [name for name, fig in FIGURES.items() if fig.rule == "figures"]


def config_value(key):
    """A config value by its dotted key, e.g. config_value("polarization.seed")."""
    value = config
    for part in key.split("."):
        value = value[part]
    return value


def figure_input(spec):
    """What a figure reads (see analysis.figure_registry.Figure): a rule output (all shards of a per-shard one),
    a config value, or a tuple of those as one list of paths."""
    if isinstance(spec, tuple):
        parts = [figure_input(one) for one in spec]
        return [path for part in parts for path in ([part] if isinstance(part, str) else part)]
    if spec.startswith("config:"):
        return config_value(spec.removeprefix("config:"))
    rule_name, key = spec.split(".")
    path = getattr(getattr(rules, rule_name).output, key)
    return shard_files(path) if "{shard}" in path else path


rule figures:
    input:
        # <figure>__<name>: the inputs of each figure, by the names of its registry entry
        **{f"{name}__{key}": figure_input(spec) for name in DATA_FIGURES for key, spec in FIGURES[name].inputs.items()},
        code=code_of("figures"),
    output:
        **{f"{name}_{ext}": path for name in DATA_FIGURES for ext, path in figure_files(name).items()},
    params:
        figures={name: {key: config_value(k) for key, k in FIGURES[name].params.items()} for name in DATA_FIGURES},
    log:
        LOGS + "/figures.log",
    # the figures are drawn by forked processes, one per thread (analysis.figures.draw)
    threads: 2
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/figures.py"
