// The widget's qualities, measured in Debian's Chromium against a real `siteseek serve` over the
// generated site and, when python3.11-doc is installed (scripts/setup installs it), the Python docs
// (about 3 s to index). Proves, and prints what it measures:
// 1. budgets: widget.js + widget.css as sent gzip-compressed under 12 kB (fails more than 10 %
//    over); every keystroke's results drawn on the Python docs, and the time from keystroke to
//    results painted printed beside its 50 ms p95 budget, not asserted: a time on a shared machine
//    is not a test (bench/ui measures it, alternating builds);
// 2. theming: the --ss-* custom properties apply, on the element and on :root (the modal too);
// 3. the dark scheme follows prefers-color-scheme, and data-theme forces either scheme;
// 4. isolation: a host page with aggressive global CSS does not break the widget, and the widget
//    changes no style of the host page (shadow DOM);
// 5. zero layout shift when results open, change and close (inline, modal, results page);
// 6. reduced motion: no animation under prefers-reduced-motion;
// 7. axe-core: no WCAG 2.0/2.1 A or AA violation on the search page, the open inline box, the
//    open modal and the results page, in the light and the dark scheme; also with the context's
//    chips (box, modal, results page), the results page's facets and its invalid_filter message
//    (on the Docusaurus fixture with versions and languages, site lumen).
// Screenshots of each state go to tests/browser/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { setUp, tearDown, hostPage, newPage, ready, axe, watchShifts, shifts, shot, artifacts } from "./harness.mjs";

const BUDGET = { bytes: 12000, p95: 50, slack: 1.1 };
let env, site;
// Printed, and kept in artifacts/budgets.txt (scripts/test shows it: ctest hides a passing test's output).
const figures = path.join(artifacts, "budgets.txt");
fs.writeFileSync(figures, "");
const report = (line) => { console.log(line); fs.appendFileSync(figures, line + "\n"); };

before(async () => {
  env = await setUp({ python: true, lumen: true });
  site = env.python ? "python" : "ex";
  console.log(`siteseek started in ${env.startMs} ms` + (env.python ? " (Python docs indexed)" : " (no Python docs: python3.11-doc missing)"));
  // Host pages with a dark scheme of their own, as a docs theme that follows the reader's has.
  const css = "body { font: 16px/1.5 system-ui, sans-serif; margin: 2em; } " +
    "@media (prefers-color-scheme: dark) { body { background: #0d1117; color: #e6edf3; } }";
  const at = (attrs) => hostPage(env, `data-siteseek="${env.base}" ${attrs}`, { title: "Host page", css });
  env.pages["/inline"] = at(`data-site="${site}"`);
  env.pages["/modal"] = at(`data-site="${site}" data-mode="modal"`);
  // Pages of the lumen site (French docs of version 2.0, named "current"): the search keeps to
  // their version and language, shown as chips.
  env.pages["/lumen/fr/docs/intro/"] = at(`data-site="lumen" data-labels="version:current=2.0"`);
  env.pages["/lumen/fr/docs/commands/"] = at(`data-site="lumen" data-mode="modal" data-labels="version:current=2.0"`);
});
// The results page from a French 2.0 page with the facets, version 1.0 chosen (it replaces the
// version context): the language's chip, both facets.
const facetsPage = () => `${env.base}/search.html?` + new URLSearchParams({ q: "lumen", site: "lumen",
  from_url: env.docs + "/lumen/fr/docs/intro/", facets: "version,language", labels: "version:current=2.0", f: "version:1.0" });
after(() => tearDown(env));

const box = (page) => page.getByRole("combobox", { name: "Search the documentation" });
const options = (page) => page.getByRole("listbox", { name: "Search results" }).getByRole("option");
const words = () => (site === "python" ? "asyncio gather" : "install");

function gzipSize(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { "Accept-Encoding": "gzip" } }, (res) => {
      let n = 0;
      res.on("data", (c) => { n += c.length; });
      res.on("end", () => resolve({ bytes: n, encoding: res.headers["content-encoding"] || "identity" }));
    }).on("error", reject);
  });
}

test("budget: widget.js + widget.css sent under 12 kB gzip", async () => {
  const js = await gzipSize(env.base + "/widget.js"), css = await gzipSize(env.base + "/widget.css");
  assert.equal(js.encoding, "gzip");
  assert.equal(css.encoding, "gzip");
  const total = js.bytes + css.bytes;
  report(`budget: widget.js ${js.bytes} B + widget.css ${css.bytes} B = ${total} B gzip ` +
    `(budget ${BUDGET.bytes} B, fails above ${Math.round(BUDGET.bytes * BUDGET.slack)} B)`);
  assert.ok(total <= BUDGET.bytes * BUDGET.slack, `${total} B is more than 10 % over ${BUDGET.bytes} B`);
});

