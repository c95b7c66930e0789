"""Validating a frame dictionary against human coding: samples, agreement, accuracy.

A dictionary count is a measurement; this package checks it against people
reading the same texts (krippendorff2018content, ch. 12). One module per
step, each of pure functions (import them from their module):

1. **Coding sample out.** :mod:`~analysis.validation.sampling`:
   :func:`~analysis.validation.sampling.draw_coding_sample` puts every
   document, for each frame, in one of three strata (hit, near miss, random
   non-hit; the near misses' partial matches are
   :mod:`~analysis.validation.partial`) and draws a seeded sample from
   each. :mod:`~analysis.validation.sheets`: one blind sheet per coder (no
   dictionary decision on it) and the coders' codebook.
2. **Codes back in.** :mod:`~analysis.validation.codes`: ``read_codes``
   checks the returned sheets and gives one long table ``(item_id, coder,
   code)``; ``reliability_matrix`` pivots it to units x coders;
   ``adjudicate`` makes the gold label (majority vote, ties reported).
3. **Agreement.** :mod:`~analysis.validation.agreement`:
   Krippendorff's alpha, with a bootstrap interval, per frame.
4. **Accuracy of the dictionary.** :mod:`~analysis.validation.accuracy`:
   precision, recall and F1 against the gold (``by_frame``) or against a
   label column already in the data (``compare_to_labels``), and the worst
   errors to read. :mod:`~analysis.validation.frac` adapts the FrAC
   sentences (guida2025frac) to it.

Languages: documents carry their language into the coding sample (several
languages are strata of their own), a frame is drawn and validated only on
the documents where it is measured (``hits_<frame>`` not missing), and the
accuracy tables have rows per language when the items hold two or more
(``by="language"`` of :func:`~analysis.validation.accuracy.by_frame` and
:func:`~analysis.validation.accuracy.compare_to_labels`).

The workflow's two rules have a module each, named after the rule, whose
function of the same name the rule's script calls:
:func:`analysis.validation.coding_sample.coding_sample` and
:func:`analysis.validation.validation_report.validation_report`.

Conventions
-----------
* **Codes** are 0 (frame absent), 1 (frame present) or blank (not coded, a
  missing value). Missing values are never read as 0.
* **Items.** An item is one (frame, document) pair: ``item_id`` is
  ``f"{frame}:{thread_id}:{comment_id}:{doc}"``, stable across reruns and
  samples, so one document can be coded for several frames.
* **Undefined is NaN.** Precision with no predicted positive, recall with no
  gold positive, alpha with no variation among the values: NaN, never 0
  or 1 by convention.
* **Randomness** comes from ``numpy.random.default_rng`` streams derived from
  the ``seed`` argument (and, where said, from the frame or coder name, so
  that adding a frame or a coder leaves the others' draws unchanged).
  Bootstrap replicates are those of :func:`analysis.stats.replicate_sums`.
* Texts are untrusted: functions return them unchanged (except
  :func:`~analysis.validation.sheets.coding_sheets`, see there); escape them
  wherever they are shown.

References (bibtex keys): krippendorff2018content, krippendorff2011computing,
hayes2007answering, card2015media, guida2025frac.
"""
