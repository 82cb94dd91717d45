#!/usr/bin/python3
"""Peer for the `metrics` benchmark: times scikit-learn's roc_auc_score + average_precision_score on the same data.

usage: metrics_sklearn.py SCORES.f32 LABELS.u8   (raw little-endian float32 scores, uint8 labels)
prints: wall_seconds auroc ap cpu_seconds   (both times cover the two sklearn calls only, one run)
"""
import sys
import time
import numpy as np
from sklearn.metrics import roc_auc_score, average_precision_score

scores = np.fromfile(sys.argv[1], dtype="<f4")
labels = np.fromfile(sys.argv[2], dtype=np.uint8).astype(bool)
t0, c0 = time.perf_counter(), time.process_time()
auroc = roc_auc_score(labels, scores)
ap = average_precision_score(labels, scores)
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
print(f"{elapsed:.6f} {auroc!r} {ap!r} {cpu:.6f}")
