// Filters in the widget, in Debian's Chromium against a real `siteseek serve` over the Docusaurus
// fixture with versions and languages (tests/fixtures/generators/built/docusaurus-versioned, site
// "lumen": its pages' docsearch:version and docsearch:language meta tags, context_attributes
// version and language; see harness.mjs). Every count and total expected is the server's own JSON
// for the same request, and where it says so the fixture's ground truth (versioned.json). Proves:
// 1. context chips: on a page of the site the widget sends it as from_url, and shows each value the
//    search kept to as a chip ("Version 1.0", "Language fr"); its remove button (mouse or
//    keyboard) searches again with `filters=name:*` (the total grows to the server's), offers
//    "Only …" to keep to it again, and a search that found nothing in the reader's version finds
//    the other version's pages once widened;
// 2. the results page: the same chips, the removal kept in its address (a shared link reproduces
//    it), "see all" from the box carrying it there;
// 3. facets on the results page: options with the server's counts, two versions OR'ed, a language
//    AND'ed (the request's `filters` and the totals), chosen values first and kept, their facet
//    counted without their own choice, paging reset, the focus kept on the value;
// 4. values quoted as the filter language needs (`"` and `\` escaped);
// 5. a 400 invalid_filter (a stale address) as a short message with "Clear filters";
// 6. labels for attributes and values (Docusaurus's "current" shown as 2.0) and the French strings;
// 7. a server that refuses facets (RediSearch backend) is asked again without them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { setUp, tearDown, hostPage, newPage, ready, focused, api, shot } from "./harness.mjs";

let env;
before(async () => { env = await setUp({ lumen: true }); });
after(() => tearDown(env));

// The fixture's ground truth: pages holding "lumen" per version|language (every page), "quillon"
// (1.0 pages only).
const truth = JSON.parse(fs.readFileSync(new URL("../fixtures/generators/versioned.json", import.meta.url), "utf8")).counts;
const lumen = truth.lumen["version|language"];

const box = (page, name = "Search the documentation") => page.getByRole("combobox", { name });
const options = (page) => page.getByRole("listbox", { name: "Search results" }).getByRole("option");
const root = (page, sel) => page.locator(`[data-siteseek] ${sel}`);
// The site's pages are served by the test's host origin (env.docs/lumen/…) with the widget added.
const lumenPage = (path, attrs = "", opts = {}) => {
  env.pages[path] = hostPage(env, `data-siteseek="${env.base}" data-site="lumen" ${attrs}`, { title: "Lumen", ...opts });
  return env.docs + path;
};
// Every /search request the page makes, as URLSearchParams.
const watch = (page) => {
  const sent = [];
  page.on("request", (r) => { if (r.url().startsWith(env.base + "/search?")) sent.push(new URL(r.url()).searchParams); });
  return sent;
};
const query = (params) => "/search?" + new URLSearchParams(Object.entries(params).filter((e) => e[1] !== undefined));
const seeAllIs = (page, n) => page.waitForFunction((want) =>
  document.getElementById("box").shadowRoot.querySelector(".ss-all")?.textContent.match(/\d+/)?.[0] === String(want), n);

