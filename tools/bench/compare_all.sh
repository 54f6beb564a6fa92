#!/usr/bin/env bash
# One comparison of every `lstmtext bench` workload with its twins: the TorchSharp anchor (LibTorch 2.10: MKL, oneDNN)
# and Debian's PyTorch 1.13 (OpenBLAS), run interleaved (A B C in odd rounds, C B A in even ones) so that all three
# meet the same machine noise, then the median of the per-round throughput ratios with their min-max.
# Also int8 inference: ours int8 ÷ ours float (same rounds), and PyTorch's quantize_dynamic for reference.
#
# Usage: tools/bench/compare_all.sh [--rounds N] [--threads 1|2] [--quick] [--only "gemm train layer generate classify int8"]
#                                   [--engines "ours libtorch pytorch"] [--anchor DIR] [--log FILE]
#   --rounds N   interleaved rounds (default 5; the issue's bar is ≥ 5 on a quiet machine)
#   --threads T  threads given to every engine (default 1)
#   --quick      short runs (fewer repeats, tokens and rows): a smoke test of the script, not numbers to publish
#   --only LIST  workloads to run (default all)
#   --engines LIST  engines to run (default all three; PyTorch 1.13 takes about half of a round's time here, so
#                "ours libtorch" gives more rounds in the same time; int8 always runs ours int8 and ours float)
#   --anchor DIR the TorchSharp anchor project (default ../anchor-torchsharp next to the repository, else
#                /work/anchor-torchsharp); copy it from ../shared/anchors/torchsharp and build it once
#                (`dotnet build -c Release DIR`, which also runs its weaken_version.py). Without it, its column is "-".
#   --log FILE   every raw JSON line, one per run (default: a temporary file, named at the end)
#   --summarize FILE  run nothing: print the table of an earlier --log (also of an interrupted run)
# Prints one table: per workload the median throughput of each engine and the ratios ours ÷ LibTorch and
# ours ÷ PyTorch (median, min-max over rounds). Throughput is the best-of-repeats figure each engine reports.
set -euo pipefail

rounds=5; threads=1; quick=0; only="gemm train layer generate classify int8"; log=""; summarize=""; engines="ours libtorch pytorch"
anchor=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --only) only="$2"; shift 2 ;;
    --engines) engines="$2"; shift 2 ;;
    --anchor) anchor="$2"; shift 2 ;;
    --log) log="$2"; shift 2 ;;
    --summarize) summarize="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "compare_all.sh: unknown option $1" >&2; echo "see: tools/bench/compare_all.sh --help" >&2; exit 2 ;;
  esac
done
if [[ -z "$summarize" ]]; then
source "$(dirname "$0")/common.sh"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "compare_all.sh: --rounds must be a positive whole number, not '$rounds'" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "compare_all.sh: --threads must be a positive whole number, not '$threads'" >&2; exit 2; }

if [[ -z "$anchor" ]]; then
  for candidate in "$root/../anchor-torchsharp" /work/anchor-torchsharp; do
    [[ -f "$candidate/TorchSharpAnchor.csproj" ]] && { anchor="$candidate"; break; }
  done
fi
anchor_dll=""
if [[ -n "$anchor" && -f "$anchor/bin/Release/net10.0/TorchSharpAnchor.dll" ]]; then
  anchor_dll="$anchor/bin/Release/net10.0/TorchSharpAnchor.dll"
else
  echo "note: no built TorchSharp anchor found (--anchor DIR); its column stays empty" >&2
fi
[[ -n "$log" ]] || log=$(mktemp /tmp/compare_all.XXXXXX.jsonl)
: >"$log"

if [[ $quick == 1 ]]; then
  repeat=2; tokens=400; rows=128; single=16; crepeat=1
else
  repeat=5; tokens=2000; rows=512; single=64; crepeat=3
fi
bench=(--threads "$threads" --json)

