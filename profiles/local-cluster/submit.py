#!/usr/bin/env python3
"""Submit command of the local-cluster profile: a one-machine stand-in for sbatch.

Snakemake (cluster-generic executor) calls

    submit.py --threads T --mem-mb M --runtime MIN JOBSCRIPT

and reads the job id from the first line of stdout. Like a real scheduler,
this returns at once: the job script runs in the background, in its own
session, detached from Snakemake (no shared stdout, so submitting never waits
for the job). The job id is the PID of a small supervisor that runs the job
script, stops it after its runtime (as a scheduler's time limit would) and
writes the exit code to <spool>/<jobid>.exit, which status.py reads.

Every submission is recorded as one JSON line in <spool>/submitted.jsonl:
job id, rule, wildcards (from the job script's properties) and the threads,
memory and runtime given on the command line. The spool folder is
$LOCAL_CLUSTER_SPOOL, or .snakemake/local-cluster in the working directory.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

GRACE_SECONDS = 10  # between SIGTERM and SIGKILL when a job overruns or is cancelled


def spool_dir() -> Path:
    spool = Path(os.environ.get("LOCAL_CLUSTER_SPOOL", ".snakemake/local-cluster"))
    spool.mkdir(parents=True, exist_ok=True)
    return spool


def job_properties(jobscript: str) -> dict:
    """The '# properties = {...}' line Snakemake writes into every job script."""
    with open(jobscript, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# properties = "):
                return json.loads(line[len("# properties = "):])
    return {}


def submit(args: argparse.Namespace) -> None:
    spool = spool_dir()
    fd, tmp_log = tempfile.mkstemp(prefix="submitting-", suffix=".out", dir=spool)
    supervisor = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--supervise", str(args.runtime), args.jobscript],
        stdin=subprocess.PIPE, stdout=fd, stderr=subprocess.STDOUT, start_new_session=True,
    )
    os.close(fd)
    jobid = str(supervisor.pid)
    try:
        os.replace(tmp_log, spool / f"{jobid}.out")  # the job's output, like slurm-<jobid>.out
        (spool / f"{jobid}.exit").unlink(missing_ok=True)  # left by an earlier job with the same PID
        props = job_properties(args.jobscript)
        record = {"jobid": jobid, "rule": props.get("rule"), "wildcards": props.get("wildcards", {}),
                  "threads": args.threads, "mem_mb": args.mem_mb, "runtime": args.runtime}
        with open(spool / "submitted.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
    except BaseException:
        supervisor.kill()  # a failed submission leaves no job behind
        raise
    supervisor.stdin.close()  # go: the job starts only now, once its exit file cannot be a stale one
    print(jobid)


def supervise(runtime_min: int, jobscript: str) -> None:
    """Run the job script in its own process group; record its exit code."""
    sys.stdin.read()  # wait for the submitter's go
    job = subprocess.Popen([jobscript], stdin=subprocess.DEVNULL, start_new_session=True)

    def stop(sig=signal.SIGTERM, *_):
        try:
            os.killpg(job.pid, sig)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, stop)  # cancel.py: stop the job, then still record how it ended
    try:
        code = job.wait(timeout=runtime_min * 60)
    except subprocess.TimeoutExpired:
        print(f"local-cluster: time limit of {runtime_min} min reached, stopping the job", flush=True)
        stop()
        try:
            code = job.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            stop(signal.SIGKILL)
            code = job.wait()
    spool = spool_dir()
    tmp = spool / f"{os.getpid()}.exit.tmp"
    tmp.write_text(f"{code}\n", encoding="utf-8")
    os.replace(tmp, spool / f"{os.getpid()}.exit")  # atomic: status.py never reads half a file


def main() -> None:
    if sys.argv[1:2] == ["--supervise"]:
        supervise(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--mem-mb", type=int, required=True)
    parser.add_argument("--runtime", type=int, required=True, help="minutes")
    parser.add_argument("jobscript")
    submit(parser.parse_args())


if __name__ == "__main__":
    main()
