"""Fixtures shared by several test files; their data and helpers are in tests/helpers.py."""

import pytest
from helpers import FRAMES_LEXICON, lexicon_file, training_corpus

from analysis.punkt import punkt_from_params, train_punkt


@pytest.fixture(scope="session")
def params() -> dict:
    """Punkt parameters trained on :func:`helpers.training_corpus`."""
    return train_punkt(training_corpus())


@pytest.fixture(scope="session")
def punkt(params):
    return punkt_from_params(params)


@pytest.fixture(scope="session")
def lexicon(tmp_path_factory):
    """The small frame dictionary :data:`helpers.FRAMES_LEXICON`, loaded."""
    return lexicon_file(tmp_path_factory.mktemp("lex"), "test_frames.yaml", FRAMES_LEXICON)
