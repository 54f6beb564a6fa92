# Shared set-up of the compare_*.sh scripts: sourced, not run.
# Sets $root, $cli (the Release-built lstmtext) and $python (Debian's, with numpy and torch), and field().
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python=/usr/bin/python3

# OpenBLAS 0.3.21 (Debian 12) does not know CPUs newer than Sapphire Rapids and falls back to its SSE3
# "Prescott" kernel, a quarter of its real speed. Compare against its AVX-512 kernel unless told otherwise.
# (numpy and Debian's PyTorch both call OpenBLAS through libblas.so.3: apt-get install libopenblas0-pthread.)
if [[ -z "${OPENBLAS_CORETYPE:-}" ]] && grep -q avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=SkylakeX
fi

dotnet build "$root/src/LstmText.Cli" -c Release -v quiet -nologo >/dev/null
cli="$root/src/LstmText.Cli/bin/Release/net10.0/LstmText.Cli"

# field NAME: one field of the JSON object on standard input.
field() { "$python" -c "import json,sys; print(json.loads(sys.stdin.read())['$1'])"; }