test("context chips in the box: sent from the page, removable (filters=name:*), restorable", async () => {
  const from = lumenPage("/lumen/fr/docs/1.0/intro/");
  const ask = (filters) => api(env, query({ q: "lumen", site: "lumen", num: 8, from_url: from, filters }));
  const narrow = await ask(), anyVersion = await ask("version:*"), both = await ask("version:* AND language:*"), anyLanguage = await ask("language:*");
  assert.deepEqual(narrow.context, [{ name: "version", value: "1.0" }, { name: "language", value: "fr" }]);
  assert.equal(narrow.total, lumen["1.0|fr"]);
  assert.equal(anyVersion.total, lumen["1.0|fr"] + lumen["current|fr"]);
  assert.equal(both.total, truth.lumen.total - truth.lumen.version["(none)"], "every page with a version");
  assert.equal(anyLanguage.total, lumen["1.0|en"] + lumen["1.0|fr"]);

  const page = await newPage(env);
  const sent = watch(page);
  await page.goto(from);
  await ready(page);
  await box(page).fill("lumen");
  await options(page).first().waitFor();
  assert.equal(sent.at(-1).get("from_url"), from);
  assert.equal(sent.at(-1).has("filters"), false);
  const chips = page.getByRole("group", { name: "Filters" });
  assert.deepEqual(await chips.locator(".ss-chip").allTextContents(), ["Version 1.0×", "Language fr×"]);
  await seeAllIs(page, narrow.total);

  // Removing "Version 1.0" (by mouse) searches every version: the request says version:*.
  await chips.getByRole("button", { name: "Remove Version 1.0" }).click();
  await seeAllIs(page, anyVersion.total);
  assert.equal(sent.at(-1).get("filters"), "version:*");
  assert.equal((await focused(page)).role, "combobox", "the focus stays in the box");
  assert.deepEqual(await page.locator(".ss-hit").evaluateAll((els) => els.map((e) => e.getAttribute("href"))),
    anyVersion.results.map((r) => r.url));
  // "See all" carries the widening to the results page.
  const all = new URL(await root(page, ".ss-all").getAttribute("href"));
  assert.deepEqual(all.searchParams.getAll("any"), ["version:1.0"]);
  await shot(page, "context-chip.png");

  // The keyboard: Tab from the box reaches the first chip's button, Enter removes it, the focus
  // comes back to the box.
  await box(page).focus();
  await page.keyboard.press("Tab");
  assert.equal((await focused(page)).cls, "ss-x");
  await page.keyboard.press("Enter");
  await seeAllIs(page, both.total);
  assert.equal(sent.at(-1).get("filters"), "version:* AND language:*");
  assert.equal((await focused(page)).role, "combobox");
  // "Only version 1.0" keeps to it again.
  await chips.getByRole("button", { name: "Only version 1.0" }).click();
  await seeAllIs(page, anyLanguage.total);
  assert.equal(sent.at(-1).get("filters"), "language:*");
  assert.deepEqual(await chips.locator(".ss-chip").allTextContents(), ["Version 1.0×"]);
  const asked = sent.length;
  await chips.getByRole("button", { name: "Only language fr" }).click();
  await seeAllIs(page, narrow.total);
  assert.equal(sent.length, asked, "the first answer again, from the box's cache");
  // Emptying the box ends the query session: the next search keeps to the page again.
  await chips.getByRole("button", { name: "Remove Language fr" }).click();
  await seeAllIs(page, anyLanguage.total);
  await box(page).fill("");
  await box(page).fill("lumen");
  await seeAllIs(page, narrow.total);
  assert.deepEqual(await chips.locator(".ss-chip").allTextContents(), ["Version 1.0×", "Language fr×"]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("context chips: nothing found in the reader's version, results once widened (modal, keyboard)", async () => {
  const from = lumenPage("/lumen/docs/intro/", 'data-mode="modal"');
  const narrow = await api(env, query({ q: "quillon", site: "lumen", from_url: from }));
  const wide = await api(env, query({ q: "quillon", site: "lumen", from_url: from, filters: "version:*" }));
  assert.equal(narrow.total, 0, "'quillon' is only in 1.0 pages");
  assert.equal(wide.total, truth.quillon["version|language"]["1.0|en"]);
  const page = await newPage(env);
  const sent = watch(page);
  await page.goto(from);
  await ready(page);
  await page.keyboard.press("Control+k");
  await box(page).fill("quillon");
  await page.waitForSelector("#box[data-state=empty-results]");
  // In the dialog, Tab goes from the box to Close, then to the first chip's button.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.equal((await focused(page)).cls, "ss-x");
  await page.keyboard.press("Space");
  await options(page).first().waitFor();
  assert.equal(sent.at(-1).get("filters"), "version:*");
  assert.deepEqual(await page.locator(".ss-hit").evaluateAll((els) => els.map((e) => e.getAttribute("href"))),
    wide.results.map((r) => r.url));
  await page.getByRole("group", { name: "Filters" }).getByRole("button", { name: "Only version current" }).waitFor();
  await page.context().close();
});

const summaryIs = (page, total) => page.waitForFunction((n) =>
  document.querySelector("[data-siteseek]").shadowRoot.querySelector(".ss-summary").textContent.startsWith(n + " result"), total);

test("results page: chips, the removal in its address, a shared link reproduces it", async () => {
  const from = env.docs + "/lumen/fr/docs/installation/";
  const params = { q: "lumen", site: "lumen", num: 10, from_url: from, facets: "version,language" };
  const narrow = await api(env, query(params));
  const wide = await api(env, query({ ...params, filters: "language:*" }));
  assert.equal(narrow.total, lumen["current|fr"]);
  assert.equal(wide.total, lumen["current|fr"] + lumen["current|en"]);
  const page = await newPage(env);
  const sent = watch(page);
  await page.goto(env.base + "/search.html?" + new URLSearchParams({ q: "lumen", site: "lumen", from_url: from, facets: "version,language" }));
  await page.waitForSelector("[data-siteseek][data-state=results]");
  await summaryIs(page, narrow.total);
  const chips = page.getByRole("group", { name: "Filters" });
  await chips.getByRole("button", { name: "Remove Language fr" }).click();
  await summaryIs(page, wide.total);
  assert.equal(sent.at(-1).get("filters"), "language:*");
  assert.deepEqual(new URL(page.url()).searchParams.getAll("any"), ["language:fr"]);
  // The same address in another tab: the same search, the same "Only language fr".
  const other = await newPage(env);
  await other.goto(page.url());
  await other.waitForSelector("[data-siteseek][data-state=results]");
  await summaryIs(other, wide.total);
  await other.getByRole("button", { name: "Only language fr" }).click();
  await summaryIs(other, narrow.total);
  assert.equal(new URL(other.url()).searchParams.has("any"), false);
  await other.context().close();
  await page.context().close();
});

// The facet groups as drawn: {name: [[value, count, checked]]}.
const drawn = (page) => page.locator("[data-siteseek]").evaluate((el) => Object.fromEntries(
  [...el.shadowRoot.querySelectorAll(".ss-facet")].map((g) => [g.querySelector("legend").textContent,
    [...g.querySelectorAll("label")].map((l) => [l.children[1].textContent, Number(l.children[2].textContent), l.children[0].checked])])));
// The same from the server's JSON: the values chosen ("name:value", in the order chosen) first,
// then the others in the server's order.
const fromJson = (facets, names, chosen = []) => Object.fromEntries(names.map((n) => {
  const mine = chosen.filter((c) => c.startsWith(n + ":")).map((c) => c.slice(n.length + 1));
  const count = (v) => (facets[n].values.find((x) => x.value === v) || { count: 0 }).count;
  return [n[0].toUpperCase() + n.slice(1), mine.map((v) => [v, count(v), true])
    .concat(facets[n].values.filter((v) => !mine.includes(v.value)).map((v) => [v.value, v.count, false]))];
}));
test("results page facets: the server's counts, OR within a facet, AND across, paging reset", async () => {
  const base = { q: "lumen", site: "lumen", num: 10, facets: "version,language" };
  const all = await api(env, query(base));
  assert.deepEqual(all.facets.version.values, [{ value: "current", count: truth.lumen.version.current }, { value: "1.0", count: truth.lumen.version["1.0"] }]);
  assert.deepEqual(all.facets.language.values, [{ value: "en", count: truth.lumen.language.en }, { value: "fr", count: truth.lumen.language.fr }]);
  const page = await newPage(env);
  const sent = watch(page);
  await page.goto(env.base + "/search.html?q=lumen&site=lumen&facets=version,language");
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.equal(sent.at(-1).get("facets"), "version,language");
  assert.deepEqual(await drawn(page), fromJson(all.facets, ["version", "language"]));
  assert.equal(await page.getByRole("group", { name: "Version" }).count(), 1, "each facet a labelled group");
  const cb = (name, value, count) => page.getByRole("group", { name })
    .getByRole("checkbox", { name: `${value} (${count} result${count === 1 ? "" : "s"})` });
  const lastFilters = () => sent.filter((p) => p.get("num") === "10").at(-1).get("filters");

  // Load a second page of results, then choose a value: back to the first page.
  await page.getByRole("button", { name: "Load more results" }).click();
  await page.waitForFunction(() => document.querySelector("[data-siteseek]").shadowRoot.querySelectorAll(".ss-item").length === 20);
  await cb("Version", "1.0", truth.lumen.version["1.0"]).check();
  const one = await api(env, query({ ...base, filters: "version:1.0" }));
  assert.equal(one.total, truth.lumen.version["1.0"]);
  await summaryIs(page, one.total);
  assert.equal(sent.find((p) => p.get("filters") === "version:1.0" && p.get("num") === "10").get("start"), "0");
  assert.equal(await page.locator(".ss-item").count(), 10);
  assert.deepEqual(new URL(page.url()).searchParams.getAll("f"), ["version:1.0"]);
  // The version facet is counted without its own choice (the other version stays offered), the
  // language facet under it; the value chosen keeps the focus.
  const versions = await api(env, query({ ...base, num: 0, facets: "version", filters: "version:*" }));
  assert.equal(sent.some((p) => p.get("filters") === "version:*" && p.get("facets") === "version" && p.get("num") === "0"), true);
  assert.deepEqual(await drawn(page), { ...fromJson(versions.facets, ["version"], ["version:1.0"]), ...fromJson(one.facets, ["language"]) });
  assert.equal(await page.locator("[data-siteseek]").evaluate((el) => el.shadowRoot.activeElement.k), "version:1.0");

  // The other version: OR'ed.
  await cb("Version", "current", truth.lumen.version.current).check();
  const two = await api(env, query({ ...base, filters: "(version:1.0 OR version:current)" }));
  assert.equal(two.total, truth.lumen.version["1.0"] + truth.lumen.version.current);
  await summaryIs(page, two.total);
  assert.equal(lastFilters(), "(version:1.0 OR version:current)");
  // And a language: AND'ed.
  await cb("Language", "fr", lumen["1.0|fr"] + lumen["current|fr"]).check();
  const three = await api(env, query({ ...base, filters: "(version:1.0 OR version:current) AND language:fr" }));
  assert.equal(three.total, lumen["1.0|fr"] + lumen["current|fr"]);
  await summaryIs(page, three.total);
  assert.equal(lastFilters(), "(version:1.0 OR version:current) AND language:fr");
  assert.deepEqual(new URL(page.url()).searchParams.getAll("f"), ["version:1.0", "version:current", "language:fr"]);
  const versionsNow = await api(env, query({ ...base, num: 0, facets: "version", filters: "language:fr AND version:*" }));
  const languagesNow = await api(env, query({ ...base, num: 0, facets: "language", filters: "(version:1.0 OR version:current) AND language:*" }));
  assert.deepEqual(await drawn(page), { ...fromJson(versionsNow.facets, ["version"], ["version:1.0", "version:current"]),
    ...fromJson(languagesNow.facets, ["language"], ["language:fr"]) });
  await shot(page, "results-page-facets-test.png");

  // The keyboard: Space on a focused value clears it; the focus stays on it.
  await page.getByRole("group", { name: "Language" }).getByRole("checkbox", { checked: true }).focus();
  await page.keyboard.press("Space");
  await summaryIs(page, two.total);
  assert.equal(await page.locator("[data-siteseek]").evaluate((el) => el.shadowRoot.activeElement.k), "language:fr");
  assert.deepEqual(new URL(page.url()).searchParams.getAll("f"), ["version:1.0", "version:current"]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("facet values are quoted as the filter language needs; a value chosen stays when its count is 0", async () => {
  const odd = 'a "b" c\\d';
  const page = await newPage(env);
  const sent = watch(page);
  // The server's facets answer gains a value with a space, quotes and a backslash.
  await page.route(env.base + "/search?*", async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    if (body.facets && body.facets.area) body.facets.area.values.push({ value: odd, count: 1 });
    await route.fulfill({ response: res, json: body });
  });
  await page.goto(env.base + "/search.html?q=lumen&site=lumen&facets=area");
  await page.waitForSelector("[data-siteseek][data-state=results]");
  await page.getByRole("checkbox", { name: `${odd} (1 result)` }).check();
  await page.waitForSelector("[data-siteseek][data-state=empty-results]");
  assert.equal(sent.filter((p) => p.get("num") === "10").at(-1).get("filters"), 'area:"a \\"b\\" c\\\\d"');
  assert.deepEqual(new URL(page.url()).searchParams.getAll("f"), [`area:${odd}`]);
  // The real server matches no record: the value stays, chosen, first.
  const groups = await drawn(page);
  assert.deepEqual(groups.Area[0], [odd, 1, true], "counted without its own choice, the stub's 1");
  await page.context().close();
});

test("a stale address (400 invalid_filter): a short message and Clear filters", async () => {
  const res = await fetch(env.base + "/search?q=lumen&site=lumen&filters=verison:1.0");
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, "invalid_filter");
  const page = await newPage(env);
  await page.goto(env.base + "/search.html?q=lumen&site=lumen&facets=version&f=verison:1.0");
  await page.waitForSelector("[data-siteseek][data-state=error]");
  assert.equal(await root(page, ".ss-summary").textContent(), "These filters do not apply here.");
  await shot(page, "invalid-filter.png");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.equal(new URL(page.url()).searchParams.has("f"), false);
  assert.equal(new URL(page.url()).searchParams.get("q"), "lumen");
  const all = await api(env, "/search?q=lumen&site=lumen&facets=version");
  assert.deepEqual(await drawn(page), fromJson(all.facets, ["version"]));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("labels: data-facets and data-labels name facets, chips and values (current as 2.0); French strings", async () => {
  const from = lumenPage("/lumen/fr/docs/configuration/",
    'data-lang="fr" data-facets="version,language=Langue" data-labels="version:current=2.0"', { lang: "fr" });
  const page = await newPage(env);
  await page.goto(from);
  await ready(page);
  await box(page, "Rechercher dans la documentation").fill("lumen");
  const chips = page.getByRole("group", { name: "Filtres" });
  await chips.locator(".ss-chip").first().waitFor();
  assert.deepEqual(await chips.locator(".ss-chip").allTextContents(), ["Version 2.0×", "Langue fr×"]);
  await chips.getByRole("button", { name: "Retirer Version 2.0" }).click();
  await chips.getByRole("button", { name: "Uniquement version 2.0" }).waitFor();
  // "Voir les N résultats" carries the facets, their labels and the widening to the results page.
  const all = new URL(await root(page, ".ss-all").getAttribute("href"));
  assert.equal(all.searchParams.get("facets"), "version,language=Langue");
  assert.equal(all.searchParams.get("labels"), "version:current=2.0");
  assert.deepEqual(all.searchParams.getAll("any"), ["version:2.0"]);
  await page.goto(all.href);
  await page.waitForSelector("[data-siteseek][data-state=results]");
  const groups = await drawn(page);
  assert.deepEqual(Object.keys(groups), ["Version", "Langue"]);
  assert.deepEqual(groups.Version.map((v) => v[0]), ["2.0", "1.0"]);
  assert.deepEqual(groups.Langue.map((v) => v[0]), ["fr"], "still kept to the reader's language");
  await page.getByRole("button", { name: "Remove Langue fr" }).waitFor();
  await page.getByRole("button", { name: "Only version 2.0" }).waitFor();
  await page.context().close();
});

test("a server refusing facets (RediSearch backend) is asked again without them: results, no facets", async () => {
  const page = await newPage(env);
  const sent = [];
  await page.route(env.base + "/search?*", (route) => {
    const p = new URL(route.request().url()).searchParams;
    sent.push(["sub_results", "facets"].filter((k) => p.has(k)).join("+"));
    const refused = ["sub_results", "facets"].find((k) => p.has(k));
    if (!refused) return route.continue();
    route.fulfill({ status: 400, contentType: "application/json",
      body: JSON.stringify({ error: { code: "unsupported_parameter", message: `${refused} is not supported with backend = redisearch` } }) });
  });
  await page.goto(env.base + "/search.html?q=lumen&site=lumen&facets=area,type");
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.deepEqual(sent, ["sub_results+facets", "facets", ""]);
  assert.equal(await root(page, ".ss-facet").count(), 0);
  assert.ok(await root(page, ".ss-item").count() > 0);
  await page.context().close();
});

test("init(element, options): the same settings as the attributes, a list as an array", async () => {
  env.pages["/lumen/docs/commands/"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex"`, { title: "Lumen" })
    .replace('<div id="box"', '<div id="later"></div><div id="box"');
  const page = await newPage(env);
  await page.goto(env.docs + "/lumen/docs/commands/");
  await ready(page);
  // An element added after the page loaded (as a single-page app draws it), started by hand.
  await page.evaluate((server) => {
    const el = document.getElementById("later");
    el.id = "box";
    document.querySelector("[data-siteseek]").removeAttribute("id");
    window.SiteseekWidget.init(el, { siteseek: server, site: "lumen", facets: ["version", "language"], labels: "version:current=2.0" });
  }, env.base);
  await page.locator("#box .ss-root:not([hidden])").waitFor();
  await page.locator("#box").getByRole("combobox").fill("lumen");
  await page.locator("#box .ss-chip").first().waitFor();
  assert.deepEqual(await page.locator("#box .ss-chip").allTextContents(), ["Version 2.0×", "Language en×"]);
  const all = new URL(await page.locator("#box .ss-all").getAttribute("href"));
  assert.equal(all.searchParams.get("facets"), "version,language");
  assert.equal(all.searchParams.get("labels"), "version:current=2.0");
  await page.context().close();
});
