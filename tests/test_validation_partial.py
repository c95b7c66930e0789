"""Partial matches (analysis.validation.partial): the words that make a near miss, by hand and two ways."""

import textwrap

import numpy as np
import pytest

from analysis.lexicons import load_lexicon
from analysis.validation.partial import PartialFinder, partial_patterns


def test_partial_patterns_by_hand(tmp_path):
    path = tmp_path / "lexicon.yaml"
    path.write_text(textwrap.dedent("""
        name: partial
        version: "1"
        frames:
          war:
            label: War
            terms: [civil war, war, armed conflict*, right to bear arms, "- dash"]
            exclude: [civil servant]
          tax:
            label: Taxes
            terms: [tax*, cost of living]
            case_sensitive: [IRS Office]
    """), encoding="utf-8")
    got = partial_patterns([load_lexicon(path)], ["war", "tax"])
    # the words of multi-word terms; 'to' (a stopword), '-' (no letter) and the exclusion give none;
    # the last word of a wildcard term is a prefix; single-word terms give none
    assert got["war"] == ({"civil", "war", "armed", "right", "bear", "arms", "dash"}, set(), ("conflict",), ())
    assert got["tax"] == ({"cost", "living"}, {"IRS", "Office"}, (), ())
    assert partial_patterns([], ["war"]) == {"war": (set(), set(), (), ())}


@pytest.mark.parametrize("n_frames", [3, 62, 63, 70])
def test_partial_finder_flags_agree_with_partial_text(n_frames):
    """flags (bit sets, cached texts) against partial_text, word by word, for few and for more frames than int64
    bits."""
    words = ["arms", "bear", "civil", "cost", "living", "right"]
    frames = [f"f{j}" for j in range(n_frames)]
    patterns = {f: ({words[j % 6]} if j % 3 else set(), {"IS"} if j % 4 == 1 else set(),
                    ("conflict",) if j % 5 == 0 else (), ("Tax",) if j % 7 == 0 else ()) for j, f in enumerate(frames)}
    finder = PartialFinder(patterns, frames)
    texts = ["Civil arms", "conflicts and Taxes", "IS is", "nothing", "", "bear. . . cost", "taxes (conflictual)",
             "Civil arms", "right-wing living\ncosts"]
    want = np.array([[finder.partial_text(t, f) != "" for f in frames] for t in texts])
    assert want.any() and not want.all()
    for _ in range(2):  # the second call reads the cache
        np.testing.assert_array_equal(finder.flags(texts), want)
    np.testing.assert_array_equal(finder.flags(texts[::-1]), want[::-1])
