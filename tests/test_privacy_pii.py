"""Issue 17 finding 2: names, handles, e-mails, phones and profile links never leave the run by default."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import with_sample_dictionaries

from analysis.ingest.canonical import ingest
from analysis.ingest.tables import read_table
from analysis.privacy import SALT_FILE, is_redacted, personal_column, personal_spans, privacy_sentences, pseudonym

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")

# planted personal data: none of these may appear in any output (compared case-insensitively)
PLANTED = ["Vandersloot", "Marguerite", "zephyrine", "m.vandersloot@example.org", "mv@example.org",
           "7946 0958", "555-123-4567", "twitter.com", "Quentin Oyelaran", "Oyelaran", "qo@example.net"]
MAPPING = {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id", "author": "user",
           "created_at": "posted", "text": "body", "title": "thread_title"}


def planted_csv(path: Path) -> Path:
    rows = [
        ("1", "", "t1", "Is it a civil war?", "Marguerite Vandersloot", "2021-03-01 10:00", "mv@example.org", "pro",
         "The civil war began as an uprising. Write to me at m.vandersloot@example.org or call +44 20 7946 0958."),
        ("2", "1", "t1", "", "zephyrine_q", "2021-03-01 10:05", "zq@example.org", "con",
         "@zephyrine_q here: Marguerite is wrong about the civil war, see https://twitter.com/zephyrine_q and "
         "Marguerite Vandersloot's post. It is terrorism."),
        ("3", "2", "t1", "", "Marguerite Vandersloot", "2021-03-01 10:09", "mv@example.org", "pro",
         "Fine, @zephyrine_q. Call 555-123-4567 about the civil war."),
        ("3", "2", "t1", "", "Quentin Oyelaran", "2021-03-01 10:10", "qo@example.net", "con",
         "A duplicate id by Quentin Oyelaran (qo@example.net), Marguerite Vandersloot knows."),
        ("4", "", "t2", "Terror", "Quentin Oyelaran", "2021-03-02 09:00", "qo@example.net", "con",
         "Terrorism, says Quentin Oyelaran. Ask @zephyrine_q or Marguerite Vandersloot: terrorism and civil war."),
        ("5", "4", "t2", "", "zephyrine_q", "2021-03-02 09:05", "zq@example.org", "pro",
         "Quentin, the civil war is real, my number is 020 7946 0958. Civil war, civil war."),
    ]
    cols = ["comment_id", "parent_id", "thread_id", "thread_title", "user", "posted", "author_email", "side", "body"]
    pd.DataFrame(rows, columns=cols).to_csv(path, index=False)
    return path


def test_personal_spans_by_hand():
    text = "Mail jane.doe@example.org, call +44 20 7946 0958 or 555-1234; see x.com/jd, u/some_user."
    assert [(k, text[s:e]) for k, s, e in personal_spans(text)] == [
        ("email", "jane.doe@example.org"), ("phone", "+44 20 7946 0958"), ("phone", "555-1234"),
        ("profile", "x.com/jd"), ("profile", "u/some_user")]
    # numbers that are not phone numbers stay
    assert personal_spans("In 2011-2013, 32,000 people; 32 000 000 in 1990 2000, on 12.05.2013.") == []


def test_personal_columns_rule():
    assert [c for c in ["author_email", "userId", "author_fullname", "phone", "ip_address", "user_name", "name",
                        "author_stance", "side", "thread_name", "user_flair", "topic"] if personal_column(c)] == [
        "author_email", "userId", "author_fullname", "phone", "ip_address", "user_name", "name"]


def test_ingest_redacts_text_quarantine_and_metadata(tmp_path):
    result = read_table([str(planted_csv(tmp_path / "p.csv"))], fmt="csv", mapping=MAPPING)
    out = ingest(result, source="p", fmt="csv", n_shards=1, salt="s")
    dump = out.comments.to_csv() + out.quarantine.to_csv() + out.mentions.to_csv() + json.dumps(out.report)
    for planted in PLANTED:
        assert planted.lower() not in dump.lower(), planted
    assert "author_email" not in out.comments.columns and "side" in out.comments.columns
    text = out.comments.set_index("comment_id")["text"]
    mv, zq = pseudonym("Marguerite Vandersloot", salt="s"), pseudonym("zephyrine_q", salt="s")
    assert text["1"] == ("The civil war began as an uprising. Write to me at <email> or call <phone>.")
    assert text["2"] == (f"@{zq} here: {mv} is wrong about the civil war, see <profile> and {mv}'s post. "
                         "It is terrorism.")
    # the mentions' offsets are those of the redacted text, and point at the pseudonyms
    for m in out.mentions.itertuples():
        assert text[m.comment_id][m.start:m.end] == ("@" if m.kind == "handle" else "") + m.target_id
    assert len(out.mentions) >= 5
    assert out.report["personal_columns_dropped"] == ["author_email"]


def test_switches_keep_what_they_say(tmp_path):
    result = read_table([str(planted_csv(tmp_path / "p.csv"))], fmt="csv", mapping=MAPPING)
    raw = ingest(result, source="p", fmt="csv", n_shards=1, salt="s", keep_raw_text=True)
    assert "m.vandersloot@example.org" in raw.comments.set_index("comment_id").loc["1", "text"]
    assert "author_email" in raw.comments.columns
    kept = ingest(result, source="p", fmt="csv", n_shards=1, salt="s", keep_columns=["author_email"])
    assert "author_email" in kept.comments.columns
    # names as written, but e-mails and phones still replaced
    plain = ingest(result, source="p", fmt="csv", n_shards=1, salt="s", pseudonymise_names=False)
    t = plain.comments.set_index("comment_id").loc["2", "text"]
    assert "@zephyrine_q" in t and "<profile>" in t
    for m in plain.mentions.itertuples():
        assert plain.comments.set_index("comment_id").loc[m.comment_id, "text"][m.start:m.end] == m.mention


def test_book_sentence_states_what_the_run_did():
    on = " ".join(privacy_sentences({"pseudonymise": True, "pseudonym_salt": ""}))
    off = " ".join(privacy_sentences({"pseudonymise": False, "pseudonym_salt": ""}))
    raw = " ".join(privacy_sentences({"pseudonymise": True, "privacy": {"keep_raw_text": True}}))
    assert "pseudonyms" in on and "`<email>`" in on
    assert "only as salted pseudonyms" not in off and "turned off" in off
    assert "private working copy" in raw and "private working copy" not in on


def test_placeholders_and_pseudonyms_are_redacted_terms():
    terms = pd.Series(["<email>", "<phone>", "<profile>", "u0123456789", "@u0123456789", "war", "@bob", "u2"])
    assert list(is_redacted(terms)) == [True] * 5 + [False] * 3


def _text_of(path: Path) -> str:
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    if path.suffix in {".png", ".pdf", ".ico", ".woff", ".woff2", ".ttf", ".eot", ".gif", ".jpg", ".pickle",
                       ".doctree", ".zip", ".gz", ".inv"}:
        return ""
    return path.read_bytes().decode("utf-8", errors="replace")


@pytest.mark.workflow
def test_no_planted_personal_data_and_no_salt_in_any_output(tmp_path):
    """Default settings: no planted name, handle, e-mail, phone or profile, and not the salt, in any output."""
    if SNAKEMAKE is None:
        pytest.skip("snakemake is not installed")
    config = {"sources": [{"id": "planted", "format": "csv", "path": str(planted_csv(tmp_path / "planted.csv")),
                           "columns": MAPPING}],
              "results": str(tmp_path / "results"), "n_shards": 1,
              "framing": {"keyness_groups": ["doc", "side"], "keyness_min_count": 1}}
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(with_sample_dictionaries(config)), encoding="utf-8")
    done = subprocess.run([SNAKEMAKE, "--cores", "2", "--configfile", str(cfg), "--nolock"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-5000:]
    salt = (ROOT / SALT_FILE).read_text(encoding="utf-8").strip()
    files = [p for p in (tmp_path / "results").rglob("*") if p.is_file()]
    assert any(p.name == "index.html" for p in files) and any(p.name == "evidence.html" for p in files)
    found = []
    for path in files:
        text = _text_of(path).lower()
        found += [(str(path.relative_to(tmp_path)), s) for s in [*PLANTED, salt] if s.lower() in text]
    assert found == []
    keyness = pd.read_csv(tmp_path / "results" / "keyness" / "keyness.csv")
    assert not is_redacted(keyness["term"]).any()
    # finding 8 (paths): neither the input's folder nor the clone's folder in the provenance files or the book
    shown = [p for p in files if "provenance" in p.parts or (p.suffix == ".html" and "_build" in p.parts)]
    assert [str(p) for p in shown if str(tmp_path) in _text_of(p) or str(ROOT) in _text_of(p)] == []


def test_thread_titles_lose_personal_data_too(tmp_path):
    path = planted_csv(tmp_path / "p.csv")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[table["comment_id"] == "4", "thread_title"] = "Quentin Oyelaran asks: write to qo@example.net"
    table.to_csv(path, index=False)
    out = ingest(read_table([str(path)], fmt="csv", mapping=MAPPING), source="p", fmt="csv", n_shards=1, salt="s")
    titles = out.threads.set_index("thread_id")["title"]
    assert titles["p:t2"] == f"{pseudonym('Quentin Oyelaran', salt='s')} asks: write to <email>"
    assert titles["p:t1"] == "Is it a civil war?"  # nothing personal: as written
    kept = ingest(read_table([str(path)], fmt="csv", mapping=MAPPING), source="p", fmt="csv", n_shards=1, salt="s",
                  keep_raw_text=True)
    assert kept.threads.set_index("thread_id")["title"]["p:t2"] == "Quentin Oyelaran asks: write to qo@example.net"
