#!/usr/bin/env python3
"""Transcribe a WRENCH readme.txt rule list (CLASSNAME<TAB>regex<TAB>example) into a Skein rules file.

Usage: wrench_rules_to_json.py trec|sms <wrench-dataset-dir> > examples/rules/<name>.rules.json
The k-th tab-separated line is LF k; WRENCH applied each as re.search(pattern, text.lower()).
"""
import json
import sys

DATASETS = {
    # label.json order, and the readme's class names mapped onto it.
    "trec": (["DESC", "ENTY", "HUM", "ABBR", "LOC", "NUM"],
             {"DESCRIPTION": "DESC", "ENTITY": "ENTY", "HUMAN": "HUM",
              "ABBREVIATION": "ABBR", "LOCATION": "LOC", "NUMERIC": "NUM"}),
    "sms": (["ham", "spam"], {"ham": "ham", "spam": "spam"}),
}


def main():
    name, folder = sys.argv[1], sys.argv[2]
    classes, readme_names = DATASETS[name]
    with open(f"{folder}/label.json", encoding="utf-8") as f:
        label = json.load(f)
    assert [label[str(i)] for i in range(len(label))] == classes, label
    rules = []
    with open(f"{folder}/readme.txt", encoding="utf-8", newline="") as f:
        for line in f.read().split("\n"):
            line = line.rstrip("\r")
            if "\t" not in line:
                continue
            cls, pattern, example = line.split("\t")
            k = len(rules)
            short = readme_names[cls]
            rules.append({
                "name": f"{name}_{k:02d}_{short}",
                "kind": "pattern",
                "class": short,
                "pattern": pattern,
                "options": {"lowercase": True},
                "description": example,
            })
    doc = {"version": 1, "classes": classes, "textColumn": "text", "rules": rules}
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    print(f"{name}: {len(rules)} rules", file=sys.stderr)


if __name__ == "__main__":
    main()
