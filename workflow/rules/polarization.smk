# Polarization: stance and incivility per shard, then speakers, groups,
# leave-out partisanship, Esteban-Ray, reply-network and incivility measures.
POLAR = config["polarization"]


rule score_stance:
    input:
        tokens=R + "/tokens/shard-{shard}.parquet",
        comments=R + "/comments/shard-{shard}.parquet",
        threads=R + "/threads/shard-{shard}.parquet",
        stance=POLAR["stance_lexicon"],
        incivility=POLAR["incivility_lexicon"],
        code=code_of("score_stance"),
    output:
        stance=R + "/stance/shard-{shard}.parquet",
    params:
        flip_negated=POLAR["flip_negated"],
        framing=config["framing"],
    log:
        LOGS + "/score_stance/{shard}.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    script:
        "../scripts/score_stance.py"


rule polarization_report:
    input:
        stance=shard_files(R + "/stance/shard-{shard}.parquet"),
        comments=shard_files(R + "/comments/shard-{shard}.parquet"),
        docs=shard_files(R + "/framing/docs/shard-{shard}.parquet"),
        tokens=shard_files(R + "/tokens/shard-{shard}.parquet"),
        matches=shard_files(R + "/framing/matches/shard-{shard}.parquet"),
        author_groups=[POLAR["author_groups"]] if POLAR["author_groups"] else [],
        code=code_of("polarization_report"),
    output:
        summary=R + "/polarization/summary.json",
        partisanship=R + "/polarization/partisanship.csv",
        terms=R + "/polarization/terms.csv",
        network=R + "/polarization/network.csv",
        incivility=R + "/polarization/incivility.csv",
        speakers=R + "/polarization/speakers.csv",
        edges=R + "/polarization/edges.csv",
    params:
        options=POLAR,
        salt=config["pseudonym_salt"],
    log:
        LOGS + "/polarization_report.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    script:
        "../scripts/polarization_report.py"
