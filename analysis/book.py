"""Preparing the book's build folder: pages, generated tables, substitutions.

The book's prose lives in ``book/``; :func:`stage_book` copies it into a build
folder together with the run's figures and escaped HTML tables, and writes a
``_config.yml`` whose ``parse.myst_substitutions`` hold every number the prose
quotes (``{{ data.n_comments }}``). Numbers are formatted once here.

A page places a figure with a line ``<!-- figure: <id> -->`` (an id of
:data:`analysis.figure_registry.FIGURES`, which gives its title, alt text and width);
staging puts there the figure, its numbered caption (the fixed text from
``workflow/report/<id>.rst`` plus the run's facts: n, unit, interval method)
and a "cite this figure" block with the figure's id, the SHA-256 of its data,
the dictionaries and code it was made with, a suggested citation and download
links for every format.

A page keeps or drops a whole section by conditions on the run's numbers,
``<!--% if framing.frames %-->`` ... ``<!--% else %-->`` ... ``<!--% endif %-->``
on lines of their own (:func:`page_conditions`): a measure this run could
not compute (no frame dictionary, no index pair) leaves no figure, table or
cite block, and the page says why in one sentence.
"""

from __future__ import annotations

import html
import importlib.util
import logging
import re
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis import io
from analysis.concordance import display_sides
from analysis.figure_registry import FIGURES
from analysis.ingest.base import PARSING_RULES
from analysis.lexicons import load_lexicon
from analysis.privacy import privacy_sentences
from analysis.provenance import public_path, public_text, sha256_file
from analysis.render import fmt_estimate, fmt_number, fmt_p, html_table, isolate, myst_text
from analysis.spreadsheet import safe_csv

__all__ = ["book", "build_book", "stage_book", "substitutions", "figure_block", "figure_citation", "read_together",
           "reproduce_commands", "provenance_substitutions", "concordance_preview", "concordance_table",
           "rates_by_group", "safe_downloads", "page_conditions"]

_FORMATS = ("png", "svg", "pdf", "csv")
_PLACEHOLDER = re.compile(r"^<!-- figure: (\w+) -->$", re.M)
#: ``<!-- with figure: id -->text<!-- end -->`` on a page: text about a figure, left out with the figure.
_WITH_FIGURE = re.compile(r"<!-- with figure: (\w+) -->(.*?)<!-- end -->", re.S)


def figure_block(fig_id: str, *, caption: str, note: Mapping, data_sha256: str, code: Mapping, book: Mapping) -> str:
    """The MyST of one figure: the figure with its numbered caption, then its cite block."""
    fig = FIGURES[fig_id]
    title, alt, width = fig.title, fig.alt, fig.width
    path = f"_generated/figures/{fig_id}"
    short = data_sha256[:12]
    commit = code.get("commit")
    code_text = (f"threadscope {myst_text(code['version'])}, "
                 + (f"git commit `{commit[:12]}`" + (" with modified files" if code.get("modified") else "") if commit
                    else "not a git checkout")
                 + f"; code sha256 `{code['code_sha256'][:12]}`")
    downloads = " · ".join(f"{{download}}`{fmt.upper()} <{path}.{fmt}>`" for fmt in _FORMATS)
    cite = figure_citation(fig_id, title=title, data_sha256=data_sha256, code=code, book=book)
    dictionaries = myst_text(note.get("dictionaries") or "none (no dictionary was used)")
    return f"""```{{figure}} {path}.png
:name: fig-{fig_id.replace('_', '-')}
:alt: {alt}
:width: {width}

{myst_text(caption)} {myst_text(note['facts'])} Files: {downloads}.
```

````{{admonition}} Cite this figure
:class: dropdown cite-figure

| | |
|---|---|
| Figure id | `threadscope:{fig_id}` |
| Data | {{download}}`{fig_id}.csv <{path}.csv>`, sha256 `{short}` |
| Dictionaries | {dictionaries} |
| Code | {code_text} |
| Suggested citation | {cite} |
| Download | {downloads} |
````
"""


def figure_citation(fig_id: str, *, title: str, data_sha256: str, code: Mapping, book: Mapping) -> str:
    """The suggested citation of one figure, as MyST text: author (year). Book title: figure “title”, its id, the data
    hash, the threadscope version and commit, and the link the config gives (``book.doi`` before ``book.url``)."""
    commit = code.get("commit")
    doi, url = book.get("doi") or "", book.get("url") or ""
    link = (f"https://doi.org/{doi}" if doi else url)
    where = (f" {myst_text(link)}" if link else
             " (no link: set book.doi or book.url in the config to give one)")
    return (f"{myst_text(book['author'])} ({myst_text(book.get('year', ''))}). {myst_text(book['title'])}: "
            f"figure “{myst_text(title)}” (threadscope:{fig_id}, data sha256 {data_sha256[:12]}). "
            f"Made with threadscope {myst_text(code['version'])}" + (f", commit {commit[:12]}" if commit else "")
            + "." + where)


def reproduce_commands(summary: Mapping, config_file: str) -> str:
    """The shell commands that rebuild the book from the recorded code version and configuration."""
    code = summary["code"]
    checkout = (f"git checkout {code['commit']}" if code.get("commit") else
                f"# use threadscope {code['version']} with code sha256 {code['code_sha256']} (not a git checkout)")
    return (f"{checkout}\npython3 -m venv .venv && .venv/bin/pip install -e .\n"
            f".venv/bin/snakemake --cores 2 --configfile {config_file}\n")


def provenance_substitutions(summary: Mapping, inputs: pd.DataFrame) -> dict:
    """Sentences of the reproducibility page: code version, inputs, the command."""
    code = summary["code"]
    commit = code.get("commit")
    return {
        "version": code["version"],
        "code_sha256": code["code_sha256"],
        "commit": commit or "none (not a git checkout)",
        "modified": ("yes: tracked code files differ from this commit, so the commit alone does not reproduce "
                     "this book" if code.get("modified") else "no") if commit else "unknown (not a git checkout)",
        "n_inputs": fmt_number(len(inputs)),
        "input_bytes": fmt_number(int(inputs["bytes"].sum()) if len(inputs) else 0),
    }


def substitutions(*, numbers: Mapping, report: Mapping, punkt: Mapping, tree: Mapping, config: Mapping,
                  lexicons: Sequence,
                  framing: Mapping, polar: Mapping, valid: Mapping, n_sample: int, provenance: Mapping,
                  inputs: pd.DataFrame) -> dict:
    """The values the pages quote, formatted for reading."""
    fmt = lambda d: {k: fmt_number(v) for k, v in d.items()}  # noqa: E731
    pseudo, privacy = privacy_sentences(config)
    return {
        "data": fmt(numbers),
        "ingest": fmt(report["totals"]),
        "tokens": {
            "n_abbreviations": fmt_number(len(punkt.get("abbrev_types", []))),
            "lexicons": ", ".join(f"{lx.name} {lx.version} (sha256 {lx.short_hash})" for lx in lexicons),
        },
        "framing": framing_substitutions(framing),
        "polar": polar_substitutions(polar, **{k: config["polarization"][k] for k in (
            "group_column", "n_boot", "n_perm", "seed", "rwc_k", "min_term_docs", "min_term_speakers")}),
        "valid": valid_substitutions(
            valid, n_sample=n_sample, results=public_path(config["results"]), **{k: config["validation"][k] for k in (
                "coders", "label_column", "cluster", "per_stratum", "seed", "coded_sheets")}),
        "repro": provenance_substitutions(provenance, inputs),
        "tree": {"thread_id": myst_text(tree["thread_id"]), "n_drawn": fmt_number(tree["n_drawn"]),
                 "n_comments": fmt_number(tree["n_comments"])},
        "run": {
            "title": myst_text(config["book"]["title"]),
            "results": myst_text(public_path(config["results"])),
            "pseudonymisation": pseudo,
            "privacy": privacy,
            "paragraphs": _paragraphs_sentence(config["sources"]),
            "quoted_text": ("Every measure in this book counts quoted passages too (`quotes.count_quoted_text: "
                            "true`): a frame or word quoted from another comment counts as the quoter's."
                            if config["quotes"]["count_quoted_text"] else
                            "Every measure in this book counts the writers' own words only: quoted passages are left "
                            "out of frame rates, keyness, collocations, partisanship, stance and incivility "
                            "(`quotes.count_quoted_text: false`), and frame hits inside them are counted as copied "
                            "uses in the framing chapter."),
        },
    }


