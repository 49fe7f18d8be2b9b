#!/usr/bin/env bash
# A grid run sequentially (one process, OMP_NUM_THREADS = all N cores, one trial after another) against the same
# grid on Spark (--spark local[N]: N trials at once, one native thread each, each in its own JVM). Prints one JSON
# line per run (wall seconds of each, their ratio sequential / spark: above 1 means Spark is faster, the 1-minute
# load average before and after, the mean train_seconds per trial) and, for RUNS > 1, the median ratio.
#
#   bench/spark-grid.sh                                   # experiments/quickstart.yaml, N = nproc
#   RUNS=3 bench/spark-grid.sh                            # three rounds (the order alternates), then the median
#   FILE=experiments/imdb-fraction-small.yaml N=4 bench/spark-grid.sh
#
# Outputs go to bench/out/spark-grid/ (not committed); copy the numbers into bench/RESULTS.md by hand.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILE="${FILE:-$ROOT/experiments/quickstart.yaml}"
N="${N:-$(nproc)}"
RUNS="${RUNS:-1}"
OUT="${OUT:-$ROOT/bench/out/spark-grid}"
mkdir -p "$OUT"

# Build both class paths first (a dry run starts no Spark), so that no timed run pays for a build.
"$ROOT/finetune4j" run --dry-run "$FILE" >/dev/null
"$ROOT/finetune4j" run --dry-run "$FILE" --spark "local[$N]" >/dev/null

load() { cut -d' ' -f1 /proc/loadavg; }
mean_train() {   # mean train_seconds of a run's results.jsonl
  /usr/bin/python3 -c "import json,sys; v=[json.loads(l)['train_seconds'] for l in open(sys.argv[1]) if l.strip()]; print(round(sum(v)/len(v),1))" "$1/results.jsonl"
}
timed() {        # timed NAME ARGS...: runs ./finetune4j, prints the wall seconds
  local name=$1; shift
  rm -rf "${OUT:?}/$name"
  local t0 t1
  t0=$(date +%s.%N)
  "$ROOT/finetune4j" run "$FILE" --output "$OUT/$name" --progress none "$@" >"$OUT/$name.log" 2>&1 \
    || { echo "spark-grid.sh: run $name failed, see $OUT/$name.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  /usr/bin/python3 -c "print(round($t1 - $t0, 1))"
}

ratios=()
for r in $(seq 1 "$RUNS"); do
  l0=$(load)
  if [ $((r % 2)) -eq 1 ]; then
    seq_s=$(OMP_NUM_THREADS=$N timed "seq-$r")
    spark_s=$(timed "spark-$r" --spark "local[$N]")
  else
    spark_s=$(timed "spark-$r" --spark "local[$N]")
    seq_s=$(OMP_NUM_THREADS=$N timed "seq-$r")
  fi
  l1=$(load)
  ratio=$(/usr/bin/python3 -c "print(round($seq_s / $spark_s, 2))")
  ratios+=("$ratio")
  echo "{\"run\": $r, \"file\": \"$(basename "$FILE")\", \"cores\": $N, \"sequential_s\": $seq_s, \"spark_s\": $spark_s, \"ratio\": $ratio, \"load_before\": $l0, \"load_after\": $l1, \"train_s_sequential\": $(mean_train "$OUT/seq-$r"), \"train_s_spark\": $(mean_train "$OUT/spark-$r")}" | tee -a "$OUT/runs.jsonl"
done
if [ "$RUNS" -gt 1 ]; then
  /usr/bin/python3 -c "import statistics,sys; r=[float(x) for x in sys.argv[1:]]; print('{\"median_ratio\": %s, \"min\": %s, \"max\": %s}' % (statistics.median(r), min(r), max(r)))" "${ratios[@]}"
fi
