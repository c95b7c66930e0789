"""Dictionaries (lexicons) as versioned research instruments.

A dictionary is a YAML file: a name, a version, and frames (or stance poles),
each with a label, a description and its terms::

    name: syria_conflict
    version: "1.0.0"
    language: en
    description: Frames of the Syrian conflict.
    frames:
      civil_war:
        label: Civil war
        description: The conflict as a war among Syrians.
        terms: [civil war, uprising, rebel*]
        exclude: [rebel yell]            # never counted
        case_sensitive: [IS]             # matched only as written

Terms are matched on case-folded tokens unless listed under
``case_sensitive``; a final ``*`` matches any ending of the last word; terms
of several words without ``*`` are multi-word expressions that tokenization
joins into one token. The file's SHA-256 (first 12 hex digits) identifies the
exact version used, and is recorded in every output that used it. An optional
``changelog`` lists what changed in each version.

Languages: the top-level ``language`` (an ISO 639-1 code, default ``en``) is
the language of the terms, and the dictionary is matched only on documents of
that language (:func:`analysis.framing.score_frames`). Two dictionaries of
different languages may define the same frame id (``civil_war`` in
``syria_frames.yaml``, ``en``, and in ``syria_frames_ar.yaml``, ``ar``): they
measure one frame in two languages, each on its own documents
(:func:`frame_languages`, :func:`frame_coverage`). The optional top-level
``provenance`` says who wrote the term lists (``written_by``), from which
source (``source``), who reviewed them (``reviewed_by``, e.g. "not yet
reviewed by a native speaker") and when (``date``, YYYY-MM-DD). ``data/lexicons/README.md``
documents the shipped dictionaries term by term.

Term entries, exactly
---------------------
:meth:`Lexicon.term_table` turns a frame's three lists into one row per term,
which is what the matcher (:mod:`analysis.framing`) reads:

* ``terms``: matched on case-folded tokens.
* ``case_sensitive``: terms of the frame matched only as written. An entry here
  *is* a term of the frame; it need not be repeated under ``terms``. If it is
  (the same term up to case, e.g. ``hts`` in ``terms`` and ``HTS`` in
  ``case_sensitive``), the case-sensitive spelling wins: the frame has one
  row, ``HTS``, matched only as written, and ``hts`` is not matched.
* ``exclude``: terms that are matched (so that they consume their tokens under
  longest-match) but count for no frame, e.g. ``rebel yell`` beside
  ``rebel*``. Exclusions are always case-folded.

Every entry is split into words as the tokenizer splits text
(:func:`analysis.tokenization.word_spans` on the case-folded entry, or on the
entry as written for case-sensitive ones): ``al-qaeda`` is one word,
``civil war`` two, ``u.s.-backed`` three (``u.s.``, ``-``, ``backed``). A
final ``*`` belongs to the last word (``suicide bomber*`` is ``suicide``,
``bomber*``) and must follow a word directly: ``bomber *`` or ``al-*`` (which
the tokenizer would not read as a prefix of ``al-qaeda``) are errors. The
typographic apostrophe is not folded: ``assad’s`` and ``assad's`` are
different words to the matcher, so a dictionary lists both where it matters.

Review aids
-----------
:func:`expand_wildcards` lists the words of a vocabulary each wildcard
matches (to find bad expansions such as ``protest*`` -> protestant), and
:func:`hidden_terms` the terms of one dictionary that another dictionary's
multi-word expressions would hide when both are active.

LIWC-style ``.dic`` files
-------------------------
:func:`load_lexicon` also reads the plain-text dictionary format of LIWC
2007/2015 (see :func:`parse_dic`): categories become frames and their words
become terms. The LIWC dictionaries themselves are proprietary and are not
shipped; the format is read so that a user's own licensed or home-made
dictionary can be used.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pandas as pd
import yaml

from analysis.errors import ConfigError, excerpt, schema_problem

__all__ = [
    "Lexicon",
    "load_lexicon",
    "parse_dic",
    "term_words",
    "expand_wildcards",
    "hidden_terms",
    "slug",
    "SCHEMA_PATH",
    "TERM_COLUMNS",
    "lexicon_stamp",
    "unique_frames",
    "frame_languages",
    "frame_coverage",
    "COVERAGE_COLUMNS",
]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "lexicon.schema.yaml"

#: Columns of :meth:`Lexicon.term_table`, in order.
TERM_COLUMNS = ("frame", "term", "words", "n_words", "wildcard", "case_sensitive", "exclude")

_KEY = "lexicons"  # the config key every dictionary error is reported under


@dataclass(frozen=True)
class Lexicon:
    """A loaded dictionary.

    ``frames`` maps a frame name to its entry: ``label``, ``description``,
    ``terms`` and optionally ``exclude``, ``case_sensitive`` and
    ``rationale``. ``skipped`` lists the lines of a ``.dic`` file that held
    conditional entries (see :func:`parse_dic`) as ``(line number, text)``;
    it is empty for YAML dictionaries.
    """

    name: str
    version: str
    path: str
    sha256: str
    frames: dict  # frame -> {"label", "description", "terms", "exclude", "case_sensitive"}
    skipped: tuple[tuple[int, str], ...] = ()
    language: str = "en"  # ISO 639-1 code of the terms: the dictionary is matched on documents of this language
    provenance: dict | None = None  # who wrote the term lists, from which source, reviewed by whom, when

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]

    def terms(self) -> list[str]:
        """Every entry of every frame, in file order: terms, exclusions, then case-sensitive terms.

        A case-sensitive entry already listed under ``terms`` (exactly) is not
        repeated. This is the list tokenization takes its multi-word
        expressions from (:func:`analysis.tokenization.multiword_tuples`), so
        it includes exclusions and case-sensitive terms: both must be joined
        like any other term for longest-match to see them.
        """
        out = []
        for frame in self.frames.values():
            plain = list(frame.get("terms", []))
            out += plain + list(frame.get("exclude", []))
            out += [t for t in frame.get("case_sensitive", []) if t not in plain]
        return out

    def term_table(self) -> pd.DataFrame:
        """One row per (frame, term): what each entry of the dictionary matches.

        Columns (:data:`TERM_COLUMNS`):

        - ``frame``: frame name;
        - ``term``: the entry as written in the file;
        - ``words``: tuple of the words the entry is matched as, split like
          text by :func:`~analysis.tokenization.word_spans` after case folding
          (as written for case-sensitive entries); the last word keeps a final
          ``*``: ``"suicide bomber*"`` gives ``("suicide", "bomber*")``,
          ``"IS"`` (case-sensitive) gives ``("IS",)``, ``"al-qaeda"`` gives
          ``("al-qaeda",)``;
        - ``n_words``: ``len(words)``;
        - ``wildcard``: the last word ends with ``*`` (prefix match);
        - ``case_sensitive``: matched on the token as written, not on the norm;
        - ``exclude``: matched to consume tokens, counted for no frame.

        Rows come frame by frame in file order; within a frame: ``terms``
        (those overridden by a case-sensitive spelling left out, see the
        module docstring), then ``case_sensitive``, then ``exclude``. An entry
        repeated within a frame (same words, case and kind) gives one row.
        The same term in two frames gives two rows: the matcher counts it for
        both. For a multi-word term without wildcard, ``" ".join(words)`` is
        the ``norm`` of the token that tokenization joins it into.
        """
        rows = _term_rows(self.frames, where=self.path)
        return pd.DataFrame(
            {
                "frame": pd.Series([r[0] for r in rows], dtype=object),
                "term": pd.Series([r[1] for r in rows], dtype=object),
                "words": pd.Series([r[2] for r in rows], dtype=object),
                "n_words": pd.Series([len(r[2]) for r in rows], dtype="int64"),
                "wildcard": pd.Series([r[2][-1].endswith("*") for r in rows], dtype=bool),
                "case_sensitive": pd.Series([r[3] for r in rows], dtype=bool),
                "exclude": pd.Series([r[4] for r in rows], dtype=bool),
            },
            columns=list(TERM_COLUMNS),
        )


# --------------------------------------------------------------------------
# terms as words


def word_spans(text: str) -> list[tuple[int, int]]:
    """:func:`analysis.tokenization.word_spans`, imported on first use.

    Tokenization imports NLTK, which takes half a second: rules that only read
    a dictionary's frames and stamp (most of them) do not pay for it.
    """
    from analysis.tokenization import word_spans as spans

    return spans(text)


def _split_words(text: str) -> tuple[str, ...]:
    return tuple(text[s:e] for s, e in word_spans(text))


def term_words(term: str, *, case_sensitive: bool = False) -> tuple[str, ...]:
    """The words one dictionary entry is matched as (see :meth:`Lexicon.term_table`).

    Raises ``ValueError`` for an entry with no word, a ``*`` anywhere but at
    the very end, or a final ``*`` that does not extend the last word as the
    tokenizer reads it (``"bomber *"``, ``"al-*"``).
    """
    text = term if case_sensitive else term.casefold()
    wildcard = text.endswith("*")
    stem = text[:-1] if wildcard else text
    if "*" in stem:
        raise ValueError(f"term {term!r}: '*' is allowed only at the end")
    words = _split_words(stem)
    if not words:
        raise ValueError(f"term {term!r} has no word")
    if wildcard:
        spans = word_spans(stem)
        # The '*' must continue the last word: it must touch it, and the
        # tokenizer must read the last word with one more letter as one word.
        extended = _split_words(stem + "x")
        if spans[-1][1] != len(stem) or len(extended) != len(words) or extended[-1] != words[-1] + "x":
            raise ValueError(
                f"term {term!r}: the final '*' must directly follow a word as the tokenizer splits it "
                f"(the words before '*' are {list(words)})"
            )
        words = words[:-1] + (words[-1] + "*",)
    return words


def _term_rows(frames: Mapping, *, where: str) -> list[tuple[str, str, tuple[str, ...], bool, bool]]:
    """(frame, term, words, case_sensitive, exclude) rows; see :meth:`Lexicon.term_table`."""
    rows = []
    for frame, spec in frames.items():
        cs_terms = list(spec.get("case_sensitive", []) or [])
        cs_folded = {t.casefold() for t in cs_terms}
        entries = [(t, False, False) for t in spec.get("terms", []) or [] if t.casefold() not in cs_folded]
        entries += [(t, True, False) for t in cs_terms]
        entries += [(t, False, True) for t in spec.get("exclude", []) or []]
        seen: dict[tuple[tuple[str, ...], bool], tuple[str, bool]] = {}
        for term, cs, ex in entries:
            if not isinstance(term, str):
                raise ConfigError(_KEY, f"{where}, frame {frame!r}: term {term!r} is not a string")
            try:
                words = term_words(term, case_sensitive=cs)
            except ValueError as exc:
                raise ConfigError(_KEY, f"{where}, frame {frame!r}: {exc}") from None
            key = (words, cs)
            if key in seen:
                first, first_ex = seen[key]
                if first_ex != ex:
                    raise ConfigError(
                        _KEY,
                        f"{where}, frame {frame!r}: {term!r} is both a term and an exclusion "
                        f"(as {first!r}); an entry must be one or the other",
                    )
                continue
            seen[key] = (term, ex)
            rows.append((frame, term, words, cs, ex))
    return rows


# --------------------------------------------------------------------------
# loading


def load_lexicon(path: str | Path, *, check_terms: bool = True) -> Lexicon:
    """Read and validate a dictionary file; errors name the file and the key or line.

    ``.dic`` files (any case) are read as LIWC-style dictionaries
    (:func:`parse_dic`); anything else as YAML checked against
    :data:`SCHEMA_PATH`. Every term is also checked as :meth:`Lexicon.term_table`
    reads it, so a bad wildcard fails here, not in the matcher.
    ``check_terms=False`` skips that check (the schema is still checked): for
    workflow jobs, whose dictionaries the workflow already checked whole at
    start-up (:func:`analysis.config.check_config`), and which need only the
    frames, terms or stamp.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(_KEY, f"cannot read dictionary {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".dic":
        return parse_dic(data, path=path)
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(_KEY, f"{path} is not UTF-8 text (byte {exc.start}); expected a YAML dictionary") from None
    except yaml.YAMLError as exc:  # its message quotes the file's line: say only where and what
        mark = getattr(exc, "problem_mark", None)
        at = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(_KEY, f"{path}{at}: not valid YAML ({getattr(exc, 'problem', None) or 'parse error'})"
                          ) from None
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    err = jsonschema.exceptions.best_match(validator.iter_errors(doc)) if isinstance(doc, dict) else None
    if not isinstance(doc, dict):  # never quote a file that is not a dictionary at all (it may be any file)
        raise ConfigError(_KEY, f"{path}: expected a YAML mapping with name, version and frames "
                          f"(workflow/schemas/lexicon.schema.yaml), got {type(doc).__name__}")
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ConfigError(_KEY, f"{path}, at {where}: {schema_problem(err)}") from None
    if check_terms:
        _term_rows(doc["frames"], where=str(path))
    return Lexicon(
        name=doc["name"],
        version=str(doc["version"]),
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        frames=doc["frames"],
        language=doc.get("language", "en"),
        provenance=doc.get("provenance"),
    )


def slug(text: str) -> str:
    """``text`` lowercased, each run of characters other than a-z and 0-9 made one ``_``.

    Leading and trailing ``_`` are dropped; a result that is empty or starts
    with a digit gets the prefix ``c_`` (``"2nd person"`` -> ``"c_2nd_person"``),
    so that it is a valid frame or dictionary name (``^[a-z][a-z0-9_]*$``).
    """
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not out or not out[0].isalpha():
        out = "c_" + out if out else "c"
    return out


_DIC_NUMBER = re.compile(r"\d+")
# one category field of an entry: a number, or a conditional form "(...)..."
_DIC_FIELD = re.compile(r"\([^)]*\)\S*|\S+")
# where an entry's categories start: the first whitespace followed by a category field
_DIC_TAIL = re.compile(r"(?:\s+(?:\d+|\([^)]*\)\S*))+\s*$")


def parse_dic(data: bytes, *, path: str | Path) -> Lexicon:
    """A :class:`Lexicon` from the bytes of a LIWC 2007/2015-style ``.dic`` file.

    Format: a header between two lines holding only ``%``, one category a line
    as ``number<whitespace>name`` (anything after a further tab is ignored);
    then one entry a line: the word, then the numbers of its categories,
    separated by whitespace (a tab, in the published files). The word may end
    in ``*`` (any ending) and may have several words (``kind of``): the
    category numbers are the trailing run of numeric fields. Blank lines are
    ignored. The file is read as UTF-8 (a byte-order mark is allowed).

    Mapping: frame = :func:`slug` of the category name, ``label`` = the name as
    written, ``terms`` = the category's words in file order (each once).
    A category without entries is kept with no terms. ``name`` = slug of the
    file stem, ``version`` = ``"dic"``, ``sha256`` = of the file's bytes.

    Conditional entries are not imported. LIWC 2007 marks a category that
    applies only in some contexts with a parenthesised form, e.g. a field
    ``(02 134)125/464`` (category 125 if the previous word is in category 2 or
    134, else 464), and some files write the condition before the word,
    ``(discrep) like``. Such forms need a context-sensitive matcher: a line
    whose word holds ``(`` is skipped whole; conditional fields of any other
    line are dropped and its plain category numbers are kept. Every such line
    is listed in :attr:`Lexicon.skipped` as ``(line number, text)``; report
    ``len(lexicon.skipped)`` with results from a ``.dic`` dictionary.

    Errors (:class:`~analysis.errors.ConfigError`, with file and line): no
    header, an unclosed header, a malformed header line, a duplicate category
    number or frame name, an entry without category numbers, a non-numeric
    category field, an unknown category number, a ``*`` that is not final.

    Caveats: LIWC categories are psychological word classes, not frames; a
    rate per category is a LIWC-style measure, and LIWC's own published
    norms apply only to its own dictionary and software.

    Reference: pennebaker2015liwc.
    """
    path = Path(path)
    name = slug(path.stem)

    def fail(line: int | None, message: str) -> ConfigError:
        where = f"{path}, line {line}" if line is not None else str(path)
        return ConfigError(_KEY, f"{where}: {message}")

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(None, f"not UTF-8 ({exc}); re-encode the file as UTF-8") from None
    lines = text.splitlines()

    # header
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or lines[i].strip() != "%":
        raise fail(i + 1 if i < len(lines) else None, "expected a header opened by a line holding only '%'")
    categories: dict[int, tuple[str, str]] = {}  # number -> (frame, label)
    frame_of_name: dict[str, int] = {}
    i += 1
    while True:
        if i == len(lines):
            raise fail(None, "the header opened by '%' is never closed by a second '%' line")
        raw = lines[i]
        lineno = i + 1
        i += 1
        if raw.strip() == "%":
            break
        if not raw.strip():
            continue
        parts = raw.strip().split(None, 1)
        if len(parts) != 2 or not _DIC_NUMBER.fullmatch(parts[0]):
            raise fail(lineno, f"expected 'number<TAB>category' in the header, got {excerpt(raw.strip(), 60)}")
        number = int(parts[0])
        label = parts[1].split("\t", 1)[0].strip()
        if number in categories:
            raise fail(lineno, f"category number {number} is defined twice")
        frame = slug(label)
        if frame in frame_of_name:
            raise fail(lineno,
                       f"category {label!r} gives the frame name {frame!r}, as category {frame_of_name[frame]} does")
        frame_of_name[frame] = number
        categories[number] = (frame, label)
    if not categories:
        raise fail(None, "the header lists no categories")

    # entries
    terms: dict[int, dict[str, None]] = {n: {} for n in categories}  # ordered sets
    skipped: list[tuple[int, str]] = []
    for k in range(i, len(lines)):
        raw = lines[k]
        lineno = k + 1
        entry = raw.strip()
        if not entry:
            continue
        if raw.strip() == "%":
            raise fail(lineno, "a third '%' line: the header must come first, once")
        if "\t" in entry:
            word, rest = entry.split("\t", 1)
        else:
            tail = _DIC_TAIL.search(entry)
            word, rest = (entry[: tail.start()], tail.group(0)) if tail else (entry, "")
        word = " ".join(word.split())
        if "(" in word:
            skipped.append((lineno, raw))
            continue
        if not word:
            raise fail(lineno, f"entry {excerpt(entry, 60)} has no word before its category numbers")
        numbers, conditional = [], False
        for field in _DIC_FIELD.findall(rest):
            if field.startswith("("):
                conditional = True
            elif _DIC_NUMBER.fullmatch(field):
                numbers.append(int(field))
            else:
                raise fail(lineno, f"category field {field!r} of {word!r} is not a number")
        if not numbers and not conditional:
            raise fail(lineno,
                       f"expected 'word<TAB>category number ...', got {excerpt(entry, 60)} (no category numbers)")
        if conditional:
            skipped.append((lineno, raw))
        try:
            term_words(word)
        except ValueError as exc:
            raise fail(lineno, str(exc)) from None
        for number in numbers:
            if number not in categories:
                raise fail(lineno,
                           f"unknown category number {number} for {word!r} (the header defines {sorted(categories)})")
            terms[number][word] = None

    frames = {
        frame: {
            "label": label,
            "description": f"category {number} ({label}) of {path.name}",
            "terms": list(terms[number]),
            "category_number": number,
        }
        for number, (frame, label) in categories.items()
    }
    return Lexicon(
        name=name,
        version="dic",
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        frames=frames,
        skipped=tuple(skipped),
    )


# --------------------------------------------------------------------------
# checking wildcards against a vocabulary


def expand_wildcards(lexicon: Lexicon, vocabulary: Mapping[str, int] | Iterable[str]) -> pd.DataFrame:
    """Which words of a vocabulary each wildcard entry of a dictionary matches.

    Meaning: for every entry whose last word ends in ``*`` (terms and
    exclusions), one row per vocabulary word starting with the part before
    ``*``, with columns ``frame``, ``term``, ``exclude`` (the entry is an
    exclusion), ``word``, ``count`` (the word's count in the vocabulary; 1
    for a plain iterable) and ``excluded``: the word is also matched by a
    one-word exclusion of the same frame, which then consumes it (``protest*``
    beside the exclusion ``protestant*`` gives ``protestant`` with
    ``excluded`` true). Sorted by frame and term in file order, then count
    (highest first) and word.

    Caveats: the vocabulary holds single words (case-folded tokens, e.g.
    from :func:`~analysis.tokenization.word_spans`); for a multi-word entry
    only its last word is expanded, whether or not the words before it precede
    it in the text. Case-sensitive entries are compared as written, so pass a
    vocabulary of unfolded tokens to check those. This is a review aid for
    dictionary revisions, not a matcher: multi-word exclusions and
    longest-match are ignored.
    """
    counts = dict(vocabulary) if isinstance(vocabulary, Mapping) else {w: 1 for w in vocabulary}
    vocab = pd.Series(counts, dtype="int64") if counts else pd.Series(dtype="int64")
    words = pd.Index(vocab.index.astype(str)) if len(vocab) else pd.Index([], dtype=object)
    table = lexicon.term_table()
    single_ex = table[table["exclude"] & (table["n_words"] == 1)]
    parts = []
    for order, row in enumerate(table.itertuples(index=False)):
        if not row.wildcard:
            continue
        hit = words[words.str.startswith(row.words[-1][:-1])]
        if not len(hit):
            continue
        excluded = pd.Series(False, index=hit)
        if not row.exclude:
            for ex in single_ex.loc[single_ex["frame"] == row.frame, "words"]:
                w = ex[0]
                excluded |= hit.str.startswith(w[:-1]) if w.endswith("*") else (hit == w)
        parts.append(
            pd.DataFrame(
                {
                    "order": order,
                    "frame": row.frame,
                    "term": row.term,
                    "exclude": row.exclude,
                    "word": hit,
                    "count": vocab.loc[hit].to_numpy(),
                    "excluded": excluded.to_numpy(),
                }
            )
        )
    columns = ["frame", "term", "exclude", "word", "count", "excluded"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t)
                             for c, t in zip(columns, [object, object, bool, object, "int64", bool])})
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["order", "count", "word"], ascending=[True, False, True], kind="stable")
    return out[columns].reset_index(drop=True)


