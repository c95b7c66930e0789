"""Framing: where the terms of a frame dictionary occur, and how often.

Matching rules (what a reviewer asks "how was this counted?" about):

- Terms are matched on tokens (:mod:`analysis.tokenization`): on the
  case-folded ``norm``, or on the surface ``token`` for case-sensitive terms
  (``IS`` for Islamic State is never ``is``). A final ``*`` matches any ending
  (``terror*``: terror, terrorism, terrorists, ...).
- A multi-word term matches consecutive tokens within one sentence, or one
  token that tokenization already joined (an MWE such as ``civil war``).
- Longest match wins and a token counts once: candidate matches are taken
  longest first (in words; exclusions before terms of the same length; then
  left to right), and a candidate that overlaps an accepted one is dropped. So
  "civil war" is not also "war", and an exclusion such as "rebel yell"
  consumes its tokens and counts for no frame.
- A term listed under several frames counts once for each of them; two
  terms matching the same words (``terror*`` and ``terrorist*``) count once
  per frame, for each frame they belong to.
- Each match is flagged ``quoted`` when it starts inside quotation marks
  (“…”, "…", or ‘…’ not used as an apostrophe; a quote left open runs to the
  end of its paragraph) and ``negated`` when a negation cue (not, no, never,
  n't, ...) stands among the ``negation_window`` tokens before it in the same
  sentence. Whether such matches count is a configuration choice
  (``counted``).
- The denominator of a rate is the number of *word tokens*: tokens with at
  least one letter or digit (punctuation and emoji excluded), MWEs counted once.

Every function is vectorised over token arrays: candidate matches are found
with array comparisons per term, and only candidate matches (not tokens) are
looped over when resolving overlaps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.lexicons import Lexicon

__all__ = [
    "NEGATION_CUES",
    "match_frames",
    "quoted_spans",
    "doc_frame_counts",
    "is_word",
]

NEGATION_CUES = frozenset(
    """not no never nor neither none nobody nothing nowhere without hardly scarcely cannot
    n't n’t""".split()
)
_NEG_CONTRACTION = re.compile(r".+n[’']t$")
_WORDLIKE = re.compile(r"\w")

MATCH_COLUMNS = [
    "thread_id", "comment_id", "doc", "lexicon", "lexicon_sha", "frame", "term", "match", "sentence",
    "token_start", "token_end", "start", "end", "quoted", "negated", "counted",
]


def is_word(norms: pd.Series) -> np.ndarray:
    """True for tokens with at least one letter or digit (the rate denominator)."""
    return norms.str.contains(_WORDLIKE.pattern, regex=True).to_numpy(dtype=bool)


def _is_negation(norms: pd.Series) -> np.ndarray:
    lower = norms.str.lower()
    return (lower.isin(NEGATION_CUES) | lower.str.match(_NEG_CONTRACTION.pattern)).to_numpy(dtype=bool)


def _word_mask(vocab: pd.Index, word: str) -> np.ndarray:
    """Which vocabulary entries one term word matches (exact, or prefix with *)."""
    if word.endswith("*"):
        return np.asarray(vocab.str.startswith(word[:-1]), dtype=bool)
    mask = np.zeros(len(vocab), dtype=bool)
    pos = vocab.get_indexer([word])[0]
    if pos >= 0:
        mask[pos] = True
    return mask


