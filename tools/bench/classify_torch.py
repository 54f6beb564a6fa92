#!/usr/bin/python3
"""PyTorch twin of `lstmtext bench classify`: the same classifier (embedding -> bidirectional LSTM -> concat
pooling of last state, max and mean over valid steps -> linear), the same review lengths, the same JSON.
PyTorch starts from token ids (tokenising in Python would only slow it down); ours includes tokenising.

  /usr/bin/python3 tools/bench/classify_torch.py --threads 1 --json
  /usr/bin/python3 tools/bench/classify_torch.py --threads 1 --json --int8   # torch.ao.quantization.quantize_dynamic
"""
import argparse
import json
import time

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class Classifier(torch.nn.Module):
    def __init__(self, vocab, embed, hidden):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, embed, padding_idx=0)
        self.lstm = torch.nn.LSTM(embed, hidden, bidirectional=True)
        self.head = torch.nn.Linear(6 * hidden, 2)

    def forward(self, ids, lengths):  # ids: [T, B] time-major, lengths sorted descending
        packed = pack_padded_sequence(self.embedding(ids), lengths)
        out, (h, _) = self.lstm(packed)
        out, _ = pad_packed_sequence(out)
        mask = (torch.arange(out.shape[0])[:, None] < lengths[None, :]).unsqueeze(2)
        last = torch.cat([h[0], h[1]], dim=1)
        largest = out.masked_fill(~mask, float("-inf")).max(dim=0).values
        mean = out.sum(dim=0) / lengths[:, None]
        return torch.softmax(self.head(torch.cat([last, largest, mean], dim=1)), dim=1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab", type=int, default=20000)
    p.add_argument("--embedding", type=int, default=100)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--rows", type=int, default=512)
    p.add_argument("--single-rows", type=int, default=64)
    p.add_argument("--length", type=int, default=230)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", action="store_true")
    p.add_argument("--int8", action="store_true", help="dynamic int8 quantization of the LSTM and the head")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Classifier(a.vocab, a.embedding, a.hidden).eval()
    if a.int8:
        if "fbgemm" not in torch.backends.quantized.supported_engines:
            torch.backends.quantized.engine = "onednn" if "onednn" in torch.backends.quantized.supported_engines else "qnnpack"
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.LSTM, torch.nn.Linear}, dtype=torch.qint8)
    gen = torch.Generator().manual_seed(1)
    lengths = [max(1, a.length // 2 + int(torch.randint(0, a.length + 1, (1,), generator=gen))) for _ in range(a.rows)]
    reviews = [torch.randint(1, a.vocab, (n,), generator=gen) for n in lengths]

    def classify_batched():
        order = sorted(range(a.rows), key=lambda i: -lengths[i])
        for start in range(0, a.rows, a.batch_size):
            chunk = [reviews[i] for i in order[start:start + a.batch_size]]
            ids = torch.nn.utils.rnn.pad_sequence(chunk)
            model(ids, torch.tensor([len(r) for r in chunk]))

    def classify_single():
        for r in reviews[:a.single_rows]:
            model(r[:, None], torch.tensor([len(r)]))

    def best(work):
        work()
        times = []
        for _ in range(a.repeat):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return min(times)

    with torch.no_grad():
        batched = best(classify_batched)
        single = best(classify_single)
    result = {"engine": "pytorch " + torch.__version__ + (f" int8 ({torch.backends.quantized.engine})" if a.int8 else ""), "threads": a.threads, "rows": a.rows, "mean_length": a.length,
              "batch_size": a.batch_size, "batch_rows_per_second": a.rows / batched,
              "single_rows_per_second": min(a.rows, a.single_rows) / single}
    print(json.dumps(result) if a.json else result)


if __name__ == "__main__":
    main()