test("budget: keystroke to results painted on the Python docs (printed; every keystroke answered)", async (t) => {
  if (!env.python) {
    t.skip("python3.11-doc is not installed (scripts/setup installs it): no Python docs to measure on");
    return;
  }
  const page = await newPage(env);
  await page.goto(env.hostOrigin + "/inline");
  await ready(page);
  // Each keystroke's time, from its keydown to the frame after the results for the words it
  // made were drawn (requestAnimationFrame, then a task: the frame has been produced).
  await page.evaluate(() => {
    window.lat = [];
    window.pending = [];
    let t0 = 0;
    window.addEventListener("keydown", () => { t0 = performance.now(); }, true);
    window.addEventListener("input", (e) => {
      const q = e.composedPath()[0].value.trim();
      if (q) window.pending.push({ q, t0 });
    }, true);
    document.getElementById("box").addEventListener("siteseek:results", (e) => {
      const done = window.pending.filter((p) => p.q === e.detail.q);
      window.pending = window.pending.filter((p) => p.q !== e.detail.q);
      requestAnimationFrame(() => setTimeout(() => { const t = performance.now(); for (const p of done) window.lat.push(t - p.t0); }));
    });
  });
  const input = box(page);
  await input.focus();
  await page.keyboard.type("warm up", { delay: 60 });  // the connection and the first compile
  await page.waitForFunction(() => !window.pending.some((p) => p.q === "warm up"));
  await page.evaluate(() => { window.lat = []; window.pending = []; });
  const queries = ["asyncio gather", "json dumps indent", "subprocess run", "dataclass field", "pathlib glob",
                   "logging basicConfig", "unittest mock patch", "socket timeout"];
  let typed = 0;
  for (const q of queries) {
    await input.fill("");
    await page.keyboard.type(q, { delay: 60 });  // a fast typist: 60 ms a key
    typed += q.length;
    await page.waitForFunction((want) => window.lat.length > 0 && !window.pending.some((p) => p.q === want), q.trim());
  }
  await page.waitForTimeout(100);
  const lat = (await page.evaluate(() => window.lat)).sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)];
  report(`budget: keystroke to results painted on the Python docs, ${lat.length} of ${typed} keystrokes ` +
    `(the others' words were replaced before their answer): p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, ` +
    `max ${lat.at(-1).toFixed(1)} ms (budget p95 ${BUDGET.p95} ms${pct(95) > BUDGET.p95 ? ": over it in this run" : ""}; ` +
    `bench/ui measures it)`);
  assert.ok(lat.length >= typed * 0.9, `only ${lat.length} of ${typed} keystrokes had their results drawn`);
  await page.context().close();
});

