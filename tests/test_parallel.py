"""forked_map: the results of a plain loop, in order, computed in forked processes on Linux."""

import os
import sys

import pytest

from analysis.parallel import forked_map


def test_results_in_order_and_closures_need_no_pickling():
    table = {k: k * k for k in range(50)}  # read by the processes from inherited memory
    assert forked_map(lambda k: table[k] + 1, range(50), processes=3) == [k * k + 1 for k in range(50)]
    assert forked_map(lambda k: k, [], processes=2) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")
def test_work_runs_in_other_processes_on_linux():
    pids = forked_map(lambda _: os.getpid(), range(6), processes=2)
    assert os.getpid() not in pids and 1 <= len(set(pids)) <= 2
    assert set(forked_map(lambda _: os.getpid(), range(3), processes=1)) == {os.getpid()}
