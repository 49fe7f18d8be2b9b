#!/usr/bin/env python3
"""Generate the scikit-learn golden files for io.finetune4j.framework.eval tests.

Run ONCE by hand (it is not part of the build; the JSON files it writes are
committed next to it):

    apt-get install -y python3-sklearn        # Debian: scikit-learn 1.2.1, numpy 1.24.2
    cd framework/src/test/resources/golden
    /usr/bin/python3 make_golden.py

Every case uses numpy's seeded RNG, so re-running it reproduces the same
inputs. Each golden file holds the inputs and what scikit-learn computes on
them; the Java tests in framework/src/test/java/io/finetune4j/framework/eval/
recompute everything in Java and compare (report text exactly, numbers to 1e-12).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    hamming_loss,
    precision_recall_fscore_support,
    roc_auc_score,
)

HERE = os.path.dirname(os.path.abspath(__file__))


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def prfs_all(y_true, y_pred, labels, averages):
    out = {}
    for avg in averages:
        p, r, f, s = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=avg, zero_division=0)
        key = "none" if avg is None else avg
        out[key] = {
            "precision": np.asarray(p, dtype=float).tolist(),
            "recall": np.asarray(r, dtype=float).tolist(),
            "f1": np.asarray(f, dtype=float).tolist(),
            "support": None if s is None else np.asarray(s).astype(int).tolist(),
        }
    return out


def single_label_case(name, y_true, y_pred, probs, label_names, auc):
    labels = list(range(len(label_names)))
    case = {
        "name": name,
        "sklearn_version": sklearn.__version__,
        "label_names": label_names,
        "y_true": y_true.tolist(),
        "y_pred": y_pred.tolist(),
        "probs": None if probs is None else probs.tolist(),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "report_digits2": classification_report(
            y_true, y_pred, labels=labels, target_names=label_names, digits=2, zero_division=0),
        "report_digits4": classification_report(
            y_true, y_pred, labels=labels, target_names=label_names, digits=4, zero_division=0),
        "prfs": prfs_all(y_true, y_pred, labels, [None, "micro", "macro", "weighted"]),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }
    case.update(auc)
    return case


def per_class_auc(y_true, probs):
    """Binary AUC of class k vs rest; None where y_true lacks one side."""
    out = []
    for k in range(probs.shape[1]):
        yk = (y_true == k).astype(int)
        out.append(None if yk.min() == yk.max() else float(roc_auc_score(yk, probs[:, k])))
    return out


def write(case):
    path = os.path.join(HERE, case["name"] + ".json")
    with open(path, "w") as fh:
        json.dump(case, fh, separators=(",", ":"))
        fh.write("\n")
    print("wrote", path)


def binary_case():
    rng = np.random.default_rng(20240601)
    n = 200
    y = (rng.random(n) < 0.35).astype(int)
    # rounded to 2 decimals -> ties in the scores, across both classes
    p1 = np.round(np.clip(0.35 * y + 0.65 * rng.random(n), 0.0, 1.0), 2)
    probs = np.stack([1.0 - p1, p1], axis=1)
    y_pred = (p1 >= 0.5).astype(int)
    auc = {"roc_auc": float(roc_auc_score(y, p1)), "roc_auc_per_class": None}
    write(single_label_case("binary", y, y_pred, probs, ["negative", "positive"], auc))


def three_class_case():
    rng = np.random.default_rng(7)
    n = 150
    y = rng.integers(0, 3, n)
    logits = rng.normal(size=(n, 3))
    logits[np.arange(n), y] += 1.2
    probs = softmax(np.round(logits, 1))  # rounding -> some tied scores
    y_pred = probs.argmax(axis=1)
    auc = {
        "roc_auc": float(roc_auc_score(y, probs, multi_class="ovr", average="macro",
                                       labels=[0, 1, 2])),
        "roc_auc_weighted": float(roc_auc_score(y, probs, multi_class="ovr", average="weighted",
                                                labels=[0, 1, 2])),
        "roc_auc_per_class": per_class_auc(y, probs),
    }
    write(single_label_case("three_class", y, y_pred, probs, ["anger", "joy", "sadness"], auc))


def forty_class_case():
    rng = np.random.default_rng(4040)
    k = 40
    n = 800
    names = ["class_%02d" % i for i in range(k)]
    names[7] = "a_rather_long_label_name_7"   # wider than 'weighted avg'
    names[12] = "x"
    # Zipf-like imbalance; class 39 is listed but never present in y_true
    w = 1.0 / np.arange(1, k + 1) ** 1.1
    w[39] = 0.0
    w /= w.sum()
    y = rng.choice(k, size=n, p=w)
    never_predicted = {5, 17, 33, 38}
    allowed = np.array([c for c in range(k) if c not in never_predicted])
    y_pred = y.copy()
    wrong = rng.random(n) < 0.45
    y_pred[wrong] = rng.choice(allowed, size=int(wrong.sum()))
    bad = np.isin(y_pred, list(never_predicted))
    y_pred[bad] = rng.choice(allowed, size=int(bad.sum()))
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y_pred] += 3.0
    probs = np.round(softmax(logits), 4)  # keeps the golden file small
    # sklearn's roc_auc_score(multi_class='ovr') raises here (class 39 absent
    # from y_true); we record the per-class AUCs of the classes that are defined.
    auc = {"roc_auc": None, "roc_auc_per_class": per_class_auc(y, probs)}
    write(single_label_case("forty_class", y, y_pred, probs, names, auc))


def multilabel_case():
    rng = np.random.default_rng(99)
    n, L = 120, 6
    names = ["toxic", "obscene", "threat", "insult", "identity_hate", "spam"]
    y = (rng.random((n, L)) < np.array([0.3, 0.2, 0.1, 0.25, 0.15, 0.4])).astype(int)
    raw = 0.45 * y + 0.55 * rng.random((n, L))
    raw[:, 2] *= 0.6                      # label 2: never reaches threshold 0.7
    scores = np.round(raw, 1)             # one decimal -> many ties
    thresholds_per_label = [0.3, 0.4, 0.7, 0.5, 0.45, 0.6]
    global_threshold = 0.5
    out = {
        "name": "multilabel",
        "sklearn_version": sklearn.__version__,
        "label_names": names,
        "y_true": y.tolist(),
        "scores": scores.tolist(),
        "global_threshold": global_threshold,
        "per_label_thresholds": thresholds_per_label,
        "roc_auc_micro": float(roc_auc_score(y, scores, average="micro")),
        "roc_auc_macro": float(roc_auc_score(y, scores, average="macro")),
        "roc_auc_weighted": float(roc_auc_score(y, scores, average="weighted")),
        "roc_auc_per_label": roc_auc_score(y, scores, average=None).tolist(),
    }
    for key, thr in (("global", global_threshold), ("per_label", thresholds_per_label)):
        y_pred = (scores >= np.asarray(thr)).astype(int)
        out[key] = {
            "y_pred": y_pred.tolist(),
            "prfs": prfs_all(y, y_pred, list(range(L)),
                             [None, "micro", "macro", "weighted", "samples"]),
            "hamming_loss": float(hamming_loss(y, y_pred)),
            "subset_accuracy": float(accuracy_score(y, y_pred)),
        }
    write(out)


if __name__ == "__main__":
    binary_case()
    three_class_case()
    forty_class_case()
    multilabel_case()
