// The widget's behaviour in a real browser (Debian's Chromium, driven by playwright-core) against
// a real `siteseek serve` over a generated docs site. Proves:
// 1. the inline box: highlighted results grouped by page, breadcrumbs, a live region with the count;
// 2. every keyboard path of the box: "/" and Ctrl-K focus, Up/Down move (wrapping through the box),
//    Enter opens, Ctrl-Enter opens a new tab, Enter with nothing selected opens the results page,
//    Esc closes then clears; the focus is visible;
// 3. the modal: the button, Ctrl/Cmd-K and "/" open it, Tab stays inside, Esc and the backdrop
//    close it, the focus returns where it was; the same keys inside;
// 4. sub-results link to their sections' anchors (box and results page, in the API's order); a
//    server that refuses sub_results (the RediSearch backend) gets the search again without it;
// 5. the results page: count, time, "load more" up to the API's total, in the API's order;
// 6. from_url: the page the widget is on is sent by default and puts its section first;
//    data-from-url="off" sends none;
// 7. recent searches and favourites in localStorage, shown when the box is empty, removable,
//    clearable, and none kept with data-history="off"; suggestions as the reader types;
// 8. a second language by attribute; no results; the server down; the site picker;
// 9. analytics: searches carry the reader's session id (sessionStorage, the same across searches),
//    and clicking a result, in the box and on the results page, sends the click beacon naming the
//    search's query_id, the result's position and URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  setUp, tearDown, hostPage, newPage, ready, focused, api, shot, stop, startSiteseek,
} from "./harness.mjs";

let env;

before(async () => { env = await setUp(); });
after(() => tearDown(env));

const box = (page, name = "Search the documentation") => page.getByRole("combobox", { name });
const options = (page) => page.getByRole("listbox", { name: "Search results" }).getByRole("option");
const selected = (page) => page.locator("[role=option][aria-selected=true]");

