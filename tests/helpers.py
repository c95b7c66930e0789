"""Fixtures and test data shared by several test files (kept here once; imported as ``helpers``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

from analysis.lexicons import Lexicon, expand_wildcards, load_lexicon

NAMES = ["Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Karam", "Aziz", "Rami", "Hanna", "Bashir"]
PLACES = ["Aleppo", "Homs", "Idlib", "Hama", "Damascus"]


def training_corpus() -> list[str]:
    """30 short texts where "Dr." and "U.S." always sit mid-sentence (a Punkt training corpus checkable by hand)."""
    texts = []
    for i in range(30):
        n, p, q = NAMES[i % 10], PLACES[i % 5], PLACES[(i + 2) % 5]
        texts.append(
            f"Yesterday Dr. {n} left {p} for {q}. The talks in {q} ended and the envoy left. "
            f"Critics say the U.S. envoy stayed in {p} for days. A week later, the days in {q} were calm."
        )
    return texts


#: A small frame dictionary: a multi-word term, wildcards, an exclusion, a case-sensitive term and a term two
#: frames share.
FRAMES_LEXICON = """
name: test_frames
version: "1"
frames:
  civil_war:
    label: Civil war
    terms: [civil war, rebel*, uprising]
    exclude: [rebel yell]
  war:
    label: War
    terms: [war]
  terrorism:
    label: Terrorism
    terms: [terror*, suicide bomber*]
    case_sensitive: [IS]
  both:
    label: Shares a term with civil_war
    terms: [civil war]
"""


def lexicon_file(folder: Path, name: str, text: str) -> Lexicon:
    """A dictionary written to ``folder/name`` from YAML text, loaded."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_lexicon(path)


def counted_false_positives(lx: Lexicon, words: list[str]) -> list[str]:
    """Which of ``words`` (lower case), each standing alone, the dictionary ``lx`` would count as a match.

    A word counts if a wildcard expands to it (a multi-word wildcard's last word is not a match on its own), or if it
    is a single-word term that is not case-sensitive (case-sensitive terms, e.g. ``IS``, never match a lower-case
    word) and not an exclusion.
    """
    ex = expand_wildcards(lx, words)
    counted = ex[~ex["exclude"] & ~ex["excluded"]]
    counted = counted.loc[counted["term"].map(lambda t: " " not in t).to_numpy(dtype=bool)]
    t = lx.term_table()
    single = t[(t["n_words"] == 1) & ~t["wildcard"] & ~t["exclude"] & ~t["case_sensitive"]]
    return sorted(set(counted["word"]) | (set(words) & {w[0].casefold() for w in single["words"]}))


def comment_docs(*texts: str) -> pd.DataFrame:
    """Documents ``c0``, ``c1``, ... of one thread ``t``, one comment per text."""
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "doc": "comment",
                         "text": list(texts)})


def unjoined_multiword_terms(lx: Lexicon) -> dict[str, str]:
    """The multi-word terms of ``lx`` (no wildcard, not case-sensitive) that the tokenizer does not join into one token
    when each is written in a sentence of its own, as ``{document: second token}``; empty when every one is joined."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    from analysis.tokenization import multiword_tuples, token_table

    table = lx.term_table()
    table = table[(table["n_words"] > 1) & ~table["wildcard"] & ~table["case_sensitive"]]
    texts = [f"Then {term} came." for term in table["term"]]
    docs = pd.DataFrame({"thread_id": "t", "comment_id": [str(i) for i in range(len(texts))], "doc": "comment",
                         "text": texts})
    params = PunktParameters()
    params.abbrev_types = {"u.s"}  # as Punkt trained on a corpus learns it
    tokens = token_table(docs, punkt=PunktSentenceTokenizer(params), mwes=multiword_tuples(lx.terms())).to_pandas()
    second = tokens[tokens["index"] == 1].set_index("comment_id")["norm"]
    expected = pd.Series([" ".join(w) for w in table["words"]], index=docs["comment_id"])
    return second[second != expected].to_dict()


#: The sample's dictionaries, named explicitly: a config that sets its own ``sources`` must name its frame
#: dictionaries and stance lexicon (analysis.config refuses to inherit the sample's silently).
SAMPLE_DICTIONARIES = {"lexicons": ["data/lexicons/syria_frames.yaml", "data/lexicons/syria_actors.yaml"],
                       "stance_lexicon": "data/lexicons/syria_stance.yaml"}


def with_sample_dictionaries(config: dict) -> dict:
    """``config`` with the sample's frame dictionaries and stance lexicon named (kept where it names its own)."""
    polarization = {"stance_lexicon": SAMPLE_DICTIONARIES["stance_lexicon"], **config.get("polarization", {})}
    return {"lexicons": SAMPLE_DICTIONARIES["lexicons"], **config, "polarization": polarization}


#: The hand-made English + Arabic forum (tests/fixtures/mixed/forum.csv) as a run's source, with the fixture's own
#: languages (mapped, not identified), the study's two languages and the dictionaries of both.
MIXED_FORUM = {
    "sources": [{"id": "mixed", "format": "csv",
                 "path": str(Path(__file__).resolve().parent / "fixtures" / "mixed" / "forum.csv"),
                 "columns": {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id",
                             "author": "user", "created_at": "posted", "text": "body", "title": "thread_title",
                             "language": "language"}}],
    "languages": ["en", "ar"],
    "lexicons": ["data/lexicons/syria_frames.yaml", "data/lexicons/syria_actors.yaml",
                 "data/lexicons/syria_frames_ar.yaml"],
    "polarization": {"stance_lexicon": "data/lexicons/syria_stance.yaml", "group_column": "side",
                     "groups": "column"},
}
