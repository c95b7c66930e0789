"""The old name of :mod:`analysis.frame_rates`, kept only for :mod:`analysis.incivility`, which imports
``choose_cluster`` from here; delete this file once it imports ``from analysis.frame_rates`` (issue 14)."""

from analysis.frame_rates import choose_cluster

__all__ = ["choose_cluster"]
