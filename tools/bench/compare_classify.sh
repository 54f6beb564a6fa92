#!/usr/bin/env bash
# Compares `lstmtext bench classify` with its PyTorch twin (tools/bench/classify_torch.py): rows/s on IMDb-length
# reviews, batched and one at a time, ours on 2 threads against PyTorch's best of 1 and 2 threads.
# Usage: tools/bench/compare_classify.sh [repeat]      (default 3)
set -euo pipefail
source "$(dirname "$0")/common.sh"
repeat="${1:-3}"
ours=$("$cli" bench classify --threads 2 --repeat "$repeat" --json)
torch_batch=0; torch_single=0
for n in 1 2; do
  theirs=$("$python" "$root/tools/bench/classify_torch.py" --threads "$n" --repeat "$repeat" --json)
  torch_batch=$("$python" -c "print(max($torch_batch, $(field batch_rows_per_second <<<"$theirs")))")
  torch_single=$("$python" -c "print(max($torch_single, $(field single_rows_per_second <<<"$theirs")))")
done
ours_batch=$(field batch_rows_per_second <<<"$ours"); ours_single=$(field single_rows_per_second <<<"$ours")
printf '%-8s %14s %16s %8s\n' mode "ours rows/s" "PyTorch rows/s" ratio
printf '%-8s %14.0f %16.0f %7.2fx\n' batched "$ours_batch" "$torch_batch" "$("$python" -c "print($ours_batch / $torch_batch)")"
printf '%-8s %14.0f %16.0f %7.2fx\n' single "$ours_single" "$torch_single" "$("$python" -c "print($ours_single / $torch_single)")"
