#!/usr/bin/env bash
# Do two threads ever lose to one? Runs each `lstmtext bench` workload at several sizes with --threads 1 and
# --threads 2, interleaved (1 2 in odd rounds, 2 1 in even ones), and prints per configuration the median of the
# per-round ratios throughput(2 threads) / throughput(1 thread) with their min-max. Issue 12, item 2: on a quiet
# machine no ratio should be below 1 (the backend keeps a product on one thread when it is too small to split).
#
# Usage: tools/bench/threads_sweep.sh [--rounds N] [--quick]
set -euo pipefail
rounds=3; quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "threads_sweep.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
source "$(dirname "$0")/common.sh"
tokens=1000; repeat=3; rows=256
[[ $quick == 1 ]] && { tokens=200; repeat=1; rows=32; }

# name|figure|arguments of `lstmtext bench`
configs=(
  "generate 1x128|tokens_per_second|generate --hidden 128 --layers 1 --tokens $tokens --repeat $repeat"
  "generate 2x256|tokens_per_second|generate --hidden 256 --tokens $tokens --repeat $repeat"
  "generate 2x512|tokens_per_second|generate --hidden 512 --tokens $tokens --repeat $repeat"
  "generate 2x1024|tokens_per_second|generate --hidden 1024 --tokens $((tokens / 4)) --repeat $repeat"
  "layer B1 H256|tokens_per_second|lstm --input 256 --hidden 256 --batch-size 1 --sequence-length 128 --repeat $repeat"
  "layer B8 H512|tokens_per_second|lstm --input 512 --hidden 512 --batch-size 8 --sequence-length 64 --repeat $repeat"
  "layer B32 H512|tokens_per_second|lstm --repeat $repeat"
  "train 1x128 B16|tokens_per_second|train --hidden 128 --layers 1 --batch-size 16 --sequence-length 64 --repeat $repeat"
  "train 2x512 B32|tokens_per_second|train --repeat $repeat"
  "classify H64 batch|batch_rows_per_second|classify --hidden 64 --embedding 50 --rows $rows --single-rows 8 --repeat 1"
  "classify H128 batch|batch_rows_per_second|classify --rows $rows --single-rows 8 --repeat 1"
  "classify H128 single|single_rows_per_second|classify --rows 32 --single-rows $((rows / 4)) --repeat 1"
)
log=$(mktemp /tmp/threads_sweep.XXXXXX.jsonl)
echo "threads_sweep: $rounds round(s); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((round = 1; round <= rounds; round++)); do
  for config in "${configs[@]}"; do
    IFS='|' read -r name figure arguments <<<"$config"
    if (( round % 2 == 1 )); then order="1 2"; else order="2 1"; fi
    for t in $order; do
      # shellcheck disable=SC2086
      value=$("$cli" bench $arguments --threads "$t" --json 2>/dev/null | tail -n 1 | field "$figure")
      printf '{"config":"%s","threads":%d,"round":%d,"value":%s}\n' "$name" "$t" "$round" "$value" >>"$log"
    done
  done
  echo "  round $round done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
"$python" - "$log" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
order, values = [], {}
for r in runs:
    if r["config"] not in values: order.append(r["config"])
    values.setdefault(r["config"], {}).setdefault(r["round"], {})[r["threads"]] = r["value"]
print(f"{'workload':<22} {'1 thread':>10} {'2 threads':>10}  2 threads / 1 (median, min-max)")
for name in order:
    rounds = values[name]
    ratios = [v[2] / v[1] for v in rounds.values() if 1 in v and 2 in v]
    one = statistics.median(v[1] for v in rounds.values() if 1 in v)
    two = statistics.median(v[2] for v in rounds.values() if 2 in v)
    print(f"{name:<22} {one:>10.1f} {two:>10.1f}  {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}, n={len(ratios)})")
PY
echo "raw results: $log" >&2
