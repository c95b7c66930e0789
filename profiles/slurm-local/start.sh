#!/usr/bin/env bash
# A real one-node SLURM cluster on this machine, for trying (and CI-testing) the
# SLURM executor without a cluster: munged, slurmctld and slurmd from Debian's
# packages (SLURM 22.05), one node (this machine, with the CPUs and memory the OS
# reports), one partition, no accounting database, no cgroups.
#
#   profiles/slurm-local/start.sh          # install if needed, start, wait until the node is idle
#   . "$(profiles/slurm-local/start.sh env)"   # SLURM_CONF for sinfo/squeue/sbatch in this shell
#   .venv/bin/snakemake --profile profiles/slurm-local
#   profiles/slurm-local/start.sh stop     # cancel the cluster's jobs, stop the daemons it started
#   profiles/slurm-local/start.sh conf     # print the slurm.conf it would write, start nothing
#
# Needs root, or sudo without a password, for apt-get and for the daemons (slurmd
# runs jobs as the user who submitted them). Nothing is written to /etc or /var:
# the key, the config, the daemons' state, logs and pid files all go under the
# state folder $SLURM_LOCAL_STATE (default ${TMPDIR:-/tmp}/threadscope-slurm), and
# the client tools find the config through SLURM_CONF (start.sh env prints the
# file that exports it). Other settings: SLURM_LOCAL_PARTITION (threadscope; the
# profile names it), SLURM_LOCAL_PORT (6817: slurmctld; slurmd uses the next
# port), SLURM_LOCAL_TIMEOUT (60 s to wait for the node to become idle).
#
# ProctrackType=proctrack/linuxproc and TaskPlugin=task/none need no cgroups (a
# container or CI runner seldom has them). With no accounting database `sacct`
# fails, so the profile queries job states with squeue; MinJobAge keeps finished
# jobs listed by squeue for an hour.
set -euo pipefail

STATE=${SLURM_LOCAL_STATE:-${TMPDIR:-/tmp}/threadscope-slurm}
PARTITION=${SLURM_LOCAL_PARTITION:-threadscope}
PORT=${SLURM_LOCAL_PORT:-6817}
TIMEOUT=${SLURM_LOCAL_TIMEOUT:-60}
CONF=$STATE/slurm.conf
PACKAGES=(slurmctld slurmd slurm-client munge)
export PATH=$PATH:/usr/sbin:/sbin  # the daemons live in /usr/sbin, outside a user's PATH

die() { echo "slurm-local: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

node_cpus() { nproc; }  # the CPUs this process may use (sched_getaffinity), never more than slurmd finds

node_memory_mb() {  # MemTotal in MiB, as `slurmd -C` reports RealMemory (a node configured with more is drained)
  awk '$1 == "MemTotal:" {print int($2 / 1024)}' /proc/meminfo
}

slurm_conf() {  # the cluster's slurm.conf, on stdout
  local host
  host=$(hostname -s)
  cat <<EOF
# Written by profiles/slurm-local/start.sh: a one-node cluster on $host.
ClusterName=threadscope
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$STATE/munge/munge.socket
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(node_cpus) RealMemory=$(node_memory_mb) State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

have_packages() {
  command -v munged >/dev/null && command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
    && command -v sinfo >/dev/null && command -v sbatch >/dev/null
}

install() {
  have_packages && return 0
  command -v apt-get >/dev/null || die "SLURM is not installed and apt-get is not available: install ${PACKAGES[*]}"
  if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then
    die "installing ${PACKAGES[*]} and starting the daemons needs root or sudo without a password"
  fi
  echo "slurm-local: apt-get install ${PACKAGES[*]}"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}")
  # Debian's postinst scripts may start the packaged services; any they start
  # use /etc, not this cluster's files, and are not this script's to stop.
  as_root "${apt[@]}" >/dev/null || { as_root apt-get update -q >/dev/null && as_root "${apt[@]}" >/dev/null; } \
    || die "apt-get install ${PACKAGES[*]} failed"
  have_packages || die "apt-get installed ${PACKAGES[*]} but munged, slurmctld, slurmd, sinfo or sbatch is missing"
}

pid_of() {  # the pid in <state>/<name>.pid if that process is alive and is <name>
  local file=$STATE/$1.pid pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc 0-9 <"$file")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
}

stop_daemon() {  # SIGTERM, then SIGKILL after 20 s; only the pid from our own pid file
  local name=$1 pid i
  pid=$(pid_of "$name") || return 0
  as_root kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || { echo "slurm-local: stopped $name ($pid)"; return 0; }
    sleep 0.5
  done
  as_root kill -KILL "$pid" 2>/dev/null || true
  echo "slurm-local: killed $name ($pid), it did not stop on SIGTERM" >&2
}