# --------------------------------------------------------------------------
# dictionaries used together


def _inside(words: tuple[str, ...], mwe: tuple[str, ...]) -> bool:
    """``words`` (last one possibly ending in ``*``) match a contiguous part of ``mwe``, shorter than it."""
    n = len(words)
    if n >= len(mwe):
        return False
    last = words[-1]
    for i in range(len(mwe) - n + 1):
        if mwe[i : i + n - 1] != words[:-1]:
            continue
        w = mwe[i + n - 1]
        if (w.startswith(last[:-1]) if last.endswith("*") else w == last):
            return True
    return False


def hidden_terms(lexicons: Iterable[Lexicon]) -> pd.DataFrame:
    """Entries of one dictionary that another dictionary's multi-word expressions hide.

    Meaning: tokenization joins the multi-word entries (without wildcard) of
    *all* active dictionaries into single tokens, and the matcher matches a
    one-word term on one token only. So when dictionary B has ``assad
    regime`` and dictionary A has ``regime`` but not ``assad regime``, A never
    sees the ``regime`` in "the Assad regime": it is inside the joined token.
    One row per such case: ``lexicon``, ``frame``, ``term`` (the hidden
    entry of A), ``hidden_by_lexicon``, ``hidden_by_frame``, ``hidden_by``
    (B's entry). Within one dictionary this is longest-match, as intended, and
    is not listed; nor is a case where A lists the same expression itself
    (as a term or an exclusion).

    Higher means: more rows, more places where using the dictionaries
    together changes what one of them counts; the fix is to add B's
    expression to A (to the frame it belongs to, or as an exclusion).

    Caveats: wildcard entries of A are checked against the words of B's
    expressions (``rebel*`` is hidden by ``rebel groups``); case-sensitive
    entries are compared case-folded, which may list a case that never
    occurs. Multi-word expressions that merely overlap (``armed opposition``
    and ``opposition groups`` in "armed opposition groups") are not listed:
    tokenization joins the leftmost and the other loses its first words.
    """
    lexicons = list(lexicons)
    tables = [lx.term_table() for lx in lexicons]
    rows = []
    for b, (lb, tb) in enumerate(zip(lexicons, tables)):
        joined = tb[(tb["n_words"] > 1) & ~tb["wildcard"]]
        mwes = [(f, t, tuple(w.casefold() for w in ws))
                for f, t, ws in zip(joined["frame"], joined["term"], joined["words"])]
        for a, (la, ta) in enumerate(zip(lexicons, tables)):
            if a == b:
                continue
            own = {tuple(w.casefold() for w in ws) for ws in ta["words"]}
            for fa, term, ws in zip(ta["frame"], ta["term"], ta["words"]):
                folded = tuple(w.casefold() for w in ws)
                for fb, tb_term, mwe in mwes:
                    if mwe not in own and _inside(folded, mwe):
                        rows.append((la.name, fa, term, lb.name, fb, tb_term))
    columns = ["lexicon", "frame", "term", "hidden_by_lexicon", "hidden_by_frame", "hidden_by"]
    return pd.DataFrame(rows, columns=columns).drop_duplicates().reset_index(drop=True)


