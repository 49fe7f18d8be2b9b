#!/usr/bin/env bash
# Runs the PyTorch peer (../shared/peers/torch_bert.py bench) and `finetune4j bench` on the same work, back to
# back on this machine, and prints one JSON line per run plus the ratios (ours / peer; > 1 means we are faster).
#
#   bench/compare.sh                      # all three cases
#   bench/compare.sh all-MiniLM-L6-v2     # one case
#   RUNS=3 bench/compare.sh               # three runs of every case, then each case's median ratio
#   bench/compare.sh epoch [MODEL]        # one real-data training epoch: imdb_2k_train at max length 512
#                                         # (ours: length-bucketed batches; the peer pads each random batch)
#
# Needs the peer's set-up: apt-get install -y python3-torch libopenblas0-pthread (see ../shared/peers/README.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="${PEERS:-$ROOT/../shared/peers}"
CACHE="${FINETUNE4J_CACHE:-$HOME/.cache/finetune4j/models}"
NPY="${NPY:-$HOME/.cache/finetune4j/peer-npy}"
OUT="${OUT:-$ROOT/bench/out}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
RUNS="${RUNS:-1}"
mkdir -p "$OUT" "$NPY"
[ -f "$PEERS/torch_bert.py" ] || { echo "compare.sh: no peer at $PEERS" >&2; exit 2; }
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "compare.sh: python3-torch missing (apt-get install -y python3-torch libopenblas0-pthread)" >&2; exit 2; }

DATA="${DATA:-$ROOT/../shared/data}"

epoch() {   # one epoch of imdb_2k_train.jsonl at max length 512, batch 16, the peer's head and optimiser settings
  local model=${1:-all-MiniLM-L6-v2}
  export_npy "$model"
  "$ROOT/finetune4j" train --model "$model" --train-data "$DATA/imdb_2k_train.jsonl" \
    --test-data "$DATA/imdb_1k_test.jsonl" --test-limit 32 --max-length 512 --batch-size 16 --learning-rate 5e-5 \
    --epochs 1 --seed 42 --pooling cls --head-hidden 384 --activation tanh --dropout 0.1 --schedule constant \
    --weight-decay 0.01 --max-grad-norm 0 --bucket-by-length --progress none --output "$OUT/epoch-$model" --force >/dev/null
  local ours peer
  ours=$(/usr/bin/python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(json.dumps({'impl':'finetune4j','model':sys.argv[2],'train_seconds':m['train_seconds'],'train_samples_per_s':m['train_samples_per_second']}))" "$OUT/epoch-$model/metrics.json" "$model")
  peer=$(/usr/bin/python3 "$PEERS/torch_bert.py" finetune "$NPY/$model" "$DATA/imdb_2k_train.jsonl" \
    --test-file "$DATA/imdb_1k_test.jsonl" --train 2000 --test 32 --seq 512 --batch 16 --lr 5e-5 --seed 42 | tail -1)
  echo "$ours" | tee -a "$OUT/ours-epoch.jsonl"
  echo "$peer" | tee -a "$OUT/peer-epoch.jsonl"
  OURS="$ours" PEER="$peer" /usr/bin/python3 -c "import json,os; o,p=json.loads(os.environ['OURS']),json.loads(os.environ['PEER']); print(json.dumps({'model':o['model'],'case':'imdb_2k epoch, max length 512','train_ratio':round(o['train_samples_per_s']/p['train_samples_per_s'],2)}))"
}

all_cases=("all-MiniLM-L6-v2 16 128" "bge-small-en-v1.5 16 128" "bert-base-uncased 8 128")
cases=()
for c in "${all_cases[@]}"; do
  if [ $# -eq 0 ]; then cases+=("$c"); else for want in "$@"; do [ "${c%% *}" = "$want" ] && cases+=("$c"); done; fi
done

export_npy() {   # the peer reads a folder of .npy tensors made from the same files we load
  local model=$1 dir="$NPY/$1"
  [ -f "$dir/config.json" ] && return
  case $model in
    all-MiniLM-L6-v2|bge-small-en-v1.5|e5-small-v2)
      local onnx tok
      onnx=$(find "$CACHE" -iname "${model}.onnx" | head -1)
      tok="${onnx%.onnx}-tokenizer.json"
      /usr/bin/python3 "$PEERS/export_bert_npy.py" onnx "$onnx" "$tok" "$dir" >/dev/null ;;
    bert-base-uncased)
      local sm
      sm=$(dirname "$(dirname "$(find "$CACHE" -path '*bert-uncased-L-12-H-768-A-12*' -name variables.index | head -1)")")
      /usr/bin/python3 "$PEERS/export_bert_npy.py" tf "$sm" "$dir" >/dev/null ;;
  esac
}

if [ "${1:-}" = "epoch" ]; then
  epoch "${2:-}"
  exit 0
fi

ratios="$(mktemp)"
trap 'rm -f "$ratios"' EXIT
for run in $(seq 1 "$RUNS"); do
for c in "${cases[@]}"; do
  read -r model batch seq <<<"$c"
  ours=$("$ROOT/finetune4j" bench --model "$model" --batch-size "$batch" --max-length "$seq" | tail -1)
  export_npy "$model"
  peer=$(/usr/bin/python3 "$PEERS/torch_bert.py" bench "$NPY/$model" --batch "$batch" --seq "$seq" | tail -1)
  peer_rss=$(/usr/bin/time -f '%M' /usr/bin/python3 "$PEERS/torch_bert.py" bench "$NPY/$model" --batch "$batch" --seq "$seq" 2>&1 >/dev/null | tail -1)
  echo "$ours" | tee -a "$OUT/ours.jsonl"
  echo "$peer" | tee -a "$OUT/peer.jsonl"
  OURS="$ours" PEER="$peer" PEER_RSS="$peer_rss" MODEL="$model" /usr/bin/python3 - <<'PY' | tee -a "$ratios"
import json, os
o, p = json.loads(os.environ['OURS']), json.loads(os.environ['PEER'])
print(json.dumps({'model': os.environ['MODEL'], 'batch': o['batch'], 'seq': o['seq'],
                  'train_ratio': round(o['train_samples_per_s'] / p['train_samples_per_s'], 2),
                  'infer_ratio': round(o['infer_samples_per_s'] / p['infer_samples_per_s'], 2),
                  'ours_peak_rss_mb': o['peak_rss_mb'], 'peer_peak_rss_mb': round(int(os.environ['PEER_RSS']) / 1024),
                  'ours_train_gflops_per_s': o['train_gflops_per_s']}))
PY
done
done
if [ "$RUNS" -gt 1 ]; then   # one summary line per case: the median ratio over the runs, and every run's ratio
  /usr/bin/python3 - "$ratios" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs.setdefault(r['model'], []).append(r)
for model, rs in runs.items():
    print(json.dumps({'model': model, 'runs': len(rs),
                      'train_ratio_median': statistics.median(r['train_ratio'] for r in rs),
                      'infer_ratio_median': statistics.median(r['infer_ratio'] for r in rs),
                      'train_ratios': [r['train_ratio'] for r in rs], 'infer_ratios': [r['infer_ratio'] for r in rs]}))
PY
fi