def _paragraphs_sentence(sources: Sequence[Mapping]) -> str:
    """How the scraped sources read an unnumbered paragraph, or that no source of the run is scraped text."""
    readings = sorted({"another paragraph of the same comment"
                       if s.get("scraped", {}).get("paragraphs", "continue") == "continue" else "a new comment"
                       for s in sources if s["format"] == "scraped_text"})
    if not readings:
        return "No source of this run is a scraped page, so these rules were not used."
    return (f"An unnumbered paragraph at a comment's own indent was read as {', '.join(readings)}. "
            "Comments by the rule that decided them:")


def polar_substitutions(p: Mapping, *, group_column: str, n_boot: int, n_perm: int, seed: int, rwc_k: int,
                        min_term_docs: int = 2, min_term_speakers: int = 2) -> dict:
    """Numbers and generated sentences of the polarization chapter (config and counts only, no data text).

    ``p`` is the polarization summary; the keywords are the settings of the config's ``polarization`` section the
    chapter states.
    """
    source = {"column": f"the data's column {group_column}", "table": "the author table in the config",
              "stance": "lexical stance (pro or anti; speakers without stance evidence have no group)"}[
                  p["group_source"]]
    groups = ", ".join(f"{myst_text(g)}: {n}" for g, n in p["groups"].items()) or "no group found"
    ag = p.get("stance_agreement")
    agreement = (f"Against the data's own column {group_column}, stance labels agree on "
                 f"{fmt_number(ag['accuracy'])} of the {fmt_number(ag['n'])} comments that have both "
                 f"(Cohen's kappa {fmt_number(ag['kappa'])}, coverage {fmt_number(ag['coverage'])}) "
                 "{cite:p}`cohen1960coefficient`." if ag else "")
    missing = [myst_text(m) for m in p.get("not_available", [])]  # they name groups, i.e. data values
    # the rule on groups is stated only where a measure is missing for want of groups (not, say, for abstention)
    not_available = ("**Not available for this corpus:** " + "; ".join(missing) + "."
                     + (" The measures need at least two groups with two or more speakers each."
                        if any("group" in m.split(": ", 1)[-1] for m in missing) else "")) if missing else ""
    pa = p.get("partisanship_all")
    if pa:
        groups_compared = (f"between {myst_text(pa['group_a'])} and {myst_text(pa['group_b'])}" if pa["group_b"] else
                           f"among {myst_text(str(pa['group_a']).strip('()'))} (chance {fmt_number(pa['chance'])})")
        headline = (f"Leave-out partisanship {groups_compared} on all word tokens is "
                    f"{fmt_estimate(pa['estimate'], pa['ci_low'], pa['ci_high']).replace(' (', ' (95% CI ', 1)} "
                    f"against {fmt_number(pa['baseline_mean'], width=pa['ci_high'] - pa['ci_low'])} "
                    f"with shuffled labels (permutation {fmt_p(pa['p_value'], n_perm=n_perm)})."
                    + read_together(pa["p_value"], pa["ci_low"], pa["ci_high"], null=pa.get("chance") or 0.5))
    else:
        # the intro's one sentence gives the first reason (the root one: stance withheld, or too few groups); every
        # measure's reason is in the chapter
        reasons = [str(m).split(": ", 1) for m in p.get("not_available", [])]
        why = myst_text(reasons[0][-1]) if reasons else ""
        headline = ("Partisanship between groups could not be estimated for this corpus"
                    + (f": {why}" if why else "") + ". The chapter lists each measure left out and why.")
    out = {k: fmt_number(v) for k, v in p.items() if not isinstance(v, (Mapping, list))}
    out["headline"] = headline
    out.update(group_source_text=source, groups_text=groups, agreement_text=agreement, not_available_text=not_available,
               share_abstain=fmt_number(p["stance"]["share_comments_abstain"]),
               uncivil_share=fmt_number(p["uncivil_comment_share"]),
               n_boot=fmt_number(n_boot), n_perm=fmt_number(n_perm), seed=str(seed),
               min_term_docs=fmt_number(min_term_docs), min_term_speakers=fmt_number(min_term_speakers))
    for key in ("esteban_ray", "assortativity", "modularity", "rwc"):
        out[key] = fmt_number(p[key]) if isinstance(p.get(key), (int, float)) else "not available"
    out["strata_text"] = _strata_text(p, n_perm=n_perm)
    er = p.get("esteban_ray")
    out["esteban_ray_text"] = (
        f"is {out['esteban_ray']} over {fmt_number(p.get('esteban_ray_n', 0))} speakers with a stance score."
        if isinstance(er, (int, float)) and er == er else "is not reported for this corpus (the reason is above).")
    out.setdefault("rwc_k", fmt_number(rwc_k))
    return out


def _strata_text(p: Mapping, *, n_perm: int) -> str:
    """The polarization chapter's paragraph on strata (empty when none are configured)."""
    if not p.get("strata"):
        return ""

    def est(d: Mapping) -> str:
        return (f"{fmt_estimate(d['estimate'], d['ci_low'], d['ci_high']).replace(' (', ' (95% CI ', 1)} against "
                f"{fmt_number(d['baseline_mean'], width=d['ci_high'] - d['ci_low'])} with labels shuffled "
                f"({fmt_p(d['p_value'], n_perm=n_perm)}; chance {fmt_number(d['chance'])})")

    cols = ", ".join(myst_text(c) for c in p["strata"])
    within, between = p.get("partisanship_within_strata"), p.get("partisanship_between_strata")
    return (f"**Within strata** ({cols}; {fmt_number(p.get('n_strata', 0))} strata). Each speaker within a stratum "
            "is a speaker of its own, with the group of their comments there, so a label that means different "
            "things in different strata (pro on one topic, pro on another) is never pooled; each stratum has its "
            "own estimate, interval and baseline (labels shuffled within the stratum): the rows with a stratum in "
            "the tables. Pooled over strata, weighted by their speakers, partisanship within strata is "
            + (est(within) if within else "not available") + ". Between strata, the leave-out estimator applied to "
            "each speaker's number of comments per stratum (which strata a group talks in: topic choice, as "
            "between-topic polarization in {cite:t}`demszky2019analyzing`) is "
            + (est(between) if between else "not available") + ". The two are compared, not added: within-strata "
            "division is division in what is said on the same topic (framing), between-strata division is in which "
            "topics are taken up. With few speakers per group in a stratum its percentile interval is rough (it can "
            "even miss the estimate); its shuffled baseline and p-value are the safer reading. Cross-group reply "
            "shares per stratum, with a baseline that shuffles the groups "
            "of the speakers within each stratum, and incivility per stratum are in the reply tables.")


def read_together(p: float, low: float, high: float, *, null: float, alpha: float = 0.05) -> str:
    """A sentence when a test and an interval disagree about the null value (empty when they agree).

    The permutation test compares with shuffled labels, the bootstrap interval resamples speakers: a p below
    ``alpha`` beside a 95% interval that includes ``null`` (or the reverse) means the evidence is weaker than
    either alone suggests.
    """
    if any(v is None or v != v for v in (p, low, high)):
        return ""
    covers = low <= null <= high
    if p < alpha and covers:
        return (f" The two do not agree: the permutation test finds the difference unlikely under shuffled labels, "
                f"but the 95% interval includes {fmt_number(null)}, the value of no division, so the evidence of "
                "division is weak.")
    if p >= alpha and not covers:
        return (f" The two do not agree: the 95% interval excludes {fmt_number(null)}, but the permutation test "
                "does not reject shuffled labels, so the evidence of division is weak.")
    return ""


