# Tokenize and annotate: Punkt is trained once on the corpus itself (or a
# frozen model is used, tokenize.punkt_model), then every shard is tokenized
# and scored (frames, stance) in parallel, one job per shard (NLTK, offline).
from analysis.errors import ConfigError

PUNKT_MODEL = config["tokenize"].get("punkt_model", "")
if PUNKT_MODEL:
    if not Path(PUNKT_MODEL).is_file():
        raise ConfigError("tokenize.punkt_model", f"no Punkt parameters file {PUNKT_MODEL!r}")
    if Path(PUNKT_MODEL).resolve() == Path(R, "punkt.json").resolve():
        raise ConfigError("tokenize.punkt_model", f"{PUNKT_MODEL!r} is this run's own output; copy it outside {R!r} first")


rule train_punkt:
    input:
        # A frozen model is only checked and copied to punkt.json (for the book):
        # annotate reads the frozen file itself, so that nothing it
        # depends on changes when the corpus does.
        **(
            {"model": PUNKT_MODEL}
            if PUNKT_MODEL
            # the sources' own shards (shard by shard, the sources of each in config order),
            # read as rule shard combines them: training need not wait for the shard jobs,
            # and runs beside them
            else {
                "comments": expand(rules.ingest_shard.output.comments, shard=SHARDS, source=SOURCES),
                "threads": expand(rules.ingest_shard.output.threads, shard=SHARDS, source=SOURCES),
            }
        ),
        code=code_of("train_punkt"),
    output:
        params=R + "/punkt.json",
    params:
        max_docs=config["tokenize"]["punkt_max_docs"],
        n_sources=len(SOURCES),
    log:
        LOGS + "/train_punkt.log",
    priority: 10
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/train_punkt.py"


rule annotate:
    # one job per shard reads the words once: tokens, frame matches and hits,
    # stance and incivility (analysis.annotate). One process instead of three:
    # the tokens are scored in memory, not written and read back twice.
    input:
        comments=rules.shard.output.comments,
        threads=rules.shard.output.threads,
        quotes=rules.quotes.output.quotes,
        punkt=PUNKT_MODEL or rules.train_punkt.output.params,
        lexicons=config["lexicons"],
        stance=config["polarization"]["stance_lexicon"],
        incivility=config["polarization"]["incivility_lexicon"],
        code=code_of("annotate"),
    output:
        tokens=R + "/tokens/shard-{shard}.parquet",
        matches=R + "/framing/matches/shard-{shard}.parquet",
        docs=R + "/framing/docs/shard-{shard}.parquet",
        stance=R + "/stance/shard-{shard}.parquet",
    params:
        tokenize=config["tokenize"],
        framing=config["framing"],
        flip_negated=config["polarization"]["flip_negated"],
        count_quoted_text=config["quotes"]["count_quoted_text"],
        languages=config["languages"],
    log:
        LOGS + "/annotate/{shard}.log",
    priority: 10
    threads: 1
    resources:
        mem_mb=2000,  # peak 1.1 GB per 50,000-comment shard (benchmarks/run.py, 1M corpus)
        runtime=60,
    script:
        "../scripts/annotate.py"
