#!/usr/bin/python3
"""Independent reference for Snorkel's LFAnalysis numbers, used as C# test fixtures.

Written from the formulas in /work/shared/research/anchors-labelmodels.md §1.3 (not from Snorkel's code):
coverage / overlaps / conflicts from the sparse matrix L + 1, empirical accuracy as
0.5 * (sum(where(L == -1, 0, where(L == Y, 1, -1))) / count(L != -1) + 1) with nan_to_num, and
correct / incorrect from an sklearn confusion matrix with the -1 row and column stripped.

It also records what Snorkel's lf_summary would print for Correct/Incorrect: Snorkel takes
confusion_matrix(Y, L[:, i])[1:, 1:] over the *sorted union of observed labels*, which strips class 0
(not -1) when neither the LF column nor gold contains -1.

Run with Debian's python (needs python3-numpy, python3-scipy, python3-sklearn):
    /usr/bin/python3 tools/lfanalysis_reference.py [--out tests/data/analysis] [--wrench /work/shared/data]
Writes, per case: <case>.votes.csv (header = LF names, one row per item), <case>.gold.csv (header "label"),
<case>.reference.json.
"""

import argparse
import json
import os

import numpy as np
from scipy import sparse
from sklearn.metrics import confusion_matrix


def analyse(L, Y, k):
    """Return the reference numbers for label matrix L (n x m, -1 = abstain) and gold Y (-1 = unknown)."""
    L = np.asarray(L, dtype=np.int64)
    Y = np.asarray(Y, dtype=np.int64)
    n, m = L.shape
    shifted = sparse.csr_matrix(L + 1)           # abstain -> 0, class c -> c + 1; only votes are stored
    voted = (shifted != 0).astype(np.int64)      # n x m indicator of non-abstain cells
    votes_per_row = np.asarray(voted.sum(axis=1)).ravel()
    covered = votes_per_row >= 1
    overlapped = votes_per_row >= 2
    # A row is conflicted when one of its stored labels differs from its largest stored label.
    row_max = np.asarray(shifted.max(axis=1).todense()).ravel()
    spread = sparse.diags(row_max) @ voted       # every vote replaced by the row's max label
    conflicted = np.asarray((spread != shifted).astype(np.int64).sum(axis=1)).ravel() > 0

    coverage = np.asarray(voted.sum(axis=0)).ravel() / n
    overlaps = (voted.T @ overlapped.astype(np.int64)) / n
    conflicts = (voted.T @ conflicted.astype(np.int64)) / n

    signed = np.where(L == -1, 0, np.where(L == Y[:, None], 1, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = np.nan_to_num(0.5 * (signed.sum(axis=0) / (L != -1).sum(axis=0) + 1))

    labels_with_abstain = list(range(-1, k))
    correct, incorrect, snorkel_correct, snorkel_incorrect, strips_class0 = [], [], [], [], []
    for j in range(m):
        cm = confusion_matrix(Y, L[:, j], labels=labels_with_abstain)[1:, 1:]
        correct.append(int(np.trace(cm)))
        incorrect.append(int(cm.sum() - np.trace(cm)))
        # What Snorkel's lf_summary computes: labels = sorted union of what is observed, first one dropped.
        quirk = confusion_matrix(Y, L[:, j])[1:, 1:]
        snorkel_correct.append(int(np.trace(quirk)))
        snorkel_incorrect.append(int(quirk.sum() - np.trace(quirk)))
        strips_class0.append(bool(-1 not in set(Y.tolist()) | set(L[:, j].tolist())))

    polarity = [sorted(int(v) for v in np.unique(L[:, j][L[:, j] != -1])) for j in range(m)]
    return {
        "rows": int(n),
        "lfs": int(m),
        "cardinality": int(k),
        "polarity": polarity,
        "coverage": coverage.tolist(),
        "overlaps": np.asarray(overlaps, dtype=float).tolist(),
        "conflicts": np.asarray(conflicts, dtype=float).tolist(),
        "correct": correct,
        "incorrect": incorrect,
        "empirical_accuracy": accuracy.tolist(),
        "label_coverage": float(covered.mean()) if n else 0.0,
        "label_overlap": float(overlapped.mean()) if n else 0.0,
        "label_conflict": float(conflicted.mean()) if n else 0.0,
        "snorkel_lf_summary_correct": snorkel_correct,
        "snorkel_lf_summary_incorrect": snorkel_incorrect,
        "snorkel_strips_class0": strips_class0,
    }


def random_case(seed, n, m, k, abstain, gold_unknown_rate, never_abstain_lfs=0, silent_lfs=0):
    """Votes with a per-LF abstain rate drawn from [abstain[0], abstain[1]); the first never_abstain_lfs LFs
    always vote and the last silent_lfs LFs never vote.
    Gold is a random class, replaced by -1 with probability gold_unknown_rate. LFs copy gold 60% of the time."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, k, size=n)
    rates = rng.uniform(abstain[0], abstain[1], size=m)
    rates[:never_abstain_lfs] = 0.0
    rates[m - silent_lfs:] = 1.0
    copy = rng.random((n, m)) < 0.6
    L = np.where(copy, gold[:, None], rng.integers(0, k, size=(n, m)))
    L = np.where(rng.random((n, m)) < rates[None, :], -1, L)
    Y = np.where(rng.random(n) < gold_unknown_rate, -1, gold)
    return L, Y


def wrench_case(path, rows):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    keys = sorted(data, key=int)[:rows]
    L = np.array([data[key]["weak_labels"] for key in keys], dtype=np.int64)
    Y = np.array([data[key]["label"] for key in keys], dtype=np.int64)
    return L, Y


def write_case(out, name, L, Y, k, source):
    n, m = L.shape
    names = [f"lf_{j}" for j in range(m)]
    with open(os.path.join(out, f"{name}.votes.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(names) + "\n")
        for row in L:
            f.write(",".join(str(int(v)) for v in row) + "\n")
    with open(os.path.join(out, f"{name}.gold.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("label\n")
        for y in Y:
            f.write(f"{int(y)}\n")
    result = analyse(L, Y, k)
    result["case"] = name
    result["source"] = source
    with open(os.path.join(out, f"{name}.reference.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    differ = [j for j in range(m)
              if (result["correct"][j], result["incorrect"][j])
              != (result["snorkel_lf_summary_correct"][j], result["snorkel_lf_summary_incorrect"][j])]
    print(f"{name}: n={n} m={m} k={k} label_coverage={result['label_coverage']:.4f} "
          f"lfs where Snorkel strips class 0: {sum(result['snorkel_strips_class0'])}, "
          f"lfs where Snorkel's Correct/Incorrect differ: {differ}")


def self_check():
    """Snorkel's documented example (LFAnalysis docstring)."""
    L = np.array([[-1, 0, 0], [-1, -1, -1], [1, 0, -1], [-1, 0, -1], [0, 0, 0]])
    r = analyse(L, np.array([0, 1, 1, -1, 0]), 2)
    assert np.allclose(r["coverage"], [0.4, 0.8, 0.4])
    assert np.allclose(r["overlaps"], [0.4, 0.6, 0.4])
    assert np.allclose(r["conflicts"], [0.2, 0.2, 0.0])
    assert r["polarity"] == [[0, 1], [0], [0]]
    assert (r["label_coverage"], r["label_overlap"], r["label_conflict"]) == (0.8, 0.6, 0.2)
    assert r["correct"] == [2, 2, 2] and r["incorrect"] == [0, 1, 0]
    assert np.allclose(r["empirical_accuracy"], [1.0, 0.5, 1.0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="tests/data/analysis")
    parser.add_argument("--wrench", default="/work/shared/data")
    args = parser.parse_args()
    self_check()
    os.makedirs(args.out, exist_ok=True)
    cases = [
        ("random_k3_gold_unknown", random_case(11, 200, 8, 3, (0.3, 0.9), 0.1), 3),
        ("random_k2_sparse_silent_lf", random_case(22, 500, 12, 2, (0.85, 1.0), 0.0, silent_lfs=1), 2),
        ("random_k4_never_abstain", random_case(33, 150, 5, 4, (0.0, 0.8), 0.0, never_abstain_lfs=2), 4),
        ("random_k5_dense_gold_unknown", random_case(44, 120, 6, 5, (0.0, 0.3), 0.25, never_abstain_lfs=1), 5),
    ]
    for name, (L, Y), k in cases:
        write_case(args.out, name, L, Y, k, f"synthetic: {name} (tools/lfanalysis_reference.py)")
    for dataset, k in (("wrench_trec", 6), ("wrench_sms", 2)):
        L, Y = wrench_case(os.path.join(args.wrench, dataset, "valid.json"), 300)
        write_case(args.out, f"{dataset}_valid300", L, Y, k, f"WRENCH {dataset[7:]} valid.json, first 300 rows")


if __name__ == "__main__":
    main()
