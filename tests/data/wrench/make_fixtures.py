"""Regenerates the WRENCH protocol fixtures from the shared WRENCH copies (see README.md).

Texts are dropped; only label + weak_labels are kept. No row of a held-back split is used: the fixtures'
test.json files are train rows disjoint from the fixture's train.json.
"""
import json, os, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, split):
    with open(os.path.join(SRC, "wrench_" + name, split + ".json")) as f:
        return json.load(f)


def write(name, split, items):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, split + ".json"), "w") as f:
        f.write("{\n")
        lines = ['"%s": {"label": %d, "weak_labels": [%s]}' % (i, v["label"], ",".join(map(str, v["weak_labels"])))
                 for i, v in items]
        f.write(",\n".join(lines))
        f.write("\n}\n")


def copy_label(name):
    with open(os.path.join(SRC, "wrench_" + name, "label.json")) as f:
        text = f.read()
    with open(os.path.join(HERE, name, "label.json"), "w") as f:
        f.write(text)


def labeled(name, ids):
    with open(os.path.join(HERE, name, "labeled_ids.json"), "w") as f:
        json.dump({"labeled_ids": ids}, f)
        f.write("\n")


# sms: train = the last 150 train rows (81 plain + the 69 labelled exemplars), test = the first 150 train rows,
# valid = the first 150 valid rows.
tr = list(load("sms", "train").items())
write("sms", "train", tr[-150:])
write("sms", "test", tr[:150])
write("sms", "valid", list(load("sms", "valid").items())[:150])
copy_label("sms")
labeled("sms", [i for i, _ in tr[-150:] if int(i) >= 4502])

# trec: train = the last 150 train rows (82 plain + the 68 exemplars), test = the first 150, valid = the first 150.
tr = list(load("trec", "train").items())
write("trec", "train", tr[-150:])
write("trec", "test", tr[:150])
va = list(load("trec", "valid").items())[:150]
assert len({v["label"] for _, v in va}) == 6
write("trec", "valid", va)
copy_label("trec")
labeled("trec", [i for i, _ in tr[-150:] if int(i) >= 4965])

# youtube (no valid.json, as in the shared copy): train = rows 0-99 + the last 50 dev rows, test = rows 100-249.
tr = list(load("youtube", "train").items())
write("youtube", "train", tr[:100] + tr[-50:])
write("youtube", "test", tr[100:250])
copy_label("youtube")
labeled("youtube", [i for i, _ in tr[-50:]])
