# Shared set-up of the compare_*.sh scripts: sourced, not run.
# Sets $root, $cli (the Release-built lstmtext) and $python (Debian's, with numpy and torch), and field().
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python=/usr/bin/python3

# OpenBLAS 0.3.21 (Debian 12) does not know CPUs newer than Sapphire Rapids and falls back to its SSE3
# "Prescott" kernel, a quarter of its real speed; an inherited OPENBLAS_CORETYPE=Haswell (this machine's shell sets
# it) gives its AVX2 kernel, half of it. Compare against its AVX-512 kernel, the fastest it has here (1024^3 on one
# thread: SkylakeX 184 GFLOP/s, Haswell 97), unless LSTMTEXT_KEEP_OPENBLAS_CORETYPE=1 keeps the inherited one.
# numpy and Debian's PyTorch both call BLAS through libblas.so.3: without `apt-get install libopenblas0-pthread`
# that is the reference BLAS (about 6 GFLOP/s), and every PyTorch figure measures it instead.
if grep -q avx512f /proc/cpuinfo && [[ -z "${OPENBLAS_CORETYPE:-}" || "${LSTMTEXT_KEEP_OPENBLAS_CORETYPE:-}" != 1 ]]; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
if [[ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]]; then
  echo "note: OpenBLAS is not installed (apt-get install libopenblas0-pthread): numpy and PyTorch run on the reference BLAS" >&2
fi

dotnet build "$root/src/LstmText.Cli" -c Release -v quiet -nologo >/dev/null
cli="$root/src/LstmText.Cli/bin/Release/net10.0/LstmText.Cli"

# field NAME: one field of the JSON object on standard input.
field() { "$python" -c "import json,sys; print(json.loads(sys.stdin.read())['$1'])"; }
