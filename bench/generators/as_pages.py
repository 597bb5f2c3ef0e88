#!/usr/bin/python3
"""Filter for eval.py --cmd: each JSON line's results with their URLs' #fragments dropped, so that a
search that answers with sections is scored as pages (the unit Pagefind answers in)."""
import json
import sys

for line in sys.stdin:
    reply = json.loads(line)
    for r in reply.get("results", reply.get("hits", [])) if isinstance(reply, dict) else reply:
        r["url"] = r["url"].split("#", 1)[0]
    print(json.dumps(reply), flush=True)
