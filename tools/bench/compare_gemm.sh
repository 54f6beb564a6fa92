#!/usr/bin/env bash
# Builds the CLI in Release and compares `lstmtext bench gemm` with numpy at the same sizes, on 1 and 2 threads.
# Usage: tools/bench/compare_gemm.sh [size] [repeat]      (defaults: 1024 10)
# Extra shapes: SHAPES="32,2048,512,nt 4096,2048,512,nt" tools/bench/compare_gemm.sh
set -euo pipefail

source "$(dirname "$0")/common.sh"
size="${1:-1024}"
repeat="${2:-10}"
shapes="${SHAPES:-$size,$size,$size,nn}"

printf '%-22s %-7s %12s %12s %9s\n' "m×n×k layout" threads "ours GF/s" "numpy GF/s" "ours/np"
for shape in $shapes; do
  IFS=, read -r m n k layout <<<"$shape"
  for threads in 1 2; do
    ours=$("$cli" bench gemm --m "$m" --n "$n" --k "$k" --transpose "$layout" --threads "$threads" --repeat "$repeat" --json)
    theirs=$("$python" "$root/tools/bench/gemm_numpy.py" --m "$m" --n "$n" --k "$k" --transpose "$layout" --threads "$threads" --repeat "$repeat" --json)
    ours_gflops=$(field gflops <<<"$ours")
    numpy_gflops=$(field gflops <<<"$theirs")
    ratio=$("$python" -c "print(f'{$ours_gflops / $numpy_gflops:.2f}')")
    printf '%-22s %-7s %12s %12s %9s\n' "${m}×${n}×${k} $layout" "$threads" "$ours_gflops" "$numpy_gflops" "$ratio"
  done
done
echo "ours: $(field instruction_set <<<"$ours")   numpy $(field numpy <<<"$theirs"): $(field instruction_set <<<"$theirs") ($(field blas <<<"$theirs"))"
