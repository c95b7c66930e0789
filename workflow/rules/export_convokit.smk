# ConvoKit export: the canonical corpus as a ConvoKit corpus folder, with each
# utterance's frame hits and stance in its metadata
# (analysis/export_convokit.py; the format: analysis/ingest/convokit.py).


rule export_convokit:
    input:
        comments=shard_files(rules.shard.output.comments),
        threads=shard_files(rules.shard.output.threads),
        # functions: rule annotate is defined in a file included after this one
        docs=lambda wildcards: shard_files(rules.annotate.output.docs),
        stance=lambda wildcards: shard_files(rules.annotate.output.stance),
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
        mem_mb=1500,
        runtime=30,
    script:
        "../scripts/export_convokit.py"
