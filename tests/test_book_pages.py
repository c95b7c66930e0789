"""The built books, read as a reader reads them (issue 16, items 3 and 4).

The sample book and the CreateDebate example book are built by the workflow;
then every page is checked for unfilled ``{{ }}`` templates, the numbers the
prose quotes are compared with the tables beside them and with the raw values
in the run's CSV files (an independent route to each number), word tokens are
counted the same in every chapter, and a corpus other than the Syria sample
must not be described in the sample's words.
"""

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
pytestmark = pytest.mark.workflow

#: Words of the sample corpus (the Syrian war) that the book's own prose must not use about another corpus.
SAMPLE_WORDING = ("syria", "civil war", "the conflict", "assad", "jihad")


def build(config: dict, tmp: Path) -> Path:
    cfg = tmp / "config.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run([SNAKEMAKE, "--cores", "2", "--configfile", str(cfg), "--nolock"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return Path(config["results"])


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sample_book")
    return build({"results": str(tmp / "results")}, tmp)


@pytest.fixture(scope="module")
def createdebate(tmp_path_factory):
    if not (SHARED / "createdebate-guncontrol" / "comments.csv").exists():
        pytest.skip("../shared/data/createdebate-guncontrol is not beside the project")
    tmp = tmp_path_factory.mktemp("createdebate_book")
    config = yaml.safe_load((ROOT / "config" / "examples" / "createdebate.yaml").read_text(encoding="utf-8"))
    return build(config | {"results": str(tmp / "results")}, tmp)


@pytest.fixture(params=["sample", "createdebate"])
def results(request):
    return request.getfixturevalue(request.param)


def pages(results: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8")
            for p in (results / "book" / "_build" / "html").glob("*.html")
            if p.stem not in ("genindex", "search", "index")}  # index.html only redirects to intro.html


