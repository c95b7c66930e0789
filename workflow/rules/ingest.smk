# Ingest: each source is read, checked and pseudonymised, then the shards of
# all sources are combined into the canonical tables.
#
# A source with shard_by: thread (the default) is read whole by one ingest job
# that writes all its shards. A source with shard_by: file is read one shard
# of files at a time (ingest_shard): each file goes whole to one shard by a
# stable hash of its path, decided here from the paths alone, so adding a file
# reruns the ingest, merge, tokenize and scoring of one shard, then the
# aggregates.
from functools import cache

from analysis.ingest.sources import files_by_shard
from analysis.privacy import run_salt

THREAD_SOURCES = [s for s, src in SOURCES.items() if src.get("shard_by", "thread") == "thread"]
FILE_SOURCES = [s for s, src in SOURCES.items() if src.get("shard_by", "thread") == "file"]


def _one_of(ids):
    """A wildcard constraint matching exactly these source ids (nothing, if there are none)."""
    return "|".join(ids) if ids else "(?!)"


@cache
def _shard_units(source):
    """The input files (ConvoKit: corpus folders) of each shard of a shard_by: file source."""
    return tuple(tuple(u) for u in files_by_shard(SOURCES[source], config["n_shards"]))


def shard_units(wildcards):
    """The files (ConvoKit: corpus folders) one ingest_shard job reads."""
    return list(_shard_units(wildcards.source)[int(wildcards.shard)])


def shard_unit_files(wildcards):
    """The files one ingest_shard job reads: a change to any of them reruns that job only."""
    units = shard_units(wildcards)
    if SOURCES[wildcards.source]["format"] == "convokit":
        return sorted(str(p) for d in units for p in Path(d).glob("*.json*"))
    return units


def ingest_parts(name):
    """A per-source ingest output (quarantine, report) of every source, in config order.

    One file per source read whole (rule ingest); one per shard for a shard_by: file source (rule ingest_shard).
    """
    return [
        path
        for s in SOURCES
        for path in (
            expand(getattr(rules.ingest_shard.output, name), source=s, shard=SHARDS) if s in FILE_SOURCES
            else expand(getattr(rules.ingest.output, name), source=s)
        )
    ]


#: The options both ingest rules pass to analysis.ingest.canonical.ingest, by its keyword names.
INGEST_OPTIONS = dict(
    n_shards=config["n_shards"],
    pseudonymise_names=config["pseudonymise"],
    salt=run_salt(config["pseudonym_salt"]),  # empty: the project's own random salt (analysis.privacy)
    keep_raw_text=config["privacy"]["keep_raw_text"],
    keep_columns=config["privacy"]["keep_columns"],
    orphans=config["orphans"],
)


rule ingest:
    input:
        files=source_files,
        code=code_of("ingest"),
    output:
        comments=expand(R + "/ingest/{{source}}/comments/shard-{shard}.parquet", shard=SHARDS),
        threads=expand(R + "/ingest/{{source}}/threads/shard-{shard}.parquet", shard=SHARDS),
        mentions=expand(R + "/ingest/{{source}}/mentions/shard-{shard}.parquet", shard=SHARDS),
        quarantine=R + "/ingest/{source}/quarantine.parquet",
        lines=R + "/ingest/{source}/lines.parquet",
        report=R + "/ingest/{source}/report.json",
    params:
        source=lambda w: SOURCES[w.source],
        options=INGEST_OPTIONS,
    wildcard_constraints:
        source=_one_of(THREAD_SOURCES),
    log:
        LOGS + "/ingest/{source}.log",
    # the job of a whole source runs before anything else can: its mention search
    # takes two cores (analysis.mentions.find_mentions, processes)
    threads: 2
    resources:
        mem_mb=4000,
        runtime=60,
    script:
        "../scripts/ingest.py"


rule ingest_shard:
    input:
        files=shard_unit_files,
        code=code_of("ingest_shard"),
    output:
        comments=R + "/ingest/{source}/comments/shard-{shard}.parquet",
        threads=R + "/ingest/{source}/threads/shard-{shard}.parquet",
        mentions=R + "/ingest/{source}/mentions/shard-{shard}.parquet",
        quarantine=R + "/ingest/{source}/quarantine/shard-{shard}.parquet",
        lines=R + "/ingest/{source}/lines/shard-{shard}.parquet",
        report=R + "/ingest/{source}/report/shard-{shard}.json",
    params:
        source=lambda w: SOURCES[w.source],
        units=shard_units,
        options=INGEST_OPTIONS,
    wildcard_constraints:
        source=_one_of(FILE_SOURCES),
    log:
        LOGS + "/ingest_shard/{source}/{shard}.log",
    # Priorities: the per-shard chain (ingest_shard, shard, train_punkt, annotate)
    # goes before ready aggregates that do not wait for it, so the aggregates that
    # do (and a one-thread rerun) start sooner; then the aggregates longest first
    # (polarization_report 5, concordance 4, coding_sample and frame_collocations
    # 3), so that no long job is left running alone at the end while the figures,
    # which take both cores, wait.
    priority: 10
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    script:
        "../scripts/ingest_shard.py"


rule shard:
    input:
        # each source's part of this shard, written by rule ingest or ingest_shard (the same paths)
        comments=expand(rules.ingest_shard.output.comments, source=SOURCES, allow_missing=True),
        threads=expand(rules.ingest_shard.output.threads, source=SOURCES, allow_missing=True),
        mentions=expand(rules.ingest_shard.output.mentions, source=SOURCES, allow_missing=True),
        code=code_of("shard"),
    output:
        comments=R + "/comments/shard-{shard}.parquet",
        threads=R + "/threads/shard-{shard}.parquet",
        mentions=R + "/mentions/shard-{shard}.parquet",
    params:
        # the study's languages: candidates of the language identification (analysis.language)
        languages=config["languages"],
    log:
        LOGS + "/shard/{shard}.log",
    priority: 10
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/shard.py"


rule ingest_report:
    input:
        reports=ingest_parts("report"),
        quarantine=ingest_parts("quarantine"),
        # shard_by: file sources: their threads must not repeat across shards, and authors are counted once
        shard_threads=expand(rules.ingest_shard.output.threads, source=FILE_SOURCES, shard=SHARDS),
        shard_comments=expand(rules.ingest_shard.output.comments, source=FILE_SOURCES, shard=SHARDS),
        code=code_of("ingest_report"),
    output:
        report=R + "/ingest_report.json",
        table=R + "/ingest_report.csv",
        quarantine=R + "/quarantine.parquet",
    params:
        sources=list(SOURCES),
        file_sources=FILE_SOURCES,
    log:
        LOGS + "/ingest_report.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/ingest_report.py"
