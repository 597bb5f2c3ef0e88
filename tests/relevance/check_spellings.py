#!/usr/bin/python3
"""Relevance guard for queries typed another way: the judged queries of python-docs.dev.tsv and
postgresql.tsv respelled by spellings.py (words joined, identifiers without their separators or
with spaces), each variant scored by check_relevance.py against its floors in
floors-spellings.json (set a little below measurements: names typed without separators and words
typed joined found nothing or little before the plan corrected them). Exits 77 when a corpus is
missing (skipped, not passed).

    check_spellings.py RELEVANCE_CMD PYTHON_CONFIG
"""
import json
import os
import subprocess
import sys
import tempfile

SKIPPED = 77
HERE = os.path.dirname(os.path.abspath(__file__))

# set -> (config, site, Debian package)
SETS = {
    "python-docs.dev": (None, "python", "python3.11-doc"),
    "postgresql": (os.path.join(HERE, "postgresql-docs.json"), "postgresql", "postgresql-doc-15"),
}


def main():
    cmd, python_config = sys.argv[1:3]
    with open(os.path.join(HERE, "floors-spellings.json")) as f:
        floors = json.load(f)
    failed = skipped = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, (config, site, package) in SETS.items():
            subprocess.run(["/usr/bin/python3", os.path.join(HERE, "spellings.py"), os.path.join(HERE, name + ".tsv"), tmp],
                           check=True, stdout=subprocess.DEVNULL)
            for variant, limits in floors.items():
                if not variant.startswith(name + "-"):
                    continue
                path = os.path.join(tmp, variant + ".tsv")
                floors_path = os.path.join(tmp, variant + ".floors.json")
                with open(floors_path, "w") as f:
                    json.dump(limits, f)
                print(f"== {variant}", flush=True)
                r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "check_relevance.py"), cmd,
                                    config or python_config, site, path, floors_path, package])
                skipped = skipped or r.returncode == SKIPPED
                failed = failed or r.returncode not in (0, SKIPPED)
    if failed:
        return 1
    return SKIPPED if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
