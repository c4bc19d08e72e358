"""Scores for probabilistic forecasts (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

EPS = 1e-12


def member_log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean -log p[observed]; ``p`` (n, 3) yes/abstain/no, ``y`` index 0..2 in that order."""
    return float(-np.log(np.clip(p[np.arange(len(y)), y], EPS, 1.0)).mean())


def member_brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean multi-category Brier score (sum over the three categories)."""
    onehot = np.zeros_like(p)
    onehot[np.arange(len(y)), y] = 1.0
    return float(((p - onehot) ** 2).sum(axis=1).mean())


def binary_log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def binary_brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(((p - y) ** 2).mean())


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Reliability table: bins of forecast probability, mean forecast, observed frequency."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        sel = idx == b
        if sel.any():
            rows.append((f"{edges[b]:.1f}-{edges[b + 1]:.1f}", int(sel.sum()),
                         float(p[sel].mean()), float(y[sel].mean())))
    return pd.DataFrame(rows, columns=["bin", "n", "mean_forecast", "observed"])
