"""The README documents every config key of the schema."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_every_config_key_is_in_the_readme():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [k for k in schema["properties"] if f"`{k}" not in readme]
    for section in ("framing", "polarization", "validation", "tokenize", "book"):
        missing += [f"{section}.{k}" for k in schema["properties"][section]["properties"]
                    if f"{section}.{k}" not in readme and k not in readme]
    assert not missing, f"config keys not documented in README.md: {missing}"
