"""Cells safe to open in a spreadsheet: the one rule against formula injection ("CSV injection").

A spreadsheet (Excel, LibreOffice Calc, Google Sheets) opening a CSV reads a
cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a formula
built from untrusted text can fetch URLs or, in old Excel, run commands; a
leading tab or carriage return hides such a start. Following OWASP's guidance
(https://owasp.org/www-community/attacks/CSV_Injection), a cell
beginning with one of those six characters gets a leading single quote, which
the spreadsheet takes as "this is text"; every cell is written with standard
CSV quoting (RFC 4180), so a separator or quote inside a cell cannot start a
new cell. A cell that is a plain number (``-0.85``, ``+3``, ``1e-05``, ``-inf``)
is left as it is: a spreadsheet reads it as that number, not as a formula, and
numeric columns stay numeric.

Where the rule applies: every CSV the book offers for download
(:func:`safe_csv`, called by :func:`analysis.book.stage_book` on the staged
copies) and the coders' sheets (:func:`analysis.validation.sheets.coding_sheets`).
The tables under ``results/`` keep the data exactly as it is, for programs.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

__all__ = ["FORMULA_START", "safe_cell", "safe_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# A number as pandas, pyarrow and Python write it (sign, digits, decimals, exponent, inf/nan).
_NUMBER_RE = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)", re.IGNORECASE)


def safe_cell(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula (see the module docstring).

    Plain numbers and every other text are returned unchanged.
    """
    if value.startswith(FORMULA_START) and _NUMBER_RE.fullmatch(value) is None:
        return "'" + value
    return value


def safe_csv(src: str | Path, dest: str | Path) -> int:
    """Copy the UTF-8 CSV ``src`` to ``dest`` with :func:`safe_cell` applied to every cell; return the cells changed.

    A file with no cell to change is copied byte for byte (so its SHA-256 is
    the one of ``src``); otherwise it is written again by Python's ``csv``
    module (minimal quoting, a row holding a carriage return fully quoted,
    ``\\n`` line ends), with the header row treated
    like any other. ``dest`` may be ``src`` (rewritten in place). Both passes
    stream the file: a large concordance is never held in memory.
    """
    src, dest = Path(src), Path(dest)
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # a comment may be longer than csv's 128 KiB
    with open(src, encoding="utf-8", newline="") as fh:
        risky = any(cell.startswith(FORMULA_START) and safe_cell(cell) is not cell
                    for row in csv.reader(fh) for cell in row)
    if not risky:
        if src.resolve() != dest.resolve():
            shutil.copyfile(src, dest)
        return 0
    tmp = dest.with_name(f".{dest.name}.tmp")
    changed = 0
    with open(src, encoding="utf-8", newline="") as fh, open(tmp, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        # Python 3.11's minimal quoting leaves a carriage return unquoted when the line end is "\n"
        quote_all = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        for row in csv.reader(fh):
            safe = [safe_cell(cell) for cell in row]
            changed += sum(a is not b for a, b in zip(row, safe))
            (quote_all if any("\r" in cell for cell in safe) else writer).writerow(safe)
    tmp.replace(dest)
    return changed
