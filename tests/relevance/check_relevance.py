#!/usr/bin/python3
"""Relevance regression guard: runs shared/relevance/eval.py over the judged dev queries with
siteseek's own ingestion + engine (relevance_cmd), prints the metrics, and fails when any figure
falls below the floors in floors.json (floors are set from measurements, a little below them:
they guard against regressions, they are not the goal).

    check_relevance.py RELEVANCE_CMD CONFIG SITE TSV FLOORS_JSON
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile


def main():
    cmd, config, site, tsv, floors_path = sys.argv[1:6]
    if not os.path.isdir("/usr/share/doc/python3.11/html"):
        print("relevance: /usr/share/doc/python3.11/html is missing (scripts/setup installs python3.11-doc)")
        return 1
    eval_py = os.path.join(os.path.dirname(tsv), "eval.py")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "metrics.json")
        command = " ".join(shlex.quote(x) for x in [cmd, config, site])
        subprocess.run(["/usr/bin/python3", eval_py, tsv, "--cmd", command, "--json", out, "--label", "siteseek"],
                       check=True)
        with open(out) as f:
            metrics = json.load(f)["metrics"]
    with open(floors_path) as f:
        floors = json.load(f)
    failures = []
    for group, limits in floors.items():
        got = metrics.get(group)
        if got is None:
            failures.append(f"{group}: no queries of this class were evaluated")
            continue
        for metric, floor in limits.items():
            if got[metric] < floor:
                failures.append(f"{group} {metric} = {got[metric]:.3f}, below the floor {floor:.3f}")
    for f in failures:
        print("relevance regression:", f)
    print("relevance: " + ("FAILED" if failures else "ok, every figure at or above its floor"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
