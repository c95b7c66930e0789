"""Scraped thread text: one web page (title, article, comment tree) per file.

The page is plain text in which the comment tree survives only as indentation
(two spaces a level) and ordered-list numbers. The reader rebuilds the tree
with the rules below and records, for every comment, the rule that decided it
(the ``rule`` column), and for every line of the file where it went (the line
map, ``columns.LINES``).

Layout
------
Lines are split on ``\\n`` after CRLF is normalised; a UTF-8 byte-order mark
is dropped. A line is *blank* when it holds only whitespace. Its *indent* is
the width of its leading spaces and tabs, a space counting one column and a
tab advancing to the next multiple of two (one level: a page indented with a
tab a level reads like one indented with two spaces a level, and ``" \t"`` is
one level too). Other whitespace (e.g. a no-break space) does not indent.

- **Title**: line 1 (stripped), whatever it holds.
- **Article**: the lines after the title up to, not including, the first
  non-blank line indented by two spaces or more; that line opens the comment
  section, which runs to the end of the file. Article paragraphs are runs of
  non-blank lines (each stripped, joined with ``\\n``); ``article_text`` joins
  them with a blank line (``\\n\\n``).
- **Site tags**: the first non-blank article line may begin with the site's
  tags run into the first sentence (``kim-jong-un , bashar-assad-syriaSyrian
  President ...``). A *tag run* is ``slug( , slug)*`` with ``slug`` =
  ``[a-z0-9]+(-[a-z0-9]+)*``, at the very start of the line, immediately
  followed by an uppercase letter or an opening quote (``" “ ‘ ' «``), and it
  must contain a hyphen or a `` , `` separator, so an ordinary sentence
  (``re-elected President ...`` has a space; ``iPhone`` has neither) is never
  taken for tags. With ``site_tags=True`` the run is cut from the article and
  stored as ``site_tags`` (``"kim-jong-un, bashar-assad-syria"``); otherwise it
  stays in the text and ``site_tags`` is ``''``. The tag line keeps the line
  role ``article``.

Blocks
------
The comment section is read as *blocks*. A block starts at a non-blank line
and takes the following consecutive non-blank lines whose indent equals the
block's *content indent*; a blank line, a line at another indent, or an
author-header line (below) ends it. (In well-formed input this is exactly a
run of non-blank lines; the cut at an indent change keeps a reply that
follows without a blank line from being glued to its parent's text.)

- Its *indent* is the indent of its first line.
- It is *numbered* when its first line, after the indent, matches
  ``\\d+\\.\\s``; the marker ``N.`` is removed from the text and the number is
  kept in the ``list_number`` column (``''`` when unnumbered).
- Its *content indent* is its indent + 2 when numbered, else its indent.
- Its text is its lines, each stripped, joined with ``\\n``.
- An *author header* is a line whose text (after an optional list marker) is
  ``Name Avatar``: one to five words, then a space and the word ``Avatar``,
  nothing else. A header line is always a block on its own.

Comments
--------
A comment has an *indent* (that of its first block), a *content indent*
(that of its first block) and one or more paragraphs (its text blocks, joined
with ``\\n\\n``). The reader keeps a stack of *open* comments: the current
comment (the one that took the latest block) and its ancestors. Underneath
them sits the article, with content indent 0; a comment whose parent is the
article is top level (``parent_id == ''``). Each block is decided by the first
rule that applies, where ``i`` is the block's indent and *current* is the top
of the stack:

``numbered``
    A numbered block starts a new comment. Pop open comments while their
    content indent is greater than ``i``; the new comment replies to the one
    left on top. (Replies are rendered as an ordered list whose markers sit at
    the parent's content indent.)
``author_header``
    A header block starts a new comment whose author is the header's name.
    When numbered it is placed as under ``numbered``; otherwise it is placed at
    ``i`` (see *placing* below). The comment's text is the block(s) that
    follow at its content indent; the first of them always belongs to it,
    whatever ``paragraphs`` says. The header line has line role
    ``author_header``. A header followed by no such block leaves a comment
    with empty text (integrity checks decide its fate).
``paragraph`` (``paragraphs="continue"``, the default)
    An unnumbered block at exactly the current comment's content indent is
    another paragraph of the current comment. (The current comment is always
    the one that took the previous block, so this block directly follows its
    own comment's text.) It starts no comment and changes no rule; the
    comment's ``paragraphs`` count grows.
``same_indent_new`` (``paragraphs="new_comment"``)
    Such a block instead starts a new comment: a sibling of the current
    comment (same parent) when ``i`` equals the current comment's indent, else
    (the current comment is numbered, so its text sits 2 deeper than its
    marker) a reply to the current comment.
``deeper``
    An unnumbered block indented deeper than the current content indent
    starts a new comment replying to the current comment (or, before the
    first comment, a top-level one).
``after_replies``
    An unnumbered block shallower than the current content indent, when the
    previous block was indented deeper than ``i``: we are returning from
    replies. Replies are rendered after a comment's whole body, so the block
    cannot continue an earlier comment; it starts a new comment placed at
    ``i``.
``shallower``
    Any other unnumbered block shallower than the current content indent
    (e.g. an unnumbered block at a numbered comment's marker indent) also
    starts a new comment placed at ``i``.

*Placing* a new comment at indent ``i``: pop open comments while their content
indent is greater than ``i``; if the top one now has content indent ``i``, the
new comment is its sibling (same parent, and the top is popped), otherwise it
replies to the top (the nearest open comment with content indent < ``i``; the
article for a top-level comment).

Output
------
Comment ids are ``c1``, ``c2``, ... in order of appearance. ``record`` is the
line number of the comment's first line (its header line when it has one).
``author`` is the header name or ``''``; ``created_at`` is missing (NaT).
Metadata columns (strings): ``list_number``, ``paragraphs`` (count of text
blocks) and ``lines`` (the comment's lines as ranges, header included, e.g.
``"30-31,33"``). The line map gives every line of the file exactly one role:
``title``, ``blank``, ``article``, ``author_header`` or ``comment``
(``comment_id`` set for the last two).

Warnings
--------
A page that yields no comment although some of its lines look like comments
(a list marker ``N.`` or a ``Name Avatar`` line after the title) gets a
warning naming the file and those lines (in the ingest report and the log):
its comments were probably indented in a way these rules do not read, and
have become article text.

Errors
------
A scraped page is one record, so it cannot be partly read: bytes that are not
valid in the declared encoding stop the read with an :class:`InputError`
naming the file and the first bad line; so does an empty (or all-blank) file.
A title with nothing after it is a valid page with no comments.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import columns
from analysis.errors import ConfigError, InputError, bad_value
from analysis.ingest.base import ReadResult

__all__ = ["read_scraped", "METADATA", "PARAGRAPH_MODES"]

METADATA = ("list_number", "paragraphs", "lines")
PARAGRAPH_MODES = ("continue", "new_comment")

_SURROGATE = re.compile("[\udc80-\udcff]")
_MARKER = re.compile(r"(\d+)\.\s")
_HEADER = re.compile(r"(?P<name>\S+(?: \S+){0,4}) Avatar")
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_TAG_RUN = re.compile(rf"{_SLUG}(?: , {_SLUG})*")
_OPENING_QUOTES = frozenset("\"“‘'«")


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    text: str  # stripped


@dataclass(frozen=True)
class _Block:
    lines: tuple[_Line, ...]
    list_number: str
    author: str | None
    text: str

    @property
    def indent(self) -> int:
        return self.lines[0].indent

    @property
    def numbered(self) -> bool:
        return self.list_number != ""

    @property
    def content_indent(self) -> int:
        return self.indent + 2 if self.numbered else self.indent


@dataclass
class _Comment:
    cid: str
    record: int
    parent: str
    indent: int
    content: int
    rule: str
    list_number: str = ""
    author: str = ""
    paragraphs: list[str] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)
    header_line: int | None = None
    awaiting_text: bool = False


def read_scraped(
    text_or_path: str | Path | bytes,
    *,
    file: str,
    thread_id: str,
    paragraphs: str = "continue",
    site_tags: bool = True,
    encoding: str = "utf-8",
) -> ReadResult:
    """Read one scraped page into reader records (rules in the module docstring).

    ``text_or_path`` is the file's path (``str`` or :class:`~pathlib.Path`) or
    its raw content as ``bytes``; ``file`` is the name used in the ``file``
    column and in error messages; ``thread_id`` names the page's thread.
    ``paragraphs`` is ``"continue"`` (a block at a comment's text indent is
    another paragraph of it) or ``"new_comment"`` (it starts a new comment).
    Raises :class:`InputError` for an unreadable, empty or undecodable file.
    """
    if paragraphs not in PARAGRAPH_MODES:
        raise bad_value("paragraphs", paragraphs, f"one of {list(PARAGRAPH_MODES)}")
    if not isinstance(thread_id, str) or not thread_id:
        raise bad_value("thread_id", thread_id, "a non-empty string")
    lines = _split_lines(_decode(text_or_path, file=file, encoding=encoding), file=file)
    if not any(line.strip() for line in lines):
        raise InputError(file, "empty file: expected a title line")

    start = _comment_section_start(lines)
    roles: dict[int, tuple[str, str]] = {1: ("title", "")}
    for n in range(2, len(lines) + 1):
        if not lines[n - 1].strip():
            roles[n] = ("blank", "")
        elif n < start:
            roles[n] = ("article", "")

    article_lines = lines[1 : start - 1]
    tags: list[str] = []
    if site_tags:
        article_lines, tags = _cut_site_tags(article_lines)
    blocks = _blocks(lines, start)
    comments = _tree(blocks, paragraphs=paragraphs)
    for c in comments:
        for n in c.line_numbers:
            roles[n] = ("author_header" if n == c.header_line else "comment", c.cid)

    threads = pd.DataFrame(
        {
            "thread_id": [thread_id],
            "title": [lines[0].strip()],
            "article_text": [_paragraphs(article_lines)],
            "site_tags": [", ".join(tags)],
        }
    )
    line_map = pd.DataFrame(
        {
            "file": file,
            "record": pd.Series(range(1, len(lines) + 1), dtype="int64"),
            "role": [roles[n][0] for n in range(1, len(lines) + 1)],
            "comment_id": [roles[n][1] for n in range(1, len(lines) + 1)],
        }
    )
    return ReadResult(records=_records(comments, file=file, thread_id=thread_id), threads=threads, lines=line_map,
                      warnings=[] if comments else _comment_like(lines, file=file))


def _comment_like(lines: list[str], *, file: str) -> list[str]:
    """A warning naming the lines after the title that look like comments (list marker or author header), if any."""
    found = [n for n in range(2, len(lines) + 1) if lines[n - 1].strip() and (
        _MARKER.match(lines[n - 1].strip()) or _starts_header(lines[n - 1].strip()))]
    if not found:
        return []
    shown = ", ".join(map(str, found[:10])) + (f" and {len(found) - 10} more" if len(found) > 10 else "")
    return [f"{file}: no comments found, but line(s) {shown} look like comments (a list number 'N.' or a "
            "'Name Avatar' line) and were read as article text: comments must be indented (two spaces or a tab "
            "a level)"]


def _decode(source: str | Path | bytes, *, file: str, encoding: str) -> str:
    """Bytes of ``source`` decoded with ``encoding``; bad bytes become surrogates."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError("sources[].encoding", f"unknown encoding {encoding!r}") from None
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, (str, Path)):
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise InputError(file, f"cannot be read: {exc.strerror or exc}") from None
    else:
        raise bad_value("text_or_path", source, "a path (str or Path) or the file's bytes")
    if data.startswith(codecs.BOM_UTF8) and encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8"
    return data.decode(encoding, errors="surrogateescape").replace("\r\n", "\n")