def valid_substitutions(v: Mapping, *, n_sample: int, results: str, coders: Sequence[str], label_column: str,
                        cluster: str, per_stratum: int, seed: int, coded_sheets: str) -> dict:
    """Sentences of the validation chapter: what was validated in this run, and how.

    ``v`` is the validation summary, ``n_sample`` the items drawn, ``results`` the results folder; the other
    keywords are the settings of the config's ``validation`` section the chapter states. ``coded_languages`` and
    ``label_languages`` are there only when the summary has them (those tables have rows per language).
    """
    coder_list = ", ".join(coders)
    returned = v.get("coders_returned", [])
    sample = (f"This run drew {fmt_number(n_sample)} items and wrote a coding sheet for each of the coders "
              f"({coder_list}) to {{results}}/validation/sheets/, with the codebook beside them. "
              + (f"Coded sheets came back from {', '.join(returned)} ({fmt_number(v.get('n_codes', 0))} codes, "
                 f"{fmt_number(v.get('n_ties', 0))} ties)." if returned else
                 "No coded sheet has been returned yet, so coder agreement and accuracy against human codes cannot "
                 "be computed: the sections below have no table until coders return their sheets."))
    if label_column:
        labels = (f"The data carry human labels in the column {label_column}; each frame is compared with "
                  "the label values mapped to it in the config (validation.code_of_frame). Intervals are 95% bootstrap "
                  "intervals over documents" + (f" clustered by {cluster}." if cluster else "."))
        if v.get("labels_not_measured"):
            labels += (" Labelled documents in a language where a frame is not measured (none of its dictionaries "
                       "covers it) are left out of that frame's comparison, not counted as misses: "
                       + "; ".join(f"{fmt_number(n)} for {f}" for f, n in v["labels_not_measured"].items()) + ".")
        if v.get("label_problem"):
            labels = f"The configured label column could not be used: {v['label_problem']}."
    else:
        labels = ("No label column is configured for this corpus (validation.label_column); the FrAC example "
                  "(config/examples/frac.yaml) shows this comparison against human frame codes.")
    languages = {f"{table}_languages": (
        f"The {what} are in several languages ({', '.join(v[f'{table}_languages'])}): each frame's first row "
        "(language all) is over every language, the rows after it are each language alone, with its own interval. "
        "A frame is validated only in the languages where it is measured (a language none of its dictionaries "
        "covers has no row).") for table, what in (("coded", "coded items"), ("label", "labelled documents"))
        if v.get(f"{table}_languages")}
    return {**languages, "sample_text": sample.replace("{results}", results), "labels_text": labels,
            "per_stratum": fmt_number(per_stratum), "seed": str(seed),
            # one substitution for the whole path: MyST fills no {{ }} inside `code`
            "coded_sheets_path": myst_text(f"{coded_sheets}/<coder>.csv")}


def _fmt_tree(value, key: str = ""):
    """Format every number of a nested dict for prose, once (:func:`analysis.render.fmt_number`).

    In a dict, an estimate with its interval (``x`` with ``x_low``/``x_high``, or ``rate``/``pooled`` with
    ``low``/``high``) takes the decimals of the interval's width, as in the tables; seeds are not quantities.
    """
    if not isinstance(value, Mapping):
        return fmt_number(value, grouping=key != "seed")
    out = {k: _fmt_tree(v, k) for k, v in value.items()}
    for k, v in value.items():
        lo, hi = ((f"{k}_low", f"{k}_high") if f"{k}_low" in value else
                  ("low", "high") if k in ("rate", "pooled") and "low" in value else (None, None))
        if lo and hi in value and all(isinstance(value[c], (int, float)) for c in (k, lo, hi)):
            parts = fmt_estimate(v, value[lo], value[hi], sep="\0").split(" (")
            out[k] = parts[0]
            if len(parts) == 2:
                out[lo], out[hi] = parts[1].rstrip(")").split("\0")
    return out


def framing_substitutions(framing: Mapping) -> dict:
    """The framing chapter's numbers (:func:`_fmt_tree`), its sentence on the comments' own index, and the one on
    the measures this run could not compute (``not_available_text``; empty when all could be)."""
    framing = dict(framing)
    missing = [myst_text(m) for m in framing.pop("not_available", [])]
    out = _fmt_tree(framing)
    out["not_available_text"] = ("**Not available for this corpus:** " + "; ".join(missing) + ".") if missing else ""
    main = out.get("main_index")
    if main:
        main["by_doc"] = ("This corpus has no article text, so all of it comes from comments."
                          if main.get("article") in ("n/a", None) else
                          f"In the comments alone it is {main['comments']} (95% CI {main['comments_low']} to "
                          f"{main['comments_high']}); in the article(s) it is {main['article']}.")
    return out


def _tables(report: Mapping, threads: pd.DataFrame, framing: Mapping[str, pd.DataFrame],
            lexicons: Sequence, *, polar_n_perm: int | None = None,
            group_by: Sequence[str] | None = None) -> dict[str, str]:
    sources = pd.DataFrame(
        [{"source": r["source"], "format": r["format"], "files": "; ".join(r["files"]), "threads": r["threads"],
          "comments": r["comments_kept"], "authors": r["authors"], "without author": r["comments_without_author"],
          "max depth": r["max_depth"]} for r in report["sources"]]
    )
    reasons = list(report["reasons"])
    ingest = pd.DataFrame(
        [{"source": r["source"], "read": r["records_read"], "kept": r["comments_kept"],
          "placeholders": r["placeholders"],
          "quarantined": r["quarantined"],
          "read = kept + quarantined": "yes" if r["records_read"] == r["comments_kept"] + r["quarantined"] else "NO"}
         for r in report["sources"]]
    )
    quarantined = pd.DataFrame(
        [{"source": r["source"], "reason": k, "records": n} for r in report["sources"]
         for k, n in r["quarantined_by_reason"].items() if n],
        columns=["source", "reason", "records"],
    )
    reason_table = pd.DataFrame({"reason": reasons, "meaning": [report["reasons"][k] for k in reasons]})
    rules = pd.DataFrame(
        [{"source": r["source"], "rule": rule, "comments": n, "meaning": PARSING_RULES.get(rule, "")}
         for r in report["sources"]
         if r["format"] == "scraped_text" for rule, n in r["rules"].items()],
        columns=["source", "rule", "comments", "meaning"],
    )
    top = threads.head(20)[["thread_id", "title", "n_comments", "n_top_level", "max_depth", "n_authors"]]
    quotes = framing["quotes"]
    if len(quotes):
        quotes = quotes[["source", "n_passages", "n_comments", "share_comments", "chars", "share_chars"]]
    return _framing_tables(framing, lexicons, polar_n_perm=polar_n_perm, group_by=group_by) | {
        "quotes": html_table(quotes, caption="Quoted passages by how they were found (all: any source)",
                             headers={"n_passages": "passages", "n_comments": "comments quoting",
                                      "share_comments": "share of comments", "chars": "characters quoted",
                                      "share_chars": "share of characters"})
        if len(quotes) else "<p><em>No quoted passage was found.</em></p>\n",
        "sources": html_table(sources, caption="Sources read in this run"),
        "ingest_report": html_table(ingest, caption="Ingest report: records read, kept and quarantined, by reason"),
        "quarantined": html_table(quarantined, caption="Quarantined records by reason")
        if len(quarantined) else "<p><em>No record was set aside.</em></p>\n",
        "reasons": html_table(reason_table, caption="Quarantine reasons"),
        "rules": html_table(rules, caption="Comments by the parsing rule that decided them")
        if len(rules) else "<!-- no scraped source: the page says so -->\n",
        "threads": html_table(top, caption=f"The {len(top)} largest of {len(threads)} thread(s)",
                              headers={"n_comments": "comments", "n_top_level": "top level", "max_depth": "max depth",
                                       "n_authors": "authors"}),
    } | ({"languages": languages_table(framing["languages"])} if "languages" in framing else {})


def languages_table(shares: pd.DataFrame) -> str:
    """The languages table of the data page: comments per language (the figure's data,
    :func:`analysis.language.shares`), shares as percentages, configured languages marked."""
    table = pd.DataFrame({"language": shares["language"].astype(str), "comments": shares["n"],
                          "share": [f"{v:.1%}" for v in shares["share"]],
                          "configured": ["yes" if c else "no" for c in shares["configured"]]})
    return html_table(table, caption="Comments by language (ISO 639-1 code; und: undetermined)")