def match_frames(
    tokens: pd.DataFrame,
    lexicon: Lexicon,
    *,
    texts: dict[tuple[str, str, str], str] | None = None,
    negation_window: int = 3,
    count_quoted: bool = False,
    count_negated: bool = True,
) -> pd.DataFrame:
    """Every match of the dictionary's terms in ``tokens``, one row per (match, frame).

    ``tokens`` has the TOKENS columns, sorted by document then ``index``.
    ``texts`` maps (thread_id, comment_id, doc) to the document text, needed
    for the ``quoted`` flag (without it nothing is flagged quoted). Returns
    the columns of :data:`MATCH_COLUMNS`; ``counted`` applies the two count
    options. Exclusions never appear in the output.
    """
    if negation_window < 0:
        raise ValueError(f"negation_window={negation_window!r}: expected a whole number >= 0")
    terms = lexicon.term_table().reset_index(drop=True)
    terms["key"] = [f"{'=' if cs else ''}{'!' if ex else ''}{' '.join(w)}" for w, cs, ex in
                    zip(terms["words"], terms["case_sensitive"], terms["exclude"])]
    n = len(tokens)
    if n == 0 or terms.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    tok = tokens.reset_index(drop=True)
    doc = _doc_numbers(tok)
    sentence = tok["sentence"].to_numpy()
    norm_codes, norm_vocab = pd.factorize(tok["norm"])
    surf_codes, surf_vocab = pd.factorize(tok["token"])
    norm_vocab, surf_vocab = pd.Index(norm_vocab), pd.Index(surf_vocab)
    norm_has_space = np.asarray(norm_vocab.str.contains(" ", regex=False), dtype=bool)

    # Candidates: (term row, first token, number of tokens)
    cand_term: list[np.ndarray] = []
    cand_start: list[np.ndarray] = []
    cand_len: list[np.ndarray] = []

    def add(row_ids, starts, length):
        cand_term.append(np.asarray(row_ids, dtype=np.int64))
        cand_start.append(np.asarray(starts, dtype=np.int64))
        cand_len.append(np.full(len(starts), length, dtype=np.int64))

    # Single tokens: every one-word term, and every multi-word term that tokenization
    # joined into one MWE token, is matched through one vocabulary x term table.
    for case_sensitive, codes, vocab in ((False, norm_codes, norm_vocab), (True, surf_codes, surf_vocab)):
        pairs_v, pairs_t = [], []
        for row, term in enumerate(terms.itertuples(index=False)):
            if term.case_sensitive != case_sensitive:
                continue
            words = list(term.words)
            if len(words) == 1:
                mask = _word_mask(vocab, words[0] if case_sensitive else words[0].casefold())
                if not case_sensitive:
                    mask &= ~norm_has_space  # a joined MWE token is not a single word
            elif not term.wildcard and not case_sensitive:
                mask = _word_mask(norm_vocab, " ".join(w.casefold() for w in words))
            else:
                continue
            v = np.flatnonzero(mask)
            pairs_v.append(v)
            pairs_t.append(np.full(len(v), row))
        if pairs_v:
            table = sp.csr_array(
                (np.ones(sum(len(v) for v in pairs_v)), (np.concatenate(pairs_v), np.concatenate(pairs_t))),
                shape=(len(vocab), len(terms)),
            )
            tok_idx, term_rows = table[codes].nonzero()
            add(term_rows, tok_idx, 1)
    # Consecutive tokens, one per word, within one sentence (multi-word terms).
    for row, term in enumerate(terms.itertuples(index=False)):
        words = list(term.words)
        if len(words) < 2 or n < len(words):
            continue
        codes, vocab = (surf_codes, surf_vocab) if term.case_sensitive else (norm_codes, norm_vocab)
        span = n - len(words) + 1
        ok = np.ones(span, dtype=bool)
        for k, word in enumerate(words):
            mask = _word_mask(vocab, word if term.case_sensitive else word.casefold())
            if not term.case_sensitive:
                mask &= ~norm_has_space  # a joined MWE token is not one word of a longer term
            ok &= mask[codes[k : span + k]]
            if k:
                ok &= (doc[k : span + k] == doc[:span]) & (sentence[k : span + k] == sentence[:span])
        hit = np.flatnonzero(ok)
        add(np.full(len(hit), row), hit, len(words))
    if not cand_term or not sum(len(c) for c in cand_term):
        return pd.DataFrame(columns=MATCH_COLUMNS)

    cand = pd.DataFrame({"term_row": np.concatenate(cand_term), "start_tok": np.concatenate(cand_start),
                         "n_tok": np.concatenate(cand_len)})
    cand["n_words"] = terms["n_words"].to_numpy()[cand["term_row"]]
    cand["exclude"] = terms["exclude"].to_numpy()[cand["term_row"]]
    cand["key"] = terms["key"].to_numpy()[cand["term_row"]]
    # one candidate per (term key, span): a term listed in several frames is resolved once
    cand = cand.drop_duplicates(["key", "start_tok", "n_tok"])
    cand = cand.sort_values(["n_words", "exclude", "start_tok", "key"], ascending=[False, False, True, True], kind="stable")
    # Greedy, longest first: a candidate is accepted when none of its tokens is taken, or when
    # it covers exactly the same span (same length, same exclusion status) as an accepted one
    # (two terms matching the same words both count, for their own frames).
    taken = np.zeros(n, dtype=bool)
    spans: dict[tuple[int, int], bool] = {}
    accepted = []
    for idx, s, k, ex in zip(cand.index, cand["start_tok"].to_numpy(), cand["n_tok"].to_numpy(), cand["exclude"].to_numpy()):
        if spans.get((s, k)) == ex or not taken[s : s + k].any():
            if (s, k) not in spans:
                taken[s : s + k] = True
                spans[(s, k)] = ex
            accepted.append(idx)
    acc = cand.loc[accepted]
    acc = acc[~acc["exclude"]]
    # expand to frames
    frames_of = terms.groupby("key")["frame"].agg(lambda f: sorted(set(f)))
    term_of = terms.drop_duplicates("key").set_index("key")["term"]
    acc = acc.assign(frame=acc["key"].map(frames_of), term=acc["key"].map(term_of)).explode("frame")
    acc = acc.drop_duplicates(["start_tok", "n_tok", "frame"])  # a span counts once per frame
    first = acc["start_tok"].to_numpy()
    last = first + acc["n_tok"].to_numpy() - 1
    out = pd.DataFrame(
        {
            "thread_id": tok["thread_id"].to_numpy()[first],
            "comment_id": tok["comment_id"].to_numpy()[first],
            "doc": tok["doc"].to_numpy()[first],
            "lexicon": lexicon.name,
            "lexicon_sha": lexicon.short_hash,
            "frame": acc["frame"].to_numpy(),
            "term": acc["term"].to_numpy(),
            "sentence": sentence[first],
            "token_start": tok["index"].to_numpy()[first],
            "token_end": tok["index"].to_numpy()[last] + 1,
            "start": tok["start"].to_numpy()[first],
            "end": tok["end"].to_numpy()[last],
        }
    )
    out["negated"] = _negated(first, doc, sentence, _is_negation(tok["norm"]), negation_window)
    out["quoted"] = _quoted(out, texts) if texts is not None else False
    out["match"] = _surface(out, tok, first, last, texts)
    out["counted"] = (count_quoted | ~out["quoted"]) & (count_negated | ~out["negated"])
    out = out.sort_values(["thread_id", "comment_id", "doc", "start", "frame"], kind="stable").reset_index(drop=True)
    return out[MATCH_COLUMNS]


