"""Fixtures shared by several test files; their data and helpers are in tests/helpers.py."""

import pytest
from helpers import training_corpus

from analysis.punkt import punkt_from_params, train_punkt


@pytest.fixture(scope="session")
def params() -> dict:
    """Punkt parameters trained on :func:`helpers.training_corpus`."""
    return train_punkt(training_corpus())


@pytest.fixture(scope="session")
def punkt(params):
    return punkt_from_params(params)
