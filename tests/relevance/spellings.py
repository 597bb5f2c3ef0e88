#!/usr/bin/env python3
"""The judged queries of a set as readers also type them: a TSV per spelling, same judgments.

  spellings.py SET.tsv OUT_DIR     writes OUT_DIR/<set>-<spelling>.tsv for each spelling below
                                   (only the queries it changes; header lines kept) and
                                   OUT_DIR/<set>-<spelling>.judged (the same queries as judged),
                                   and prints how many queries each holds.

Spellings:
  joined   two or three words of letters typed as one ("create index" -> "createindex")
  nosep    identifiers typed without their separators ("os.path.join" -> "ospathjoin",
           "shared_buffers" -> "sharedbuffers")
  spaces   identifiers typed with spaces for separators ("shared buffers")
"""
import os
import re
import sys

IDENT = re.compile(r"[a-z][._][a-z]", re.I)
SEP = re.compile(r"(?<=[a-zA-Z0-9])[._](?=[a-zA-Z])")


def respell(query, spelling):
    if spelling == "joined":
        words = query.split()
        if 2 <= len(words) <= 3 and all(re.fullmatch(r"[a-zA-Z]+", w) for w in words):
            return "".join(words)
    elif spelling in ("nosep", "spaces") and IDENT.search(query):
        return SEP.sub("" if spelling == "nosep" else " ", query)
    return None


def main():
    src, out_dir = sys.argv[1], sys.argv[2]
    name = os.path.basename(src)[: -len(".tsv")]
    lines = open(src, encoding="utf-8").read().splitlines()
    for spelling in ("joined", "nosep", "spaces"):
        out, judged, queries = [], [], set()
        for line in lines:
            if line.startswith("#") or not line.strip():
                out.append(line)
                judged.append(line)
                continue
            fields = line.split("\t")
            q = respell(fields[0], spelling)
            if q is None or q == fields[0]:
                continue
            judged.append(line)
            fields[0] = q
            queries.add(q)
            out.append("\t".join(fields))
        if queries:
            base = os.path.join(out_dir, f"{name}-{spelling}")
            for path, text in ((base + ".tsv", out), (base + ".judged", judged)):
                with open(path, "w", encoding="utf-8") as f:
                    f.write("\n".join(text) + "\n")
        print(f"{name}-{spelling}: {len(queries)} queries")


if __name__ == "__main__":
    main()