test("screenshots: light, dark, phone width, modal, results page", async () => {
  for (const [scheme, name] of [["light", "inline-light.png"], ["dark", "inline-dark.png"]]) {
    const page = await newPage(env, { colorScheme: scheme, viewport: { width: 1000, height: 640 } });
    await page.goto(env.hostOrigin + "/inline");
    await ready(page);
    await box(page).fill(words());
    await options(page).first().waitFor();
    await page.keyboard.press("ArrowDown");
    await shot(page, name);
    await page.context().close();
  }
  for (const [mode, name] of [["inline", "phone-inline.png"], ["modal", "phone-modal.png"]]) {
    const page = await newPage(env, { viewport: { width: 375, height: 700 }, isMobile: true, hasTouch: true });
    await page.goto(env.hostOrigin + "/" + mode);
    await ready(page);
    if (mode === "modal") await page.getByRole("button", { name: "Search" }).click();
    await box(page).fill(words());
    await options(page).first().waitFor();
    const width = await page.evaluate(() => document.documentElement.clientWidth);
    const panel = await page.locator(mode === "modal" ? ".ss-dialog" : ".ss-panel").boundingBox();
    assert.ok(panel.x >= 0 && panel.x + panel.width <= width, `the results fit the phone's ${width}px`);
    await shot(page, name);
    await page.context().close();
  }
  const page = await newPage(env, { viewport: { width: 1000, height: 640 } });
  await page.goto(env.hostOrigin + "/modal");
  await ready(page);
  await page.keyboard.press("Control+k");
  await box(page).fill(words());
  await options(page).first().waitFor();
  await page.keyboard.press("ArrowDown");
  await shot(page, "modal-light.png");
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${env.base}/search.html?q=${encodeURIComponent(words())}&site=${site}`);
    await page.waitForSelector("[data-siteseek][data-state=results]");
    await shot(page, `results-page-${scheme}.png`);
    await page.goto(facetsPage());
    await page.waitForSelector("[data-siteseek][data-state=results]");
    await page.locator(".ss-facet").first().waitFor();
    await shot(page, `results-page-facets-${scheme}.png`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(env.docs + "/lumen/fr/docs/intro/");
  await ready(page);
  await box(page).fill("lumen");
  await page.locator(".ss-chip").first().waitFor();
  await shot(page, "inline-context-light.png");
  await page.context().close();
});

test("theming: --ss-* custom properties apply, on the element and on :root", async () => {
  env.pages["/themed"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex" style="--ss-accent: rgb(200, 0, 100); ` +
    `--ss-bg: rgb(255, 250, 240); --ss-text: rgb(20, 20, 60); --ss-radius: 0px; --ss-font: Georgia, serif; ` +
    `--ss-font-size: 18px; --ss-space: 12px; --ss-mark: rgb(180, 240, 180)"`);
  const page = await newPage(env);
  await page.goto(env.hostOrigin + "/themed");
  await ready(page);
  await box(page).fill("install");
  await options(page).first().waitFor();
  const style = (sel, props) => page.locator(sel).first().evaluate((e, p) => p.map((k) => getComputedStyle(e)[k]), props);
  assert.deepEqual(await style(".ss-root", ["fontFamily", "fontSize", "color"]), ["Georgia, serif", "18px", "rgb(20, 20, 60)"]);
  assert.deepEqual(await style(".ss-title", ["color"]), ["rgb(200, 0, 100)"]);
  assert.deepEqual(await style(".ss-panel", ["backgroundColor", "borderTopLeftRadius"]), ["rgb(255, 250, 240)", "0px"]);
  assert.deepEqual(await style(".ss-input", ["borderTopLeftRadius", "paddingLeft"]), ["0px", "12px"]);
  assert.deepEqual(await style(".ss-opt b", ["backgroundColor"]), ["rgb(180, 240, 180)"]);
  await shot(page, "themed.png");
  await page.context().close();

  env.pages["/themed-root"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex" data-mode="modal"`,
    { css: ":root { --ss-accent: rgb(0, 120, 60); --ss-radius: 2px; }" });
  const modal = await newPage(env);
  await modal.goto(env.hostOrigin + "/themed-root");
  await ready(modal);
  await modal.keyboard.press("Control+k");
  await box(modal).fill("install");
  await options(modal).first().waitFor();
  assert.equal(await modal.locator(".ss-title").first().evaluate((e) => getComputedStyle(e).color), "rgb(0, 120, 60)");
  assert.equal(await modal.locator(".ss-dialog").evaluate((e) => getComputedStyle(e).borderTopLeftRadius), "2px");
  await modal.context().close();
});

test("dark scheme: follows prefers-color-scheme, data-theme forces either", async () => {
  const dark = "rgb(22, 27, 34)", light = "rgb(255, 255, 255)";
  for (const [scheme, theme, want] of [["light", "", light], ["dark", "", dark], ["dark", "light", light], ["light", "dark", dark]]) {
    env.pages["/theme-" + theme] = hostPage(env, `data-siteseek="${env.base}" data-site="ex" ${theme ? `data-theme="${theme}"` : ""}`);
    const page = await newPage(env, { colorScheme: scheme });
    await page.goto(env.hostOrigin + "/theme-" + theme);
    await ready(page);
    await box(page).fill("install");
    await options(page).first().waitFor();
    assert.equal(await page.locator(".ss-panel").evaluate((e) => getComputedStyle(e).backgroundColor), want,
      `prefers-color-scheme: ${scheme}, data-theme="${theme}"`);
    await page.context().close();
  }
  // A site's own switch setting data-theme later: the modal's dialog (a host of its own) follows.
  const page = await newPage(env, { colorScheme: "light" });
  await page.goto(env.hostOrigin + "/modal");
  await ready(page);
  await page.evaluate(() => document.getElementById("box").setAttribute("data-theme", "dark"));
  await page.keyboard.press("Control+k");
  await page.getByRole("dialog").waitFor();
  assert.equal(await page.locator(".ss-dialog").evaluate((e) => getComputedStyle(e).backgroundColor), dark);
  await page.context().close();
});

