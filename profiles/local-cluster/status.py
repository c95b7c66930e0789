#!/usr/bin/env python3
"""Status command of the local-cluster profile: a one-machine stand-in for sacct.

Snakemake (cluster-generic executor) calls `status.py JOBID` for every running
job and expects one word: running, success or failed. A job has ended when
submit.py's supervisor wrote <spool>/<jobid>.exit (its exit code); a job whose
process is gone without that file was killed, and counts as failed.
"""

import os
import sys
from pathlib import Path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the PID now belongs to another user's process
        return False
    try:  # an unreaped zombie is not running either
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def status(jobid: str, spool: Path) -> str:
    exit_file = spool / f"{jobid}.exit"
    for _ in range(2):  # again after the liveness check: the job may have ended in between
        if exit_file.is_file():
            return "success" if exit_file.read_text(encoding="utf-8").strip() == "0" else "failed"
        if alive(int(jobid)):
            return "running"
    return "failed"


if __name__ == "__main__":
    print(status(sys.argv[1], Path(os.environ.get("LOCAL_CLUSTER_SPOOL", ".snakemake/local-cluster"))))
