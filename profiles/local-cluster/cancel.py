#!/usr/bin/env python3
"""Cancel command of the local-cluster profile: a one-machine stand-in for scancel.

Snakemake calls `cancel.py JOBID...` when it is interrupted. Each job's
supervisor (see submit.py) passes the signal to the job's process group and
still records the exit code, so the job shows as failed.
"""

import os
import signal
import sys

for jobid in sys.argv[1:]:
    try:
        os.kill(int(jobid), signal.SIGTERM)
    except (ProcessLookupError, ValueError):
        pass
