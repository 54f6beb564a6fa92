#!/usr/bin/python3
"""The reference model people start from, as a PyTorch twin of Keras' LSTM(50) -> Dense(1): min-max scaling fitted on
the training part, windows of the scaled series, Adam on mean squared error, then one-step-ahead rolling-origin forecasts
of the last 20 % from the true history. Also prints the anchors: naive, seasonal naive and ridge regression on lags.

Run with Debian's PyTorch:  /usr/bin/python3 tools/forecasting/keras_reference.py [DATA_FOLDER]
(DATA_FOLDER defaults to ../shared/data/timeseries relative to the repository). Output: tools/forecasting/keras_reference.json.
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import Ridge

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "data", "timeseries")
TEST_FRACTION = 0.2
EPOCHS = 50
SEEDS = [1, 2, 3]


def load(name):
    if name == "seattle":
        d = pd.read_csv(os.path.join(DATA, "seattle-weather.csv"), parse_dates=["date"])
        return d["temp_max"].to_numpy(float), 365, 30, d["date"]
    d = pd.read_csv(os.path.join(DATA, "co2-concentration.csv"), parse_dates=["Date"])
    # Five early months are missing; insert them by linear interpolation (as `--fill linear` does).
    full = pd.date_range(d["Date"].min(), d["Date"].max(), freq="MS")
    y = d.set_index("Date")["CO2"].reindex(full).interpolate().to_numpy(float)
    return y, 12, 24, full


class KerasTwin(torch.nn.Module):
    """LSTM(50) -> Dense(1) on the last hidden state."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, 50, batch_first=True)
        self.head = torch.nn.Linear(50, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def windows(scaled, lookback, origins):
    x = np.stack([scaled[o - lookback + 1:o + 1] for o in origins])[:, :, None]
    y = np.array([scaled[o + 1] for o in origins])[:, None]
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def keras_reference(y, lookback, test_start, seed):
    torch.manual_seed(seed)
    low, high = y[:test_start].min(), y[:test_start].max()
    scaled = (y - low) / (high - low)
    x, t = windows(scaled, lookback, range(lookback - 1, test_start - 1))
    model = KerasTwin()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(EPOCHS):
        order = torch.randperm(len(x), generator=generator)
        for i in range(0, len(x), 32):
            batch = order[i:i + 32]
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x[batch]), t[batch])
            loss.backward()
            optimizer.step()
    xt, _ = windows(scaled, lookback, range(test_start - 1, len(y) - 1))
    with torch.no_grad():
        forecast = model(xt).numpy()[:, 0] * (high - low) + low
    return float(np.mean(np.abs(y[test_start:] - forecast)))


def ridge(y, lags, test_start, dates, day_of_year):
    rows = range(lags, len(y))
    features = []
    for t in rows:
        f = list(y[t - lags:t])
        if day_of_year:
            angle = 2 * np.pi * (dates[t].dayofyear - 1) / 365.25
            f += [np.sin(angle), np.cos(angle)]
        features.append(f)
    features = np.array(features)
    target = y[lags:]
    split = test_start - lags
    model = Ridge(alpha=1.0).fit(features[:split], target[:split])
    return float(np.mean(np.abs(target[split:] - model.predict(features[split:]))))


def main():
    results = {}
    for name in ["seattle", "co2"]:
        y, season, lookback, dates = load(name)
        n = len(y)
        test_start = n - int(round(n * TEST_FRACTION))
        actual = y[test_start:]
        started = time.time()
        maes = [keras_reference(y, lookback, test_start, seed) for seed in SEEDS]
        seconds = (time.time() - started) / len(SEEDS)
        results[name] = {
            "points": int(n - test_start),
            "naive_mae": float(np.mean(np.abs(actual - y[test_start - 1:n - 1]))),
            "seasonal_naive_mae": float(np.mean(np.abs(actual - y[test_start - season:n - season]))),
            "ridge_mae": ridge(y, 30 if name == "seattle" else 24, test_start, dates, name == "seattle"),
            "keras_reference_mae_per_seed": maes,
            "keras_reference_mae_mean": float(np.mean(maes)),
            "keras_reference_seconds_per_run": seconds,
            "lookback": lookback,
            "epochs": EPOCHS,
        }
        print(name, json.dumps(results[name]), flush=True)
    with open(os.path.join(HERE, "keras_reference.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
