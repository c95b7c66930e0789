"""What every format reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis import columns

# Reasons a record is set aside, with what they mean (shown in the book).
QUARANTINE_REASONS = {
    "undecodable_bytes": "bytes that are not valid in the declared encoding",
    "malformed_record": "a record that cannot be parsed (e.g. invalid JSON on one line)",
    "missing_id": "no comment id",
    "duplicate_id": "a comment id seen before in the same thread (the first is kept)",
    "empty_text": "no text, and no reply hangs from it",
    "removed": "text deleted or removed on the platform ([deleted]/[removed]), and no reply hangs from it",
    "orphan_parent": "replies to a comment id that is not in the thread",
    "reply_cycle": "its chain of parents loops and never reaches a top-level comment",
    "quarantined_ancestor": "a comment above it in the reply chain was quarantined",
}

#: The rules by which the scraped-text reader (:mod:`analysis.ingest.scraped`) decides where a comment starts, with
#: what they mean: a source's ingest report counts its comments by these names (``rules``), and the book explains them.
PARSING_RULES = {
    "numbered": "a numbered block (list marker 'N.') starts a comment replying to the comment "
                "whose content indent holds the marker",
    "author_header": "a 'Name Avatar' line starts a comment by Name; the blocks at its content indent are its text",
    "deeper": "an unnumbered block deeper than the current comment's text replies to it",
    "after_replies": "an unnumbered block shallower than the previous (reply) block starts a comment at its indent",
    "shallower": "any other unnumbered block shallower than the current comment's text starts a comment at its indent",
    "same_indent_new": "with paragraphs='new_comment', a block at the current comment's text indent starts a comment",
}


@dataclass
class ReadResult:
    """A format reader's output, before integrity checks.

    records
        One row per comment record: the columns of ``columns.RECORDS`` plus any
        metadata columns (strings). Order is input order.
    threads
        One row per thread: ``thread_id``, ``title``, ``article_text``,
        ``site_tags`` plus thread metadata columns (strings).
    rejects
        Records that could not be parsed at all (undecodable bytes, malformed
        JSON, ...): columns of ``columns.QUARANTINE`` except ``source``.
    lines
        Where every input unit went (``columns.LINES``): for scraped text every
        line of the file; for tables one row per record.
    warnings
        Things the reader noticed that lose or bend no record but may mean the
        input is not what it seems (a scraped page whose comment-like lines
        gave no comment, times that did not parse): one line each, naming the
        file; they go into the ingest report and the rule's log.
    line_counts
        For CSV and JSONL tables, where every physical line went (``lines``: all lines of the
        files; ``header``, ``blank``, ``in_records``: lines holding records;
        ``multiline_records``: records spanning more than one line), so that
        ``lines == header + blank + in_records`` can be checked; empty for
        other formats (their line map has one row per line or record).
    n_read
        Records read (= len(records) + len(rejects)).
    """

    records: pd.DataFrame
    threads: pd.DataFrame
    rejects: pd.DataFrame = field(default_factory=lambda: columns.empty("quarantine").drop(columns="source"))
    lines: pd.DataFrame = field(default_factory=lambda: columns.empty("lines"))
    warnings: list[str] = field(default_factory=list)
    line_counts: dict[str, int] = field(default_factory=dict)

    @property
    def n_read(self) -> int:
        return len(self.records) + len(self.rejects)

    @property
    def metadata(self) -> list[str]:
        return [c for c in self.records.columns if c not in columns.core_names("records")]
