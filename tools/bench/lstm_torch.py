#!/usr/bin/python3
"""PyTorch twin of `lstmtext bench lstm`: the same sizes, the same JSON.

  /usr/bin/python3 tools/bench/lstm_torch.py layer --input 512 --hidden 512 --batch-size 32 --sequence-length 128 --threads 2
  /usr/bin/python3 tools/bench/lstm_torch.py train --threads 1      # 2-layer LM step: V=65 E=64 H=512 B=32 T=128, Adam
"""
import argparse
import json
import time

import torch


def lstm_flops(input_size, hidden, batch, steps, layers=1):
    """Multiply-adds of the GEMMs, x2 for FLOPs: forward is 1 unit, backward 2 units (input and weight gradients)."""
    total = 0
    for layer in range(layers):
        i = input_size if layer == 0 else hidden
        total += 2 * steps * batch * 4 * hidden * (i + hidden)
    return 3 * total


def bench_layer(args):
    lstm = torch.nn.LSTM(args.input, args.hidden)
    x = torch.randn(args.steps, args.batch, args.input, requires_grad=True)
    grad = torch.randn(args.steps, args.batch, args.hidden)

    def step():
        out, _ = lstm(x)
        out.backward(grad)

    return step, lstm_flops(args.input, args.hidden, args.batch, args.steps)


def bench_train(args):
    vocab, embed, hidden, batch, steps = args.vocab, args.embedding, args.hidden, args.batch, args.steps

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(vocab, embed)
            self.lstm = torch.nn.LSTM(embed, hidden, num_layers=args.layers)
            self.decoder = torch.nn.Linear(hidden, vocab)

        def forward(self, ids):
            out, _ = self.lstm(self.embedding(ids))
            return self.decoder(out)

    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(0, vocab, (steps, batch))
    targets = torch.randint(0, vocab, (steps * batch,))

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(ids).reshape(-1, vocab), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    flops = lstm_flops(embed, hidden, batch, steps, args.layers) + 3 * 2 * steps * batch * hidden * vocab
    return step, flops


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["layer", "train"])
    parser.add_argument("--input", type=int, default=512)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--batch-size", "--batch", dest="batch", type=int, default=32)
    parser.add_argument("--sequence-length", "--steps", dest="steps", type=int, default=128)
    parser.add_argument("--vocab", type=int, default=65)
    parser.add_argument("--embedding", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    step, flops = bench_layer(args) if args.mode == "layer" else bench_train(args)
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    best = min(times)
    print(json.dumps({
        "engine": "pytorch " + torch.__version__, "mode": args.mode, "threads": args.threads,
        "input": args.input if args.mode == "layer" else args.embedding, "hidden": args.hidden,
        "batch": args.batch, "steps": args.steps, "layers": 1 if args.mode == "layer" else args.layers,
        "seconds_best": best, "seconds_median": sorted(times)[len(times) // 2],
        "tokens_per_second": args.batch * args.steps / best, "gflops": flops / best / 1e9,
    }))


if __name__ == "__main__":
    main()