def unique_frames(frames_by_dictionary: Iterable[tuple]) -> list[str]:
    """All frame names of the dictionaries, given as (path, frame names[, language]) items, in file order.

    A frame name may be defined once per language: two dictionaries of
    different languages with the same frame measure that frame in each
    language (the language defaults to ``en``, the default of a dictionary
    file). The same frame twice in one language is a ``ValueError`` that
    names the two files.
    """
    seen: dict[tuple[str, str], str] = {}
    out: dict[str, None] = {}
    for item in frames_by_dictionary:
        path, frames = item[0], item[1]
        language = item[2] if len(item) > 2 else "en"
        for f in frames:
            if (f, language) in seen:
                where = f" in language {language!r}" if len(item) > 2 else ""
                raise ValueError(f"frame {f!r} is defined in both {seen[f, language]} and {path}{where}: frame names "
                                 "must be unique within a language")
            seen[f, language] = path
            out[f] = None
    return list(out)


def frame_languages(lexicons: Iterable[Lexicon]) -> dict[str, list[str]]:
    """Each frame of the dictionaries (in file order) and the languages whose dictionaries define it (in order).

    A frame listed with ``["en"]`` only is measured on English documents and
    not measured (missing) in every other language of the study.
    """
    lexicons = list(lexicons)
    unique_frames((lx.path, lx.frames, lx.language) for lx in lexicons)
    out: dict[str, list[str]] = {}
    for lx in lexicons:
        for f in lx.frames:
            out.setdefault(f, [])
            if lx.language not in out[f]:
                out[f].append(lx.language)
    return out


