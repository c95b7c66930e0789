# Validation: a stratified sample to code by hand goes out; coded sheets
# (when returned) and label columns in the data come back as alpha and P/R/F1.
VALID = config["validation"]


rule coding_sample:
    input:
        docs=shard_files(rules.annotate.output.docs),
        matches=shard_files(rules.annotate.output.matches),
        comments=shard_files(rules.shard.output.comments),
        threads=shard_files(rules.shard.output.threads),
        lexicons=config["lexicons"],
        code=code_of("coding_sample"),
    output:
        sample=R + "/validation/sample.csv",
        sheets=expand(R + "/validation/sheets/{coder}.csv", coder=VALID["coders"]),
        codebook=R + "/validation/codebook.md",
    params:
        options=VALID,
    log:
        LOGS + "/coding_sample.log",
    priority: 3
    threads: 1
    resources:
        mem_mb=1500,
        runtime=20,
    script:
        "../scripts/coding_sample.py"


rule validation_report:
    input:
        sample=rules.coding_sample.output.sample,
        docs=shard_files(rules.annotate.output.docs),
        coded=returned_coding_sheets(),
        code=code_of("validation_report"),
    output:
        summary=R + "/validation/summary.json",
        alpha=R + "/validation/alpha.csv",
        coded=R + "/validation/coded_prf.csv",
        errors=R + "/validation/worst_errors.csv",
        labels=R + "/validation/labels_prf.csv",
    params:
        options=VALID,
    log:
        LOGS + "/validation_report.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    script:
        "../scripts/validation_report.py"
