"""Issue 17 finding 1: the pseudonym salt is never published and never the public default."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from analysis.errors import ConfigError
from analysis.privacy import PUBLIC_SALT, SALT_FILE, privacy_sentences, pseudonym, run_salt
from analysis.provenance import config_as_run

ROOT = Path(__file__).resolve().parents[1]


def test_a_run_without_a_salt_gets_the_projects_random_salt_made_once(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    salt = run_salt("", project=a)
    assert re.fullmatch(r"[0-9a-f]{64}", salt)
    assert (a / ".threadscope" / "pseudonym_salt").read_text(encoding="utf-8").strip() == salt
    assert run_salt("", project=a) == salt  # kept: the same pseudonyms on the next run
    assert run_salt(None, project=a) == salt
    assert run_salt("", project=b) != salt  # another project, another secret
    assert salt != PUBLIC_SALT and pseudonym("Ann", salt=salt) != pseudonym("Ann", salt=PUBLIC_SALT)
    assert list((a / ".threadscope").iterdir()) == [a / SALT_FILE]  # no temporary file left


def test_own_salt_is_used_and_the_public_default_is_refused(tmp_path):
    assert run_salt("my-secret", project=tmp_path) == "my-secret"
    assert not (tmp_path / SALT_FILE).exists()
    with pytest.raises(ConfigError, match="pseudonym_salt"):
        run_salt(PUBLIC_SALT, project=tmp_path)


def test_shipped_config_and_schema_do_not_set_the_public_salt():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text(encoding="utf-8"))
    assert config.get("pseudonym_salt", "") == ""
    assert schema["properties"]["pseudonym_salt"]["default"] == ""


def test_the_salt_file_is_ignored_by_git():
    done = subprocess.run(["git", "check-ignore", "-q", str(SALT_FILE)], cwd=ROOT)
    if done.returncode == 128:
        pytest.skip("not a git checkout")
    assert done.returncode == 0, f"{SALT_FILE} is not git-ignored"


def test_config_as_run_redacts_the_salt():
    secret = "a-secret-nobody-may-see-4711"
    text = config_as_run({"pseudonym_salt": secret, "pseudonymise": True, "book": {"title": "t"}})
    assert secret not in text
    shown = yaml.safe_load(text)
    assert shown["pseudonym_salt"] == "<redacted>" and shown["book"] == {"title": "t"}
    # the project's own salt (empty in the config) stays empty: rerun in the same project, it is the same salt
    assert yaml.safe_load(config_as_run({"pseudonym_salt": ""}))["pseudonym_salt"] == ""


def test_the_book_says_where_the_salt_is_kept_and_never_the_salt():
    secret = "another-secret-0815"
    own, sentence = privacy_sentences({"pseudonymise": True, "pseudonym_salt": secret})
    assert secret not in own + sentence and "config" in own
    project, sentence = privacy_sentences({"pseudonymise": True, "pseudonym_salt": ""})
    assert SALT_FILE.as_posix() in project and SALT_FILE.as_posix() in sentence
