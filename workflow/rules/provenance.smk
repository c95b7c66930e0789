# Provenance: what the run was made from (inputs with SHA-256, dictionaries,
# the config as run, code version, packages) and the rule graph as a figure,
# for the book's reproducibility page and every figure's cite block.
from types import SimpleNamespace

from analysis.provenance import code_files


def provenance_inputs():
    """Every file a result can depend on, by role (the code is tracked separately)."""
    stop = config["tokenize"]["stopwords"]
    shipped = {"english": ["data/stopwords/english.txt"], "arabic": ["data/stopwords/arabic.txt"],
               "auto": ["data/stopwords/english.txt", "data/stopwords/arabic.txt"]}
    stopwords = shipped.get(stop, [stop] if stop and Path(stop).is_file() else [])
    pol = config["polarization"]
    return {
        "sources": sorted({f for s in SOURCES for f in source_files(SimpleNamespace(source=s))}),
        "dictionaries": sorted(set(config["lexicons"]) | {pol["stance_lexicon"], pol["incivility_lexicon"]}),
        "other": sorted(set(stopwords + ([pol["author_groups"]] if pol["author_groups"] else [])
                            + returned_coding_sheets())),
    }


def git_state_files():
    """The git files that change with a commit or checkout, so provenance names the right commit."""
    head = Path(".git/HEAD")
    if not head.is_file():
        return []
    files = [str(head)]
    ref = head.read_text().strip()
    if ref.startswith("ref: ") and Path(".git", ref[5:]).is_file():
        files.append(f".git/{ref[5:]}")
    elif Path(".git/packed-refs").is_file():
        files.append(".git/packed-refs")
    return files


rule provenance:
    input:
        **provenance_inputs(),
        git=git_state_files(),
        code=[str(f) for f in code_files(".")],  # what the code hash covers
    output:
        summary=R + "/provenance/provenance.json",
        inputs=R + "/provenance/inputs.csv",
        packages=R + "/provenance/packages.csv",
        config=R + "/provenance/config.yaml",
    params:
        config=config,
    log:
        LOGS + "/provenance.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    script:
        "../scripts/provenance.py"


rule figure_rule_graph:
    # The config is a parameter, not provenance's config.yaml: the graph is
    # redrawn when the config or the rules change, not each time a data file
    # (and so provenance) changes.
    input:
        rules=["Snakefile", *sorted(glob.glob("workflow/rules/*.smk"))],
        code=code_of("figure_rule_graph"),
    output:
        **figure_files("rule_graph"),
    params:
        config=config,
    log:
        LOGS + "/figure_rule_graph.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/figure_rule_graph.py"
