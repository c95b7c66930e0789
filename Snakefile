# threadscope: from comment threads to a citable Jupyter Book.
# This file is the table of contents; each stage lives in workflow/rules/.
#   snakemake --cores 2                          # the embedded sample thread
#   snakemake --cores 2 --configfile my.yaml     # your own corpus
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/export_convokit.smk"
include: "workflow/rules/quotes.smk"
include: "workflow/rules/annotate.smk"
include: "workflow/rules/describe.smk"
include: "workflow/rules/framing.smk"
include: "workflow/rules/polarization.smk"
include: "workflow/rules/validation.smk"
include: "workflow/rules/term_explorer.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/provenance.smk"
include: "workflow/rules/book.smk"


rule all:
    input:
        rules.book.output.index,
        rules.export_convokit.output.utterances,
    default_target: True
