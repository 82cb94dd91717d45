#!/usr/bin/python3
"""Peer for the `cli-metrics` benchmark, run as a whole process like `medanomaly metrics`: loads anomaly maps and lesion
masks from .npy and computes with scikit-learn what `medanomaly metrics --scores MAPS --masks MASKS` prints first: pixel
AUROC, AP and best Dice (the best F1 over precision_recall_curve's thresholds), and the image-level AUROC and AP of
the mean score of each map against "has a lesion pixel".

usage: metrics_npy_sklearn.py MAPS.npy MASKS.npy
prints: pixel_auroc pixel_ap pixel_best_dice image_auroc image_ap
"""
import sys
import numpy as np
from sklearn.metrics import roc_auc_score, average_precision_score, precision_recall_curve

maps = np.load(sys.argv[1])
masks = np.load(sys.argv[2]).astype(bool)
scores, labels = maps.reshape(-1), masks.reshape(-1)
pixel_auroc = roc_auc_score(labels, scores)
pixel_ap = average_precision_score(labels, scores)
precision, recall, _ = precision_recall_curve(labels, scores)
with np.errstate(invalid="ignore", divide="ignore"):
    best_dice = np.nanmax(2 * precision * recall / (precision + recall))
image_scores = maps.reshape(maps.shape[0], -1).mean(axis=1)
image_labels = masks.reshape(masks.shape[0], -1).any(axis=1)
print(f"{pixel_auroc!r} {pixel_ap!r} {best_dice!r} {roc_auc_score(image_labels, image_scores)!r} {average_precision_score(image_labels, image_scores)!r}")
