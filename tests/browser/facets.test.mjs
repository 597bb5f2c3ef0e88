// Filters in the widget, in Debian's Chromium against a real `siteseek serve` over the Docusaurus
// fixture with versions and languages (tests/fixtures/generators/built/docusaurus-versioned, site
// "lumen", context_attributes version and area: see harness.mjs). Every count and total expected
// is the server's own JSON for the same request. Proves:
// 1. context chips: on a page of the site the widget sends it as from_url, and shows each value the
//    search kept to as a chip; its remove button (mouse or keyboard) searches again with
//    `filters=name:*` (the total grows to the server's), offers "Only …" to keep to it again, and
//    a search that found nothing in the reader's area finds results once widened;
// 2. the results page: the same chips, the removal kept in its address (a shared link reproduces
//    it), "see all" from the box carrying it there;
// 3. facets on the results page: options with the server's counts, two values of one facet OR'ed,
//    two facets AND'ed (the request's `filters` and the totals), chosen values first and kept,
//    their facet counted without their own choice, paging reset, the focus kept on the value;
// 4. values quoted as the filter language needs (`"` and `\` escaped);
// 5. a 400 invalid_filter (a stale address) as a short message with "Clear filters";
// 6. the French strings of all of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setUp, tearDown, hostPage, newPage, ready, focused, api, shot } from "./harness.mjs";

let env;
before(async () => { env = await setUp({ lumen: true }); });
after(() => tearDown(env));

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
const seeAllTotal = async (page) => Number((await root(page, ".ss-all").textContent()).match(/\d+/)[0]);

