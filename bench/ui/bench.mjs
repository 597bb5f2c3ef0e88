// The widget's size next to DocSearch's, and keystroke-to-paint on the Python docs with more
// keystrokes than the browser test types. Run by bench/ui/run.sh (which builds siteseek and
// installs the npm packages); alone: SITESEEK_BIN=... node bench/ui/bench.mjs [--queries N]
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { setUp, tearDown, hostPage, newPage, ready } from "../../tests/browser/harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const kb = (n) => (n / 1000).toFixed(1) + " kB";

function sent(url) {  // bytes as the server sends them to a client that accepts gzip
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { "Accept-Encoding": "gzip" } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        const plain = res.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(body) : body;
        resolve({ wire: body.length, plain: plain.length });
      });
    }).on("error", reject);
  });
}

const queries = [
  "asyncio gather", "json dumps indent", "subprocess run", "dataclass field", "pathlib glob", "logging basicConfig",
  "unittest mock patch", "socket timeout", "itertools groupby", "datetime timezone", "typing protocol", "re compile",
  "collections counter", "functools lru_cache", "contextlib suppress", "argparse subparsers", "threading lock",
  "os environ", "sqlite3 connect", "csv writer", "enum auto", "zipfile extract", "random choice", "string format",
];
const count = Number((process.argv.find((a) => a.startsWith("--queries=")) || "--queries=24").split("=")[1]);

const env = await setUp({ python: true });
try {
  if (!env.python) throw new Error("the Python docs (python3.11-doc) are needed: scripts/setup installs them");
  // Sizes.
  const js = await sent(env.base + "/widget.js"), css = await sent(env.base + "/widget.css");
  const ds = path.join(here, "node_modules", "@docsearch");
  const version = JSON.parse(fs.readFileSync(path.join(ds, "js", "package.json"), "utf8")).version;
  const file = (p) => fs.readFileSync(path.join(ds, p));
  const rows = [
    ["siteseek widget.js + widget.css (as sent)", js.plain + css.plain, js.wire + css.wire],
    [`DocSearch ${version} dist/umd/index.js + style.css (the CDN default)`, file("js/dist/umd/index.js").length + file("css/dist/style.css").length,
      gz(file("js/dist/umd/index.js")) + gz(file("css/dist/style.css"))],
    [`DocSearch ${version} dist/umd/docsearch.js + style.css`, file("js/dist/umd/docsearch.js").length + file("css/dist/style.css").length,
      gz(file("js/dist/umd/docsearch.js")) + gz(file("css/dist/style.css"))],
  ];
  console.log("size".padEnd(64) + "       raw    gzip -9  x siteseek");
  for (const [name, raw, packed] of rows) {
    console.log(`${name.padEnd(64)} ${kb(raw).padStart(9)} ${kb(packed).padStart(10)} ${(packed / rows[0][2]).toFixed(1).padStart(8)}`);
  }

  // Keystroke to results painted (the browser test's measure, more keystrokes).
  env.pages["/inline"] = hostPage(env, `data-siteseek="${env.base}" data-site="python"`);
  const page = await newPage(env);
  await page.goto(env.hostOrigin + "/inline");
  await ready(page);
  await page.evaluate(() => {
    window.lat = [];
    window.pending = [];
    let t0 = 0;
    window.addEventListener("keydown", () => { t0 = performance.now(); }, true);
    window.addEventListener("input", (e) => { const q = e.composedPath()[0].value.trim(); if (q) window.pending.push({ q, t0 }); }, true);
    document.getElementById("box").addEventListener("siteseek:results", (e) => {
      const done = window.pending.filter((p) => p.q === e.detail.q);
      window.pending = window.pending.filter((p) => p.q !== e.detail.q);
      requestAnimationFrame(() => setTimeout(() => { const t = performance.now(); for (const p of done) window.lat.push(t - p.t0); }));
    });
  });
  const input = page.getByRole("combobox");
  await input.focus();
  await page.keyboard.type("warm up", { delay: 60 });
  await page.waitForFunction(() => !window.pending.some((p) => p.q === "warm up"));
  await page.evaluate(() => { window.lat = []; window.pending = []; });
  let typed = 0;
  for (const q of queries.slice(0, count)) {
    await input.fill("");
    await page.keyboard.type(q, { delay: 60 });
    typed += q.length;
    await page.waitForFunction((want) => !window.pending.some((p) => p.q === want), q);
  }
  await page.waitForTimeout(100);
  const lat = (await page.evaluate(() => window.lat)).sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)].toFixed(1);
  console.log(`keystroke to results painted, Python docs, ${lat.length} of ${typed} keystrokes, 60 ms apart: ` +
    `p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${lat.at(-1).toFixed(1)} ms`);
  await page.context().close();
} finally {
  await tearDown(env);
}