#: Columns of :func:`frame_coverage`.
COVERAGE_COLUMNS = ["frame", "language", "measured", "lexicon", "n_terms", "note"]


def frame_coverage(lexicons: Iterable[Lexicon], *, languages: Sequence[str] = ()) -> pd.DataFrame:
    """Which frame each language's dictionaries measure, and which they miss: one row per (frame, language).

    ``languages``: the study's languages (config key ``languages``); the
    languages of the dictionaries are added after them. ``measured`` is
    false where no dictionary of that language defines the frame: its rate in
    that language is not measured (missing, never zero), and ``note`` says
    so. ``lexicon`` and ``n_terms`` (entries that count, exclusions left
    out) name the term list that measures it. Rows by frame in file order,
    then language in the order above.
    """
    lexicons = list(lexicons)
    by_frame = frame_languages(lexicons)
    langs = list(dict.fromkeys([*languages, *(lx.language for lx in lexicons)]))
    rows = []
    for f in by_frame:
        for lang in langs:
            lx = next((x for x in lexicons if x.language == lang and f in x.frames), None)
            if lx is None:
                rows.append((f, lang, False, "", 0, f"missing: no {lang} dictionary defines this frame, so it is "
                                                   f"not measured in {lang} documents"))
                continue
            table = lx.term_table()
            n = int(((table["frame"] == f) & ~table["exclude"]).sum())
            rows.append((f, lang, True, lx.name, n, ""))
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def lexicon_stamp(lexicons) -> str:
    """'name version sha256:xxxxxxxxxxxx; …': which dictionaries, exactly, an output was computed with."""
    return "; ".join(f"{lx.name} {lx.version} sha256:{lx.short_hash}" for lx in lexicons)
