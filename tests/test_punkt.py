"""Tests of analysis.punkt: Punkt trained on the corpus, its parameters as JSON, sentences by paragraph, rule
train_punkt's reading of the shards, and the NLTK internals the module overrides (this file fails when NLTK changes
them: pyproject.toml pins NLTK below its next minor version, and a new version must pass here first)."""

from __future__ import annotations

import inspect
import json
import re
from importlib.metadata import version

import pandas as pd
import pytest
from helpers import training_corpus
from nltk.tokenize import punkt as nltk_punkt

from analysis.errors import InputError
from analysis.punkt import frozen_params, punkt_from_params, sentence_spans, train_from_shards, train_punkt

# --------------------------------------------------------------------------
# training and loading


def test_punkt_learns_abbreviations_from_the_corpus(params):
    assert "dr" in params["abbrev_types"]
    assert "u.s" in params["abbrev_types"]
    # words seen both with and without a final period are not abbreviations
    assert "left" not in params["abbrev_types"]
    assert "days" not in params["abbrev_types"]


def test_punkt_does_not_split_after_a_learned_abbreviation(punkt):
    s1 = "Yesterday Dr. Haddad met the minister."
    s2 = "A new round starts soon."
    s3 = "The U.S. envoy came too."
    text = f"{s1} {s2} {s3}"
    a, b = len(s1) + 1, len(s1) + 1 + len(s2) + 1
    assert list(punkt.span_tokenize(text)) == [(0, len(s1)), (a, a + len(s2)), (b, b + len(s3))]


def test_untrained_punkt_would_split_after_dr():
    untrained = punkt_from_params(train_punkt([]))
    text = "Yesterday Dr. Haddad met the minister."
    assert [text[s:e] for s, e in untrained.span_tokenize(text)] == ["Yesterday Dr.", "Haddad met the minister."]


def test_train_punkt_is_deterministic_and_round_trips_through_json(params):
    again = train_punkt(training_corpus())
    assert again == params
    assert json.dumps(again) == json.dumps(params)
    for key in ("abbrev_types", "collocations", "sent_starters", "ortho_context"):
        assert params[key] == sorted(params[key])
    assert all(isinstance(w, str) and isinstance(f, int) and f > 0 for w, f in params["ortho_context"])
    assert params["n_docs"] == 30
    loaded = punkt_from_params(json.loads(json.dumps(params)))
    original = punkt_from_params(params)
    text = " ".join(training_corpus()[:3]) + " Dr. Aziz left. The U.S. envoy stayed. A week later, it was over."
    assert list(loaded.span_tokenize(text)) == list(original.span_tokenize(text))


def test_train_punkt_max_docs_uses_the_first_texts():
    corpus = training_corpus()
    assert train_punkt(corpus, max_docs=5) == train_punkt(corpus[:5])
    assert train_punkt(iter(corpus), max_docs=5)["n_docs"] == 5
    assert train_punkt([]) == {"abbrev_types": [], "collocations": [], "sent_starters": [], "ortho_context": [],
                               "n_docs": 0}
    with pytest.raises(ValueError):
        train_punkt(corpus, max_docs=-1)


def test_punkt_from_params_rejects_an_incomplete_dict():
    with pytest.raises(ValueError, match="missing"):
        punkt_from_params({"abbrev_types": []})


def test_sentence_spans_end_a_sentence_at_a_blank_line(punkt):
    text = "A title without a period\n\n  \nFirst sentence. Second one\n\n"
    got = [text[a:b] for a, b in sentence_spans(punkt, text)]
    assert got == ["A title without a period", "First sentence.", "Second one"]
    assert sentence_spans(punkt, "") == [] and sentence_spans(punkt, "\n\n \n") == []


# --------------------------------------------------------------------------
# the same decisions as NLTK's own classes (the second method)


def test_training_and_splitting_equal_nltks_own_punkt(params):
    """The subclasses only drop NLTK's regular-expression time limit: NLTK's own trainer and tokenizer decide the
    same."""
    texts = training_corpus() + ["Mr. Smith met Mrs. Jones at 5 p.m. on Jan. 3. They spoke... then left!",
                                 "No. 5 is at St. Mary's. The U.N. said so. (See e.g. the report.) Done?"]
    trainer = nltk_punkt.PunktTrainer()
    trainer.train("\n\n".join(texts), finalize=False)
    trainer.finalize_training()
    theirs = trainer.get_params()
    ours = train_punkt(texts)
    assert ours["abbrev_types"] == sorted(theirs.abbrev_types)
    assert ours["collocations"] == sorted([a, b] for a, b in theirs.collocations)
    assert ours["sent_starters"] == sorted(theirs.sent_starters)
    assert ours["ortho_context"] == sorted([w, f] for w, f in theirs.ortho_context.items() if f)
    nltk_tokenizer = nltk_punkt.PunktSentenceTokenizer(theirs)
    memo = punkt_from_params(ours)
    for text in texts + texts:  # twice: the second time from the memo
        assert list(memo.span_tokenize(text)) == list(nltk_tokenizer.span_tokenize(text))