def _doc_numbers(tok: pd.DataFrame) -> np.ndarray:
    """A number per document (rows are sorted by document): changes wherever a key column changes."""
    change = np.zeros(len(tok), dtype=bool)
    for col in ("thread_id", "comment_id", "doc"):
        codes = pd.factorize(tok[col])[0]
        change[1:] |= codes[1:] != codes[:-1]
    return np.cumsum(change)


def _negated(first: np.ndarray, doc: np.ndarray, sentence: np.ndarray, neg: np.ndarray, window: int) -> np.ndarray:
    out = np.zeros(len(first), dtype=bool)
    for k in range(1, window + 1):
        prev = first - k
        valid = prev >= 0
        p = np.where(valid, prev, 0)
        out |= valid & (doc[p] == doc[first]) & (sentence[p] == sentence[first]) & neg[p]
    return out


def _surface(out: pd.DataFrame, tok: pd.DataFrame, first, last, texts) -> list[str]:
    if texts is None:  # without texts, an MWE spanning several tokens has no single surface form
        surface = tok["token"].to_numpy(dtype=object)[first]
        return np.where(first == last, surface, "").tolist()
    return [texts[(t, c, d)][a:b] for t, c, d, a, b in out[["thread_id", "comment_id", "doc", "start", "end"]].itertuples(index=False)]


