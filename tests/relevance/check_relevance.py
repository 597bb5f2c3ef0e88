#!/usr/bin/python3
"""Relevance regression guard: runs eval.py (beside this file, with the judged dev queries
python-docs.dev.tsv; both copied from shared/relevance) over the judged queries with siteseek's own
ingestion + engine (relevance_cmd), prints the metrics, and fails when any figure falls below the
floors in floors.json (floors are set from measurements, a little below them: they guard against
regressions, they are not the goal). Exits 77 (ctest's SKIP_RETURN_CODE) when the site's
directory in CONFIG (the Python docs: Debian's python3.11-doc) is missing: skipped, not passed.
The same for the PostgreSQL docs (postgresql.tsv, floors-postgresql.json, postgresql-doc-15).

    check_relevance.py RELEVANCE_CMD CONFIG SITE TSV FLOORS_JSON [PACKAGE]

PACKAGE names the Debian package the skip message asks for (default python3.11-doc).
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

SKIPPED = 77  # SKIP_RETURN_CODE in tests/CMakeLists.txt


def main():
    cmd, config, site, tsv, floors_path = sys.argv[1:6]
    package = sys.argv[6] if len(sys.argv) > 6 else "python3.11-doc"
    with open(config) as f:
        docs = next(s["directory"] for s in json.load(f)["sites"] if s["name"] == site)
    if not os.path.isfile(os.path.join(docs, "index.html")):
        print(f"relevance: skipped: {docs} is missing (scripts/setup installs {package})")
        return SKIPPED
    eval_py = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval.py")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "metrics.json")
        command = " ".join(shlex.quote(x) for x in [cmd, config, site])
        subprocess.run(["/usr/bin/python3", eval_py, tsv, "--cmd", command, "--root", docs, "--json", out,
                        "--label", "siteseek"], check=True)
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
