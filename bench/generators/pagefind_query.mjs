// Searches a Pagefind bundle with Pagefind's own pagefind.js, in Node, for eval.py --cmd:
// one query per stdin line in, one JSON line {"results":[{"url":...}, ...]} out per query, the
// top N (default 10) in Pagefind's order.
//
//   node pagefind_query.mjs BUNDLE_DIR BASE_URL [--sub] [--num N]
//
// pagefind.js is the browser ES module Pagefind writes into the bundle; outside a browser it
// runs its WebAssembly search in the calling thread (no Worker without `window`), and it loads
// its index files with fetch(), relative to its own file:// URL. Node's fetch() does not read
// file:// URLs, so this script installs a fetch() that reads them from disk and refuses every
// other URL (nothing goes to the network).
//
// Result URLs: Pagefind returns site-relative page URLs ("/api.html", "/dir/" for dir/index.html);
// each is joined to BASE_URL. By default each result is its page URL (the unit Pagefind ranks);
// with --sub, its first sub-result's URL (the page's best-matching heading anchor, as Pagefind's UI
// links it) is used instead when it has one.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const positional = [];
let useSub = false;
let num = 10;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--sub") useSub = true;
  else if (args[i] === "--num") num = Number(args[++i]);
  else positional.push(args[i]);
}
const [bundleDir, baseUrl] = positional;
if (!bundleDir || !baseUrl) {
  console.error("usage: node pagefind_query.mjs BUNDLE_DIR BASE_URL [--sub] [--num N]");
  process.exit(2);
}

globalThis.fetch = async (input) => {
  const url = new URL(typeof input === "string" ? input : input.url);
  if (url.protocol !== "file:") throw new Error(`pagefind_query: refusing to fetch ${url.href}`);
  try {
    return new Response(fs.readFileSync(fileURLToPath(url)));
  } catch {
    return new Response(null, { status: 404 });
  }
};

const bundle = path.resolve(bundleDir);
const pagefind = await import(pathToFileURL(path.join(bundle, "pagefind.js")).href);
// basePath: where its index files are; baseUrl: the prefix of result URLs (otherwise derived
// from basePath, i.e. file:///...): "/" keeps them site-relative.
await pagefind.options({ basePath: pathToFileURL(bundle).href + "/", baseUrl: "/" });
await pagefind.init();

const base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
const absolute = (u) => base + u.replace(/^\/+/, "");

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  const query = line.trim();
  const found = query ? await pagefind.search(query) : { results: [] };
  const top = await Promise.all(found.results.slice(0, num).map((r) => r.data()));
  const results = top.map((d) => {
    const sub = useSub && d.sub_results && d.sub_results.length ? d.sub_results[0].url : null;
    return { url: absolute(sub || d.url), title: d.meta && d.meta.title };
  });
  process.stdout.write(JSON.stringify({ results }) + "\n");
}
