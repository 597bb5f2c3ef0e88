#!/usr/bin/python3
"""Side-by-side table of bench/generators/run.sh: for each corpus and query class, MRR@10,
nDCG@10 and R@10 of siteseek and of Pagefind (page URLs), and siteseek / Pagefind; then one line
per corpus with Pagefind's sub-result variant; optionally the whole run as one JSON file.

    summarize.py WORK_DIR [--out RESULTS.json --command CMD --commit SHA --date DATE --seconds S]

WORK_DIR holds one directory per corpus with meta.json (written by run.sh: generator, package,
pages, index times, tool logs) and eval.py's --json files siteseek.json, siteseek-page.json (the
same answers without their fragments), pagefind.json,
pagefind-sub.json, and pagefind-lang.json for corpora whose header names their language (lang=).
"""
import argparse
import json
import os

METRICS = [("mrr", "MRR@10"), ("ndcg", "nDCG@10"), ("recall", "R@10")]
ENGINES = ["siteseek", "siteseek-page", "pagefind", "pagefind-sub", "pagefind-lang"]


def ratio(a, b):
    if b == 0:
        return "inf" if a > 0 else "-"
    return f"{a / b:.2f}"


def load(work):
    corpora = []
    for name in sorted(os.listdir(work)):
        d = os.path.join(work, name)
        meta_path = os.path.join(d, "meta.json")
        if not os.path.isfile(meta_path):
            continue
        with open(meta_path) as f:
            meta = json.load(f)
        runs = {}
        for eng in ENGINES:
            p = os.path.join(d, eng + ".json")
            if os.path.isfile(p):
                with open(p) as f:
                    runs[eng] = json.load(f)
        corpora.append((meta, runs))
    corpora.sort(key=lambda c: c[0].get("order", 99))
    return corpora


def table(corpora):
    nw = max([12] + [len(meta["name"]) + 1 for meta, _ in corpora])
    head = f"{'corpus':<{nw}}{'generator':<13}{'class':<13}{'n':>3} "
    head += "".join(f"{'ss ' + l:>12}{'pf ' + l:>12}{'ratio':>7}" for _, l in METRICS)
    lines = [head, "-" * len(head)]
    for meta, runs in corpora:
        ss, pf = runs.get("siteseek"), runs.get("pagefind")
        if not ss or not pf:
            lines.append(f"{meta['name']:<{nw}}{meta['generator']:<13}(missing results)")
            continue
        for cls, v in ss["metrics"].items():
            w = pf["metrics"].get(cls)
            row = f"{meta['name']:<{nw}}{meta['generator']:<13}{cls:<13}{v['n']:>3} "
            for m, _ in METRICS:
                row += f"{v[m]:>12.3f}{w[m]:>12.3f}{ratio(v[m], w[m]):>7}"
            lines.append(row)
        lines.append("")
    # One line per corpus with the variant's overall figures, under a heading (none when no
    # corpus has the variant).
    for engine, heading in [
        ("siteseek-page", "siteseek's answers as pages (each result's #fragment dropped, as Pagefind answers)"),
        ("pagefind-sub", "Pagefind with sub-result URLs (each result's first sub-result anchor)"),
        ("pagefind-lang", "Pagefind with --force-language (the corpus header's lang=: its pages declare none)"),
    ]:
        having = [(meta, runs[engine]) for meta, runs in corpora if engine in runs]
        if having:
            lines.append(heading + ", overall:")
        for meta, r in having:
            o = r["metrics"]["overall"]
            lines.append(f"  {meta['name']:<{nw}}" + "".join(f"{l} {o[m]:.3f}  " for m, l in METRICS))
    lines.append("")
    lines.append("Indexing (wall seconds, index bytes on disk) and pages as each engine reported them:")
    mb = lambda b: f"{b / 1e6:.1f} MB" if isinstance(b, int) else "? MB"
    for meta, _ in corpora:
        lines.append(f"  {meta['name']:<{nw}} files {meta.get('html_files', '?'):>4}  "
                     f"siteseek {meta.get('siteseek_index_s', '?')} s, {mb(meta.get('siteseek_bytes'))}: "
                     f"{meta.get('siteseek_summary', '')}  |  "
                     f"pagefind {meta.get('pagefind_index_s', '?')} s, {mb(meta.get('pagefind_bytes'))}: "
                     f"{meta.get('pagefind_summary', '')}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--out")
    ap.add_argument("--command", default="")
    ap.add_argument("--commit", default="")
    ap.add_argument("--date", default="")
    ap.add_argument("--seconds", type=float)
    a = ap.parse_args()
    corpora = load(a.work)
    print(table(corpora))
    if a.out:
        doc = {
            "date": a.date, "commit": a.commit, "command": a.command,
            "machine": "2 shared cores, 24 GiB, Debian 12",
            "seconds": a.seconds,
            "figures": {
                meta["name"]: {
                    "meta": {k: v for k, v in meta.items() if k != "order"},
                    **{eng: {"metrics": r["metrics"],
                             "per_query": [{k: q[k] for k in ("query", "class", "mrr", "ndcg", "recall",
                                                               "first_relevant_rank", "top")}
                                           for q in r["per_query"]]}
                       for eng, r in runs.items()},
                }
                for meta, runs in corpora
            },
        }
        with open(a.out, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"\nwrote {a.out}")


if __name__ == "__main__":
    main()
