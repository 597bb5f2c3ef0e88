// What the browser tests share: a generated docs site, a real `siteseek serve` over it (and over
// the Python docs when Debian's python3.11-doc is installed), host pages on another origin, and
// Debian's Chromium driven by playwright-core (never a downloaded browser).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const artifacts = path.join(here, "artifacts");
export const pythonDocs = "/usr/share/doc/python3.11/html";
const axeSource = fs.readFileSync(path.join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
fs.mkdirSync(artifacts, { recursive: true });

// The "ex" site: an install page with three sections (sub-results), one page under v1/ and one
// under v2/ that are the same words (from_url decides which comes first), and 30 endpoint pages
// that all say "pagination" (three pages of results).
export function writeSite(dir) {
  const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><title>${title} | Example Docs</title></head>` +
    `<body><nav><a href="/">Home</a></nav><main>${body}</main></body></html>`;
  const files = {
    "index.html": page("Example Docs", '<h1>Example Docs</h1><p>Welcome. Read the <a href="guide/install.html">install guide</a>.</p>'),
    "guide/index.html": page("Guide", "<h1>Guide</h1><p>How to use the example tool, step by step.</p>"),
    "guide/install.html": page("Install", "<h1>Install</h1><p>Run the installer to install the tool.</p>" +
      '<section id="linux"><h2>Install on Linux</h2><p>Use apt to install the package on Linux.</p></section>' +
      '<section id="windows"><h2>Install on Windows</h2><p>Run the MSI installer to install it on Windows.</p></section>' +
      '<section id="macos"><h2>Install on macOS</h2><p>Use Homebrew to install it on macOS.</p></section>'),
    "v1/widgets.html": page("Widgets", "<h1>Widgets</h1><p>Frobnicate the widgets with the frobnicator.</p>"),
    "v2/widgets.html": page("Widgets", "<h1>Widgets</h1><p>Frobnicate the widgets with the frobnicator.</p>"),
  };
  for (let n = 1; n <= 30; n++) {
    files[`api/endpoint-${String(n).padStart(2, "0")}.html`] = page(`Endpoint ${n}`,
      `<h1>Endpoint ${n}</h1><p>Endpoint ${n} answers with pagination: ask for the next page with its cursor.</p>`);
  }
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

export function startSiteseek(config) {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SITESEEK_")));
    const proc = spawn(process.env.SITESEEK_BIN, ["--config", config, "serve", "--port", "0"], { env });
    let log = "";
    const timer = setTimeout(() => reject(new Error("siteseek did not start: " + log)), 60000);
    proc.stderr.on("data", (chunk) => {
      log += chunk;
      const m = /on http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: `http://127.0.0.1:${m[1]}` });
      }
    });
    proc.on("exit", (code) => reject(new Error(`siteseek exited ${code}: ${log}`)));
  });
}

export function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once("exit", resolve);
    proc.kill("SIGTERM");
  });
}