def language_substitutions(numbers: Mapping, shares: pd.DataFrame, *, sources: Sequence[Mapping]) -> dict:
    """What the pages say about the comments' languages: the model, the configured languages, the share outside
    them (``warn`` above 10%), the three largest languages, and the sources that declared their language."""
    outside = float(numbers.get("share_outside", 0.0))
    top = ", ".join(f"{lang} {v:.1%}" for lang, v in zip(shares["language"].head(3), shares["share"].head(3)))
    declared = [s["id"] for s in sources if s.get("language") or (s.get("columns") or {}).get("language")]
    return {
        "model": myst_text(str(numbers.get("model", ""))),
        "configured": ", ".join(numbers.get("configured", [])),
        "outside": f"{outside:.1%}",
        "warn": outside > 0.10,
        "arabic": bool(((shares["language"].astype(str) == "ar") & (shares["n"] > 0)).any()),  # read by its rules
        "summary": myst_text(top or "no comment"),
        "declared": (f"The language of source(s) {', '.join(declared)} was declared in the config (`language` or "
                     "`columns.language`), not identified." if declared else ""),
    }


def _framing_tables(t: Mapping[str, pd.DataFrame], lexicons: Sequence, *,
                    polar_n_perm: int | None = None, group_by: Sequence[str] | None = None) -> dict[str, str]:
    """Escaped HTML tables of the framing chapter and its evidence appendix."""
    # the file of each is on the reproducibility page (with its whole hash); here the frames get the room
    lex = pd.DataFrame([{"dictionary": lx.name, "version": lx.version, "sha256": lx.short_hash,
                         "language": lx.language, "terms": len(lx.terms()), "frames": ", ".join(lx.frames)}
                        for lx in lexicons])
    # who wrote and reviewed each term list: a table of its own, so that neither table is too wide to read
    authorship = pd.DataFrame([{"dictionary": lx.name, "language": lx.language, **provenance_cells(lx.provenance)}
                               for lx in lexicons])
    rates = t["rates"]
    sel = rates[rates["by"].isin(["all", "doc"])].copy()
    sel["column"] = np.where(sel["by"] == "all", "all documents", sel["group"].astype(str) + "s")
    sel["cell"] = [fmt_estimate(r, lo, hi, sep="–") for r, lo, hi in zip(sel["rate"], sel["ci_low"], sel["ci_high"])]
    overall = sel.pivot(index="frame", columns="column", values="cell").reindex(list(dict.fromkeys(sel["frame"])))
    overall.insert(0, "hits", sel[sel["by"] == "all"].set_index("frame")["hits"].reindex(overall.index))
    overall = overall.reset_index()
    index = t["index"][t["index"]["by"].isin(["all", "doc", "source"])]
    index = index[["frame_a", "frame_b", "by", "group", "hits_a", "hits_b", "pooled", "pooled_low", "pooled_high",
                   "doc_mean", "doc_mean_low", "doc_mean_high"]]
    test = t["article_vs_comments"]
    test = test[test["n_threads"] > 0] if "n_threads" in test.columns else test
    test_caption = "Permutation test: article vs comments, rate difference per 1,000 tokens"
    if len(test):
        test = test.assign(p_value=[fmt_p(p, n_perm=n, short=True) for p, n in zip(test["p_value"], test["n_perm"])])
        few = [_n_labellings(test, i) for i in range(len(test))]
        if any(n is not None and n <= m for n, m in zip(few, test["n_perm"])):
            test_caption += (f"; the data allow only {fmt_number(min(n for n in few if n))} distinct labellings of "
                             "the article, so p cannot fall below 1 over that number")
        test = test.drop(columns=["n_perm", "n_threads", "n_labellings", "dictionaries"], errors="ignore")
    uptake = t["uptake"][["kind", "frame", "n_pairs", "n_parent_uses", "n_reply_uses", "n_both", "uptake", "ci_low",
                          "ci_high"]]
    no_pairs = not len(uptake) or int(uptake["n_pairs"].max()) == 0
    uptake = uptake[(uptake["kind"] != "article") | (uptake["n_pairs"] > 0)]  # no article: no rows of zeros for it
    uses = t["frame_uses"]
    if len(uses):
        uses = uses[uses["n_uses"] > 0][["frame", "where", "n_uses", "n_adopted", "n_copied", "n_contested",
                                          "share_adopted", "share_copied", "share_contested"]]
    colloc = t["collocations"]
    if len(colloc):
        colloc = colloc.groupby("frame", sort=False).head(8)
        colloc = colloc[[c for c in colloc.columns
                         if c in ("frame", "word", "n_ii", "likelihood_ratio", "pmi")]]
    key = t["keyness"]
    if len(key):
        # only terms whose z reaches the two-sided 5% level are called distinctive
        key = key[key["z"] >= KEYNESS_MIN_Z]
        key = key.sort_values(["by", "group", "z"], ascending=[True, True, False]).groupby(["by", "group"]).head(15)
        key = key[[c for c in ("by", "group", "term", "count_a", "count_b", "log_odds", "z", "g2")
                   if c in key.columns]]
    polar_tables = _polar_tables(t, polar_n_perm) | _valid_tables(t) | _fit_table(t.get("dictionary_fit"))
    kwic = t["concordance"]  # the lines of the whole concordance, or its preview (attrs["n_rows"]: all lines)
    by_group = rates_by_group(rates, group_by)
    none = "<p><em>Nothing to show for this corpus.</em></p>\n"
    return polar_tables | language_tables(t.get("by_language")) | {
        "lexicons": html_table(lex, caption="Active dictionaries (the sha256 identifies the exact file used) and "
                                            "their language"),
        "lexicon_provenance": html_table(authorship, caption="Who wrote each dictionary's term lists, from which "
                                                             "source, and who reviewed them"),
        "frame_rates": html_table(overall, caption="Hits per 1,000 word tokens (95% bootstrap CI)"),
        "framing_index": html_table(index,
                                    caption="Framing index (A - B) / (A + B): pooled and document-averaged, 95% CIs",
                                    intervals={"pooled": ("pooled_low", "pooled_high"),
                                               "doc_mean": ("doc_mean_low", "doc_mean_high")}),
        "article_vs_comments": html_table(test, caption=test_caption)
        if len(test) else "<p>No thread of this corpus has article text, so the article and its comments cannot "
                          "be compared.</p>\n",
        "uptake": html_table(uptake, caption="Frame uptake P(reply uses F | parent uses F) - P(reply uses F), 95% CIs",
                             intervals={"uptake": ("ci_low", "ci_high")})
        if not no_pairs else "<p>Without parent-reply pairs, frame uptake cannot be measured.</p>\n",
        "frame_uses": html_table(uses, caption="Uses of each frame: adopted in the writer's own words, copied inside "
                                               "a quoted passage, or contested (inside quotation marks or under a "
                                               "negation)",
                                 headers={"where": "in", "n_uses": "uses", "n_adopted": "adopted", "n_copied": "copied",
                                          "n_contested": "contested", "share_adopted": "share adopted",
                                          "share_copied": "share copied", "share_contested": "share contested"})
        if len(uses) else "<!-- no frame was used: the page says so -->\n",
        "collocations": html_table(colloc, caption="Top collocates of each frame's terms (NLTK association measures)")
        if len(colloc) else none,
        "keyness": html_table(key, caption=f"Distinctive terms of each group (one group vs the rest): the top 15 "
                                           f"with z ≥ {KEYNESS_MIN_Z}")
        if len(key) else f"<p>No term distinguishes a group from the rest at z ≥ {KEYNESS_MIN_Z} (the two-sided 5% "
                         "level) in this corpus.</p>\n",
        "concordance": concordance_table(kwic) if len(kwic) else none,
        "rates_by_group": html_table(by_group, caption="Hits per 1,000 word tokens by group, for each grouping of "
                                                       "framing.group_by (95% bootstrap CI)",
                                     headers={"by": "grouping", "ci_low": "CI low", "ci_high": "CI high",
                                              "n_docs": "documents"},
                                     intervals={"rate": ("ci_low", "ci_high")})
        if len(by_group) else "<p>No grouping is configured in framing.group_by.</p>\n",
    }


