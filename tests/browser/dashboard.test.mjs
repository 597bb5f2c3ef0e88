// The analytics dashboard (/analytics.html, docs/analytics.md#dashboard) in Debian's Chromium
// against a real `siteseek serve` (analytics on, the generated "ex" site of harness.mjs, a
// bootstrap api_key). The traffic is scripted over HTTP first (searches with session ids, a
// suggest, click beacons), and every count expected is what was scripted. Proves:
// 1. the page loads without a key and asks for one; a wrong key shows the server's refusal and is
//    not kept; the right key shows the report and is kept in sessionStorage only (not
//    localStorage, not the address), survives a reload, and "Forget key" drops it;
// 2. totals, and the charts as SVG with a title and description: one bar per day of the range
//    (30 by default, 7 after choosing a week), a CTR point for each day with searches; the
//    per-day table;
// 3. the tables hold the scripted queries with their exact counts: top queries, zero results,
//    results without a click, reformulations (kubernetes → install);
// 4. a zero-result query's "Synonym…", with "All sites" selected, asks for the site and creates a
//    one_way rule (GET /sites/ex/rules has it, and the query now finds results); "Pin…" is
//    prefilled with the top click and creates a pin (the pinned URL leads the next search); the
//    rule list shows both and its "Remove" deletes one;
// 5. a key without the curation action gets the API's error message, verbatim; a key for one site
//    is told that "All sites" is not its own and reads its site;
// 6. "Suggested fixes": nothing without the report's `proposals`; with them (the report
//    rewritten in flight) a table whose "Accept" POSTs the proposal's rule;
// 7. queries are shown as text (a query of HTML runs nothing, a javascript: click URL is no
//    link); the page runs under its Content-Security-Policy with no violation;
// 8. axe-core finds no WCAG 2.1 A/AA violation, in the light and the dark scheme.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setUp, tearDown, newPage, axe, shot } from "./harness.mjs";

const KEY = "dashboard-test-bootstrap-key-0123456789";
const axeSource = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "node_modules", "axe-core", "axe.min.js"), "utf8");
const XSS = "<img src=x onerror=window.__xss=1>";

let env;
let installTop;  // the URL clicked twice for "install"
let cursorClick;  // a URL of the site with markup in it, clicked for "cursor"
before(async () => {
  env = await setUp({ apiKey: KEY });
  const search = async (q, session) => {
    const res = await fetch(env.base + "/search?" + new URLSearchParams({ q, site: "ex", session }));  // sessions: 8+ characters
    assert.equal(res.status, 200, q);
    return res.json();
  };
  const click = async (body) => {
    const res = await fetch(env.base + "/analytics/click", { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(body) });
    assert.equal(res.status, 204, JSON.stringify(body));
  };
  // install: 4 searches, 2 clicked (both on its first result); frobnicate: 2, no click;
  // kubernetes: 2, nothing found, one rephrased into install; cursor: 1, clicked with a URL of
  // the site carrying markup; the HTML query: 1. 10 searches, 3 clicks, 1 suggest.
  for (const [session, clicked] of [["session-a", true], ["session-b", true], ["session-c", false]]) {
    const r = await search("install", session);
    assert.ok(r.total > 0);
    installTop = r.results[0].url;
    if (clicked) await click({ query_id: r.query_id, position: 1, url: installTop });
  }
  await search("frobnicate", "session-d");
  await search("frobnicate", "session-e");
  assert.equal((await search("kubernetes", "session-f")).total, 0);
  await search("install", "session-f");
  await search("kubernetes", "session-g");
  await search(XSS, "session-h");
  const cursor = await search("cursor", "session-i");
  // A javascript: URL is no result's: the server refuses it and stores nothing.
  const refused = await fetch(env.base + "/analytics/click", { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" },
    body: JSON.stringify({ query_id: cursor.query_id, position: 1, url: "javascript:window.__xss=2" }) });
  assert.equal(refused.status, 400);
  cursorClick = new URL(installTop).origin + '/x.html?q="><svg/onload=window.__xss=2>';
  await click({ query_id: cursor.query_id, position: 1, url: cursorClick });
  assert.equal((await fetch(env.base + "/suggest?q=inst&site=ex")).status, 200);
});
after(() => tearDown(env));