# run WORKLOAD ENGINE COMMAND...: runs one engine once and appends {"workload", "engine", "round", "result"} to the log.
run() {
  local workload=$1 engine=$2; shift 2
  local out
  if ! out=$("$@" 2>/dev/null | tail -n 1) || [[ "$out" != \{* ]]; then
    echo "warning: $workload/$engine failed in round $round: $*" >&2
    return 0
  fi
  printf '{"workload":"%s","engine":"%s","round":%d,"result":%s}\n' "$workload" "$engine" "$round" "$out" >>"$log"
}

# engines of one workload, in a round's order
# gemm: SGEMM 1024^3, the independent check of each engine's BLAS (ours, MKL inside LibTorch, OpenBLAS under numpy/PyTorch)
ours_gemm()      { run gemm ours "$cli" bench gemm "${bench[@]}"; }
anchor_gemm()    { [[ -z $anchor_dll ]] || run gemm libtorch dotnet "$anchor_dll" gemm --threads "$threads"; }
torch_gemm()     { run gemm pytorch "$python" "$root/tools/bench/gemm_numpy.py" --threads "$threads" --json; }
ours_train()     { run train ours "$cli" bench train --repeat "$repeat" "${bench[@]}"; }
anchor_train()   { [[ -z $anchor_dll ]] || run train libtorch dotnet "$anchor_dll" train --threads "$threads" --repeat "$repeat"; }
torch_train()    { run train pytorch "$python" "$root/tools/bench/lstm_torch.py" train --threads "$threads" --repeat "$repeat"; }
ours_layer()     { run layer ours "$cli" bench lstm --repeat "$repeat" "${bench[@]}"; }
anchor_layer()   { [[ -z $anchor_dll ]] || run layer libtorch dotnet "$anchor_dll" layer --threads "$threads" --repeat "$repeat"; }
torch_layer()    { run layer pytorch "$python" "$root/tools/bench/lstm_torch.py" layer --threads "$threads" --repeat "$repeat"; }
ours_generate()  { run generate ours "$cli" bench generate --tokens "$tokens" "${bench[@]}"; }
anchor_generate(){ [[ -z $anchor_dll ]] || run generate libtorch dotnet "$anchor_dll" generate --threads "$threads" --tokens "$tokens" --cell 1; }
torch_generate() { run generate pytorch "$python" "$root/tools/bench/generate_torch.py" --tokens "$tokens" --threads "$threads" --json; }
ours_classify()  { run classify ours "$cli" bench classify --rows "$rows" --single-rows "$single" --repeat "$crepeat" "${bench[@]}"; }
anchor_classify(){ [[ -z $anchor_dll ]] || run classify libtorch dotnet "$anchor_dll" classify --threads "$threads" --rows "$rows" --single-rows "$single" --repeat "$crepeat"; }
torch_classify() { run classify pytorch "$python" "$root/tools/bench/classify_torch.py" --rows "$rows" --single-rows "$single" --repeat "$crepeat" --threads "$threads" --json; }
# int8: ours float, ours int8 and PyTorch's quantize_dynamic, for generation and batched/single classification
ours_int8()      { run generate-int8 ours "$cli" bench generate --int8 --tokens "$tokens" "${bench[@]}"
                   run classify-int8 ours "$cli" bench classify --int8 --rows "$rows" --single-rows "$single" --repeat "$crepeat" "${bench[@]}"; }
anchor_int8()    { run generate-int8 float "$cli" bench generate --tokens "$tokens" "${bench[@]}"
                   run classify-int8 float "$cli" bench classify --rows "$rows" --single-rows "$single" --repeat "$crepeat" "${bench[@]}"; }
torch_int8()     { run generate-int8 pytorch "$python" "$root/tools/bench/generate_torch.py" --int8 --tokens "$tokens" --threads "$threads" --json
                   # PyTorch 1.13's int8 LSTM here runs on onednn (Debian builds no fbgemm) at ~1/20 of its float speed: a
                   # quarter of the rows, one timed pass, keeps a round short (rows/s does not depend on the row count)
                   run classify-int8 pytorch "$python" "$root/tools/bench/classify_torch.py" --int8 --rows $((rows / 4)) --single-rows $((single / 4)) --repeat 1 --threads "$threads" --json; }

echo "compare_all: $rounds round(s), $threads thread(s)$([[ $quick == 1 ]] && echo ', quick'); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((round = 1; round <= rounds; round++)); do
  for workload in $only; do
    if (( round % 2 == 1 )); then order="ours anchor torch"; else order="torch anchor ours"; fi
    for engine in $order; do
      case "$engine/$workload" in
        anchor/int8) wanted=ours ;;   # the int8 comparison's second engine is ours in float
        anchor/*) wanted=libtorch ;;
        torch/*) wanted=pytorch ;;
        *) wanted=ours ;;
      esac
      if [[ " $engines " == *" $wanted "* ]]; then "${engine}_${workload}"; fi
    done
  done
  echo "  round $round done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
else
  python=/usr/bin/python3; log="$summarize"
  [[ -f "$log" ]] || { echo "compare_all.sh: --summarize: no file $log" >&2; exit 2; }
fi

"$python" - "$log" "$threads" <<'PY'
import json, statistics, sys
log, threads = sys.argv[1], sys.argv[2]
runs = [json.loads(line) for line in open(log)]
threads = ", ".join(sorted({str(r["result"].get("threads", "?")) for r in runs})) or threads  # as the engines report it
# (workload, figure) -> per engine -> {round: value}
figures = {"gemm": ["gflops"], "train": ["tokens_per_second"], "layer": ["tokens_per_second"], "generate": ["tokens_per_second"],
           "classify": ["batch_rows_per_second", "single_rows_per_second"],
           "generate-int8": ["tokens_per_second"], "classify-int8": ["batch_rows_per_second", "single_rows_per_second"]}
table = {}
for r in runs:
    for figure in figures.get(r["workload"], []):
        table.setdefault((r["workload"], figure), {}).setdefault(r["engine"], {})[r["round"]] = r["result"][figure]

def ratio(values, a, b):
    ra = [values[a][k] / values[b][k] for k in values.get(a, {}) if k in values.get(b, {})]
    if not ra:
        return "-"
    return f"{statistics.median(ra):.2f} ({min(ra):.2f}-{max(ra):.2f}, n={len(ra)})"

def med(values, engine):
    v = list(values.get(engine, {}).values())
    return f"{statistics.median(v):.1f}" if v else "-"

print(f"threads: {threads}; throughput = the best-of-repeats figure of each run; ratios are per-round, median (min-max)")
print(f"{'workload':<26} {'ours':>10} {'libtorch':>10} {'pytorch':>10}  {'ours/libtorch':<26} {'ours/pytorch':<26}")
for (workload, figure), values in table.items():
    if workload.endswith("int8"):
        continue
    name = workload + ("" if len(figures[workload]) == 1 else "/" + figure.split("_")[0])
    print(f"{name:<26} {med(values, 'ours'):>10} {med(values, 'libtorch'):>10} {med(values, 'pytorch'):>10}  "
          f"{ratio(values, 'ours', 'libtorch'):<26} {ratio(values, 'ours', 'pytorch'):<26}")
share = [r["result"]["share_of_sgemm"] for r in runs if r["workload"] == "train" and r["engine"] == "ours" and "share_of_sgemm" in r["result"]]
if share:
    sgemm = [r["result"]["sgemm_gflops"] for r in runs if r["workload"] == "train" and r["engine"] == "ours" and "sgemm_gflops" in r["result"]]
    print(f"ours: training step at {statistics.median(share):.0%} of our SGEMM 1024^3 rate ({min(share):.0%}-{max(share):.0%}, n={len(share)}; "
          f"SGEMM median {statistics.median(sgemm):.1f} GFLOP/s)")
int8 = [(k, v) for k, v in table.items() if k[0].endswith("int8")]
if int8:
    print()
    print(f"{'int8 workload':<26} {'ours int8':>10} {'ours f32':>10} {'pt int8':>10}  {'int8/float':<26} {'ours int8/pt int8':<26}")
    for (workload, figure), values in int8:
        name = workload + ("" if len(figures[workload]) == 1 else "/" + figure.split("_")[0])
        print(f"{name:<26} {med(values, 'ours'):>10} {med(values, 'float'):>10} {med(values, 'pytorch'):>10}  "
              f"{ratio(values, 'ours', 'float'):<26} {ratio(values, 'ours', 'pytorch'):<26}")
PY
[[ -n "$summarize" ]] || echo "raw results: $log (torch $("$python" -c 'import torch; print(torch.__version__)'), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto})" >&2