test("isolation: aggressive host CSS does not break the widget, and the widget restyles nothing of the host", async () => {
  const aggressive = `
    html { font-size: 8px !important; }
    * { font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important; letter-spacing: 3px !important;
        text-transform: uppercase !important; line-height: 3 !important; box-sizing: content-box !important; }
    div, span, a, ul, li, input, button, label, select { margin: 13px !important; padding: 13px !important;
        border: 4px dashed lime !important; background: yellow !important; position: static !important; }
    input { width: 40px !important; height: 90px !important; }
    [role=listbox], [role=option], .ss-panel, .ss-opt, .ss-root, .ss-input { display: none !important; }
    b { background: black !important; }`;
  env.pages["/aggressive"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex"`, { css: aggressive });
  const page = await newPage(env);
  await page.goto(env.hostOrigin + "/aggressive");
  await ready(page);
  await box(page).fill("install");
  await options(page).first().waitFor();
  assert.ok(await options(page).first().isVisible());
  const s = await page.locator(".ss-opt .ss-title").first().evaluate((e) => {
    const c = getComputedStyle(e), r = getComputedStyle(e.getRootNode().querySelector(".ss-root"));
    const i = getComputedStyle(e.getRootNode().querySelector(".ss-input"));
    return { font: c.fontFamily, transform: c.textTransform, spacing: c.letterSpacing, color: c.color, size: r.fontSize,
      border: i.borderTopStyle + " " + i.borderTopWidth, width: parseFloat(i.width) };
  });
  assert.ok(!/Comic/.test(s.font), s.font);
  assert.equal(s.transform, "none");
  assert.equal(s.spacing, "normal");
  assert.equal(s.color, "rgb(37, 87, 214)");
  assert.equal(s.size, "15px", "rem-proof: the page's root font size does not reach the widget");
  assert.equal(s.border, "solid 1px");
  assert.ok(s.width > 200, `the box is ${s.width}px wide`);
  await shot(page, "aggressive-host.png");
  await page.context().close();

  // The same page with and without the widget: every element of the page keeps every style.
  const plain = `body { font: 17px/1.6 Georgia, serif; color: rgb(40, 40, 40); } h1 { color: rgb(10, 80, 10); }
    p, li, a { margin: 0 0 8px; } input, button { font: inherit; border: 2px solid rgb(0, 0, 200); } b { color: rgb(150, 0, 0); }`;
  const rest = `<nav><a href="/x">A link</a> <button>A button</button> <input aria-label="Another box"></nav>` +
    `<ul><li>An <b>item</b></li></ul><div class="ss-root ss-opt ss-panel">The page's own class names</div>`;
  env.pages["/host-without"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex"`, { css: plain, before: rest })
    .replace(/<script src="[^"]*widget\.js" defer><\/script>/, "");
  env.pages["/host-with"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex" data-mode="modal"`, { css: plain, before: rest });
  const styles = () => page2.evaluate(() => {
    const props = ["color", "fontFamily", "fontSize", "lineHeight", "margin", "padding", "border", "backgroundColor",
                   "display", "position", "boxSizing", "textTransform", "letterSpacing", "overflow"];
    return {
      sheets: document.styleSheets.length, head: document.head.children.length,
      elements: [...document.querySelectorAll("html, body, body *:not(script):not([data-siteseek]):not(siteseek-modal)")]
        .map((e) => e.tagName + ":" + props.map((p) => getComputedStyle(e)[p]).join("|")),
    };
  });
  const page2 = await newPage(env);
  await page2.goto(env.hostOrigin + "/host-without");
  const without = await styles();
  await page2.goto(env.hostOrigin + "/host-with");
  await ready(page2);
  await page2.keyboard.press("Control+k");  // and with the dialog open
  await box(page2).fill("install");
  await options(page2).first().waitFor();
  assert.deepEqual(await styles(), without);
  await page2.context().close();
});

test("zero layout shift when results open, change and close", async () => {
  const page = await newPage(env);
  for (const mode of ["inline", "modal"]) {
    await page.goto(env.hostOrigin + "/" + mode);
    await ready(page);
    await ready(page, mode === "modal" ? "siteseek-modal" : "[data-siteseek]");
    await watchShifts(page);
    if (mode === "modal") await page.keyboard.press("Control+k");
    else await box(page).focus();
    await page.keyboard.type(words(), { delay: 30 });
    await options(page).first().waitFor();
    await page.waitForTimeout(150);  // the suggestions arrive after the results
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Escape");
    assert.deepEqual(await shifts(page), [], mode);
  }
  await page.goto(`${env.base}/search.html?q=pagination&site=ex`);
  await page.waitForSelector("[data-siteseek][data-state=results]");
  await watchShifts(page);
  await page.getByRole("button", { name: "Load more results" }).click();
  await page.waitForFunction(() => document.querySelector("[data-siteseek]").shadowRoot.querySelectorAll(".ss-item").length === 20);
  assert.deepEqual(await shifts(page), [], "results page");
  await page.context().close();
});

test("reduced motion: no animation when the reader asks for less", async () => {
  for (const [motion, want] of [["no-preference", "ss-fade"], ["reduce", "none"]]) {
    const page = await newPage(env, { reducedMotion: motion });
    await page.goto(env.hostOrigin + "/modal");
    await ready(page);
    await page.keyboard.press("Control+k");
    await page.getByRole("dialog").waitFor();
    assert.equal(await page.locator(".ss-backdrop").evaluate((e) => getComputedStyle(e).animationName), want, motion);
    await page.context().close();
  }
});

test("axe-core: no WCAG 2.1 A/AA violation on the page, the open box, the open modal, the results page", async () => {
  const lines = [];
  const check = async (page, name) => {
    const { passes, violations } = await axe(page);
    lines.push(`${name}: ${violations.length} violations, ${passes} rules passed`);
    assert.deepEqual(violations, [], name);
  };
  for (const scheme of ["light", "dark"]) {
    const page = await newPage(env, { colorScheme: scheme });
    await page.goto(env.base + "/");
    await ready(page);
    await check(page, `search page, ${scheme}`);
    await page.goto(env.hostOrigin + "/inline");
    await ready(page);
    await box(page).fill(words());
    await options(page).first().waitFor();
    await page.waitForTimeout(150);
    await page.keyboard.press("ArrowDown");
    await check(page, `inline box with results, ${scheme}`);
    await page.goto(env.hostOrigin + "/modal");
    await ready(page);
    await page.keyboard.press("Control+k");
    await box(page).fill(words());
    await options(page).first().waitFor();
    await page.waitForTimeout(150);
    await check(page, `open modal with results, ${scheme}`);
    await page.keyboard.press("Escape");
    await check(page, `modal closed, ${scheme}`);
    await page.goto(`${env.base}/search.html?q=${encodeURIComponent(words())}&site=${site}`);
    await page.waitForSelector("[data-siteseek][data-state=results]");
    await check(page, `results page, ${scheme}`);
    // Filters: the context's chip in the box, then the box widened ("Only …"), the modal's chip,
    // the results page's chip and facets, its invalid_filter message.
    await page.goto(env.docs + "/lumen/fr/docs/intro/");
    await ready(page);
    await box(page).fill("lumen");
    await page.locator(".ss-chip").first().waitFor();
    await check(page, `inline box with a context chip, ${scheme}`);
    await page.locator(".ss-x").first().click();
    await page.locator(".ss-only").first().waitFor();
    await check(page, `inline box widened, ${scheme}`);
    await page.goto(env.docs + "/lumen/fr/docs/commands/");
    await ready(page);
    await ready(page, "siteseek-modal");
    await page.keyboard.press("Control+k");
    await box(page).fill("lumen");
    await page.locator(".ss-chip").first().waitFor();
    await check(page, `open modal with a context chip, ${scheme}`);
    await page.goto(facetsPage());
    await page.waitForSelector("[data-siteseek][data-state=results]");
    await page.locator(".ss-facet").first().waitFor();
    await check(page, `results page with a chip and facets, ${scheme}`);
    await page.goto(`${env.base}/search.html?q=lumen&site=lumen&f=verison:1.0`);
    await page.waitForSelector("[data-siteseek][data-state=error]");
    await check(page, `results page, invalid_filter, ${scheme}`);
    await page.context().close();
  }
  // The box empty with recent searches and favourites.
  const page = await newPage(env);
  await page.goto(env.base + "/");
  await ready(page);
  await box(page).fill("install");
  await options(page).first().waitFor();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Control+s");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/guide\//);
  await page.goBack();
  await ready(page);
  await box(page).fill("");
  await box(page).focus();
  await page.getByRole("group", { name: "Recent searches" }).waitFor();
  await check(page, "recent searches and favourites");
  await page.context().close();
  for (const line of lines) report("axe: " + line);
});
