# Polarization: stance and incivility per shard (rule annotate), then speakers, groups,
# leave-out partisanship, Esteban-Ray, reply-network and incivility measures.
POLAR = config["polarization"]


rule polarization_report:
    input:
        stance=shard_files(rules.annotate.output.stance),
        comments=shard_files(rules.shard.output.comments),
        docs=shard_files(rules.annotate.output.docs),
        tokens=shard_files(rules.annotate.output.tokens),
        matches=shard_files(rules.annotate.output.matches),
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
        drop_noise=config["terms"]["drop_noise"],
        ignore=config["terms"]["ignore"],
        languages=config["languages"],
        salt=run_salt(config["pseudonym_salt"]),
    log:
        LOGS + "/polarization_report.log",
    # the longest aggregate first (see the priorities in ingest.smk)
    priority: 5
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    script:
        "../scripts/polarization_report.py"