stop() {
  export SLURM_CONF=$CONF
  if pid_of slurmctld >/dev/null && pid_of slurmd >/dev/null; then
    local jobs i
    jobs=$(squeue -h -t pending,running,completing,suspended -o %i 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      echo "slurm-local: cancelling jobs $(echo $jobs)"
      # shellcheck disable=SC2086
      as_root env SLURM_CONF="$CONF" scancel $jobs || true
      for i in $(seq 1 30); do  # let slurmd end their processes before it stops
        [ -z "$(squeue -h -t pending,running,completing,suspended -o %i 2>/dev/null)" ] && break
        sleep 1
      done
    fi
  fi
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
}

client_wrappers() {
  # snakemake-executor-plugin-slurm-jobstep (0.6) removes every SLURM_* variable,
  # SLURM_CONF included, before the job's inner `srun`, which then finds no
  # config (it is not in /etc). So <state>/bin holds one wrapper per client tool
  # that sets SLURM_CONF; the env file puts that folder first on PATH.
  local tool real
  as_root mkdir -p "$STATE/bin"
  for tool in srun sbatch squeue scancel sinfo sacct scontrol; do
    real=$(command -v "$tool") || die "$tool is missing (package slurm-client)"
    printf '#!/bin/sh\nSLURM_CONF=%q exec %q "$@"\n' "$CONF" "$real" | as_root tee "$STATE/bin/$tool" >/dev/null
    as_root chmod 755 "$STATE/bin/$tool"
  done
}

logs_tail() {
  local f
  for f in "$STATE"/log/*.log; do
    [ -f "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }
  done >&2
}

start() {
  install
  for d in munged slurmctld slurmd; do
    pid_of "$d" >/dev/null && die "$d of $STATE is already running (pid $(pid_of "$d")): run '$0 stop' first"
  done
  as_root mkdir -p "$STATE"
  # a fresh cluster each time: no jobs or node states left from an earlier run
  as_root rm -rf "$STATE/bin" "$STATE/munge" "$STATE/munge-key" "$STATE/slurmctld" "$STATE/slurmd" "$STATE/log"
  as_root mkdir -p "$STATE/munge" "$STATE/munge-key" "$STATE/slurmctld" "$STATE/slurmd" "$STATE/log"
  as_root chmod 755 "$STATE/munge"     # the socket: clients (sbatch, srun) of any user reach it
  as_root chmod 700 "$STATE/munge-key" # the key and the PRNG seed: root only
  slurm_conf | as_root tee "$CONF" >/dev/null
  client_wrappers
  { printf 'export SLURM_CONF=%q\n' "$CONF"; printf 'export PATH=%q:"$PATH"\n' "$STATE/bin"; } \
    | as_root tee "$STATE/env" >/dev/null

  as_root mungekey --create --keyfile="$STATE/munge-key/munge.key" >/dev/null
  as_root munged --key-file="$STATE/munge-key/munge.key" --socket="$STATE/munge/munge.socket" \
    --pid-file="$STATE/munged.pid" --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge-key/munged.seed" \
    || { logs_tail; die "munged did not start (log above)"; }
  as_root slurmctld -f "$CONF" || { logs_tail; stop; die "slurmctld did not start (log above)"; }
  as_root slurmd -f "$CONF" || { logs_tail; stop; die "slurmd did not start (log above)"; }

  export SLURM_CONF=$CONF
  local waited=0 state=""
  while [ "$waited" -lt "$TIMEOUT" ]; do
    state=$(sinfo -h -N -p "$PARTITION" -o %t 2>/dev/null || true)
    [ "$state" = "idle" ] && break
    sleep 1
    waited=$((waited + 1))
  done
  if [ "$state" != "idle" ]; then
    logs_tail
    sinfo -N -l >&2 || true
    stop
    die "the node did not become idle within ${TIMEOUT} s (sinfo: '${state:-no answer}'); logs above, state folder $STATE"
  fi
  echo "slurm-local: node $(hostname -s) idle in partition $PARTITION after ${waited} s: $(sinfo -h -N -o '%c CPUs, %m MB')"
  echo "slurm-local: for the client tools and Snakemake: . $STATE/env"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  conf) slurm_conf ;;
  env) echo "$STATE/env" ;;
  *) die "unknown command '$1': expected start, stop, conf or env" ;;
esac
