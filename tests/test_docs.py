"""The README's table of config keys has one row for every key of the config schema, and no other.

The table under ``## Config keys`` is parsed as a table: a key counts as documented only when it is named in
the first column of a row, not when the word appears anywhere in the README (``seed`` or ``title`` always would).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## Config keys"


def schema_keys(schema: dict, prefix: str = "") -> set[str]:
    """Every key of a JSON Schema's objects, nested keys joined with dots (``framing.seed``); objects by their keys."""
    keys = set()
    for name, spec in schema["properties"].items():
        if "properties" in spec:
            keys |= schema_keys(spec, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def table_keys(markdown: str, heading: str = HEADING) -> set[str]:
    """The keys named in the first column of the table under ``heading``.

    A cell may name several keys in backticks (```framing.n_boot`, `framing.n_perm```); a name without a dot
    continues the section of the dotted name before it in the cell (```polarization.n_boot`, `n_perm```).
    """
    section = markdown.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    header, rule, *rows = [line for line in section.splitlines() if line.startswith("|")]
    assert header.split("|")[1].strip() == "key" and set(rule) <= set("|-: "), "not a table with a key column"
    keys = set()
    for row in rows:
        section_of = ""
        for name in re.findall(r"`([^`]+)`", row.split("|")[1]):
            if "." in name:
                section_of = name.rsplit(".", 1)[0] + "."
                keys.add(name)
            else:
                keys.add(section_of + name)
    return keys


def undocumented(markdown: str, schema: dict) -> tuple[list[str], list[str]]:
    """(schema keys without a row in the table, keys in the table that the schema does not have)."""
    documented, expected = table_keys(markdown), schema_keys(schema)
    return sorted(expected - documented), sorted(documented - expected)


def schema() -> dict:
    return yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text(encoding="utf-8"))


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_config_key_has_a_row_in_the_readme_table():
    missing, unknown = undocumented(readme(), schema())
    assert not missing, f"config keys without a row in the README's table of config keys: {missing}"
    assert not unknown, f"rows of the README's table of config keys that the schema does not have: {unknown}"


def test_nested_keys_are_joined_with_dots():
    keys = schema_keys(schema())
    assert {"results", "tokenize.punkt_model", "framing.seed", "book.title"} <= keys
    assert "framing" not in keys and "seed" not in keys


def test_a_removed_row_is_reported_though_its_words_are_elsewhere():
    text = readme()
    row = next(line for line in text.splitlines() if line.startswith("| `book.title`, `book.author` |"))
    # the words stay in the README (a book's title, the seed of other sections): only the row goes
    cut = text.replace(row + "\n", "")
    assert "title" in cut and "author" in cut
    assert undocumented(cut, schema()) == (["book.author", "book.title"], [])
    # a key that continues a cell's section: polarization.seed is written `seed`
    row = next(line for line in text.splitlines() if line.startswith("| `polarization.n_boot`"))
    assert undocumented(text.replace(row, row.replace(" `seed`,", "")), schema())[0] == ["polarization.seed"]


def test_a_row_the_schema_does_not_have_is_reported():
    text = readme().replace("| `book.tree_max_comments` |", "| `book.tree_max_comment` |")
    assert undocumented(text, schema()) == (["book.tree_max_comments"], ["book.tree_max_comment"])
