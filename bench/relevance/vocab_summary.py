#!/usr/bin/python3
"""Tables of bench/relevance/vocab_baseline.sh: for each judged set (a directory of eval.py --json
files, one per engine), per class and overall MRR@10, nDCG@10, R@10 and P@1 of every engine; for
sets given --floors, siteseek's figures against the floors the relevance guard holds them to.

    vocab_summary.py SETS_DIR [--floors SET=FLOORS.json ...]
        [--out RESULTS.json --date D --commit SHA --command CMD --seconds S --versions 'NAME VERSION' ...]

The results JSON keeps every engine's metrics and, for siteseek, each query's first relevant rank
and top 10 (the misses docs/performance.md lists come from there).
"""
import argparse
import json
import os
import platform

ENGINES = ["siteseek", "siteseek-dir", "xapian", "pagefind", "pagefind-sub"]
SETS = ["python-vocab", "postgresql-vocab", "python-docs.dev", "postgresql"]
METRICS = [("mrr", "MRR@10"), ("ndcg", "nDCG@10"), ("recall", "R@10"), ("p1", "P@1")]


def load(sets_dir):
    out = {}
    for name in sorted(os.listdir(sets_dir), key=lambda s: SETS.index(s) if s in SETS else 99):
        runs = {}
        for eng in ENGINES:
            p = os.path.join(sets_dir, name, eng + ".json")
            if os.path.isfile(p):
                with open(p) as f:
                    runs[eng] = json.load(f)
        if runs:
            out[name] = runs
    return out


def table(name, runs):
    classes = [c for c in next(iter(runs.values()))["metrics"] if c != "overall"] + ["overall"]
    if len(classes) > 3:  # the dev sets: every class's MRR, then overall in full
        lines = [f"{name}: MRR@10 per class; overall MRR@10 nDCG@10 R@10 P@1"]
        head = f"{'engine':<14}" + "".join(f"{c[:8]:>9}" for c in classes[:-1]) + "".join(f"{l:>9}" for _, l in METRICS)
        lines.append(head)
        for eng, r in runs.items():
            m = r["metrics"]
            lines.append(f"{eng:<14}" + "".join(f"{m[c]['mrr']:>9.3f}" for c in classes[:-1])
                         + "".join(f"{m['overall'][k]:>9.3f}" for k, _ in METRICS))
        return "\n".join(lines)
    n = next(iter(runs.values()))["metrics"]
    lines = [f"{name}: " + ", ".join(f"{c} n={n[c]['n']}" for c in classes)]
    head = f"{'engine':<14}" + "".join(f"{c[:7] + ' ' + l:>16}" for c in classes for _, l in METRICS[:3]) + f"{'P@1':>7}"
    lines.append(head)
    for eng, r in runs.items():
        m = r["metrics"]
        lines.append(f"{eng:<14}" + "".join(f"{m[c][k]:>16.3f}" for c in classes for k, _ in METRICS[:3])
                     + f"{m['overall']['p1']:>7.3f}")
    return "\n".join(lines)


def check_floors(name, runs, floors_path):
    with open(floors_path) as f:
        floors = json.load(f)
    m = runs["siteseek"]["metrics"]
    lines, below = [], 0
    for group, limits in floors.items():
        for metric, floor in limits.items():
            got = m.get(group, {}).get(metric)
            ok = got is not None and got >= floor
            below += not ok
            lines.append(f"  {group:<13}{metric:<7} {got if got is None else round(got, 3)!s:>6}  floor {floor:.2f}  {'ok' if ok else 'BELOW'}")
    head = f"{name}: siteseek against {os.path.basename(floors_path)}: " + ("every figure at or above its floor" if not below else f"{below} below")
    return "\n".join([head] + lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sets_dir")
    ap.add_argument("--floors", action="append", default=[])
    ap.add_argument("--out")
    ap.add_argument("--date")
    ap.add_argument("--commit")
    ap.add_argument("--command")
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--versions", action="append", default=[])
    a = ap.parse_args()
    data = load(a.sets_dir)
    for name, runs in data.items():
        print(table(name, runs))
        print()
    floors = dict(f.split("=", 1) for f in a.floors)
    for name, path in floors.items():
        if name in data and "siteseek" in data[name]:
            print(check_floors(name, data[name], path))
    if a.out:
        figures = {}
        for name, runs in data.items():
            figures[name] = {"tsv": os.path.relpath(next(iter(runs.values()))["tsv"]),
                             "metrics": {eng: r["metrics"] for eng, r in runs.items()}}
            if "siteseek" in runs:
                figures[name]["siteseek_per_query"] = [
                    {"query": q["query"], "class": q["class"], "first_relevant_rank": q["first_relevant_rank"],
                     "top": q["top"]} for q in runs["siteseek"]["per_query"]]
        res = {"date": a.date, "commit": a.commit, "command": a.command, "seconds": a.seconds,
               "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
               "versions": dict(v.split(" ", 1) for v in a.versions), "figures": figures}
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
        print(f"\nwrote {a.out}")


if __name__ == "__main__":
    main()