test("context chips in the box: sent from the page, removable (filters=name:*), restorable", async () => {
  const from = lumenPage("/lumen/fr/docs/intro/");
  const inContext = await api(env, query({ q: "lumen", site: "lumen", num: 8, from_url: from }));
  const area = inContext.context.find((c) => c.name === "area");
  assert.deepEqual(area, { name: "area", value: "fr" }, "the French page's area");
  const widened = await api(env, query({ q: "lumen", site: "lumen", num: 8, from_url: from, filters: "area:*" }));
  assert.ok(widened.total > inContext.total, `${widened.total} > ${inContext.total}`);

  const page = await newPage(env);
  const sent = watch(page);
  await page.goto(from);
  await ready(page);
  await box(page).fill("lumen");
  await options(page).first().waitFor();
  assert.equal(sent.at(-1).get("from_url"), from);
  assert.equal(sent.at(-1).has("filters"), false);
  // One chip per context attribute, as the server applied them.
  const chips = page.getByRole("group", { name: "Filters" });
  assert.deepEqual(await chips.locator(".ss-chip").allTextContents(),
    inContext.context.map((c) => c.name[0].toUpperCase() + c.name.slice(1) + " " + c.value + "×"));
  assert.equal(await seeAllTotal(page), inContext.total);

  // Removing "Area fr" (by mouse) searches every area: the request says area:*, the total grows.
  await chips.getByRole("button", { name: "Remove Area fr" }).click();
  await page.waitForFunction((n) => document.getElementById("box").shadowRoot.querySelector(".ss-all")?.textContent.includes(n), String(widened.total));
  assert.equal(sent.at(-1).get("filters"), "area:*");
  assert.equal((await focused(page)).role, "combobox", "the focus stays in the box");
  assert.deepEqual(await page.locator(".ss-hit").evaluateAll((els) => els.map((e) => e.getAttribute("href"))),
    widened.results.map((r) => r.url));
  // "See all" carries the widening to the results page.
  const all = new URL(await root(page, ".ss-all").getAttribute("href"));
  assert.deepEqual(all.searchParams.getAll("any"), ["area:fr"]);
  // "Only area fr" keeps to it again.
  const only = chips.getByRole("button", { name: "Only area fr" });
  await only.click();
  await chips.getByRole("button", { name: "Remove Area fr" }).waitFor();
  assert.equal(await seeAllTotal(page), inContext.total);
  assert.equal(await only.count(), 0);
  await shot(page, "context-chip.png");

  // The keyboard: Tab from the box reaches the chip's button, Enter removes it, the focus comes back.
  await box(page).focus();
  await page.keyboard.press("Tab");
  assert.equal((await focused(page)).cls, "ss-x");
  await page.keyboard.press("Enter");
  await chips.getByRole("button", { name: "Only area fr" }).waitFor();
  assert.equal((await focused(page)).role, "combobox");
  assert.equal(await seeAllTotal(page), widened.total);
  // Emptying the box ends the query session: the next search keeps to the page again.
  await box(page).fill("");
  await box(page).fill("lumen");
  await chips.getByRole("button", { name: "Remove Area fr" }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("context chips: nothing found in the reader's area, results once widened", async () => {
  const from = lumenPage("/lumen/docs/intro/", 'data-mode="modal"');
  const narrow = await api(env, query({ q: "toutefois", site: "lumen", from_url: from }));
  const wide = await api(env, query({ q: "toutefois", site: "lumen", from_url: from, filters: "area:*" }));
  assert.equal(narrow.total, 0, "'toutefois' is only in French pages");
  assert.equal(wide.total, 3);
  const page = await newPage(env);
  const sent = watch(page);
  await page.goto(from);
  await ready(page);
  await page.keyboard.press("Control+k");
  await box(page).fill("toutefois");
  await page.waitForSelector("#box[data-state=empty-results]");
  const chips = page.getByRole("group", { name: "Filters" });
  // In the dialog, Tab goes from the box to Close, then to the chip's button.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.equal((await focused(page)).cls, "ss-x");
  await page.keyboard.press("Space");
  await options(page).first().waitFor();
  assert.equal(sent.at(-1).get("filters"), "area:*");
  assert.equal(await page.locator(".ss-hit").count(), wide.total);
  await chips.getByRole("button", { name: "Only area docs" }).waitFor();
  await page.context().close();
});

test("results page: chips, the removal in its address, a shared link reproduces it", async () => {
  const from = env.docs + "/lumen/fr/docs/installation/";
  const params = { q: "lumen", site: "lumen", num: 10, from_url: from, facets: "area,type" };
  const narrow = await api(env, query(params));
  const wide = await api(env, query({ ...params, filters: "area:*" }));
  const page = await newPage(env);
  const sent = watch(page);
  await page.goto(env.base + "/search.html?" + new URLSearchParams({ q: "lumen", site: "lumen", from_url: from, facets: "area,type" }));
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.match(await root(page, ".ss-summary").textContent(), new RegExp(`^${narrow.total} results`));
  const chips = page.getByRole("group", { name: "Filters" });
  await chips.getByRole("button", { name: "Remove Area fr" }).click();
  await page.waitForFunction((n) => document.querySelector("[data-siteseek]").shadowRoot.querySelector(".ss-summary").textContent.startsWith(n + " results"), wide.total);
  assert.equal(sent.at(-1).get("filters"), "area:*");
  assert.deepEqual(new URL(page.url()).searchParams.getAll("any"), ["area:fr"]);
  // The same address in another tab: the same search, the same "Only area fr".
  const other = await newPage(env);
  await other.goto(page.url());
  await other.waitForSelector("[data-siteseek][data-state=results]");
  assert.match(await root(other, ".ss-summary").textContent(), new RegExp(`^${wide.total} results`));
  await other.getByRole("button", { name: "Only area fr" }).click();
  await other.waitForFunction((n) => document.querySelector("[data-siteseek]").shadowRoot.querySelector(".ss-summary").textContent.startsWith(n + " results"), narrow.total);
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
const summaryIs = (page, total) => page.waitForFunction((n) =>
  document.querySelector("[data-siteseek]").shadowRoot.querySelector(".ss-summary").textContent.startsWith(n + " result"), total);

test("results page facets: the server's counts, OR within a facet, AND across, paging reset", async () => {
  const base = { q: "lumen", site: "lumen", num: 10, facets: "area,type" };
  const all = await api(env, query(base));
  assert.ok(all.facets.area.values.length >= 3 && all.facets.type.values.length === 2, JSON.stringify(all.facets));
  const page = await newPage(env);
  const sent = watch(page);
  await page.goto(env.base + "/search.html?q=lumen&site=lumen&facets=area,type");
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.equal(sent.at(-1).get("facets"), "area,type");
  assert.deepEqual(await drawn(page), fromJson(all.facets, ["area", "type"]));
  assert.equal(await page.getByRole("group", { name: "Area" }).count(), 1, "each facet a labelled group");
  const [a1, a2] = all.facets.area.values.map((v) => v.value);
  const cb = (name, value, count) => page.getByRole("group", { name })
    .getByRole("checkbox", { name: `${value} (${count} result${count === 1 ? "" : "s"})` });

  // Load a second page of results, then choose a value: back to the first page.
  await page.getByRole("button", { name: "Load more results" }).click();
  await page.waitForFunction(() => document.querySelector("[data-siteseek]").shadowRoot.querySelectorAll(".ss-item").length === 20);
  await cb("Area", a1, all.facets.area.values[0].count).check();
  const one = await api(env, query({ ...base, filters: `area:${a1}` }));
  await summaryIs(page, one.total);
  assert.equal(sent.find((p) => p.get("filters") === `area:${a1}` && p.get("num") === "10").get("start"), "0");
  assert.equal(await page.locator(".ss-item").count(), Math.min(10, one.total));
  assert.deepEqual(new URL(page.url()).searchParams.getAll("f"), [`area:${a1}`]);
  // The area facet is counted without its own choice (the other areas stay offered), the type
  // facet under it; the value chosen keeps the focus.
  const areaOthers = await api(env, query({ ...base, num: 0, facets: "area", filters: "area:*" }));
  assert.equal(sent.some((p) => p.get("filters") === "area:*" && p.get("facets") === "area"), true);
  assert.deepEqual(await drawn(page), { ...fromJson(one.facets, ["type"]), ...fromJson(areaOthers.facets, ["area"], [`area:${a1}`]) });
  assert.equal((await focused(page)).tag, "input");

  // A second area: OR'ed.
  await cb("Area", a2, all.facets.area.values[1].count).check();
  const two = await api(env, query({ ...base, filters: `(area:${a1} OR area:${a2})` }));
  await summaryIs(page, two.total);
  assert.equal(two.total, all.facets.area.values[0].count + all.facets.area.values[1].count);
  assert.equal(sent.filter((p) => p.get("num") === "10").at(-1).get("filters"), `(area:${a1} OR area:${a2})`);
  // And a type: AND'ed.
  const t = two.facets.type.values.find((v) => v.value === "section");
  await cb("Type", "section", t.count).check();
  const three = await api(env, query({ ...base, filters: `(area:${a1} OR area:${a2}) AND type:section` }));
  await summaryIs(page, three.total);
  assert.equal(sent.filter((p) => p.get("num") === "10").at(-1).get("filters"), `(area:${a1} OR area:${a2}) AND type:section`);
  assert.deepEqual(new URL(page.url()).searchParams.getAll("f"), [`area:${a1}`, `area:${a2}`, "type:section"]);
  const typeOthers = await api(env, query({ ...base, num: 0, facets: "type", filters: `(area:${a1} OR area:${a2}) AND type:*` }));
  const areaNow = await api(env, query({ ...base, num: 0, facets: "area", filters: "type:section AND area:*" }));
  assert.deepEqual(await drawn(page),
    { ...fromJson(areaNow.facets, ["area"], [`area:${a1}`, `area:${a2}`]), ...fromJson(typeOthers.facets, ["type"], ["type:section"]) });
  await shot(page, "results-page-facets-test.png");

  // The keyboard: Space on a focused value clears it; the focus stays on it.
  await page.getByRole("group", { name: "Type" }).getByRole("checkbox", { checked: true }).focus();
  await page.keyboard.press("Space");
  await summaryIs(page, two.total);
  assert.equal(await page.locator("[data-siteseek]").evaluate((el) => el.shadowRoot.activeElement.k), "type:section");
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
  await page.goto(env.base + "/search.html?q=lumen&site=lumen&facets=area&f=verison:1.0");
  await page.waitForSelector("[data-siteseek][data-state=error]");
  assert.equal(await root(page, ".ss-summary").textContent(), "These filters do not apply here.");
  await shot(page, "invalid-filter.png");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.equal(new URL(page.url()).searchParams.has("f"), false);
  assert.equal(new URL(page.url()).searchParams.get("q"), "lumen");
  const all = await api(env, "/search?q=lumen&site=lumen&facets=area");
  assert.deepEqual(await drawn(page), fromJson(all.facets, ["area"]));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("labels: data-facets and data-labels name facets, chips and values; French strings", async () => {
  const from = lumenPage("/lumen/fr/docs/configuration/",
    'data-lang="fr" data-facets="area=Zone,type" data-labels="area:fr=français,type=Genre"', { lang: "fr" });
  const page = await newPage(env);
  await page.goto(from);
  await ready(page);
  await box(page, "Rechercher dans la documentation").fill("lumen");
  const chips = page.getByRole("group", { name: "Filtres" });
  await chips.locator(".ss-chip").first().waitFor();
  assert.equal(await chips.locator(".ss-chip").filter({ hasText: "Zone" }).textContent(), "Zone français×");
  await chips.getByRole("button", { name: "Retirer Zone français" }).click();
  await chips.getByRole("button", { name: "Uniquement Zone français" }).waitFor();
  // "Voir les N résultats" carries the facets, their labels and the widening to the results page.
  const all = new URL(await root(page, ".ss-all").getAttribute("href"));
  assert.equal(all.searchParams.get("facets"), "area=Zone,type");
  assert.equal(all.searchParams.get("labels"), "area:fr=français,type=Genre");
  await page.goto(all.href);
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.deepEqual(Object.keys(await drawn(page)), ["Zone", "Genre"]);
  assert.ok((await drawn(page)).Zone.some((v) => v[0] === "français"));
  await page.getByRole("button", { name: "Only Zone français" }).waitFor();
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