def test_remembered_spans_equal_nltks_own_after_the_memo_is_forgotten(params, monkeypatch):
    """Sentence spans come back from the per-text memo, also once it has been cleared (a tiny budget): NLTK's own
    tokenizer with the same parameters decides the same for every paragraph, repeated or not."""
    import analysis.punkt

    monkeypatch.setattr(analysis.punkt, "PUNKT_TEXT_MEMO", 120)
    nltk_params = nltk_punkt.PunktParameters()
    nltk_params.abbrev_types = set(params["abbrev_types"])
    nltk_params.collocations = {(a, b) for a, b in params["collocations"]}
    nltk_params.sent_starters = set(params["sent_starters"])
    for word, flags in params["ortho_context"]:
        nltk_params.ortho_context[word] = flags
    theirs = nltk_punkt.PunktSentenceTokenizer(nltk_params)
    ours = punkt_from_params(params)
    paragraphs = ["Dr. Haddad met the minister. A new round starts soon.", "The U.S. envoy came too. Done?",
                  "no punctuation at all", "x" * 130 + ". Then more.", "Wait... what? Yes! OK."]
    for text in paragraphs * 3 + paragraphs[::-1]:
        assert list(ours.span_tokenize(text)) == list(theirs.span_tokenize(text))
        assert list(ours.span_tokenize(text, realign_boundaries=False)) == list(
            theirs.span_tokenize(text, realign_boundaries=False))
    text = "\n\n".join(paragraphs)
    assert sentence_spans(ours, text) == sentence_spans(theirs, text)


# --------------------------------------------------------------------------
# the NLTK internals analysis.punkt relies on


def test_nltk_is_within_the_pinned_minor_version():
    major, minor = (int(x) for x in version("nltk").split(".")[:2])
    assert (major, minor) == (3, 10), "analysis.punkt was checked against NLTK 3.10: re-check the internals below"


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_punkt_internals_overridden_by_analysis_punkt_are_unchanged():
    lang_vars, token, tokenizer = nltk_punkt.PunktLanguageVars, nltk_punkt.PunktToken, nltk_punkt.PunktSentenceTokenizer
    # the language variables: two cached patterns, built by these two methods, plus one class pattern
    assert tuple(lang_vars.__slots__) == ("_re_period_context", "_re_word_tokenizer")
    assert _parameters(lang_vars._word_tokenizer_re) == ["self"]
    assert _parameters(lang_vars.period_context_re) == ["self"]
    assert "self._re_word_tokenizer" in inspect.getsource(lang_vars._word_tokenizer_re)
    assert "self._re_period_context" in inspect.getsource(lang_vars.period_context_re)
    # every pattern recompiled without the time limit: an object with the pattern text and flags
    patterns = [lang_vars.re_boundary_realignment, token._RE_ELLIPSIS, token._RE_NUMERIC, token._RE_INITIAL,
                token._RE_ALPHA, nltk_punkt._re_non_punct, lang_vars()._word_tokenizer_re(),
                lang_vars().period_context_re()]
    for pattern in patterns:
        assert isinstance(pattern.pattern, str) and isinstance(pattern.flags, int)
    # the token's non-punctuation test is a property reading the module pattern (its copy in analysis.punkt)
    assert isinstance(inspect.getattr_static(token, "is_non_punct"), property)
    assert "_re_non_punct.search(self.type)" in inspect.getsource(token.is_non_punct.fget)
    assert nltk_punkt._re_non_punct.pattern == r"[^\W\d]" and nltk_punkt._re_non_punct.flags & re.UNICODE
    # the memo wraps span_tokenize (public, realign_boundaries defaulting to True) and the one decision it asks
    # about each candidate context
    assert _parameters(tokenizer.span_tokenize) == ["self", "text", "realign_boundaries"]
    assert inspect.signature(tokenizer.span_tokenize).parameters["realign_boundaries"].default is True
    assert _parameters(tokenizer.text_contains_sentbreak) == ["self", "text"]
    assert "self.text_contains_sentbreak(" in inspect.getsource(tokenizer._slices_from_text)
    # the classes are handed to NLTK through these parameters
    for cls in (tokenizer, nltk_punkt.PunktTrainer):
        assert {"lang_vars", "token_cls"} <= set(_parameters(cls.__init__))
    assert _parameters(nltk_punkt.PunktTrainer.train) == ["self", "text", "verbose", "finalize"]
    assert {"abbrev_types", "collocations", "sent_starters", "ortho_context"} <= set(vars(nltk_punkt.PunktParameters()))


# --------------------------------------------------------------------------
# rule train_punkt


def test_train_from_shards_reads_articles_then_comments_in_shard_order(tmp_path, monkeypatch):
    """Two sources, two shards: articles by thread, then each shard's comments sorted by thread, record, file."""
    import analysis.punkt

    seen = []
    monkeypatch.setattr(analysis.punkt, "train_punkt", lambda texts, *, max_docs: seen.append((list(texts), max_docs)))
    threads = pd.DataFrame({"thread_id": ["b", "a"], "article_text": ["Article b.", "Article a."]})
    threads.to_parquet(tmp_path / "threads.parquet", index=False)
    comment_paths = []
    for shard in range(2):
        for source in ("s", "t"):
            path = tmp_path / f"{source}-{shard}.parquet"
            pd.DataFrame({"thread_id": ["z", "y"], "record": [2, 1], "file": ["f", "f"],
                          "text": [f"{source}{shard} z.", f"{source}{shard} y."]}).to_parquet(path, index=False)
            comment_paths.append(str(path))
    train_from_shards([tmp_path / "threads.parquet"], comment_paths, n_sources=2, max_docs=7)
    # the second shard is read because the first left fewer than max_docs texts; train_punkt keeps the first 7
    first = ["Article a.", "Article b.", "s0 y.", "t0 y.", "s0 z.", "t0 z."]
    assert seen == [(first + ["s1 y.", "t1 y.", "s1 z.", "t1 z."], 7)]
    seen.clear()
    train_from_shards([tmp_path / "threads.parquet"], comment_paths, n_sources=2, max_docs=6)
    assert seen == [(first, 6)]  # enough after the first shard: the second is not read


def test_frozen_params_are_checked(tmp_path, params):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(params), encoding="utf-8")
    bad.write_text(json.dumps({"abbrev_types": []}), encoding="utf-8")
    assert frozen_params(good) == params
    with pytest.raises(InputError, match="not Punkt parameters"):
        frozen_params(bad)
