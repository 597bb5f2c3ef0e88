// The search page and the widget in a real browser: Debian's Chromium, headless, driven by
// playwright-core, against a real `siteseek serve` over tests/fixtures/html/site. Proves:
// 1. typing shows highlighted results with section titles and breadcrumbs (as you type);
// 2. the keyboard: "/" focuses, Down/Up move (aria-selected, aria-activedescendant), Enter
//    opens the result's URL, Esc closes; ARIA combobox/listbox roles and labels;
// 3. the no-results state, and the error state when the server is down;
// 4. the site picker appears when the server has several sites;
// 5. the widget embedded in a page of another origin works through CORS;
// 6. a phone-width layout. Screenshots go to tests/browser/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureSite = path.join(here, "..", "fixtures", "html", "site");
const artifacts = path.join(here, "artifacts");
const bin = process.env.SITESEEK_BIN;
fs.mkdirSync(artifacts, { recursive: true });

let server, base, browser, embedServer, embedOrigin, tmp;

function startSiteseek(config) {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SITESEEK_")));
    const proc = spawn(bin, ["--config", config, "serve", "--port", "0"], { env });
    let log = "";
    const timer = setTimeout(() => reject(new Error("siteseek did not start: " + log)), 30000);
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

function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once("exit", resolve);
    proc.kill("SIGTERM");
  });
}

before(async () => {
  assert.ok(bin, "SITESEEK_BIN must name the built siteseek program");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "siteseek-browser-"));
  // The page that embeds the widget lives on another origin (another port).
  embedServer = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    // One element and one script tag: the widget brings its own stylesheet.
    res.end(`<!DOCTYPE html><html><head><title>Another site</title></head><body><h1>Another site</h1>
      <div id="box" data-siteseek="${base}" data-site="ex" data-label="Search example docs"></div>
      <script src="${base}/widget.js" defer></script></body></html>`);
  });
  await new Promise((r) => embedServer.listen(0, "127.0.0.1", r));
  embedOrigin = `http://127.0.0.1:${embedServer.address().port}`;
  const config = path.join(tmp, "config.json");
  fs.writeFileSync(config, JSON.stringify({
    host: "127.0.0.1", data_dir: path.join(tmp, "data"), cors_origins: [embedOrigin],
    sites: [
      { name: "ex", url: "https://docs.example.org/", directory: fixtureSite, title_separators: [" | "] },
      { name: "other", url: "https://other.example.org/", directory: fixtureSite },
    ],
  }));
  ({ proc: server, base } = await startSiteseek(config));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await stop(server);
  if (embedServer) await new Promise((r) => embedServer.close(r));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("typing shows highlighted results with sections and breadcrumbs", async () => {
  const page = await browser.newPage();
  await page.goto(base + "/");
  const input = page.getByRole("combobox", { name: "Search the documentation" });
  await input.pressSequentially("insta", { delay: 30 });  // search as you type: a prefix
  const options = page.getByRole("listbox", { name: "Search results" }).getByRole("option");
  await options.first().waitFor();
  assert.ok(await options.count() >= 1);
  const first = options.first();
  assert.match(await first.locator(".ss-title").innerHTML(), /<b>Install<\/b>/);
  assert.match(await first.locator(".ss-crumbs").textContent(), /Example Docs › Guide/);
  assert.equal(await first.locator("a").getAttribute("href"), "https://docs.example.org/guide/install.html");
  assert.match(await page.locator(".ss-status").textContent(), /result/);
  await page.screenshot({ path: path.join(artifacts, "results.png") });
  await page.close();
});

