#!/usr/bin/env bash
# Compares `lstmtext bench lstm` / `bench train` with their PyTorch twin (tools/bench/lstm_torch.py) at the same
# sizes on 1 and 2 threads, and prints ours against PyTorch's best of 1 and 2 threads.
# Usage: tools/bench/compare_lstm.sh [repeat]      (default 5)
# Sizes: LAYER="512 512 32 128" (I H B T) and TRAIN="65 64 512 2 32 128" (V E H L B T) override the defaults.
set -euo pipefail
source "$(dirname "$0")/common.sh"
repeat="${1:-5}"
read -r li lh lb lt <<<"${LAYER:-512 512 32 128}"
read -r tv te th tl tb tt <<<"${TRAIN:-65 64 512 2 32 128}"

best_torch() {  # best seconds of PyTorch over 1 and 2 threads, and the thread count that gave it
  local best="" threads=""
  for n in 1 2; do
    s=$("$python" "$root/tools/bench/lstm_torch.py" "$@" --threads "$n" --repeat "$repeat" | field seconds_best)
    if [[ -z "$best" ]] || "$python" -c "import sys; sys.exit(0 if $s < $best else 1)"; then best=$s; threads=$n; fi
  done
  echo "$best $threads"
}

printf '%-40s %8s %14s %14s %10s\n' benchmark threads "ours s/step" "torch s/step" "speed-up"
run() {
  local name=$1; shift
  local torch_args=$1 ours_args=$2
  read -r torch_best torch_threads <<<"$(best_torch $torch_args)"
  for n in 1 2; do
    ours=$("$cli" bench $ours_args --threads "$n" --repeat "$repeat" --json | field seconds_best)
    printf '%-40s %8s %14.4f %14.4f %9.2fx\n' "$name" "$n" "$ours" "$torch_best" "$("$python" -c "print($torch_best / $ours)")"
  done
  echo "  (PyTorch's best was on $torch_threads thread(s))"
}
run "lstm layer I=$li H=$lh B=$lb T=$lt" "layer --input $li --hidden $lh --batch $lb --steps $lt" \
    "lstm --input $li --hidden $lh --batch $lb --steps $lt"
run "train V=$tv E=$te H=$th L=$tl B=$tb T=$tt Adam" \
    "train --vocab $tv --embedding $te --hidden $th --layers $tl --batch $tb --steps $tt" \
    "train --vocab $tv --embedding $te --hidden $th --layers $tl --batch $tb --steps $tt"
echo "torch $("$python" -c 'import torch; print(torch.__version__)'), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"