def provenance_cells(provenance: Mapping | None) -> dict[str, str]:
    """The dictionary table's provenance columns: who wrote the term lists, from which source, who reviewed them,
    when ('not stated' for a dictionary without a ``provenance`` key)."""
    p = provenance or {}
    return {"written by": p.get("written_by", "not stated"), "source": p.get("source", "not stated"),
            "reviewed by": p.get("reviewed_by", "not stated"), "date": p.get("date", "")}


def language_tables(by_language: pd.DataFrame | None) -> dict[str, str]:
    """The framing chapter's tables of languages, from ``framing/by_language.csv``: which frame each language's
    dictionaries measure (``frame_coverage``), and each frame's rate per language with its difference from the
    reference language (``by_language``). Empty when the run has one language (the page then leaves them out)."""
    if by_language is None or not len(by_language) or by_language["language"].nunique() < 2:
        return {}
    cover = by_language.assign(cell=[
        "missing (not measured)" if str(st).startswith("missing") else st if st != "measured" else f"measured ({lx})"
        for st, lx in zip(by_language["status"], by_language["lexicon"].fillna(""))])
    cover = cover.pivot(index="frame", columns="language", values="cell")
    cover = cover.reindex(index=list(dict.fromkeys(by_language["frame"])),
                          columns=list(dict.fromkeys(by_language["language"]))).reset_index()
    rows = by_language[["frame", "language", "status", "hits", "tokens", "rate", "ci_low", "ci_high", "reference",
                        "difference", "diff_low", "diff_high"]].copy()
    rows["status"] = rows["status"].where(~rows["status"].astype(str).str.startswith("missing"), "missing")
    return {
        "frame_coverage": html_table(cover, caption="Frames each language's dictionaries measure: a missing frame "
                                                    "has no rate in that language (not zero)"),
        "by_language": html_table(rows, caption="Each frame's rate per 1,000 word tokens in each language, and its "
                                                "difference from the reference language (95% cluster-bootstrap CIs)",
                                  headers={"rate": "rate", "difference": "difference from reference"},
                                  intervals={"rate": ("ci_low", "ci_high"), "difference": ("diff_low", "diff_high")},
                                  joined=True),
    }


def _fit_table(fit: pd.DataFrame | None) -> dict[str, str]:
    """The dictionary-fit table of the framing chapter: one row per frame (``framing/dictionary_fit.csv`` has one per
    frame and listed term), its warnings in the last column."""
    if fit is None or not len(fit):
        return {"dictionary_fit": "<p><em>No frame dictionary is active, so there is no fit to show.</em></p>\n"}
    rows = []
    for frame, sub in fit.groupby("frame", sort=False):
        first = sub.iloc[0]
        n_hit, n_docs = fmt_number(int(first["docs_with_hit"])), fmt_number(int(first["n_docs"]))
        listed = sub[sub["rank"] > 0]
        rows.append({
            "frame": frame,
            "documents with a hit": f"{fmt_number(100 * float(first['share_docs']), digits=1)}% ({n_hit} of {n_docs})",
            "hits": int(first["hits"]),
            "top terms (share of the frame's hits)": "; ".join(
                f"{isolate(t)} {fmt_number(100 * float(x), digits=0)}%"  # an Arabic term: isolated in the list
                for t, x in zip(listed["term"], listed["term_share"])),
            "warning": " ".join(w for w in sub["warning"].fillna("").astype(str) if w),
        })
    caption = ("Fit of each frame dictionary to this corpus: documents with at least one hit, and the terms that give "
               "its hits")
    return {"dictionary_fit": html_table(pd.DataFrame(rows), caption=caption)}


def rates_by_group(rates: pd.DataFrame, group_by: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of the frame-rates table for each grouping of ``group_by`` (every grouping but ``all`` when None),
    as the book tabulates them: groupings in the config's order (the depth bands right after ``depth``), groups
    in natural order (depth 2 before 10, band 4-6 before 13-24, then text), frames in the table's order."""
    bys = list(group_by) if group_by is not None else list(dict.fromkeys(rates["by"][rates["by"] != "all"]))
    if "depth" in bys and "depth_band" not in bys and (rates["by"] == "depth_band").any():
        bys.insert(bys.index("depth") + 1, "depth_band")
    out = rates[rates["by"].isin(bys)]
    group = out["group"].astype(str)
    number = pd.to_numeric(group.str.extract(r"^(\d+)(?:\u2013\d+|\+)?$", expand=False), errors="coerce")
    frames = {f: i for i, f in enumerate(dict.fromkeys(rates["frame"]))}
    keys = pd.DataFrame({"by": out["by"].map({b: i for i, b in enumerate(bys)}), "text": number.isna(),
                         "number": number.fillna(0), "group": group, "frame": out["frame"].map(frames)},
                        index=out.index)
    order = keys.sort_values(["by", "text", "number", "group", "frame"], kind="stable").index
    return out.loc[order, ["by", "group", "frame", "rate", "ci_low", "ci_high", "hits", "tokens", "n_docs"]]


def concordance_table(kwic: pd.DataFrame) -> str:
    """The concordance as the book shows it: key word in context, aligned (left context right-aligned, the match
    bold in the middle, right context left-aligned), then where each line is from; the caption says whether every
    line is shown or how many of ``kwic.attrs["n_rows"]`` (the whole concordance, all in its CSV)."""
    n_all = int(kwic.attrs.get("n_rows", len(kwic)))
    per_frame = int(kwic.groupby("frame", sort=False).size().max()) if len(kwic) else 0
    caption = (f"Concordance: all {fmt_number(n_all)} matches" if len(kwic) >= n_all else
               f"Concordance: the first {fmt_number(per_frame)} {'match' if per_frame == 1 else 'matches'} of each "
               f"frame, {fmt_number(len(kwic))} of "
               f"{fmt_number(n_all)} (every match is in the CSV)")
    cols = ["frame", "left", "match", "right", "counted", "quoted", "negated", "comment_id", "author_id",
            "thread_id", "dir"]
    kwic = display_sides(kwic)  # a right-to-left line: the words before its match on the right, cells dir="rtl"
    kwic = kwic[cols].assign(**{c: kwic[c].map({True: "yes", False: "no"}) for c in ("counted", "quoted", "negated")
                                if kwic[c].dtype == bool})
    return html_table(kwic, caption=caption, max_chars=200, kind="ts-kwic full-width",
                      directions={"left": "dir", "match": "dir", "right": "dir"},
                      classes={"left": "kwic-left", "match": "kwic-match", "right": "kwic-right",
                               "comment_id": "ts-id", "author_id": "ts-id", "thread_id": "ts-id"},
                      headers={"left": "left context", "right": "right context", "comment_id": "comment",
                               "author_id": "author", "thread_id": "thread"})


#: Keyness terms are called distinctive only from this log-odds z on (the two-sided 5% level).
KEYNESS_MIN_Z = 1.96


def keyness_sentence(keyness: pd.DataFrame) -> str:
    """What the keyness figure's bars mean here: how many term scores reach :data:`KEYNESS_MIN_Z`."""
    if not len(keyness):
        return "No grouping with two or more groups was compared, so no term can distinguish one."
    n_strong = int((keyness["z"] >= KEYNESS_MIN_Z).sum())
    return (f"The figure draws each group's highest z-scores whatever their size; only terms with z ≥ {KEYNESS_MIN_Z} "
            f"(the two-sided 5% level) are called distinctive, {fmt_number(n_strong)} of the "
            f"{fmt_number(len(keyness))} term-group scores here (the highest z is {fmt_number(keyness['z'].max())}).")


def article_test_sentence(test: pd.DataFrame) -> str:
    """The framing chapter's sentence on the article-vs-comments permutation test (``test``: the table of
    :func:`analysis.frame_rates.article_vs_comments`): none on a corpus without article text; otherwise the
    permutations run and, when the data allow no more distinct labellings of the article than that, their number
    and the floor it sets on p."""
    ran = test[test["n_threads"] > 0] if "n_threads" in test.columns else test.iloc[0:0]
    if not len(ran):
        return ("No thread of this corpus has article text, so no test compares an article with its comments "
                "and no p-value is reported in this chapter.")
    n_threads, n_perm = int(ran["n_threads"].max()), int(ran["n_perm"].max())
    text = (f"Rates of the article and of its comments are compared by a permutation test of the article label "
            f"within threads ({fmt_number(int(n_perm))} permutations over {fmt_number(n_threads)} thread(s) with "
            "an article) {cite:p}`good2005permutation`.")
    few = [n for n in (_n_labellings(ran, i) for i in range(len(ran))) if n]
    if few and min(few) <= n_perm:
        n = min(few)
        text += (f" These data allow only {fmt_number(n)} distinct labellings of the article, so no p-value can "
                 f"fall below 1/{fmt_number(n)} = {fmt_number(1 / n, digits=3)}, however many permutations run.")
    return text


def _n_labellings(test: pd.DataFrame, i: int) -> int | None:
    """The distinct labellings of row ``i`` of the article-vs-comments test, where the table has them."""
    if "n_labellings" not in test.columns or pd.isna(test["n_labellings"].iloc[i]):
        return None
    return int(test["n_labellings"].iloc[i])


#: Concordance lines the book's page holds at most (it pages and filters them; every line is in the CSV).
CONCORDANCE_MAX_ROWS = 2000


def concordance_preview(path: str | Path, *, per_frame: int | None = None,
                        max_rows: int = CONCORDANCE_MAX_ROWS) -> pd.DataFrame:
    """The first ``per_frame`` lines of each frame of a concordance Parquet file; ``attrs["n_rows"]``: all its lines.

    Without ``per_frame``, as many lines per frame as keep the total within
    ``max_rows``: every line when the concordance has no more, otherwise the
    first k of each frame for the largest such k (a rare frame keeps all its
    lines). Reads the frame column (dictionary-encoded) to choose the rows,
    then only those rows: the book's table without reading every line.
    """
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path, read_dictionary=["frame"])
    n_rows = pf.metadata.num_rows
    frames = (pd.Series(pf.read(columns=["frame"]).column("frame").to_pandas()) if n_rows
              else pd.Series([], dtype=object))
    if per_frame is None:
        sizes_f = np.sort(frames.value_counts(dropna=False).to_numpy())
        # sum over frames of min(size, k), for k = each frame size: the largest k whose total fits max_rows
        totals = np.cumsum(sizes_f) + sizes_f * np.arange(len(sizes_f) - 1, -1, -1)
        fits = sizes_f[totals <= max_rows]
        k = int(fits[-1]) if len(fits) else 0
        if k < (sizes_f[-1] if len(sizes_f) else 0):  # between two frame sizes: raise k while the total fits
            rest = sizes_f[sizes_f > k]
            k += max(0, (max_rows - int(sizes_f[sizes_f <= k].sum()) - k * len(rest)) // len(rest))
        per_frame = k
    rows = frames.groupby(frames, sort=False, dropna=False).head(per_frame).index.to_numpy()
    # only the row groups holding a chosen row are read
    sizes = np.array([pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)], dtype=np.int64)
    group_end = np.cumsum(sizes)
    group_start = group_end - sizes
    group_of_row = np.searchsorted(group_end, rows, side="right")
    groups = np.unique(group_of_row)
    if len(groups):
        # where each read group starts in the table read
        read_start = np.concatenate([[0], np.cumsum(sizes[groups])[:-1]])
        local = read_start[np.searchsorted(groups, group_of_row)] + rows - group_start[group_of_row]
        out = pq.ParquetFile(path).read_row_groups(groups.tolist()).take(local).to_pandas()  # strings, not categories
    else:
        out = pf.schema_arrow.empty_table().to_pandas()
    out.attrs["n_rows"] = n_rows
    return out