test("inline box: results grouped by page, highlighted, with breadcrumbs and a counted live region", async () => {
  const page = await newPage(env);
  await page.goto(env.base + "/");
  await ready(page);
  await box(page).pressSequentially("insta", { delay: 20 });  // as you type: a prefix
  await options(page).first().waitFor();
  const first = options(page).first();
  assert.match(await first.locator(".ss-title").innerHTML(), /<b>Install<\/b>/);
  assert.match(await first.locator(".ss-crumbs").textContent(), /Example Docs › Guide/);
  assert.equal(await first.getAttribute("href"), env.docs + "/guide/install.html#linux");
  const expected = await api(env, "/search?q=insta&site=ex&num=8");
  // One option per page (plus "see all"), in the API's order.
  assert.deepEqual(await page.locator(".ss-hit").evaluateAll((els) => els.map((e) => e.getAttribute("href"))),
    expected.results.map((r) => r.url));
  await page.waitForFunction((n) => document.querySelector("[data-siteseek]").shadowRoot
    .querySelector("[role=status]").textContent === `${n} result${n === 1 ? "" : "s"}`, expected.total);
  assert.equal(await page.locator(".ss-all").textContent(), `See all ${expected.total} results`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("inline keyboard: / and Ctrl-K focus, arrows wrap, Enter, Ctrl-Enter, Esc, visible focus", async () => {
  const page = await newPage(env);
  await page.goto(env.base + "/");
  await ready(page);
  await page.keyboard.press("/");
  assert.equal((await focused(page)).role, "combobox");
  const input = box(page);
  const outline = await input.evaluate((e) => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; });
  assert.deepEqual(outline, ["solid", "2px"], "the focused box shows its focus");
  await page.locator("h1").click();
  assert.notEqual((await focused(page))?.role, "combobox");
  await page.keyboard.press("Control+k");
  assert.equal((await focused(page)).role, "combobox");

  await input.fill("install");
  await options(page).first().waitFor();
  const count = await options(page).count();
  await page.keyboard.press("ArrowDown");
  assert.equal(await selected(page).count(), 1);
  assert.equal(await input.getAttribute("aria-activedescendant"), await selected(page).getAttribute("id"));
  assert.equal(await selected(page).evaluate((e) => getComputedStyle(e).outlineStyle), "solid");
  assert.equal(await input.getAttribute("aria-expanded"), "true");
  await page.keyboard.press("ArrowUp");  // back into the box: nothing selected
  assert.equal(await selected(page).count(), 0);
  assert.equal(await input.getAttribute("aria-activedescendant"), null);
  await page.keyboard.press("ArrowUp");  // and round to the last option
  assert.equal(await selected(page).getAttribute("id"), await options(page).nth(count - 1).getAttribute("id"));
  await page.keyboard.press("ArrowDown");  // past the last: the box again
  assert.equal(await selected(page).count(), 0);

  // Esc closes the list and keeps the words; Down opens it again.
  await page.keyboard.press("Escape");
  assert.equal(await input.getAttribute("aria-expanded"), "false");
  assert.equal(await page.getByRole("listbox", { includeHidden: true }).isHidden(), true);
  assert.equal(await input.inputValue(), "install");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const url = await selected(page).getAttribute("href");

  // Ctrl-Enter: the selected result in a new tab, this page stays.
  const [tab] = await Promise.all([page.context().waitForEvent("page"), page.keyboard.press("Control+Enter")]);
  await tab.waitForLoadState();
  assert.equal(tab.url(), url);
  await tab.close();
  assert.equal(page.url(), env.base + "/");

  // Enter: the selected result here.
  await Promise.all([page.waitForURL(url), page.keyboard.press("Enter")]);
  await page.goBack();
  await ready(page);

  // Enter with nothing selected: every result, on the results page.
  await box(page).fill("install");
  await options(page).first().waitFor();
  await Promise.all([page.waitForURL(/\/search\.html\?/), page.keyboard.press("Enter")]);
  const params = new URL(page.url()).searchParams;
  assert.equal(params.get("q"), "install");
  await page.goBack();
  await ready(page);

  // The second Esc clears the words.
  await box(page).fill("guide");
  await options(page).first().waitFor();
  await page.keyboard.press("Escape");
  assert.equal(await box(page).inputValue(), "guide");
  await page.keyboard.press("Escape");
  assert.equal(await box(page).inputValue(), "");
  await page.waitForSelector("[data-siteseek][data-state=idle]");
  await page.context().close();
});

test("modal: button, Ctrl/Cmd-K and / open it; Tab stays inside; Esc and backdrop close it; focus returns", async () => {
  env.pages["/modal"] = hostPage(env, 'data-siteseek="' + env.base + '" data-site="ex" data-mode="modal"',
    { before: '<button id="before">A button of the page</button>' });
  const page = await newPage(env);
  await page.goto(env.hostOrigin + "/modal");
  await ready(page);
  await ready(page, "siteseek-modal");
  const dialog = page.getByRole("dialog", { name: "Search the documentation" });
  const trigger = page.getByRole("button", { name: "Search" });
  assert.equal(await dialog.isVisible(), false);
  assert.equal(await trigger.getAttribute("aria-keyshortcuts"), "Control+K /");

  // Ctrl-K from a button of the page; Esc brings the focus back to it.
  await page.locator("#before").focus();
  await page.keyboard.press("Control+k");
  await dialog.waitFor();
  assert.equal((await focused(page)).role, "combobox");
  assert.equal(await dialog.getAttribute("aria-modal"), "true");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.equal((await focused(page)).id, "before");

  // Cmd-K (Meta) and "/" open it too; Ctrl-K again closes it.
  await page.keyboard.press("Meta+k");
  await dialog.waitFor();
  await page.keyboard.press("Control+k");
  await dialog.waitFor({ state: "hidden" });
  await page.locator("h1").click();
  await page.keyboard.press("/");
  await dialog.waitFor();
  assert.equal((await focused(page)).role, "combobox");

  // Tab and Shift-Tab cycle inside the dialog: the box, the close button, the box.
  await page.keyboard.press("Tab");
  assert.equal((await focused(page)).cls, "ss-close");
  await page.keyboard.press("Tab");
  assert.equal((await focused(page)).role, "combobox");
  await page.keyboard.press("Shift+Tab");
  assert.equal((await focused(page)).cls, "ss-close");
  await page.keyboard.press("Shift+Tab");
  assert.equal((await focused(page)).role, "combobox");

  // The same keys as the inline box inside.
  const input = box(page);
  await input.fill("install");
  await options(page).first().waitFor();
  await page.keyboard.press("ArrowDown");
  assert.equal(await input.getAttribute("aria-activedescendant"), await selected(page).getAttribute("id"));
  const url = await selected(page).getAttribute("href");
  const [tab] = await Promise.all([page.context().waitForEvent("page"), page.keyboard.press("Control+Enter")]);
  await tab.waitForLoadState();
  assert.equal(tab.url(), url);
  await tab.close();
  await shot(page, "modal.png");

  // The mouse: the button opens it, a click on the backdrop closes it, the focus goes back to the button.
  await page.keyboard.press("Escape");
  await trigger.click();
  await dialog.waitFor();
  assert.equal(await input.inputValue(), "install", "the dialog keeps the last words");
  await page.mouse.click(5, 5);
  await dialog.waitFor({ state: "hidden" });
  assert.equal((await focused(page)).cls, "ss-button");

  // Enter opens the selected result (and closes the dialog on the way).
  await page.keyboard.press("Control+k");
  await options(page).first().waitFor();
  await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL(url), page.keyboard.press("Enter")]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("sub-results link to their sections' anchors", async () => {
  const expected = await api(env, "/search?q=install&site=ex&num=8&sub_results=3");
  const withSubs = expected.results.find((r) => r.sub_results.length);
  assert.ok(withSubs, "the fixture's install page has matching sections");
  const page = await newPage(env);
  await page.goto(env.base + "/");
  await ready(page);
  await box(page).fill("install");
  await options(page).first().waitFor();
  // Each page option is followed by its sub-results, each linking to its section's anchor.
  const hrefs = await options(page).evaluateAll((els) => els.map((e) => [e.classList.contains("ss-sub") ? "sub" : "hit", e.getAttribute("href")]));
  const want = expected.results.flatMap((r) => [["hit", r.url], ...r.sub_results.map((s) => ["sub", s.url])]);
  assert.deepEqual(hrefs.slice(0, want.length), want);
  for (const s of withSubs.sub_results) assert.match(s.url, /#[\w-]+$/);
  // Down to the first sub-result, Enter: its anchor opens.
  const firstSub = hrefs.findIndex(([kind]) => kind === "sub");
  for (let i = 0; i <= firstSub; i++) await page.keyboard.press("ArrowDown");
  await Promise.all([page.waitForURL(hrefs[firstSub][1]), page.keyboard.press("Enter")]);
  // The results page shows them too.
  await page.goto(env.base + "/search.html?q=install&site=ex");
  await page.locator(".ss-subs a").first().waitFor();
  assert.deepEqual(await page.locator(".ss-subs a").evaluateAll((els) => els.map((e) => e.getAttribute("href"))),
    expected.results.flatMap((r) => r.sub_results.map((s) => s.url)));
  await page.context().close();
});

test("a server refusing sub_results (RediSearch backend) is asked again without it", async () => {
  const page = await newPage(env);
  const sent = [];
  await page.route(env.base + "/search?*", (route) => {
    const url = new URL(route.request().url());
    sent.push(url.searchParams.has("sub_results"));
    if (!url.searchParams.has("sub_results")) return route.continue();
    route.fulfill({ status: 400, contentType: "application/json",
      headers: { "Access-Control-Allow-Origin": "*" },
      body: JSON.stringify({ error: { code: "unsupported_parameter", message: "sub_results is not supported with backend = redisearch" } }) });
  });
  await page.goto(env.base + "/");
  await ready(page);
  await box(page).fill("install");
  await options(page).first().waitFor();
  assert.equal(await page.locator(".ss-sub").count(), 0);
  await box(page).fill("guide");
  await page.waitForFunction(() => document.querySelector("[data-siteseek]").shadowRoot.querySelector(".ss-hit")?.getAttribute("href").includes("/guide/index.html"));
  assert.deepEqual(sent, [true, false, false], "asked once with sub_results, then never again");
  await page.goto(env.base + "/search.html?q=install&site=ex");
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.deepEqual(sent.slice(3), [true, false]);
  await page.context().close();
});

test("results page: count, time, load more up to the API's total, in the API's order", async () => {
  const all = await api(env, "/search?q=pagination&site=ex&num=100");
  assert.equal(all.total, 30);
  const page = await newPage(env);
  await page.goto(env.base + "/search.html?q=pagination&site=ex");
  const summary = page.locator(".ss-summary");
  await page.waitForSelector("[data-siteseek][data-state=results]");
  assert.match(await summary.textContent(), /^30 results for “pagination” in \d+\.\d\d ms$/);
  const links = page.locator(".ss-hit-link");
  assert.equal(await links.count(), 10);
  assert.equal(await page.locator(".ss-shown").textContent(), "Showing 10 of 30");
  const more = page.getByRole("button", { name: "Load more results" });
  await more.click();
  await page.waitForFunction(() => document.querySelector("[data-siteseek]").shadowRoot.querySelectorAll(".ss-hit-link").length === 20);
  // The keyboard goes on where the new results start.
  assert.equal(await page.evaluate(() => document.querySelector("[data-siteseek]").shadowRoot.activeElement.getAttribute("href")),
    all.results[10].url);
  await more.click();
  await page.waitForFunction(() => document.querySelector("[data-siteseek]").shadowRoot.querySelectorAll(".ss-hit-link").length === 30);
  assert.equal(await more.isHidden(), true);
  assert.equal(await page.locator(".ss-shown").textContent(), "Showing 30 of 30");
  assert.deepEqual(await links.evaluateAll((els) => els.map((e) => e.getAttribute("href"))), all.results.map((r) => r.url));
  // A new search from the page's own box; the address follows it.
  await page.getByRole("searchbox", { name: "Search the documentation" }).fill("frobnicate");
  await page.waitForFunction(() => /^2 results/.test(document.querySelector("[data-siteseek]").shadowRoot.querySelector(".ss-summary").textContent));
  assert.equal(new URL(page.url()).searchParams.get("q"), "frobnicate");
  await page.context().close();
});

test("from_url: the page the widget is on is sent by default and ranks its section first", async () => {
  const requests = [];
  const docs = env.docs;
  for (const section of ["v1", "v2"]) {  // the pages the site indexed, with the widget added
    env.pages[`/${section}/widgets.html`] = hostPage(env, `data-siteseek="${env.base}" data-site="ex"`, { title: "Widgets" });
  }
  env.pages["/v3/widgets.html"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex" data-from-url="off"`);
  for (const [section, other] of [["v1", "v2"], ["v2", "v1"]]) {
    const page = await newPage(env);
    page.on("request", (r) => { if (r.url().startsWith(env.base + "/search?")) requests.push(new URL(r.url())); });
    await page.goto(`${docs}/${section}/widgets.html#usage`);
    await ready(page);
    await box(page).fill("frobnicate");
    await options(page).first().waitFor();
    const sent = requests.at(-1).searchParams.get("from_url");
    assert.equal(sent, `${docs}/${section}/widgets.html`, "the page's address, without its fragment");
    const hrefs = await page.locator(".ss-hit").evaluateAll((els) => els.map((e) => e.getAttribute("href")));
    assert.deepEqual(hrefs, [`${docs}/${section}/widgets.html`, `${docs}/${other}/widgets.html`]);
    // "See all" carries it to the results page, which sends it too.
    const all = await page.locator(".ss-all").getAttribute("href");
    assert.equal(new URL(all).searchParams.get("from_url"), sent);
    // A single-page app moves to the other section without a reload: the same words now rank it first.
    await page.evaluate((to) => history.pushState(null, "", to), `/${other}/widgets.html`);
    await box(page).fill("frobnicate the");
    await box(page).fill("frobnicate");
    await page.waitForFunction((want) => document.querySelector("[data-siteseek]").shadowRoot.querySelector(".ss-hit")?.getAttribute("href") === want,
      `${docs}/${other}/widgets.html`);
    assert.equal(requests.at(-1).searchParams.get("from_url"), `${docs}/${other}/widgets.html`);
    await page.context().close();
  }
  const page = await newPage(env);
  page.on("request", (r) => { if (r.url().startsWith(env.base + "/search?")) requests.push(new URL(r.url())); });
  await page.goto(`${docs}/v3/widgets.html`);
  await ready(page);
  await box(page).fill("frobnicate");
  await options(page).first().waitFor();
  assert.equal(requests.at(-1).searchParams.has("from_url"), false);
  await page.context().close();
});

test("recent searches and favourites: kept, shown when the box is empty, removable, clearable, off by attribute", async () => {
  const page = await newPage(env);
  await page.goto(env.base + "/");
  await ready(page);
  const input = box(page);
  await input.focus();
  assert.equal(await input.getAttribute("aria-expanded"), "false", "nothing to show yet");
  await input.fill("install");
  await options(page).first().waitFor();
  await page.keyboard.press("ArrowDown");
  // Ctrl-S saves the selected result as a favourite.
  await page.keyboard.press("Control+s");
  const status = page.locator("[data-siteseek]").locator("[role=status]");
  assert.equal(await status.textContent(), "Saved to favourites");
  assert.equal(await selected(page).locator(".ss-star").getAttribute("data-on"), "");
  const url = await selected(page).getAttribute("href");
  await Promise.all([page.waitForURL(url), page.keyboard.press("Enter")]);
  await page.goBack();
  await ready(page);
  await box(page).fill("");
  await box(page).focus();
  const recent = page.getByRole("group", { name: "Recent searches" }).getByRole("option");
  const favs = page.getByRole("group", { name: "Favourites" }).getByRole("option");
  await recent.first().waitFor();
  assert.deepEqual(await recent.allTextContents(), ["install"]);
  assert.equal(await favs.count(), 1);
  assert.equal(await favs.first().getAttribute("href"), url);
  // Delete removes the selected one.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  assert.equal(await selected(page).getAttribute("href"), url);
  await page.keyboard.press("Delete");
  assert.equal(await page.getByRole("group", { name: "Favourites" }).count(), 0);
  // A recent search runs again.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  assert.equal(await box(page).inputValue(), "install");
  await page.locator(".ss-hit").first().waitFor();
  // Clear history forgets everything.
  await box(page).fill("");
  await page.getByRole("button", { name: "Clear history" }).click();
  assert.deepEqual(await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith("siteseek:"))), []);
  assert.equal(await page.getByRole("group", { name: "Recent searches" }).count(), 0);
  await page.context().close();

  env.pages["/no-history"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex" data-history="off"`);
  const off = await newPage(env);
  await off.goto(env.hostOrigin + "/no-history");
  await ready(off);
  await box(off).fill("install");
  await options(off).first().waitFor();
  await off.keyboard.press("ArrowDown");
  await off.keyboard.press("Control+s");
  await Promise.all([off.waitForURL(/\/guide\//), off.keyboard.press("Enter")]);
  await off.goBack();
  assert.equal(await off.evaluate(() => Object.keys(localStorage).length), 0);
  await off.context().close();
});

test("suggestions as the reader types: word completions after the results", async () => {
  const expected = (await api(env, "/suggest?q=insta&site=ex&num=6")).suggestions.filter((s) => !s.url).map((s) => s.text);
  assert.ok(expected.includes("installer"));
  const page = await newPage(env);
  await page.goto(env.base + "/");
  await ready(page);
  await box(page).fill("insta");
  const words = page.getByRole("group", { name: "Suggestions" }).getByRole("option");
  await words.first().waitFor();
  assert.deepEqual(await words.allTextContents(), expected);
  await page.evaluate(() => document.querySelector("[data-siteseek]").addEventListener("siteseek:results", (e) => { window.lastQ = e.detail.q; }));
  await words.filter({ hasText: "installer" }).click();
  assert.equal(await box(page).inputValue(), "installer ");
  await page.waitForFunction(() => window.lastQ === "installer");
  await page.context().close();
});

test("strings in another language by attribute (French)", async () => {
  env.pages["/fr"] = hostPage(env, `data-siteseek="${env.base}" data-site="ex" data-lang="fr"`, { lang: "fr", title: "Page" });
  const page = await newPage(env);
  await page.goto(env.hostOrigin + "/fr");
  await ready(page);
  const input = box(page, "Rechercher dans la documentation");
  assert.equal(await input.getAttribute("placeholder"), "Rechercher…");
  await input.fill("pagination");
  await page.getByRole("listbox", { name: "Résultats de la recherche" }).getByRole("option").first().waitFor();
  assert.equal(await page.locator(".ss-all").textContent(), "Voir les 30 résultats");
  await page.waitForFunction(() => document.getElementById("box").shadowRoot.querySelector("[role=status]").textContent === "30 résultats");
  await input.fill("zzqqxx");
  await page.waitForSelector("#box[data-state=empty-results]");
  assert.equal(await page.locator(".ss-msg").textContent(), "Aucun résultat pour « zzqqxx »");
  await page.context().close();
});

test("no results, and the server down", async () => {
  const own = await startSiteseek(env.config);
  const page = await newPage(env);
  await page.goto(own.base + "/");
  await ready(page);
  const input = box(page);
  await input.fill("zzqqxxnothing");
  await page.waitForSelector("[data-siteseek][data-state=empty-results]");
  assert.equal(await page.locator(".ss-msg").textContent(), "No results for “zzqqxxnothing”");
  await shot(page, "no-results.png");
  await stop(own.proc);
  await input.fill("install");
  await page.waitForSelector("[data-siteseek][data-state=error]");
  assert.match(await page.locator(".ss-msg").textContent(), /unavailable/);
  assert.equal(await page.getByRole("listbox", { includeHidden: true }).count(), 0);
  await shot(page, "server-down.png");
  await page.context().close();
});

test("site picker when the server has several sites and the widget names none", async () => {
  const page = await newPage(env);
  await page.goto(env.base + "/");
  const picker = page.getByRole("combobox", { name: "Site to search" });
  await picker.waitFor();
  assert.deepEqual(await picker.locator("option").allTextContents(), ["ex", "other"]);
  assert.equal(await picker.inputValue(), "ex");
  await picker.selectOption("other");
  await box(page).fill("linux");
  await options(page).first().waitFor();
  assert.match(await page.locator(".ss-hit").first().getAttribute("href"), /^https:\/\/other\.example\.org\//);
  await page.context().close();
});

test("a result click sends the analytics beacon; searches carry the session id", async () => {
  const page = await newPage(env);
  const searches = [];
  page.on("request", (r) => { if (r.url().includes("/search?")) searches.push(new URL(r.url()).searchParams.get("session")); });
  await page.goto(env.base + "/");
  await ready(page);
  const answer = page.waitForResponse((r) => r.url().includes("/search?q=install"));
  await box(page).fill("install");
  const data = await (await answer).json();
  assert.match(data.query_id, /^[0-9a-f]{16}$/);
  await options(page).first().waitFor();
  const beacon = page.waitForRequest((r) => r.url().endsWith("/analytics/click"));
  await options(page).first().click();
  const sent = await beacon;
  assert.equal(sent.method(), "POST");
  assert.deepEqual(JSON.parse(sent.postData()), { query_id: data.query_id, position: 1, url: data.results[0].url });
  // The results page: the second result's link.
  await page.goto(env.base + "/search.html?q=install&site=ex");
  await page.locator(".ss-hit-link").nth(1).waitFor();
  const onPage = page.waitForRequest((r) => r.url().endsWith("/analytics/click"));
  await page.locator(".ss-hit-link").nth(1).click();
  const body = JSON.parse((await onPage).postData());
  assert.equal(body.position, 2);
  assert.match(body.query_id, /^[0-9a-f]{16}$/);
  assert.ok(searches.length >= 2 && searches.every((s) => s && s === searches[0]), JSON.stringify(searches));
  await page.context().close();
});