const api = async (method, p, { key = KEY, body } = {}) => {
  const res = await fetch(env.base + p, { method, headers: { "X-API-KEY": key, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, data: await res.json() };
};
const rules = async () => (await api("GET", "/sites/ex/rules")).data.rules;
const today = () => new Date().toISOString().slice(0, 10);

// A page of the dashboard, recording CSP violations and page errors; `key` entered when given.
async function open(options = {}, key) {
  const page = await newPage(env, options);
  page.csp = [];
  page.on("console", (m) => { if (/Content.Security.Policy/i.test(m.text())) page.csp.push(m.text()); });
  const res = await page.goto(env.base + "/analytics.html");
  assert.equal(res.status(), 200);
  page.headers = res.headers();
  if (key) await enterKey(page, key);
  return page;
}
async function enterKey(page, key) {
  await page.locator("#key").fill(key);
  await page.getByRole("button", { name: "Use key" }).click();
}
const loaded = (page) => page.locator("#status").filter({ hasText: /^Report for/ }).waitFor();
const row = (page, table, query) => page.locator("#" + table + " tbody tr").filter({ has: page.locator("th.query", { hasText: new RegExp("^" + query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$") }) });
const cells = (r) => r.locator("td:not(.actions)").allTextContents();

test("the key: asked for, a wrong one refused and not kept, kept in sessionStorage across a reload, forgotten", async () => {
  const page = await open();
  assert.match(page.headers["content-type"], /^text\/html/);
  assert.match(page.headers["content-security-policy"], /script-src 'self'/);
  assert.match(page.headers["content-security-policy"], /frame-ancestors 'none'/);
  await page.locator("#key").waitFor();
  assert.equal(await page.locator("#dashboard").isVisible(), false);

  await enterKey(page, "ssk_0000000000000000_not-a-key");
  await page.locator("#key-message").filter({ hasText: /refused the key/ }).waitFor();
  const refusal = await api("GET", "/analytics", { key: "ssk_0000000000000000_not-a-key" });
  assert.equal(refusal.status, 401);
  assert.ok((await page.locator("#key-message").textContent()).includes(refusal.data.error.message), "the server's own words");
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.equal(await page.locator("#dashboard").isVisible(), false);

  await enterKey(page, KEY);
  await loaded(page);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("siteseek.analytics.key")), KEY);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.ok(!page.url().includes(KEY));
  assert.equal(await page.locator("#key-section").isVisible(), false);

  await page.reload();
  await loaded(page);
  assert.equal(await page.locator("#totals dd").first().textContent(), "10");
  assert.ok(!page.url().includes(KEY));

  await page.getByRole("button", { name: "Forget key" }).click();
  await page.locator("#key").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("siteseek.analytics.key")), null);
  assert.equal(await page.locator("#dashboard").isVisible(), false);
  await page.reload();
  await page.locator("#key").waitFor();
  assert.equal(await page.locator("#dashboard").isVisible(), false);
  assert.deepEqual(page.csp, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("totals, charts with one bar per day and a CTR point per day with searches, the per-day table", async () => {
  const page = await open({}, KEY);
  await loaded(page);
  const totals = await page.locator("#totals .total").evaluateAll((els) => els.map((e) => [e.querySelector("dt").textContent, e.querySelector("dd").textContent]));
  assert.deepEqual(totals, [["Searches", "10"], ["Suggests", "1"], ["Clicks", "3"], ["Searches clicked", "3"], ["CTR", "30 %"]]);
  await shot(page, "dashboard.png", { fullPage: true });

  const bars = page.locator("#searches-chart svg rect.bar");
  assert.equal(await bars.count(), 30);
  const barDays = await bars.evaluateAll((els) => els.map((e) => [e.dataset.day, Number(e.dataset.value), Number(e.getAttribute("height"))]));
  assert.equal(barDays[29][0], today());
  assert.equal(barDays[29][1], 10);
  assert.ok(barDays[29][2] > 50, "today's bar is drawn");
  assert.ok(barDays.slice(0, 29).every((b) => b[1] === 0 && b[2] === 0));
  const svgEl = page.locator("#searches-chart svg");
  assert.equal(await svgEl.getAttribute("role"), "img");
  assert.equal(await page.locator("#searches-chart svg > title").textContent(), "Searches per day");
  assert.match(await page.locator("#searches-chart svg > desc").textContent(), /10 searches over 30 days/);
  assert.equal(await page.locator("#searches-chart svg").evaluate((s) => s.getAttribute("aria-labelledby").split(" ").map((id) => document.getElementById(id).textContent).join(" | ")),
    "Searches per day | " + await page.locator("#searches-chart svg > desc").textContent());
  const points = page.locator("#ctr-chart svg circle.point");
  assert.equal(await points.count(), 1);
  assert.equal(await points.getAttribute("data-day"), today());
  assert.equal(Number(await points.getAttribute("data-value")), 0.3);
  assert.match(await page.locator("#ctr-chart svg > title").textContent(), /Click-through rate per day/);
  assert.equal(await page.locator("#days-table tbody tr").count(), 30);
  assert.deepEqual(await page.locator("#days-table tbody tr").last().locator("th, td").allTextContents(), [today(), "10", "1", "3", "3", "30 %"]);

  // A week: 7 bars.
  const week = new Date(Date.now() - 6 * 86400000).toISOString().slice(0, 10);
  await page.locator("#from").fill(week);
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForFunction(() => document.querySelectorAll("#searches-chart rect.bar").length === 7);
  assert.equal(await page.locator("#days-table tbody tr").count(), 7);
  await shot(page, "dashboard.png", { fullPage: true });
  assert.deepEqual(page.csp, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the tables: top queries, zero results, no clicks, reformulations, with the scripted counts, as text", async () => {
  const page = await open({}, KEY);
  await loaded(page);
  // Query, searches, clicked, CTR, mean position, results, top click.
  const install = await cells(row(page, "top-queries", "install"));
  assert.deepEqual(install.slice(0, 4), ["4", "2", "50 %", "1"]);
  assert.ok(Number(install[4]) > 0);
  assert.equal(install[5], installTop + " (2)");
  assert.deepEqual((await cells(row(page, "top-queries", "frobnicate"))).slice(0, 3), ["2", "0", "0 %"]);
  assert.deepEqual((await cells(row(page, "zero-results", "kubernetes"))).slice(0, 5), ["2", "0", "0 %", "–", "0"]);
  assert.deepEqual((await cells(row(page, "no-clicks", "frobnicate"))).slice(0, 3), ["2", "0", "0 %"]);
  assert.equal(await row(page, "no-clicks", "install").count(), 0, "install was clicked");
  const reform = row(page, "reformulations", "kubernetes");
  assert.deepEqual(await reform.locator("td").first().textContent(), "1");
  assert.deepEqual(await reform.locator("ul.into li").allTextContents(), ["install (1)"]);
  // The tables agree with the report itself.
  const report = (await api("GET", "/analytics?site=ex")).data;
  assert.deepEqual(report.zero_results.map((q) => q.query).sort(), await page.locator("#zero-results tbody th.query").allTextContents().then((a) => a.sort()));
  assert.equal(await page.locator("#top-queries tbody tr").count(), report.top_queries.length);

  // Text, not markup: the HTML query and the clicked URL with markup are shown as typed and ran nothing.
  assert.equal(await row(page, "top-queries", XSS).count(), 1);
  assert.equal(await page.locator("main img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  const cursorTop = row(page, "top-queries", "cursor").locator("td.top-click");
  assert.equal(await cursorTop.textContent(), cursorClick + " (1)");
  assert.equal(await cursorTop.locator("a").getAttribute("href"), cursorClick);
  assert.equal(await row(page, "top-queries", "install").locator("td.top-click a").getAttribute("href"), installTop);

  // The scripted traffic is below every proposal's evidence threshold: "Suggested fixes" says so.
  assert.deepEqual(report.proposals, []);
  assert.equal(await page.locator("#proposals-section").isVisible(), true);
  assert.match(await page.locator("#proposals-section").textContent(), /No suggestions for this range/);
  assert.deepEqual(page.csp, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("Synonym… on a zero-result query (all sites: asks the site) and Pin… create rules; the rule list removes one", async () => {
  const page = await open({}, KEY);
  await loaded(page);
  assert.equal(await page.locator("#site").inputValue(), "", "All sites by default");
  assert.deepEqual(await page.locator("#site option").allTextContents(), ["All sites", "ex", "other"]);
  const zero = row(page, "zero-results", "kubernetes");
  await zero.getByRole("button", { name: "Synonym… kubernetes" }).click();
  const form = page.locator("#zero-results form.action-form");
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains("act-value")), true, "the focus is in the form");
  await page.keyboard.type("install");
  await form.getByRole("button", { name: "Add synonym" }).click();
  await form.locator(".action-result").filter({ hasText: /Choose the site/ }).waitFor();
  await form.getByLabel("Site").selectOption("ex");
  await form.getByRole("button", { name: "Add synonym" }).click();
  await form.locator(".action-result").filter({ hasText: /^Added rule / }).waitFor();
  const synonymId = await form.locator(".action-result").getAttribute("data-rule-id");
  let stored = await rules();
  const synonym = stored.find((r) => r.id === synonymId);
  assert.deepEqual([synonym.kind, synonym.from, synonym.to], ["one_way", "kubernetes", ["install"]]);
  const found = await (await fetch(env.base + "/search?q=kubernetes&site=ex")).json();
  assert.ok(found.total > 0, "the synonym finds the install pages");
  await page.locator("#rules tbody tr[data-rule-id='" + synonymId + "']").waitFor();

  // One site: Pin… prefilled with the top click, asked for no site.
  await page.locator("#site").selectOption("ex");
  await page.getByRole("button", { name: "Show" }).click();
  await page.locator("#status").filter({ hasText: /^Report for ex/ }).waitFor();
  const install = row(page, "top-queries", "install");
  await install.getByRole("button", { name: "Pin… install" }).click();
  const pinForm = page.locator("#top-queries form.action-form");
  assert.equal(await pinForm.locator("input.act-value").inputValue(), installTop);
  assert.equal(await pinForm.locator(".act-site").count(), 0);
  await pinForm.locator("input.act-value").fill("/v2/widgets.html");
  await pinForm.getByRole("button", { name: "Add pin" }).click();
  await pinForm.locator(".action-result").filter({ hasText: /^Added rule / }).waitFor();
  const pinId = await pinForm.locator(".action-result").getAttribute("data-rule-id");
  stored = await rules();
  const pin = stored.find((r) => r.id === pinId);
  assert.deepEqual([pin.kind, pin.query, pin.urls], ["pin", "install", ["/v2/widgets.html"]]);
  const pinned = await (await fetch(env.base + "/search?q=install&site=ex")).json();
  assert.equal(pinned.results[0].url, env.docs + "/v2/widgets.html");

  // The rule list: both, and Remove deletes the pin.
  await page.locator("#rules tbody tr[data-rule-id='" + pinId + "']").waitFor();
  assert.equal(await page.locator("#rules tbody tr[data-rule-id='" + synonymId + "']").count(), 1);
  await page.getByRole("button", { name: "Remove rule " + pinId }).click();
  await page.locator("#rules-message").filter({ hasText: "Removed rule " + pinId }).waitFor();
  assert.equal(await page.locator("#rules tbody tr[data-rule-id='" + pinId + "']").count(), 0);
  assert.deepEqual((await rules()).map((r) => r.id), [synonymId]);

  // Hide…: the form opens and closes with Escape, the focus back on its button.
  await install.getByRole("button", { name: "Hide… install" }).click();
  await page.locator("#top-queries form.action-form").waitFor();
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("#top-queries form.action-form").count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), "Hide… install");
  await api("DELETE", "/sites/ex/rules/" + synonymId);
  assert.deepEqual(page.csp, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a key without the curation action: the rule is refused with the API's own message", async () => {
  const made = await api("POST", "/keys", { body: { actions: ["analytics"], description: "dashboard reader" } });
  assert.equal(made.status, 201);
  const reader = made.data.key;
  const page = await open({}, reader);
  await loaded(page);
  // (kubernetes found something in the test before: frobnicate, in "no click", is the row here)
  await row(page, "no-clicks", "frobnicate").getByRole("button", { name: "Hide… frobnicate" }).click();
  const form = page.locator("#no-clicks form.action-form");
  await form.locator("input.act-value").fill("/guide/install.html");
  await form.getByLabel("Site").selectOption("ex");
  await form.getByRole("button", { name: "Add hide" }).click();
  await form.locator(".action-result").filter({ hasText: /^Not added/ }).waitFor();
  const direct = await api("POST", "/sites/ex/rules", { key: reader, body: { kind: "hide", query: "frobnicate", url: "/guide/install.html" } });
  assert.equal(direct.status, 403);
  assert.equal(await form.locator(".action-result").textContent(),
    "Not added: " + direct.data.error.message + " (" + direct.data.error.code + ")");
  assert.deepEqual(await rules(), []);
  await page.context().close();
});

test("a key for one site: 'All sites' is refused with a clear message, the site it covers loads", async () => {
  const made = await api("POST", "/keys", { body: { actions: ["analytics"], sites: ["other"], description: "other's reader" } });
  assert.equal(made.status, 201);
  const page = await open({}, made.data.key);
  await page.locator("#key-message").filter({ hasText: /may not read the analytics of every site/ }).waitFor();
  const refusal = await api("GET", "/analytics", { key: made.data.key });
  assert.equal(refusal.status, 403);
  assert.ok((await page.locator("#key-message").textContent()).includes(refusal.data.error.message));
  assert.equal(await page.locator("#report").isVisible(), false);
  await page.locator("#site").selectOption("other");
  await page.getByRole("button", { name: "Show" }).click();
  await page.locator("#status").filter({ hasText: /^Report for other/ }).waitFor();
  assert.equal(await page.locator("#key-section").isVisible(), false);
  assert.equal(await page.locator("#totals dd").first().textContent(), "0");
  await page.context().close();
});

test("Suggested fixes: shown when the report has proposals, Accept POSTs the rule", async () => {
  const page = await open();
  const proposals = [
    { site: "ex", kind: "one_way", rule: { kind: "one_way", from: "frobnicate", to: ["install"] },
      evidence: { searches: 2, rephrased_into: 1 }, reason: "Readers who searched <b>frobnicate</b> went on to install" },
    { site: "ex", kind: "pin", rule: { kind: "pin", query: "cursor", urls: ["/api/endpoint-01.html"] },
      evidence: { clicks: 1 }, reason: "cursor: the clicked page could lead" },
  ];
  await page.route((url) => url.pathname === "/analytics", async (route) => {
    const response = await route.fetch();
    const report = await response.json();
    report.proposals = proposals;
    await route.fulfill({ response, json: report });
  });
  await enterKey(page, KEY);
  await loaded(page);
  const table = page.locator("#proposals");
  await page.getByRole("heading", { name: "Suggested fixes" }).waitFor();
  assert.equal(await table.locator("tbody tr.proposal").count(), 2);
  const first = table.locator("tbody tr.proposal").first();
  assert.equal(await first.locator("td.reason").textContent(), proposals[0].reason, "as text");
  assert.equal(await table.locator("b").count(), 0);
  assert.deepEqual(await first.locator("ul.evidence li").allTextContents(), ["searches: 2", "rephrased into: 1"]);
  await first.getByRole("button", { name: "Accept: " + proposals[0].reason }).click();
  await first.locator(".action-result").filter({ hasText: /^Added rule / }).waitFor();
  assert.equal(await first.getByRole("button", { name: /^Accept/ }).isDisabled(), true);
  const stored = await rules();
  assert.equal(stored.length, 1);
  assert.deepEqual([stored[0].kind, stored[0].from, stored[0].to], ["one_way", "frobnicate", ["install"]]);
  await api("DELETE", "/sites/ex/rules/" + stored[0].id);
  assert.deepEqual(page.csp, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("axe-core: no WCAG 2.1 A/AA violation on the key form and the report, light and dark", async () => {
  for (const scheme of ["light", "dark"]) {
    const page = await open({ colorScheme: scheme });
    await page.locator("#key").waitFor();
    // The page's CSP refuses an inline <script>: axe goes in through the DevTools protocol.
    await page.evaluate(axeSource);
    let { passes, violations } = await axe(page);
    assert.deepEqual(violations, [], "key form, " + scheme);
    assert.ok(passes > 10, "axe ran");
    await enterKey(page, KEY);
    await loaded(page);
    await row(page, "no-clicks", "frobnicate").getByRole("button", { name: "Synonym… frobnicate" }).click();
    await page.locator("#days-table").evaluate((t) => { t.closest("details").open = true; });
    ({ passes, violations } = await axe(page));
    assert.deepEqual(violations, [], "report, " + scheme);
    assert.ok(passes > 10, "axe ran");
    assert.deepEqual(page.csp, []);
    await page.context().close();
  }
});