def _polar_tables(t: Mapping[str, pd.DataFrame], n_perm: int | None = None) -> dict[str, str]:
    none = "<!-- not available for this corpus: the page says why -->\n"
    part = t["partisanship"]
    if len(part):  # with strata (or K groups): which stratum, and chance 1/K
        # a table whose rows all say why there is no estimate has no interval columns: they are blank then
        part = part.reindex(columns=[c for c in ("tokens", "stratum", "group_a", "group_b", "estimate", "ci_low",
                                                 "ci_high", "baseline_mean", "baseline_low", "baseline_high",
                                                 "p_value", "chance", "n_speakers")
                                     if c in part or c not in ("stratum", "chance", "n_speakers")])
        if n_perm:
            part = part.assign(p_value=[fmt_p(p, n_perm=n_perm, short=True) for p in part["p_value"]])
    terms = t["polar_terms"]
    if len(terms):
        terms = terms[terms["tokens"] == "all tokens"].groupby(["group_a", "favours"]).head(10)
        terms = terms[["group_a", "favours", "term", "contribution", "freq_R", "freq_D", "n_authors"]]
    net = t["network"]
    if len(net):
        net = net[[c for c in ("stratum", "quantity", "estimate", "ci_low", "ci_high", "baseline_mean", "p_low",
                               "p_high", "n_pairs", "unit")
                   if c in net or c not in ("stratum", "baseline_mean", "p_low", "p_high")]]
    inc = t["incivility"]
    if len(inc):
        inc = inc[[c for c in ("stratum", "reply_type", "n_replies", "n_uncivil", "rate", "rate_low", "rate_high",
                               "share", "share_low", "share_high") if c in inc or c != "stratum"]]
    return {
        "partisanship": html_table(part,
                                   caption="Leave-out partisanship (0.5 = no division), with shuffled-label baseline",
                                   intervals={"estimate": ("ci_low", "ci_high"),
                                              "baseline_mean": ("baseline_low", "baseline_high")}, joined=True,
                                   headers={"baseline_mean": "shuffled labels (mean, 95% range)", "p_value": "p"})
        if len(part) else none,
        "polarizing_terms": html_table(terms, caption="Terms contributing most to partisanship (favours R = group_a)")
        if len(terms) else none,
        "network": html_table(net, caption="Cross-group replies against random mixing (95% CIs)",
                              intervals={"estimate": ("ci_low", "ci_high")}, joined=True) if len(net) else none,
        "incivility": "<p>Among replies between speakers with known groups, none is "
                      + " and none is ".join(t for t in ("cross-group", "same-group")
                                             if (inc.loc[inc["reply_type"] == t, "n_replies"] == 0).any())
                      + ", so incivility across and within group lines cannot be compared.</p>\n"
        if len(inc) and (inc.loc[inc["reply_type"].isin(["cross-group", "same-group"]), "n_replies"] == 0).any()
        else html_table(inc, caption="Incivility of cross- and same-group replies: hits per 1,000 tokens and "
                                              "share of replies with an uncivil term (95% CIs)",
                                   intervals={"rate": ("rate_low", "rate_high"), "share": ("share_low", "share_high")},
                                   joined=True)
        if len(inc) else none,
    }


