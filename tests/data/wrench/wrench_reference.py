"""Plain-Python transcription of WRENCH's MV / WMV / DS label models and its evaluation (fit on train, class
balance (count + 1) / n from valid labels, Snorkel's SHA1 "random" tie-break, score every row). An independent
route to the numbers `skein wrench` prints, used to make the expected values of the protocol tests.

usage: python3 wrench_reference.py DIR {mv,wmv,ds} {acc,f1} {drop,keep}
"""
import hashlib, json, os, sys


def load(d, split):
    p = os.path.join(d, split + ".json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def mv(L, k, weights=None):
    out = []
    for row in L:
        c = [0.0] * k
        for v in row:
            if v >= 0:
                c[v] += 1.0 if weights is None else weights[v]
        s = sum(c)
        out.append([1.0 / k] * k if s == 0 else [x / s for x in c])
    return out


def ds_fit(L, k, tol=1e-5, max_iter=10000):
    n, m = len(L), len(L[0])
    post = mv(L, k)

    def mstep(post):
        rho = [sum(p[y] for p in post) / n for y in range(k)]
        pi = [[[0.0] * (k + 1) for _ in range(k)] for _ in range(m)]  # pi[j][y][l], l = vote + 1
        for row, p in zip(L, post):
            for j, v in enumerate(row):
                for y in range(k):
                    pi[j][y][v + 1] += p[y]
        for j in range(m):
            for y in range(k):
                s = sum(pi[j][y])
                pi[j][y] = [x / s if s != 0 else 0.0 for x in pi[j][y]]
        return rho, pi

    rho, pi = mstep(post)
    it = 1
    while it < max_iter:
        post = [ds_post(row, rho, pi, k, False) for row in L]
        rho2, pi2 = mstep(post)
        it += 1
        d_rho = sum(abs(a - b) for a, b in zip(rho2, rho))
        d_pi = sum(abs(a - b) for j in range(m) for y in range(k) for a, b in zip(pi2[j][y], pi[j][y]))
        rho, pi = rho2, pi2
        if d_rho < tol and d_pi < tol:
            break
    return rho, pi, it


def ds_post(row, rho, pi, k, uniform_zero):
    p = list(rho)
    for j, v in enumerate(row):
        for y in range(k):
            p[y] *= pi[j][y][v + 1]
    s = sum(p)
    if s == 0:
        return [1.0 / k] * k if uniform_zero else [0.0] * k
    return [x / s for x in p]


def probs_to_preds(P):
    preds = []
    for i, row in enumerate(P):
        mx = max(row)
        ties = [c for c, x in enumerate(row) if abs(x - mx) < 1e-5]
        if len(ties) == 1:
            preds.append(ties[0])
        else:
            h = int(hashlib.sha1(str(i).encode()).hexdigest(), 16)
            preds.append(ties[h % len(ties)])
    return preds


def score(gold, pred, metric):
    if metric == "acc":
        return 100.0 * sum(g == p for g, p in zip(gold, pred)) / len(gold)
    tp = sum(g == 1 and p == 1 for g, p in zip(gold, pred))
    fp = sum(g != 1 and p == 1 for g, p in zip(gold, pred))
    fn = sum(g == 1 and p != 1 for g, p in zip(gold, pred))
    return 0.0 if 2 * tp + fp + fn == 0 else 100.0 * 2 * tp / (2 * tp + fp + fn)


def main():
    d, model, metric, drop = sys.argv[1:5]
    with open(os.path.join(d, "label.json")) as f:
        k = len(json.load(f))
    train = load(d, "train")
    if drop == "drop" and os.path.exists(os.path.join(d, "labeled_ids.json")):
        with open(os.path.join(d, "labeled_ids.json")) as f:
            ids = set(json.load(f)["labeled_ids"])
        train = {i: v for i, v in train.items() if i not in ids}
    L = [v["weak_labels"] for v in train.values()]
    valid, test = load(d, "valid"), load(d, "test")
    if valid is not None:
        counts = [0] * k
        for v in valid.values():
            counts[v["label"]] += 1
        balance = [(c + 1) / sum(counts) for c in counts]
    else:
        balance = [1.0 / k] * k
    if model == "ds":
        rho, pi, it = ds_fit(L, k)
        predict = lambda M: [ds_post(r, rho, pi, k, True) for r in M]
        print("ds iterations", it, file=sys.stderr)
    elif model == "wmv":
        predict = lambda M: mv(M, k, balance)
    else:
        predict = lambda M: mv(M, k)
    print("train rows", len(L), file=sys.stderr)
    for name, split in (("valid", valid), ("test", test)):
        if split is None:
            print(name, "null")
            continue
        P = predict([v["weak_labels"] for v in split.values()])
        print(name, repr(score([v["label"] for v in split.values()], probs_to_preds(P), metric)))


main()
