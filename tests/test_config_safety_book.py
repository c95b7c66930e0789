"""Issue 17, finding 6: ``book.title`` and ``book.author`` are config values, rendered as text on every page.

They used to go into the theme's navbar and footer as raw HTML, so an author
``<img src=x onerror=...>`` ran script on every page of the book.
"""

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
pytestmark = pytest.mark.workflow

AUTHOR = '<img src=x onerror="document.title=1">'
TITLE = "<b>Bold</b> & <script>alert(1)</script> {{ data.n_comments }}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile_book")
    config = {"results": str(tmp / "results"), "book": {"title": TITLE, "author": AUTHOR}}
    cfg = tmp / "config.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run([SNAKEMAKE, "--cores", "2", "--configfile", str(cfg), "--nolock"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    built = tmp / "results" / "book" / "_build" / "html"
    return {p.name: p.read_text(encoding="utf-8") for p in built.glob("*.html")}


def test_no_tag_of_the_title_or_author_is_live(pages):
    for name, page in pages.items():
        assert not re.search(r"<img[^>]*onerror", page, re.I), name
        assert "<script>alert(1)" not in page, name
        assert "<b>Bold</b>" not in page, name


def test_title_and_author_show_as_their_text(pages):
    intro = pages["intro.html"]
    # the footer's author line and the navbar's title, as escaped text
    assert html.escape(AUTHOR, quote=True) in intro or html.escape(AUTHOR, quote=False) in intro
    text = html.unescape(re.sub(r"<[^>]+>", "", intro))
    assert AUTHOR in text and "<b>Bold</b> & <script>alert(1)</script>" in text
    # a {{ }} in the title is text, not a substitution
    assert "{{ data.n_comments }}" in text
    # the browser tab's title holds the title's words and no tag (Sphinx escapes it once more, so '<' shows as &lt;)
    tab = html.unescape(re.search(r"<title>(.*?)</title>", intro, re.S).group(1))
    assert "Bold" in tab and "alert(1)" in tab and "<b>" not in tab and "<script>" not in tab
