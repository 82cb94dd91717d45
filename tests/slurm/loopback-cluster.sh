#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, everything in one folder (docs/cluster.md, "A cluster on one machine").
#
#   tests/slurm/loopback-cluster.sh start DIR [CPUS]   # writes DIR/slurm.conf, starts munged (if needed), slurmctld, slurmd
#   tests/slurm/loopback-cluster.sh stop DIR           # stops the daemons it started (and munged, if it started it)
#
# After start, `export SLURM_CONF=DIR/slurm.conf` points sbatch, squeue and scontrol at it. Runs as root (slurmd
# starts jobs as their users; munged runs as the munge user). Needs slurm-wlm and munge (`make slurm-deps`).
# start waits until the node is idle and prints one line; on any failure it prints the reason, the end of the
# daemon logs, stops what it started and exits 1.
set -uo pipefail

usage() { echo "usage: $0 start DIR [CPUS] | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1; dir=$(mkdir -p "$2" && cd "$2" && pwd); cpus=${3:-2}
host=$(hostname -s)

fail() {
  echo "loopback Slurm cluster: $*" >&2
  for log in "$dir"/log/*; do [ -f "$log" ] && { echo "--- $log (last lines)" >&2; tail -n 15 "$log" >&2; }; done
  stop_daemons
  exit 1
}

# Kills the process in a pid file (TERM, then KILL after 10 s) and removes the file.
stop_pidfile() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

stop_daemons() {
  # Jobs first: slurmd leaves its job processes (slurmstepd and their children) running when it stops.
  if [ -f "$dir/slurmctld.pid" ] && [ -f "$dir/slurm.conf" ]; then
    SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --full --signal=KILL -u "$(id -un)" >/dev/null 2>&1 || true
    SLURM_CONF="$dir/slurm.conf" timeout 10 scancel -u "$(id -un)" >/dev/null 2>&1 || true
  fi
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  # Job processes that outlived slurmd: slurmstepd of this cluster's spool folder and everything under it.
  for pid in $(pgrep -f "slurmstepd.*" 2>/dev/null); do
    if tr '\0' ' ' <"/proc/$pid/environ" 2>/dev/null | grep -q "SLURM_CONF=$dir/slurm.conf"; then kill -9 "$pid" 2>/dev/null; fi
  done
  if [ -f "$dir/munged.started" ]; then
    [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null
    rm -f "$dir/munged.started"
  fi
  return 0
}

# A TCP port nobody listens on, from a range away from Slurm's defaults.
free_port() {
  local port
  for _ in $(seq 50); do
    port=$(( 20000 + RANDOM % 20000 ))
    ss -ltnH "sport = :$port" 2>/dev/null | grep -q . || { echo "$port"; return; }
  done
  echo 0
}

start() {
  [ "$(id -u)" = 0 ] || fail "must run as root (slurmd starts jobs as their users); run the tests as root"
  for tool in munged munge slurmctld slurmd sbatch squeue scontrol; do
    command -v "$tool" >/dev/null || fail "'$tool' is not installed; run 'make slurm-deps' (apt-get install slurm-wlm munge)"
  done
  stop_daemons
  rm -rf "$dir/state" "$dir/spool" "$dir/log"
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"

  # munged as the munge user, its socket folder /run/munge owned by munge; an already running munged is used as it is.
  if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    install -d -o munge -g munge -m 0755 /run/munge
    [ -f /etc/munge/munge.key ] || fail "/etc/munge/munge.key is missing (reinstall munge, or run 'mungekey --create' as munge)"
    # munged refuses a log or pid file not owned by munge: its own defaults (/var/log/munge, /run/munge) are used.
    runuser -u munge -- munged >>"$dir/log/munged.out" 2>&1 || fail "munged did not start: $(tail -n 3 "$dir/log/munged.out")"
    touch "$dir/munged.started"
    for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 || fail "munged started but 'munge -n | unmunge' fails"
  fi

  local memory ctld_port d_port
  memory=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 * 3 / 4 ))
  ctld_port=$(free_port); d_port=$(free_port)
  [ "$ctld_port" != 0 ] && [ "$d_port" != 0 ] && [ "$ctld_port" != "$d_port" ] || fail "found no free TCP port for slurmctld/slurmd"
  cat >"$dir/slurm.conf" <<EOF
# Written by tests/slurm/loopback-cluster.sh: one node ($host, $cpus CPUs), every path inside $dir.
ClusterName=loopback
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
# A requeued job waits cred_expire seconds before it may start again (Slurm default 120).
AuthInfo=cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Scheduling passes every few seconds, so a requeued task starts soon after cred_expire.
SchedulerParameters=sched_interval=2,bf_interval=2
MpiDefault=none
ReturnToService=2
JobRequeue=1
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=loopback Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" -i >>"$dir/log/slurmctld.out" 2>&1 || fail "slurmctld did not start"
  slurmd -f "$SLURM_CONF" >>"$dir/log/slurmd.out" 2>&1 || fail "slurmd did not start"
  local state=""
  for _ in $(seq 150); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null | head -1)
    [ "$state" = idle ] && break
    sleep 0.2
  done
  [ "$state" = idle ] || fail "node $host is '${state:-unknown}' after 30 s, expected idle"
  echo "loopback Slurm cluster up: node $host, $cpus CPUs, SLURM_CONF=$SLURM_CONF"
}

case $action in
  start) start ;;
  stop) stop_daemons; echo "loopback Slurm cluster in $dir stopped" ;;
  *) usage ;;
esac
