# Ingest: each source is read, checked and pseudonymised, then the shards of
# all sources are combined into the canonical tables.


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
        n_shards=config["n_shards"],
        pseudonymise=config["pseudonymise"],
        salt=config["pseudonym_salt"],
        orphans=config["orphans"],
    log:
        LOGS + "/ingest/{source}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    script:
        "../scripts/ingest.py"


rule shard:
    input:
        comments=expand(R + "/ingest/{source}/comments/shard-{{shard}}.parquet", source=SOURCES),
        threads=expand(R + "/ingest/{source}/threads/shard-{{shard}}.parquet", source=SOURCES),
        mentions=expand(R + "/ingest/{source}/mentions/shard-{{shard}}.parquet", source=SOURCES),
        code=code_of("shard"),
    output:
        comments=R + "/comments/shard-{shard}.parquet",
        threads=R + "/threads/shard-{shard}.parquet",
        mentions=R + "/mentions/shard-{shard}.parquet",
    log:
        LOGS + "/shard/{shard}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/shard.py"


rule ingest_report:
    input:
        reports=expand(R + "/ingest/{source}/report.json", source=SOURCES),
        quarantine=expand(R + "/ingest/{source}/quarantine.parquet", source=SOURCES),
        code=code_of("ingest_report"),
    output:
        report=R + "/ingest_report.json",
        table=R + "/ingest_report.csv",
        quarantine=R + "/quarantine.parquet",
    log:
        LOGS + "/ingest_report.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/ingest_report.py"


rule export_convokit:
    input:
        comments=shard_files(R + "/comments/shard-{shard}.parquet"),
        threads=shard_files(R + "/threads/shard-{shard}.parquet"),
        code=code_of("export_convokit"),
    output:
        utterances=R + "/convokit/utterances.jsonl",
        speakers=R + "/convokit/speakers.json",
        conversations=R + "/convokit/conversations.json",
        corpus=R + "/convokit/corpus.json",
        index=R + "/convokit/index.json",
    log:
        LOGS + "/export_convokit.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    script:
        "../scripts/export_convokit.py"