def main_text(page: str) -> str:
    """The text of a page's article (no navigation, scripts or styles), tags removed, whitespace collapsed."""
    body = re.search(r'<article class="bd-article">(.*?)</article>', page, re.S).group(1)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def prose_text(page: str) -> str:
    """Only the prose a page's author wrote: paragraphs and list items outside tables, code and cite blocks."""
    body = re.search(r'<article class="bd-article">(.*?)</article>', page, re.S).group(1)
    for pattern in (r"<table\b.*?</table>", r'<div class="highlight.*?</div>', r"<details\b.*?</details>",
                    r'<div class="admonition.*?</div>\s*</div>', r"<script\b.*?</script>"):
        body = re.sub(pattern, " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def table_rows(page: str, caption_start: str) -> list[list[str]]:
    """The cells of the table whose caption starts with ``caption_start``, header row first."""
    for table in re.findall(r"<table class=\"ts-table\">.*?</table>", page, re.S):
        cap = re.search(r"<caption>(.*?)</caption>", table, re.S)
        if cap and html.unescape(cap.group(1)).startswith(caption_start):
            return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                     for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
                    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    raise AssertionError(f"no table captioned {caption_start!r}")


def shown_as(text: str, value: float) -> bool:
    """Whether ``text`` is ``value`` rounded to the decimals ``text`` shows (an independent check of rounding)."""
    number = float(text.replace(",", "").replace("−", "-"))
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(number - value) <= 0.5 * 10 ** -decimals + 1e-12


def test_no_unfilled_template_on_any_page(results):
    for name, page in pages(results).items():
        assert "{{" not in main_text(page), name


def test_framing_index_in_prose_is_the_table_and_the_csv(results):
    page = pages(results)["framing"]
    text = main_text(page)
    m = re.search(r"Pooled over all documents, the index of (.+?) versus (.+?) ?is (\S+) \(95% CI (\S+) to (\S+?);",
                  text)
    assert m, text[:2000]
    pooled, low, high = m.group(3), m.group(4), m.group(5)
    rows = table_rows(page, "Framing index")
    head = rows[0]
    first = next(r for r in rows[1:] if r[head.index("by")] == "all")
    assert (first[head.index("pooled")], first[head.index("pooled_low")], first[head.index("pooled_high")]) == (
        pooled, low, high)
    raw = pd.read_csv(results / "framing" / "index.csv")
    row = raw[raw["by"] == "all"].iloc[0]
    assert shown_as(pooled, row["pooled"]) and shown_as(low, row["pooled_low"]) and shown_as(high, row["pooled_high"])
    # the intro quotes the same three strings
    assert f"is {pooled} (95% CI {low} to {high};" in main_text(pages(results)["intro"])


def test_top_frame_rate_in_prose_is_the_table_and_the_csv(results):
    page = pages(results)["framing"]
    m = re.search(r"the most used frame is (.+?) ?, with (\S+) hits per 1,000 tokens \(95% CI (\S+) to (\S+?);",
                  main_text(page))
    assert m
    name, rate, low, high = m.groups()
    rows = table_rows(page, "Hits per 1,000 word tokens")
    head = rows[0]
    row = next(r for r in rows[1:] if r[head.index("frame")].replace("_", " ") == name)
    assert row[head.index("all documents")] == f"{rate} ({low}–{high})"
    raw = pd.read_csv(results / "framing" / "rates.csv")
    raw = raw[(raw["by"] == "all") & (raw["frame"].str.replace("_", " ") == name)].iloc[0]
    assert shown_as(rate, raw["rate"]) and shown_as(low, raw["ci_low"]) and shown_as(high, raw["ci_high"])


def test_word_tokens_are_counted_one_way(results):
    p = pages(results)
    intro = re.search(r"(\S+) word tokens", main_text(p["intro"])).group(1)
    framing = re.search(r"; (\S+) word tokens\)", main_text(p["framing"])).group(1)
    data = re.search(r"(\S+) are word tokens", main_text(p["data"])).group(1)
    assert intro == framing == data
    # by a second route: tokens with a letter or digit in the token table
    tokens = pd.read_parquet(results / "tokens", columns=["norm"])
    assert int(intro.replace(",", "")) == int(tokens["norm"].str.contains(r"\w", regex=True).sum())


def test_seeds_are_not_printed_as_quantities(results):
    text = main_text(pages(results)["framing"])
    seed = yaml.safe_load((results / "provenance" / "config.yaml").read_text(encoding="utf-8"))["framing"]["seed"]
    assert f"seed {seed}" in text and f"{seed:,}" not in text


def test_a_p_value_at_its_floor_is_not_printed_as_exact(results):
    test = pd.read_csv(results / "framing" / "article_vs_comments.csv")
    text = " ".join(main_text(p) for p in pages(results).values())
    for p, n in zip(test["p_value"], test["n_perm"]):
        if p == p and p <= 1 / (n + 1) + 1e-12:
            assert f"≤ 1/{n + 1:,}" in text
    tested = test[test["n_threads"] > 0]
    if len(tested) and (tested["n_labellings"] <= tested["n_perm"]).any():
        assert f"only {int(tested['n_labellings'].min()):,} distinct labellings" in text


def test_empty_measures_are_a_sentence_not_a_result(results):
    text = " ".join(main_text(p) for p in pages(results).values())
    assert "n = 0 " not in text and "only 0 thread" not in text and "(no scraped source)" not in text
    figures = results / "figures"
    for csv in figures.glob("*.csv"):
        lines = [line for line in csv.read_text(encoding="utf-8").splitlines() if line.strip()]
        if len(lines) <= 1:  # nothing drawn: no figure, no cite block
            assert f"threadscope:{csv.stem}" not in text, csv.stem


def test_createdebate_book_is_not_described_in_the_sample_words(createdebate):
    for name, page in pages(createdebate).items():
        prose = prose_text(page).lower()
        for word in SAMPLE_WORDING:
            assert word not in prose, (name, word, prose[max(0, prose.find(word) - 200):prose.find(word) + 100])


def test_no_sentence_points_at_a_figure_that_was_left_out(results):
    text = " ".join(main_text(p) for p in pages(results).values())
    assert "a figure left out" not in text
    for csv in (results / "figures").glob("*.csv"):
        lines = [line for line in csv.read_text(encoding="utf-8").splitlines() if line.strip()]
        if len(lines) <= 1:  # nothing drawn: no sentence introduces it either
            assert f"fig-{csv.stem.replace('_', '-')}" not in " ".join(pages(results).values()), csv.stem


def test_the_article_permutation_test_is_claimed_only_where_the_corpus_has_articles(results):
    test = pd.read_csv(results / "framing" / "article_vs_comments.csv")
    prose = prose_text(pages(results)["framing"])
    if (test["n_threads"] > 0).any():
        assert "permutation test of the article label" in prose
    else:  # CreateDebate: comments only
        assert "permutation" not in prose and "no test compares an article with its comments" in prose


def test_tables_hold_no_article_rows_of_zeros_where_the_corpus_has_no_article(results):
    uptake = pd.read_csv(results / "framing" / "uptake.csv")
    article = uptake[uptake["kind"] == "article"]
    framing = pages(results)["framing"]
    table = framing[framing.find("Frame uptake"):]
    table = table[:table.find("</table>")]
    if len(article) and (article["n_pairs"] == 0).all():  # CreateDebate: no article, its rows are all zero
        assert "<td>article</td>" not in table
    elif len(article):
        assert "<td>article</td>" in table