// Everything one test file needs: the server (sites ex, other, with `lumen` the versioned fixture,
// and when installed python), the
// browser, and an origin for pages that embed the widget (`env.pages[path] = html`). That origin is
// also the "ex" site's URL (`env.docs`): the widget can be tried on the very pages it finds (a page
// of a public name could not call a server on 127.0.0.1: Chromium's local network access), and a
// result opened is answered by a stub page, so nothing leaves the machine.
// `apiKey`: the settings' bootstrap api_key (admin routes, analytics), none by default.
export async function setUp({ python = false, lumen = false, apiKey } = {}) {
  assert.ok(process.env.SITESEEK_BIN, "SITESEEK_BIN must name the built siteseek program");
  const env = { tmp: fs.mkdtempSync(path.join(os.tmpdir(), "siteseek-browser-")), pages: {} };
  env.hostServer = http.createServer((req, res) => {
    const body = env.pages[req.url.split("?")[0]];
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(body || '<!DOCTYPE html><html lang="en"><title>A page of the docs</title><p>opened</p></html>');
  });
  await new Promise((r) => env.hostServer.listen(0, "127.0.0.1", r));
  env.hostOrigin = env.docs = `http://127.0.0.1:${env.hostServer.address().port}`;
  const site = path.join(env.tmp, "site");
  writeSite(site);
  const sites = [
    { name: "ex", url: env.docs + "/", directory: site, title_separators: [" | "] },
    { name: "other", url: "https://other.example.org/", directory: path.join(here, "..", "fixtures", "html", "site") },
  ];
  // The Docusaurus site with versions 1.0/current and locales en/fr (tests/fixtures/generators,
  // versioned.json the ground truth), served as if at env.docs/lumen/: its pages can hold the
  // widget, which sends them as from_url. The search keeps to the reader's page's version and
  // language (its docsearch:version and docsearch:language meta tags).
  if (lumen) {
    sites.push({ name: "lumen", url: env.docs + "/lumen/", directory: path.join(here, "..", "fixtures", "generators", "built", "docusaurus-versioned"),
      title_separators: [" | "], context_attributes: ["version", "language"] });
  }
  env.python = python && fs.existsSync(path.join(pythonDocs, "library", "asyncio.html"));
  if (env.python) {
    const example = JSON.parse(fs.readFileSync(path.join(here, "..", "..", "examples", "configs", "python-docs.json"), "utf8"));
    sites.push(example.sites[0]);
  }
  env.config = path.join(env.tmp, "config.json");
  fs.writeFileSync(env.config, JSON.stringify({
    host: "127.0.0.1", data_dir: path.join(env.tmp, "data"), cors_origins: [env.hostOrigin], default_site: "ex", sites,
    ...(apiKey ? { api_key: apiKey } : {}),
  }));
  const t0 = Date.now();
  ({ proc: env.server, base: env.base } = await startSiteseek(env.config));
  env.startMs = Date.now() - t0;
  env.browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  return env;
}

export async function tearDown(env) {
  if (!env) return;
  if (env.browser) await env.browser.close();
  if (env.server) await stop(env.server);
  if (env.hostServer) await new Promise((r) => env.hostServer.close(r));
  if (env.tmp) fs.rmSync(env.tmp, { recursive: true, force: true });
}

// A page of another site embedding the widget: one element and one script tag.
export function hostPage(env, attrs, { css = "", before = "", title = "Host page", lang = "en" } = {}) {
  return `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${title}</title><style>${css}</style></head><body><header>${before}</header><main><h1>${title}</h1>` +
    `<div id="box" ${attrs}></div><p id="after">The page goes on under the search box.</p></main>` +
    `<script src="${env.base}/widget.js" defer></script></body></html>`;
}

// A new page in a context of its own (its own localStorage).
export async function newPage(env, options = {}) {
  const context = await env.browser.newContext(options);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  return page;
}

// Resolves when the widget is drawn (its stylesheet loaded).
export async function ready(page, selector = "[data-siteseek]") {
  await page.waitForFunction((sel) => [...document.querySelectorAll(sel)].every((el) =>
    el.shadowRoot && el.shadowRoot.querySelector(".ss-root") && !el.shadowRoot.querySelector(".ss-root").hidden), selector);
}

// The element that has the focus, through shadow roots.
export function focused(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a ? { tag: a.tagName.toLowerCase(), id: a.id, cls: a.className, role: a.getAttribute("role") } : null;
  });
}

// axe-core against WCAG 2.0/2.1 A and AA rules (shadow roots included); returns the violations.
export async function axe(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  }));
  return {
    passes: result.passes.length,
    violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => [n.target.join(" "), n.failureSummary]) })),
  };
}

// Starts counting layout shifts (every one, also those right after input, which CLS would forgive).
export function watchShifts(page) {
  return page.evaluate(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__shifts.push({ value: e.value, sources: (e.sources || []).map((s) => s.node ? s.node.nodeName + "." + (s.node.className || "") : "?") });
      }
    }).observe({ type: "layout-shift" });
  });
}
export const shifts = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(window.__shifts), 50))));

export async function api(env, pathAndQuery) {
  const res = await fetch(env.base + pathAndQuery);
  assert.equal(res.status, 200, pathAndQuery);
  return res.json();
}

export const shot = (page, name, options = {}) => page.screenshot({ path: path.join(artifacts, name), ...options });
