#!/usr/bin/python3
"""The numpy twin of `lstmtext bench gemm`: same sizes, same options, same JSON.

Run with Debian's interpreter (/usr/bin/python3) so numpy uses the system BLAS:
    /usr/bin/python3 tools/bench/gemm_numpy.py --size 1024 --threads 2 --json
"""
import argparse
import json
import os
import sys


def parse_arguments():
    parser = argparse.ArgumentParser(description="Time C = A·B (float32) with numpy and report GFLOP/s.")
    parser.add_argument("--size", type=int, default=1024, help="m = n = k unless --m, --n or --k say otherwise")
    parser.add_argument("--m", type=int)
    parser.add_argument("--n", type=int)
    parser.add_argument("--k", type=int)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--transpose", choices=["nn", "nt", "tn", "tt"], default="nn")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


arguments = parse_arguments()
# BLAS libraries read their thread count once, when numpy loads them.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[variable] = str(arguments.threads)

import time  # noqa: E402

import numpy  # noqa: E402


def blas_library():
    """The shared library numpy's BLAS resolves to (Debian switches it with update-alternatives)."""
    for candidate in ("/etc/alternatives/libblas.so.3-x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/libblas.so.3"):
        if os.path.exists(candidate):
            return os.path.realpath(candidate)
    return "unknown"


def blas_kernel(library):
    """OpenBLAS's name for the kernel it picked for this CPU (it falls back to old ones for CPUs it predates)."""
    try:
        import ctypes
        corename = ctypes.CDLL(library).openblas_get_corename
        corename.restype = ctypes.c_char_p
        return "openblas " + corename().decode()
    except (OSError, AttributeError):
        return os.path.basename(library)


def measure(m, n, k, layout, repeat):
    random = numpy.random.default_rng(1)
    # Stored shapes follow BLAS: a transposed operand is stored with its dimensions swapped and used through .T.
    a = (random.random((k, m) if layout[0] == "t" else (m, k), dtype=numpy.float32) - 0.5)
    b = (random.random((n, k) if layout[1] == "t" else (k, n), dtype=numpy.float32) - 0.5)
    a_operand = a.T if layout[0] == "t" else a
    b_operand = b.T if layout[1] == "t" else b
    c = numpy.empty((m, n), dtype=numpy.float32)

    def multiply():
        numpy.matmul(a_operand, b_operand, out=c)

    warm_up_end = time.perf_counter() + 0.5
    multiply()
    while time.perf_counter() < warm_up_end:
        multiply()

    best = float("inf")
    for _ in range(repeat):
        calls = 1
        while True:
            start = time.perf_counter()
            for _ in range(calls):
                multiply()
            seconds = time.perf_counter() - start
            if seconds >= 0.02:
                break
            calls *= 2
        best = min(best, seconds / calls)
    return best


def main():
    m = arguments.m or arguments.size
    n = arguments.n or arguments.size
    k = arguments.k or arguments.size
    seconds = measure(m, n, k, arguments.transpose, max(1, arguments.repeat))
    gflops = 2.0 * m * n * k / seconds / 1e9
    result = {
        "implementation": "numpy",
        "m": m,
        "n": n,
        "k": k,
        "transpose": arguments.transpose,
        "threads": arguments.threads,
        "instruction_set": blas_kernel(blas_library()),
        "numpy": numpy.__version__,
        "blas": blas_library(),
        "seconds_best": seconds,
        "gflops": round(gflops, 2),
    }
    if arguments.json:
        print(json.dumps(result))
    else:
        print(f"numpy {m}x{n}x{k} {arguments.transpose} threads={arguments.threads}: "
              f"{seconds * 1e3:.3f} ms, {gflops:.1f} GFLOP/s ({result['blas']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