def _split_lines(text: str, *, file: str) -> list[str]:
    """The file's lines (no final empty line after a trailing newline); stop at bad bytes."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, start=1):
        if _SURROGATE.search(line):
            shown = line.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise InputError(
                file,
                "bytes not valid in the declared encoding; a scraped page is one record and cannot be partly read: "
                f"{shown[:80]!r}",
                line=n,
            )
    return lines


def _indent(line: str) -> int:
    """Width of the leading spaces and tabs; a tab advances to the next multiple of 2 (one level)."""
    lead = line[: len(line) - len(line.lstrip(" \t"))]
    return len(lead.expandtabs(2)) if "\t" in lead else len(lead)


def _comment_section_start(lines: list[str]) -> int:
    """Line number of the first non-blank line after the title indented by 2+ spaces (len+1 if none)."""
    for n in range(2, len(lines) + 1):
        line = lines[n - 1]
        if line.strip() and _indent(line) >= 2:
            return n
    return len(lines) + 1


def _cut_site_tags(article_lines: list[str]) -> tuple[list[str], list[str]]:
    """Cut a site-tag run from the first non-blank article line; return (lines, tags)."""
    for k, line in enumerate(article_lines):
        if not line.strip():
            continue
        body = line.strip()
        m = _TAG_RUN.match(body)
        if not m:
            return article_lines, []
        run, rest = m.group(), body[m.end() :]
        if not rest or not (rest[0].isupper() or rest[0] in _OPENING_QUOTES):
            return article_lines, []
        if "-" not in run and " , " not in run:
            return article_lines, []
        return article_lines[:k] + [rest] + article_lines[k + 1 :], run.split(" , ")
    return article_lines, []


def _paragraphs(lines: list[str]) -> str:
    """Runs of non-blank lines (stripped, joined by newline), joined by a blank line."""
    paras: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paras[-1].append(line.strip())
        elif paras[-1]:
            paras.append([])
    return "\n\n".join("\n".join(p) for p in paras if p)


def _header_name(text: str) -> str | None:
    m = _HEADER.fullmatch(text)
    return m.group("name") if m else None


def _blocks(lines: list[str], start: int) -> list[_Block]:
    """Cut the comment section (from line ``start``) into blocks."""
    blocks: list[_Block] = []
    run: list[_Line] = []

    def close() -> None:
        if run:
            blocks.append(_make_block(run))
            run.clear()

    for n in range(start, len(lines) + 1):
        raw = lines[n - 1]
        if not raw.strip():
            close()
            continue
        line = _Line(n, _indent(raw), raw.strip())
        if run:
            first = _make_block(run[:1])
            if first.author is not None or line.indent != first.content_indent or _starts_header(line.text):
                close()
        run.append(line)
    close()
    return blocks


def _starts_header(text: str) -> bool:
    m = _MARKER.match(text)
    return _header_name(text[m.end() :].strip() if m else text) is not None


def _make_block(run: list[_Line]) -> _Block:
    first = run[0].text
    m = _MARKER.match(first)
    number = m.group(1) if m else ""
    first = first[m.end() :].strip() if m else first
    author = _header_name(first) if len(run) == 1 else None
    text = "\n".join([first] + [line.text for line in run[1:]])
    return _Block(tuple(run), number, author, text)


def _tree(blocks: list[_Block], *, paragraphs: str) -> list[_Comment]:
    """Apply the comment rules to the blocks, in order."""
    root = _Comment(cid="", record=0, parent="", indent=0, content=0, rule="")
    stack: list[_Comment] = [root]
    comments: list[_Comment] = []
    prev_indent: int | None = None

    def start(block: _Block, parent: _Comment, rule: str) -> None:
        c = _Comment(
            cid=f"c{len(comments) + 1}",
            record=block.lines[0].number,
            parent=parent.cid,
            indent=block.indent,
            content=block.content_indent,
            rule=rule,
            list_number=block.list_number,
        )
        if block.author is not None:
            c.author, c.awaiting_text = block.author, True
            c.header_line = block.lines[0].number
            c.line_numbers.append(c.header_line)
        else:
            _add_text(c, block)
        comments.append(c)
        stack.append(c)

    def place(i: int) -> _Comment:
        while stack[-1] is not root and stack[-1].content > i:
            stack.pop()
        if stack[-1] is not root and stack[-1].content == i:
            stack.pop()
        return stack[-1]

    for block in blocks:
        i, cur = block.indent, stack[-1]
        if block.numbered:
            while stack[-1] is not root and stack[-1].content > i:
                stack.pop()
            start(block, stack[-1], "author_header" if block.author is not None else "numbered")
        elif block.author is not None:
            start(block, place(i), "author_header")
        elif cur is not root and i == cur.content and (paragraphs == "continue" or cur.awaiting_text):
            _add_text(cur, block)
        elif cur is not root and i == cur.content:
            if i == cur.indent:
                stack.pop()
                start(block, stack[-1], "same_indent_new")
            else:
                start(block, cur, "same_indent_new")
        elif i > cur.content:
            start(block, cur, "deeper")
        else:
            rule = "after_replies" if prev_indent is not None and prev_indent > i else "shallower"
            start(block, place(i), rule)
        prev_indent = i
    return comments


def _add_text(c: _Comment, block: _Block) -> None:
    c.paragraphs.append(block.text)
    c.line_numbers.extend(line.number for line in block.lines)
    c.awaiting_text = False


def _ranges(numbers: list[int]) -> str:
    """``[30, 31, 33]`` -> ``"30-31,33"``."""
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _records(comments: list[_Comment], *, file: str, thread_id: str) -> pd.DataFrame:
    if not comments:
        return columns.empty("records", metadata=list(METADATA))
    return pd.DataFrame(
        {
            "file": file,
            "record": pd.Series([c.record for c in comments], dtype="int64"),
            "thread_id": thread_id,
            "comment_id": [c.cid for c in comments],
            "parent_id": [c.parent for c in comments],
            "author": [c.author for c in comments],
            "created_at": pd.Series(pd.NaT, index=range(len(comments)), dtype="datetime64[us, UTC]"),
            "text": ["\n\n".join(c.paragraphs) for c in comments],
            "rule": [c.rule for c in comments],
            "list_number": [c.list_number for c in comments],
            "paragraphs": [str(len(c.paragraphs)) for c in comments],
            "lines": [_ranges(c.line_numbers) for c in comments],
        }
    )