def _valid_tables(t: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    none = "<!-- nothing to show: the page says why (no coded sheet returned, or no label column) -->\n"
    prf = ["frame", "language", "n", "support", "tp", "fp", "fn", "precision", "precision_low", "precision_high",
           "recall", "recall_low", "recall_high", "f1", "f1_low", "f1_high"]
    def table(name, caption, cols=None):
        df = t[name]
        if not len(df):
            return none
        df = df[[c for c in (cols or df.columns) if c in df.columns]]
        return html_table(df, caption=caption, intervals={k: (f"{k}_low", f"{k}_high") for k in
                                                          ("precision", "recall", "f1", "alpha", "estimate")},
                          joined=True)
    return {
        "alpha": table("alpha", "Krippendorff's alpha (nominal) per frame, 95% bootstrap CI"),
        "coded_prf": table("coded_prf", "Dictionary vs coders' gold labels (design-weighted), 95% CIs", prf),
        "worst_errors": table("worst_errors", "Worst misclassified examples"),
        "labels_prf": table("labels_prf", "Dictionary vs the labels in the data, 95% CIs", ["codes", *prf]),
    }


def stage_book(*, pages: Sequence[str], static: Sequence[str], figures: Sequence[str], dest: str | Path,
               subs: Mapping, report: Mapping, threads: pd.DataFrame, config: Mapping,
               framing: Mapping[str, pd.DataFrame], lexicons: Sequence, captions: Mapping[str, str],
               provenance: Mapping, inputs: pd.DataFrame, packages: pd.DataFrame, config_file: str,
               concordance_csv: str | Path, explorers: Sequence[str] = ()) -> Path:
    """Fill ``dest`` with everything Jupyter Book needs; return it.

    ``framing["concordance"]`` is :func:`concordance_preview` of the
    concordance; ``concordance_csv`` is the whole concordance, copied as the
    file offered for download. Every CSV offered for download then goes
    through :func:`safe_downloads` (spreadsheet formulas neutralised).
    ``explorers`` are the term explorer's pages (rule ``term_explorer``), copied
    to ``_static/term_explorer/`` and listed, linked, in
    ``_generated/tables/term_explorer.html`` (:func:`explorer_links`).
    """
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "_static").mkdir(parents=True)
    (dest / "_generated" / "figures").mkdir(parents=True)
    (dest / "_generated" / "tables").mkdir(parents=True)
    base_config = None
    for page in pages:
        if Path(page).name == "_config.yml":
            base_config = yaml.safe_load(Path(page).read_text(encoding="utf-8"))
        elif Path(page).suffix == ".md":
            text = page_conditions(Path(page).read_text(encoding="utf-8"), subs, page=page)
            (dest / Path(page).name).write_text(_place_figures(text, page, figures, captions, provenance["code"],
                                                               config["book"]), encoding="utf-8")
        else:
            shutil.copyfile(page, dest / Path(page).name)
    for path in static:
        shutil.copyfile(path, dest / "_static" / Path(path).name)
    _copy_mathjax(dest / "_mathjax" / "mathjax")
    for path in figures:
        shutil.copyfile(path, dest / "_generated" / "figures" / Path(path).name)
    shutil.copyfile(config_file, dest / "_generated" / "config.yaml")
    (dest / "_generated" / "reproduce.sh").write_text(reproduce_commands(provenance, public_path(config_file)),
                                                      encoding="utf-8")
    inputs.to_csv(dest / "_generated" / "tables" / "inputs.csv", index=False, lineterminator="\n")
    packages.to_csv(dest / "_generated" / "tables" / "packages.csv", index=False, lineterminator="\n")
    tables = (_tables(report, threads, framing, lexicons, polar_n_perm=config["polarization"]["n_perm"],
                      group_by=config.get("framing", {}).get("group_by"))
              | _provenance_tables(inputs, packages, lexicons))
    for name, content in tables.items():
        (dest / "_generated" / "tables" / f"{name}.html").write_text(content, encoding="utf-8")
    shutil.copyfile(concordance_csv, dest / "_generated" / "tables" / "concordance.csv")
    if explorers:
        (dest / "_static" / "term_explorer").mkdir()
    for path in explorers:
        shutil.copyfile(path, dest / "_static" / "term_explorer" / Path(path).name)
    (dest / "_generated" / "tables" / "term_explorer.html").write_text(explorer_links(explorers), encoding="utf-8")
    safe_downloads(dest / "_generated")
    cfg = dict(base_config or {})
    # the theme puts title and author into the HTML of every page unescaped (navbar, footer): they go in with every
    # character that can open a tag or end an attribute escaped ('&' is left, so the browser tab, which Sphinx
    # escapes once more, shows "Guns & Rights" as written)
    cfg["title"] = _tagless(config["book"]["title"])
    cfg["author"] = _tagless(config["book"]["author"])
    cfg.setdefault("parse", {})["myst_substitutions"] = dict(subs)
    cfg.setdefault("sphinx", {}).setdefault("config", {}).update(MATHJAX_CONFIG)
    (dest / "_config.yml").write_text(yaml.safe_dump(cfg, sort_keys=True, allow_unicode=True), encoding="utf-8")
    return dest


def explorer_links(explorers: Sequence[str]) -> str:
    """An HTML list linking each term explorer page (named ``<grouping>.html``) from a page at the book's top level."""
    if not explorers:
        return "<p>No keyness grouping is configured (<code>framing.keyness_groups</code>), so there is no page.</p>\n"
    items = "".join(
        f'<li><a href="_static/term_explorer/{urllib.parse.quote(Path(p).name)}">{html.escape(Path(p).stem)}</a></li>'
        for p in explorers)
    return f'<ul class="term-explorers">{items}</ul>\n'


def safe_downloads(folder: str | Path) -> int:
    """Neutralise spreadsheet formulas in every CSV under ``folder`` (the book's downloads), in place.

    :func:`analysis.spreadsheet.safe_csv` on each: a cell that a spreadsheet
    would run as a formula gets a leading ``'``; a file without one is left
    byte for byte. The tables under ``results/`` are not touched. Returns the
    cells changed.
    """
    return sum(safe_csv(path, path) for path in sorted(Path(folder).rglob("*.csv")))


def _tagless(text: str) -> str:
    """A config value for a place the theme fills without escaping: ``<``, ``>`` and quotes as character references."""
    return html.escape(text, quote=True).replace("&amp;", "&")


def page_conditions(text: str, subs: Mapping, *, page: str = "page") -> str:
    """A page with its conditional parts kept or dropped: ``<!--% if framing.frames %-->`` ... ``<!--% else %-->`` ...
    ``<!--% endif %-->`` lines, Jinja2 statements (the engine of MyST's own substitutions) tested against the
    substitutions ``subs``, so a section whose measure this run could not compute is left out whole (its figure,
    table and cite block with it) and the page says why in its place.

    Only these HTML-comment statements are read: ``{{ ... }}`` is left to MyST, and a page without a statement is
    returned as it is. A name the substitutions lack is an error naming the page, not a silently false test.
    """
    if "<!--%" not in text:
        return text
    import jinja2

    env = jinja2.Environment(block_start_string="<!--%", block_end_string="%-->", variable_start_string="<!--%=",
                             variable_end_string="=%-->", comment_start_string="<!--%#",
                             comment_end_string="#%-->", trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False)
    try:
        return env.from_string(text).render(**subs)
    except jinja2.TemplateError as e:
        raise ValueError(f"{page}: a condition (<!--% ... %-->) could not be read: {e}") from e


def _place_figures(text: str, page: str, figures: Sequence[str], captions: Mapping[str, str], code: Mapping,
                   book: Mapping) -> str:
    """Replace each ``<!-- figure: id -->`` line of a page by the figure and its cite block."""
    by_name = {Path(f).name: f for f in figures}

    def block(m):
        fig_id = m.group(1)
        if fig_id not in FIGURES:
            raise ValueError(f"{page}: unknown figure {fig_id!r}; known: {sorted(FIGURES)}")
        note = io.read_json(by_name[f"{fig_id}.json"])
        if _is_empty(by_name[f"{fig_id}.csv"], note):  # nothing was drawn: say why, with no figure or cite block
            facts = str(note.get("facts", ""))  # the figure's own "No ..." sentence is the most specific reason
            return myst_text(facts if facts.startswith("No ") else _EMPTY_FIGURE.get(fig_id) or facts) + "\n"
        data_sha = sha256_file(by_name[f"{fig_id}.csv"])
        return figure_block(fig_id, caption=captions[fig_id], note=note, data_sha256=data_sha, code=code, book=book)

    def left_out(fig_id: str) -> bool:
        csv, note = by_name.get(f"{fig_id}.csv"), by_name.get(f"{fig_id}.json")
        return bool(csv and note and _is_empty(csv, io.read_json(note)))

    # text that only introduces a figure is kept with it and dropped with it
    text = _WITH_FIGURE.sub(lambda m: "" if left_out(m.group(1)) else m.group(2), text)
    for fig_id in _PLACEHOLDER.findall(text):  # a figure left out leaves no dangling reference to it
        csv, note = by_name.get(f"{fig_id}.csv"), by_name.get(f"{fig_id}.json")
        if csv and note and _is_empty(csv, io.read_json(note)):
            text = text.replace(f"{{numref}}`fig-{fig_id.replace('_', '-')}`",
                                "a figure left out below")
    return _PLACEHOLDER.sub(block, text)


