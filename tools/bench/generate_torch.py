#!/usr/bin/python3
"""PyTorch twin of `lstmtext bench generate` (and of the TorchSharp anchor's `generate --cell 1`): batch-1 sampling
from a character language model, one LSTMCell per layer, softmax and a multinomial draw per token; the same JSON.

  /usr/bin/python3 tools/bench/generate_torch.py --threads 1 --tokens 2000
  /usr/bin/python3 tools/bench/generate_torch.py --threads 1 --int8     # torch.ao.quantization.quantize_dynamic
"""
import argparse
import json
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab", type=int, default=69)
    p.add_argument("--embedding", type=int, default=64)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--tokens", type=int, default=2000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--int8", action="store_true", help="dynamic int8 quantization of the LSTM cells and the decoder")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = torch.nn.Module()
    model.embedding = torch.nn.Embedding(a.vocab, a.embedding)
    model.cells = torch.nn.ModuleList(torch.nn.LSTMCell(a.embedding if l == 0 else a.hidden, a.hidden) for l in range(a.layers))
    model.decoder = torch.nn.Linear(a.hidden, a.vocab)
    model.eval()
    if a.int8:
        if "fbgemm" not in torch.backends.quantized.supported_engines:
            torch.backends.quantized.engine = "onednn" if "onednn" in torch.backends.quantized.supported_engines else "qnnpack"
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.LSTMCell, torch.nn.Linear}, dtype=torch.qint8)
    gen = torch.Generator().manual_seed(1)

    def run(n):
        with torch.no_grad():
            hs = [torch.zeros(1, a.hidden) for _ in range(a.layers)]
            cs = [torch.zeros(1, a.hidden) for _ in range(a.layers)]
            token = torch.zeros(1, dtype=torch.long)
            for _ in range(n):
                x = model.embedding(token)
                for l, cell in enumerate(model.cells):
                    hs[l], cs[l] = cell(x, (hs[l], cs[l]))
                    x = hs[l]
                probs = torch.softmax(model.decoder(x).reshape(-1), 0)
                token = torch.multinomial(probs, 1, generator=gen)

    run(200)
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        run(a.tokens)
        times.append(time.perf_counter() - t0)
    times.sort()
    result = {"engine": f"pytorch {torch.__version__}" + (f" int8 ({torch.backends.quantized.engine})" if a.int8 else ""),
              "mode": "generate-lstmcell" + ("-int8" if a.int8 else ""), "threads": a.threads, "tokens": a.tokens,
              "seconds_best": times[0], "seconds_median": times[len(times) // 2], "tokens_per_second": a.tokens / times[0],
              "tokens_per_second_median": a.tokens / times[len(times) // 2]}
    print(json.dumps(result) if a.json else result)


if __name__ == "__main__":
    main()
