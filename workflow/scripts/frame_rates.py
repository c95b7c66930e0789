"""Rule frame_rates: frame rates and framing indices by group, article-vs-comments test, dictionary fit
(analysis.frame_rates)."""

import pyarrow.parquet as pq

from analysis import io
from analysis.errors import report_user_errors
from analysis.frame_rates import (
    FIT_MATCH_COLUMNS,
    FIT_SINGLE_TERM_SHARE,
    FIT_TOKEN_COLUMNS,
    article_vs_comments,
    columns_needed,
    dictionary_fit_of_shards,
    headline_numbers,
    in_main_language,
    language_numbers,
    main_language,
    rates_and_indices,
    rates_by_language,
    require_comments,
)
from analysis.framing import frames_of
from analysis.lexicons import frame_languages, lexicon_stamp, load_lexicon

log = io.setup_logging(snakemake.log[0], "frame_rates")
report_user_errors(log)  # a user error ends the job with its one line in the log and on stderr
cfg = snakemake.params.framing
lexicons = [load_lexicon(p, check_terms=False) for p in snakemake.input.lexicons]
frames = frames_of(lexicons)
dictionaries = lexicon_stamp(lexicons)
available = pq.read_schema(snakemake.input.docs[0]).names
docs = io.read_tables(snakemake.input.docs,
                      columns=columns_needed(available, group_by=cfg["group_by"], cluster=cfg["cluster"]))
require_comments(docs, sources=snakemake.config["sources"], results=snakemake.config["results"])
languages = snakemake.config.get("languages", [])
by_language = rates_by_language(docs, lexicons, languages=languages, **{k: cfg[k] for k in (
    "cluster", "min_clusters", "n_boot", "seed")})
io.write_csv(by_language.assign(dictionaries=dictionaries), snakemake.output.by_language)
language = main_language(lexicons, languages=languages)  # None: one language; else the main tables' language
all_docs, all_frames = docs, frames
if language:  # the main tables: the documents and frames of one language (by_language.csv compares languages)
    docs = in_main_language(docs, language, languages=languages)
    frames = [f for f in frames if language in frame_languages(lexicons)[f]]
log.info("%d documents%s, %d frames; %d bootstrap replicates", len(docs),
         f" in {language}" if language else "", len(frames), cfg["n_boot"])
rates, index = rates_and_indices(docs, frames=frames, **{k: cfg[k] for k in (
    "period", "group_by", "index_pairs", "min_clusters", "n_boot", "seed", "cluster")})
test = article_vs_comments(docs, frames=frames, n_perm=cfg["n_perm"], seed=cfg["seed"])
io.write_csv(rates.assign(dictionaries=dictionaries), snakemake.output.rates)
io.write_csv(index.assign(dictionaries=dictionaries), snakemake.output.index)
io.write_csv(test.assign(dictionaries=dictionaries), snakemake.output.article_vs_comments)
numbers = headline_numbers(rates, index, test, docs, **{k: cfg[k] for k in (
    "n_boot", "n_perm", "seed", "count_quoted", "count_negated", "negation_window", "index_pairs")})
if by_language["language"].nunique() > 1:  # several languages: what the book says about them (absent otherwise)
    numbers["languages"] = language_numbers(by_language, main=language)
numbers["dictionaries"] = {lx.name: {"version": lx.version, "sha256": lx.sha256, "path": lx.path} for lx in lexicons}


def fit_shards():
    """(counted matches, a reader of the tokens of given documents) of each shard, for dictionary_fit_of_shards."""
    for matches_path, tokens_path in zip(snakemake.input.matches, snakemake.input.tokens, strict=True):
        if pq.read_schema(matches_path).names:
            yield (pq.read_table(matches_path, columns=FIT_MATCH_COLUMNS, filters=[("counted", "==", True)])
                   .to_pandas(), lambda ids, path=tokens_path: pq.read_table(
                       path, columns=FIT_TOKEN_COLUMNS, filters=[("comment_id", "in", ids)]).to_pandas())


fit = dictionary_fit_of_shards(all_docs, fit_shards(), frames=all_frames, lexicons=lexicons)
io.write_csv(fit, snakemake.output.fit)
n_warnings = int((fit["warning"] != "").sum())
numbers["fit"] = {"single_term_pct": round(100 * FIT_SINGLE_TERM_SHARE), "n_warnings": n_warnings}
io.write_json(numbers, snakemake.output.numbers)
log.info("wrote %d rate rows and %d index rows; dictionary fit: %d warning(s)", len(rates), len(index), n_warnings)