def _is_empty(csv_path: str | Path, note: Mapping) -> bool:
    """Whether a figure drew nothing: its data CSV has no data row (a header alone, or an empty file), or its facts
    count zero (``n = 0 ...``: a grid of zeros drawn from no pair or document)."""
    with open(csv_path, encoding="utf-8") as fh:
        rows = sum(1 for line, _ in zip(fh, range(2)) if line.strip())
    return rows <= 1 or str(note.get("facts", "")).startswith("n = 0 ")


#: Why a figure is left out, where the figure's own note does not say it in a sentence.
_EMPTY_FIGURE = {
    "framing_index": "No figure follows the framing index by reply depth: the config's framing.group_by has no "
                     "depth, or no comment uses either frame of the pair.",
    "frame_transitions": "No figure of frames down reply chains: no comment of this corpus replies to another, so "
                         "there is no parent-reply pair.",
    "comments_per_depth": "No figure of comments per reply depth: the corpus has no comment, or none replies to "
                          "another.",
}


def _provenance_tables(inputs: pd.DataFrame, packages: pd.DataFrame, lexicons: Sequence) -> dict[str, str]:
    lex = pd.DataFrame([{"dictionary": lx.name, "version": lx.version, "file": public_path(lx.path),
                         "sha256": lx.sha256}
                        for lx in lexicons], columns=["dictionary", "version", "file", "sha256"])
    key = packages[packages["key"]].drop(columns="key")
    return {
        "inputs": html_table(inputs, caption="Every input file of the run, with its size and SHA-256", max_chars=400),
        "dictionaries": html_table(lex, caption="Dictionaries of the framing measures (full SHA-256)") if len(lex)
        else "<p>This run has no frame dictionary (config key <code>lexicons</code> is empty).</p>\n",
        "packages": html_table(key, caption=f"Key packages (all {len(packages)} installed ones are in the CSV)"),
    }


#: Formulas are typeset by MathJax 3 (its single-file TeX-to-SVG build, all TeX
#: extensions included) from the sphinx-mathjax-offline wheel, copied into the
#: book, so they render without network (Sphinx's default loads MathJax from a
#: CDN); SVG output needs no web fonts, which browsers refuse on file:// pages.
#: MyST marks the page body mathjax_ignore and only Sphinx's math elements are
#: processed, so dollar signs or ``\\(`` in comment text stay text.
MATHJAX_CONFIG = {
    # not under _static, where Jupyter Book would load every .js file eagerly;
    # html_extra_path copies it beside the pages, and the path is relative to _static
    "html_extra_path": ["_mathjax"],
    "mathjax_path": "../mathjax/tex-svg-full.js",
}
_MATHJAX_FILE = "tex-svg-full.js"


def _copy_mathjax(dest: Path) -> None:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")  # the wheel's package name has dashes
    if spec is None or spec.origin is None:
        raise RuntimeError("the package sphinx-mathjax-offline is not installed (pip install -e . installs it)")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(spec.origin).parent / "static" / "mathjax" / _MATHJAX_FILE, dest / _MATHJAX_FILE)


#: The measure tables the book's pages show, by name: read as CSV with ``group`` as text.
TABLES = ("rates", "index", "article_vs_comments", "dictionary_fit", "uptake", "frame_uses", "quotes", "collocations",
          "keyness", "partisanship", "polar_terms", "network", "incivility", "sample", "alpha", "coded_prf",
          "worst_errors", "labels_prf")


def book(inputs: Mapping, *, src: str | Path, config: Mapping) -> Path:
    """Rule book: read the run's numbers and tables, and stage the book's pages into ``src`` (:func:`stage_book`).

    ``inputs`` are the rule's inputs by name (``inputs[name]`` for each of
    :data:`TABLES`, ``numbers``, ``report``, ``punkt``, ``figures``, ...);
    returns the staged folder, for :func:`build_book`.
    """
    report = io.read_json(inputs["report"])
    lexicons = [load_lexicon(p, check_terms=False) for p in inputs["lexicons"]]
    provenance = io.read_json(inputs["provenance"])
    table_inputs = io.read_csv(inputs["inputs"])
    captions = {Path(p).stem: Path(p).read_text(encoding="utf-8").strip() for p in inputs["captions"]}
    tables = {n: io.read_csv(inputs[n], dtype={"group": str}) for n in TABLES}
    # the concordance is the largest table (every match): the book shows its first lines per frame, read from the
    # Parquet copy, and offers the CSV as written
    tables["concordance"] = concordance_preview(inputs["concordance_table"])
    if inputs.get("by_language"):  # each frame per language (framing/by_language.csv)
        tables["by_language"] = io.read_csv(inputs["by_language"])
    subs = substitutions(
        numbers=io.read_json(inputs["numbers"]),
        report=report,
        punkt=io.read_json(inputs["punkt"]),
        tree=io.read_json(next(p for p in inputs["figures"] if Path(p).name == "reply_tree.json"))["numbers"],
        config=config,
        lexicons=lexicons,
        framing=io.read_json(inputs["framing"]),
        polar=io.read_json(inputs["polar"]),
        valid=io.read_json(inputs["valid"]),
        n_sample=len(tables["sample"]),
        provenance=provenance,
        inputs=table_inputs,
    )
    lang_files = {Path(p).name: p for p in inputs["figures"] if Path(p).stem == "languages"}
    tables["languages"] = io.read_csv(lang_files["languages.csv"], dtype={"language": str})
    subs["languages"] = language_substitutions(io.read_json(lang_files["languages.json"])["numbers"],
                                               tables["languages"], sources=config["sources"])
    f = config["framing"]
    subs["keyness"] = {"text": keyness_sentence(tables["keyness"]), "min_docs": fmt_number(f["keyness_min_docs"]),
                       "min_speakers": fmt_number(f["keyness_min_speakers"])}
    subs["framing"]["article_test"] = article_test_sentence(tables["article_vs_comments"])
    return stage_book(
        pages=inputs["pages"], static=inputs["static"], figures=inputs["figures"], dest=src, subs=subs, report=report,
        threads=pd.read_csv(inputs["threads"], dtype={"thread_id": str, "title": str}, keep_default_na=False),
        config=config, framing=tables, lexicons=lexicons, captions=captions, provenance=provenance, inputs=table_inputs,
        packages=io.read_csv(inputs["packages"], dtype={"version": str}), config_file=inputs["config_as_run"],
        concordance_csv=inputs["concordance"], explorers=list(inputs.get("explorer", [])),
    )


def build_book(src: str | Path, *, out: str | Path, log_file: str | Path, log: logging.Logger) -> None:
    """Build the staged book ``src`` into ``out`` with Jupyter Book, warnings as errors.

    The whole Sphinx output goes to ``log_file``; a failed build exits with its first warnings.
    """
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(src), "--path-output", str(out),
           "--warningiserror", "--nitpick", "--keep-going", "--all"]
    shutil.rmtree(Path(out) / "_build" / "html", ignore_errors=True)  # no page of an earlier build survives
    log.info("running %s", public_text(" ".join(cmd)))
    done = subprocess.run(cmd, capture_output=True, text=True)
    stdout, stderr = public_text(done.stdout), public_text(done.stderr)  # no machine folder in the log
    with open(log_file, "a", encoding="utf-8") as fh:  # the whole Sphinx log, in the log file only
        fh.write(f"jupyter-book output:\n{stdout}\n{stderr}\n")
    log.info("jupyter-book exit %d: %s", done.returncode, stdout.strip().splitlines()[-1] if stdout.strip() else "")
    if done.returncode != 0:
        problems = [line for line in (stdout + stderr).splitlines() if "WARNING" in line or "ERROR" in line]
        sys.exit(f"jupyter-book build failed (exit {done.returncode}); warnings are errors here:\n"
                 + "\n".join(problems[:20]) + f"\nfull output: {log_file}")