_QUOTE_RES = [
    re.compile(r"“[^”\n]*(?:”|$)", re.M),
    re.compile(r"\"[^\"\n]*(?:\"|$)", re.M),
    re.compile(r"(?<!\w)‘[^’\n]*?(?:’(?!\w)|$)", re.M),
    re.compile(r"«[^»\n]*(?:»|$)", re.M),
]


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of text inside quotation marks (see the module docstring)."""
    spans = sorted((m.start(), m.end()) for pattern in _QUOTE_RES for m in pattern.finditer(text))
    return spans


def _quoted(out: pd.DataFrame, texts) -> np.ndarray:
    flags = np.zeros(len(out), dtype=bool)
    keys = list(zip(out["thread_id"], out["comment_id"], out["doc"]))
    cache: dict = {}
    for i, (key, start) in enumerate(zip(keys, out["start"].to_numpy())):
        if key not in cache:
            spans = quoted_spans(texts[key])
            cache[key] = (np.array([s for s, _ in spans], dtype=np.int64), np.array([e for _, e in spans], dtype=np.int64))
        starts, ends = cache[key]
        j = np.searchsorted(starts, start, side="right") - 1
        flags[i] = j >= 0 and start < ends[j] if len(starts) else False
    return flags


def doc_frame_counts(tokens: pd.DataFrame, matches: pd.DataFrame, *, frames: Sequence[str]) -> pd.DataFrame:
    """One row per document: word tokens and counted hits of each frame.

    Columns ``thread_id``, ``comment_id``, ``doc``, ``n_tokens`` and one
    ``hits_<frame>`` column per frame (counted matches only), plus
    ``n_matches`` (all matches, counted or not). Documents without word
    tokens are absent (they have no denominator).
    """
    keys = ["thread_id", "comment_id", "doc"]
    base = tokens.loc[is_word(tokens["norm"]), keys].groupby(keys, sort=True).size().rename("n_tokens").reset_index()
    counted = matches.loc[matches["counted"], keys + ["frame"]]
    hits = counted.groupby(keys + ["frame"]).size().unstack("frame", fill_value=0)
    hits = hits.reindex(columns=list(frames), fill_value=0).add_prefix("hits_")
    n_matches = matches.groupby(keys).size().rename("n_matches")
    out = base.merge(hits, left_on=keys, right_index=True, how="left").merge(n_matches, left_on=keys, right_index=True, how="left")
    cols = [f"hits_{f}" for f in frames] + ["n_matches"]
    out[cols] = out[cols].fillna(0).astype("int64")
    return out


def frames_of(lexicons: Sequence[Lexicon]) -> list[str]:
    """All frame names of the active dictionaries, in file order; names must be unique across them."""
    seen: dict[str, str] = {}
    for lx in lexicons:
        for f in lx.frames:
            if f in seen:
                raise ValueError(f"frame {f!r} is defined in both {seen[f]} and {lx.path}: frame names must be unique")
            seen[f] = lx.path
    return list(seen)


def document_texts(comments: pd.DataFrame, threads: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    """(thread_id, comment_id, doc) -> text for comments and article bodies."""
    texts = {(t, c, "comment"): x for t, c, x in zip(comments["thread_id"], comments["comment_id"], comments["text"])}
    texts.update({(t, "", "article"): x for t, x in zip(threads["thread_id"], threads["article_text"]) if x})
    return texts


def score_frames(
    tokens: pd.DataFrame,
    comments: pd.DataFrame,
    threads: pd.DataFrame,
    lexicons: Sequence[Lexicon],
    *,
    negation_window: int = 3,
    count_quoted: bool = False,
    count_negated: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matches of every active dictionary, and one row per document with its hits and attributes.

    Each dictionary is matched on its own (a token can count once per
    dictionary). The document table carries what groupings need: source,
    depth (0 for the article), author, time and the comments' metadata.
    """
    texts = document_texts(comments, threads)
    parts = [match_frames(tokens, lx, texts=texts, negation_window=negation_window,
                          count_quoted=count_quoted, count_negated=count_negated) for lx in lexicons]
    matches = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=MATCH_COLUMNS)
    matches = matches.sort_values(["thread_id", "comment_id", "doc", "start", "lexicon", "frame"], kind="stable").reset_index(drop=True)
    docs = doc_frame_counts(tokens, matches, frames=frames_of(lexicons))
    core = {"thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "created_at", "text", "source",
            "file", "record", "rule", "is_placeholder", "shard"}
    meta = [c for c in comments.columns if c not in core]
    attrs = comments[["thread_id", "comment_id", "source", "depth", "author_id", "created_at", *meta]].assign(doc="comment")
    art = threads[["thread_id", "source"]].assign(comment_id="", doc="article", depth=0, author_id="", created_at=pd.NaT)
    attrs = pd.concat([attrs, art], ignore_index=True)
    docs = docs.merge(attrs, on=["thread_id", "comment_id", "doc"], how="left", validate="one_to_one")
    hits = [c for c in docs.columns if c.startswith("hits_")]
    docs = docs[["thread_id", "comment_id", "doc", "source", "depth", "author_id", "created_at", "n_tokens", "n_matches", *hits, *meta]]
    return matches, docs


def concordance(matches: pd.DataFrame, texts: dict, *, width: int = 60, authors: dict | None = None) -> pd.DataFrame:
    """Keyword-in-context lines for every match: ``width`` characters each side, whitespace folded.

    Columns: thread_id, comment_id, doc, author_id, lexicon, frame, term,
    left, match, right, quoted, negated, counted. Text is untrusted: escape it
    wherever it is shown.
    """
    fold = re.compile(r"\s+")
    rows = []
    for m in matches.itertuples(index=False):
        text = texts[(m.thread_id, m.comment_id, m.doc)]
        left = fold.sub(" ", text[max(0, m.start - width) : m.start])
        right = fold.sub(" ", text[m.end : m.end + width])
        rows.append((left, fold.sub(" ", m.match), right))
    ctx = pd.DataFrame(rows, columns=["left", "match_text", "right"], index=matches.index)
    out = matches[["thread_id", "comment_id", "doc", "lexicon", "lexicon_sha", "frame", "term"]].copy()
    out["author_id"] = [(authors or {}).get((t, c), "") for t, c in zip(matches["thread_id"], matches["comment_id"])]
    out["left"], out["match"], out["right"] = ctx["left"], ctx["match_text"], ctx["right"]
    for flag in ("quoted", "negated", "counted"):
        out[flag] = matches[flag]
    return out[["thread_id", "comment_id", "doc", "author_id", "lexicon", "lexicon_sha", "frame", "term", "left", "match",
                "right", "quoted", "negated", "counted"]]
