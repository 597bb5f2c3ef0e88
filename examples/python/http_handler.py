#!/usr/bin/python3
"""A tiny search service with the standard library only: siteseek in-process behind
http.server, answering GET /search?q=... with the same JSON as siteseek's own server.

    PYTHONPATH=build/bindings/python examples/python/http_handler.py data/python.snapshot 8000
    curl 'http://127.0.0.1:8000/search?q=argparse'
"""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import siteseek

engine = siteseek.Engine.open(sys.argv[1] if len(sys.argv) > 1 else "data/python.snapshot", site="python")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        if url.path != "/search" or "q" not in params:
            return self.reply(400, {"error": {"code": "missing_parameter", "message": "GET /search?q=..."}})
        try:
            response = engine.search(params["q"], site="python", num=int(params.get("num", 10)))
        except (siteseek.Error, ValueError) as e:
            return self.reply(400, {"error": {"code": getattr(e, "code", "invalid_parameter"), "message": str(e)}})
        self.reply(200, response.to_dict())

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
    print(f"serving on http://127.0.0.1:{port}/search?q=...")
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
