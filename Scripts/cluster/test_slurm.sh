#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine (root, Debian): installs slurm-wlm and munge if missing,
# starts munged, slurmctld and slurmd with a generated one-node slurm.conf (this host, its cores, no
# cgroups), submits a 4-shard array of a small real evaluation with `longmem-eval cluster slurm --submit`,
# SIGKILLs one shard mid-way (its task requeues itself and resumes), waits for the merge-and-report job,
# and checks that the merged run equals an unsharded run of the same command, metric for metric and
# sample for sample. Everything lives in a temporary folder; the daemons are stopped at exit.
# Usage: Scripts/cluster/test_slurm.sh (make cluster-test). LONGMEM_EVAL_BIN picks the binary (default:
# the debug build, built if missing); KEEP=1 keeps the temporary folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
data="${LONGMEM_EVAL_DATA:-$(cd .. && pwd)/shared/datasets}"
started=$(date +%s)
say() { echo "test_slurm [$(($(date +%s) - started))s]: $*" >&2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
tool="${LONGMEM_EVAL_BIN:-}"
if [ -z "$tool" ]; then
    tool=.build/debug/longmem-eval
    [ -x "$tool" ] || { say "building longmem-eval (debug)"; swift build --product longmem-eval >/dev/null; }
fi
tool=$(realpath "$tool")

# A private folder for everything: munge key and socket, Slurm's state, logs, the runs. Plain characters
# only: it is named in #SBATCH lines.
work=$(mktemp -d /tmp/longmem-slurm-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ]; then
        for log in "$work"/slurm/slurmctld.log "$work"/slurm/slurmd.log "$work"/runs/cluster/logs/*.log; do
            [ -f "$log" ] && { echo "--- $log (last lines)" >&2; tail -n 15 "$log" >&2; }
        done
    fi
    [ "${KEEP:-0}" = 1 ] && say "kept $work" || rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

say "starting munged"
mkdir -p "$work/munge" && chmod 711 "$work/munge"
mungekey --create --keyfile "$work/munge/munge.key"
munged --foreground --force --key-file "$work/munge/munge.key" --socket "$work/munge/socket" \
    --pid-file "$work/munge/munged.pid" --seed-file "$work/munge/seed" --log-file "$work/munge/munged.log" \
    >>"$work/munge/munged.out" 2>&1 &
pids+=($!)

say "writing slurm.conf for $(hostname -s), $(nproc) CPUs"
mkdir -p "$work/slurm/state" "$work/slurm/spool"
export SLURM_CONF="$work/slurm/slurm.conf"
node=$(slurmd -C | head -n 1)   # NodeName=<host> CPUs=... as slurmd sees this machine
cat >"$SLURM_CONF" <<EOF
ClusterName=longmem-test
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
# A requeued job waits cred_expire seconds (default 120) before it may start again, and the scheduler
# looks every sched_interval seconds (default 60): short here so that the test takes a minute, not four.
AuthInfo=socket=$work/munge/socket,cred_expire=10
StateSaveLocation=$work/slurm/state
SlurmdSpoolDir=$work/slurm/spool
SlurmctldPidFile=$work/slurm/slurmctld.pid
SlurmdPidFile=$work/slurm/slurmd.pid
SlurmctldLogFile=$work/slurm/slurmctld.log
SlurmdLogFile=$work/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=1
MpiDefault=none
ReturnToService=2
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

# Wait until munge answers before the daemons need it.
for _ in $(seq 50); do munge -S "$work/munge/socket" -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
say "starting slurmctld and slurmd"
slurmctld -D -i -f "$SLURM_CONF" >>"$work/slurm/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >>"$work/slurm/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    state=$(sinfo -h -N -o %t 2>/dev/null | head -n 1)
    [ "$state" = idle ] && break
    sleep 0.2
done
[ "$state" = idle ] || { say "the node is not idle (state: ${state:-none})"; exit 1; }
say "node $(sinfo -h -N -o '%N %c CPUs %t')"

# The evaluation: the committed tiny LongMem model, ICL on SST-2 with 2,000 demonstrations in memory.
evaluation=(icl --model "$repo/Tests/Fixtures/longmem-text-tiny" --tokenizer "$data/gpt2_bpe" --data-dir "$data"
    --tasks sst2 --seeds 1 --shots 20 --limit 80 --method longmem --threads 1 --quiet)
run="$work/runs/cluster"

say "submitting 4 shards"
"$tool" cluster slurm --shards 4 --output "$run" --name longmem-test --time 10 --retries 2 --submit \
    -- "${evaluation[@]}" | tee "$work/submitted.txt" >&2
array=$(sed -n 's/^submitted: shards as job \([0-9]*\) .*/\1/p' "$work/submitted.txt")
merge=$(sed -n 's/.*merge and report as job \([0-9]*\) .*/\1/p' "$work/submitted.txt")
[ -n "$array" ] && [ -n "$merge" ] || { say "no job ids in the submission's output"; exit 1; }

# Kill shard 1 with SIGKILL once it has logged a few samples: its task requeues itself and the rerun
# resumes from its samples.jsonl. The pid is the one its run folder's lock names.
killed=""
samples="$run/shards/1/samples.jsonl"
for _ in $(seq 1200); do
    lines=$( [ -f "$samples" ] && wc -l <"$samples" || echo 0)
    if [ "$lines" -ge 4 ] && [ ! -f "$run/shards/1/results.json" ]; then
        pid=$(sed -n 's/^pid \([0-9]*\):.*/\1/p' "$run/shards/1/.lock")
        if [ -n "$pid" ]; then
            kill -KILL "$pid" && killed="$lines" && say "killed shard 1 (pid $pid) with $lines of its samples logged"
            break
        fi
    fi
    [ -f "$run/shards/1/results.json" ] && break
    sleep 0.05
done
[ -n "$killed" ] || { say "shard 1 finished before it could be killed"; exit 1; }

say "running the same evaluation unsharded, meanwhile"
"$tool" "${evaluation[@]}" --output "$work/runs/unsharded" >/dev/null

say "waiting for the merge-and-report job $merge"
for _ in $(seq 900); do
    [ -z "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ] && break
    sleep 1
done
[ -z "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ] || { say "jobs still queued after 15 minutes"; exit 1; }
# One line per job: the array's tasks, then the merge.
scontrol -o show job "$array" 2>/dev/null | sort -t= -k4 | sed -n \
    's/^JobId=\([0-9]*\) .*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*Restarts=\([0-9]*\) .*/  shard \2 (job \1): \3, restarts \4/p' >&2 || true
scontrol -o show job "$merge" 2>/dev/null | sed -n \
    's/^JobId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*Restarts=\([0-9]*\) .*/  merge and report (job \1): \2, restarts \3/p' >&2 || true
[ -f "$run/results.json" ] && [ -f "$run/report/report.md" ] || { say "no merged results or report"; exit 1; }
grep -q "failed (exit 137): requeued" "$run/logs/shard-1.log" || { say "shard 1 was not requeued"; exit 1; }
resumed=$(python3 -c 'import json,sys; print([n for n in json.load(open(sys.argv[1]))["notes"] if "resumed" in n][0])' \
    "$run/results.json")
say "merged notes: $resumed"

python3 Scripts/cluster/compare_runs.py "$run" "$work/runs/unsharded"
say "passed: 4 shards on Slurm, shard 1 SIGKILLed mid-way and requeued, merged = unsharded"