test("keyboard: / focuses, arrows move, Enter opens, Esc closes", async () => {
  const page = await browser.newPage();
  let opened = null;
  await page.route("https://docs.example.org/**", (route) => {
    opened = route.request().url();
    route.fulfill({ status: 200, contentType: "text/html", body: "<title>opened</title>" });
  });
  await page.goto(base + "/");
  await page.keyboard.press("/");
  const input = page.getByRole("combobox", { name: "Search the documentation" });
  assert.equal(await input.evaluate((el) => el === document.activeElement), true);
  // The word arrives as one input event: typed key by key on a loaded machine, the debounce can
  // expire between keystrokes, and the answer for "guide" would then replace the list shown for
  // "gui" (and its selection) under the keys below.
  await input.fill("guide");
  await page.getByRole("listbox", { name: "Search results" }).getByRole("option").first().waitFor();
  await page.keyboard.press("ArrowDown");
  const selected = page.locator("[role=option][aria-selected=true]");
  assert.equal(await selected.count(), 1);
  assert.equal(await input.getAttribute("aria-activedescendant"), await selected.getAttribute("id"));
  assert.equal(await input.getAttribute("aria-expanded"), "true");
  await page.keyboard.press("Escape");
  assert.equal(await input.getAttribute("aria-expanded"), "false");
  assert.equal(await page.getByRole("listbox", { includeHidden: true }).isHidden(), true);
  // The first Escape closes the list and keeps the words (a search input would clear itself, and
  // the search for "" that follows would empty the list under the keys below).
  assert.equal(await input.inputValue(), "guide");
  assert.equal(await page.locator("[role=option][aria-selected=true]").count(), 0);
  await page.keyboard.press("ArrowDown");
  const url = await page.locator("[role=option][aria-selected=true] a").getAttribute("href");
  await Promise.all([page.waitForURL(url), page.keyboard.press("Enter")]);
  assert.equal(opened, url);
  // Back on the page, the second Escape clears the words.
  await page.goBack();
  const again = page.getByRole("combobox", { name: "Search the documentation" });
  await again.fill("guide");
  await page.getByRole("listbox", { name: "Search results" }).getByRole("option").first().waitFor();
  await page.keyboard.press("Escape");
  assert.equal(await again.inputValue(), "guide");
  await page.keyboard.press("Escape");
  assert.equal(await again.inputValue(), "");
  await page.waitForSelector(".ss-widget[data-state=idle]");
  await page.close();
});

test("no results, and the server down", async () => {
  // A server of its own, stopped for real while the page is open.
  const config = path.join(tmp, "down.json");
  fs.writeFileSync(config, JSON.stringify({
    host: "127.0.0.1", data_dir: path.join(tmp, "data"),
    sites: [{ name: "ex", url: "https://docs.example.org/", directory: fixtureSite, title_separators: [" | "] }],
  }));
  const own = await startSiteseek(config);
  const page = await browser.newPage();
  await page.goto(own.base + "/");
  const input = page.getByRole("combobox", { name: "Search the documentation" });
  await input.fill("zzqqxxnothing");
  await page.waitForSelector(".ss-widget[data-state=empty-results]");
  assert.match(await page.locator(".ss-status").textContent(), /No results for “zzqqxxnothing”/);
  await page.screenshot({ path: path.join(artifacts, "no-results.png") });
  await stop(own.proc);
  await input.fill("install");
  await page.waitForSelector(".ss-widget[data-state=error]");
  assert.match(await page.locator(".ss-status").textContent(), /unavailable/);
  assert.equal(await page.getByRole("listbox", { includeHidden: true }).isHidden(), true);
  await page.screenshot({ path: path.join(artifacts, "server-down.png") });
  await page.close();
});

test("site picker when the server has several sites", async () => {
  const page = await browser.newPage();
  await page.goto(base + "/");
  const picker = page.getByRole("combobox", { name: "Site to search" });
  await picker.waitFor();
  assert.deepEqual(await picker.locator("option").allTextContents(), ["ex", "other"]);
  await picker.selectOption("other");
  await page.getByRole("combobox", { name: "Search the documentation" }).fill("install");
  await page.getByRole("listbox", { name: "Search results" }).getByRole("option").first().waitFor();
  await page.close();
});

test("the widget on another origin works through CORS", async () => {
  const page = await browser.newPage();
  await page.goto(embedOrigin + "/");
  const input = page.getByRole("combobox", { name: "Search example docs" });
  await input.fill("linux");
  await page.getByRole("listbox", { name: "Search results" }).getByRole("option").first().waitFor();
  assert.match(await page.getByRole("listbox", { name: "Search results" }).getByRole("option").first().textContent(), /On Linux/);
  assert.equal(await page.locator(`link[href="${base}/widget.css"]`).count(), 1);
  assert.equal(await page.locator(".ss-results").evaluate((e) => getComputedStyle(e).borderRadius), "8px");
  await page.screenshot({ path: path.join(artifacts, "embedded.png") });
  await page.close();
});

test("phone width", async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 700 } });
  await page.goto(base + "/");
  await page.getByRole("combobox", { name: "Search the documentation" }).fill("install");
  await page.getByRole("listbox", { name: "Search results" }).getByRole("option").first().waitFor();
  const box = await page.locator(".ss-results").boundingBox();
  assert.ok(box.width <= 375, `results are ${box.width}px wide`);
  await page.screenshot({ path: path.join(artifacts, "phone.png") });
  await page.close();
});
