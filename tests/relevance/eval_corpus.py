#!/usr/bin/python3
"""Run eval.py (unchanged) on a judged TSV whose corpus is not one of corpus.py's built-in two.

The TSV names its corpus in a header line:

    # corpus: name=jsoup generator=Javadoc package=libjsoup-java-doc version=1.15.3-1 \
        root=/usr/share/doc/libjsoup-java/api base=https://libjsoup-java-doc.example/ flavour=docbook

(one line). This script adds that corpus to corpus.CORPORA (root, base, flavour: 'sphinx' leaves
out genindex*, search.html, py-modindex.html and _static/ & co.; any other flavour keeps every
*.html file) and then runs eval.main() with `--corpus NAME --root ROOT` added, so every option of
eval.py works as documented there (--cmd, --http, --json, --per-query, --label).

--check is done here instead of in eval.py: eval.py checks fragments against corpus.py's section
documents, which exist only for Sphinx and DocBook layouts; here a judged fragment must be an id
in the judged page (eval.py's anchor containment then decides which results match it). Also
checked: the judged page exists, grades are 1..3, classes are known, no page is judged both as a
page and by a section for one query.

    eval_corpus.py TSV --check
    eval_corpus.py TSV --cmd 'siteseek query --data-dir D' [--json OUT] [--label siteseek]
"""
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus as corpus_mod  # noqa: E402
import eval as eval_mod  # noqa: E402


def read_corpus_header(tsv):
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# corpus:"):
                fields = dict(kv.split("=", 1) for kv in line[len("# corpus:"):].split())
                for key in ("name", "root", "base"):
                    if key not in fields:
                        raise SystemExit(f"{tsv}: the '# corpus:' line has no {key}=")
                fields.setdefault("flavour", "generic")
                # A corpus built here (bench/generators/corpora) is named from the repository's root.
                if not os.path.isabs(fields["root"]):
                    fields["root"] = os.path.normpath(os.path.join(HERE, "..", "..", fields["root"]))
                return fields
    raise SystemExit(f"{tsv}: no '# corpus: name=... root=... base=...' header line")


def check(tsv, cfg):
    queries = eval_mod.load_tsv(tsv)
    norm = eval_mod.Normaliser(cfg["name"], cfg["root"])
    bad = 0
    for q, e in queries.items():
        if e["class"] not in eval_mod.CLASSES:
            print(f"unknown class {e['class']!r} for {q!r}")
            bad += 1
        pages = collections.defaultdict(set)
        for url, g in e["judgments"]:
            key, frag = norm(url)
            pages[key].add(frag)
            if not url.startswith(cfg["base"]):
                print(f"{q!r}: {url} does not start with the corpus base {cfg['base']}")
                bad += 1
            if norm.known is None or key not in norm.known:
                print(f"{q!r}: no page for {url}")
                bad += 1
            elif frag is not None and frag not in norm.tree(key):
                print(f"{q!r}: {url}: no element with id {frag!r} on that page")
                bad += 1
            if g not in (1, 2, 3):
                print(f"{q!r}: {url}: grade {g} not in 1..3")
                bad += 1
        for k, fs in pages.items():
            if None in fs and len(fs) > 1:
                print(f"{q!r}: page {k} has both a page-level and a section judgment")
                bad += 1
    n_j = sum(len(e["judgments"]) for e in queries.values())
    cls = collections.Counter(e["class"] for e in queries.values())
    pages = len(norm.known or {})
    print(f"{cfg['name']}: {len(queries)} queries, {n_j} judgments, {pages} pages, classes {dict(cls)}: "
          f"{'OK' if not bad else str(bad) + ' problem(s)'}")
    return bad == 0


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        raise SystemExit(__doc__)
    tsv = sys.argv[1]
    cfg = read_corpus_header(tsv)
    corpus_mod.CORPORA[cfg["name"]] = {"root": cfg["root"], "base": cfg["base"], "flavour": cfg["flavour"]}
    if "--check" in sys.argv[2:]:
        sys.exit(0 if check(tsv, cfg) else 1)
    sys.argv = [sys.argv[0], tsv, "--corpus", cfg["name"], "--root", cfg["root"]] + sys.argv[2:]
    eval_mod.main()


if __name__ == "__main__":
    main()
