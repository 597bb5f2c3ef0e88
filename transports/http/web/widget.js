/* siteseek search widget: one element and one script tag give any page a search UI.
 *
 *   <div data-siteseek="https://search.example.org" data-site="docs" data-mode="modal"></div>
 *   <script src="https://search.example.org/widget.js" defer></script>
 *
 * data-mode: "inline" (a box whose results drop down under it), "modal" (a button, Ctrl/Cmd-K
 * and "/" open a search dialog) or "page" (a full results page, as the server's /search.html).
 * Each widget lives in an open shadow root: the host page's CSS cannot reach in, ours cannot leak
 * out, and the --ss-* custom properties (which do cross the boundary) theme it. docs/widget.md
 * lists every attribute, property and event.
 */
(() => {
  "use strict";
  const me = document.currentScript;
  const scriptOrigin = me && me.src ? new URL(me.src, location.href).origin : location.origin;
  const mac = /Mac|iP(hone|ad)/.test(navigator.platform);
  // Every string the widget shows or announces. [singular, plural] pairs go through
  // Intl.PluralRules; {n}, {q}, {k}, {ms} and {mod} are filled in.
  const STRINGS = {
    en: {
      label: "Search the documentation", placeholder: "Search…", button: "Search", results: "Search results",
      count: ["{n} result", "{n} results"], none: "No results for “{q}”", error: "Search is unavailable right now.",
      all: ["See the result", "See all {n} results"], recent: "Recent searches", favs: "Favourites",
      clear: "Clear history", cleared: "History cleared", saved: "Saved to favourites",
      unsaved: "Removed from favourites", close: "Close", site: "Site to search", more: "Load more results",
      shown: "Showing {k} of {n}", took: "{n} results for “{q}” in {ms} ms", suggest: "Suggestions",
      start: "Type to search", sections: "Sections", submit: "Search", filters: "Filters", remove: "Remove {c}",
      only: "Only {c}", bad: "These filters do not apply here.", unfilter: "Clear filters",
      keys: "↑ ↓ move · Enter open · {mod}-Enter new tab · {mod}-S save · Esc close",
    },
    fr: {
      label: "Rechercher dans la documentation", placeholder: "Rechercher…", button: "Rechercher",
      results: "Résultats de la recherche", count: ["{n} résultat", "{n} résultats"],
      none: "Aucun résultat pour « {q} »", error: "La recherche est indisponible pour le moment.",
      all: ["Voir le résultat", "Voir les {n} résultats"], recent: "Recherches récentes", favs: "Favoris",
      clear: "Effacer l’historique", cleared: "Historique effacé", saved: "Ajouté aux favoris",
      unsaved: "Retiré des favoris", close: "Fermer", site: "Site à explorer", more: "Plus de résultats",
      shown: "{k} sur {n} affichés", took: "{n} résultats pour « {q} » en {ms} ms", suggest: "Suggestions",
      start: "Tapez pour rechercher", sections: "Sections", submit: "Rechercher", filters: "Filtres",
      remove: "Retirer {c}", only: "Uniquement {c}", bad: "Ces filtres ne s’appliquent pas ici.",
      unfilter: "Effacer les filtres",
      keys: "↑ ↓ se déplacer · Entrée ouvrir · {mod}-Entrée nouvel onglet · {mod}-S favori · Échap fermer",
    },
  };
  let count = 0, hotkeyOwner = null;

  // An element: attributes (null/false skip, true is ""), "text" and "html" set content.
  function h(tag, attrs, kids) {
    const n = document.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k === "text") n.textContent = v;
      else if (k === "html") n.innerHTML = v;  // only the server's escaped, <b>-highlighted fields
      else n.setAttribute(k, v === true ? "" : v);
    }
    for (const c of kids || []) if (c) n.append(c);
    return n;
  }

  // "a=A, b" as [["a", "A"], ["b"]]: data-facets and data-labels.
  const pairs = (s) => s.split(",").map((x) => x.trim().split("=")).filter((x) => x[0]);

  // Options: the element's data-* attributes, or init()'s second argument under the same names
  // (a list may be an array).
  function config(el, opts) {
    const a = (name, dflt) => {
      const v = opts && name in opts ? opts[name] : el.getAttribute("data-" + name);
      return v == null || v === "" ? dflt : "" + v;
    };
    const url = new URLSearchParams(location.search);
    const mode = a("mode", "inline");
    const server = a("siteseek", scriptOrigin).replace(/\/+$/, "");
    const lang = a("lang", document.documentElement.lang || "en").toLowerCase().split("-")[0];
    const table = Object.assign({}, STRINGS.en, STRINGS[lang]);
    if (el.getAttribute("data-label")) table.label = el.getAttribute("data-label");
    const plural = new Intl.PluralRules(STRINGS[lang] ? lang : "en");
    const S = (key, vars) => {
      let s = table[key];
      if (Array.isArray(s)) s = s[plural.select((vars && vars.n) || 0) === "one" ? 0 : 1];
      return s.replace(/\{(\w+)\}/g, (m, k) => k === "mod" ? (mac ? "⌘" : "Ctrl") : vars && k in vars ? vars[k] : m);
    };
    // The page the reader searches from: its section ranks higher. Read at each search (a single-
    // page app changes it without a reload). A results page is on the search server, so it takes
    // the page the reader came from out of its own URL.
    const from = a("from-url", "auto");
    const page = mode === "page";
    // Facets (with their labels: "version=Version,area"), and labels for the context's chips and
    // for values ("version:current=2.0"); a results page also takes both from its address.
    const facetsText = a("facets", (page && url.get("facets")) || ""), labelsText = a("labels", (page && url.get("labels")) || "");
    const labels = {};
    const facets = pairs(facetsText).map((x) => { if (x[1]) labels[x[0]] = x[1]; return x[0]; });
    for (const x of pairs(labelsText)) labels[x[0]] = x[1];
    return {
      facets, labels, facetsText, labelsText,
      // An attribute's label (its name capitalised), or with a value, the value's.
      L: (n, v) => v == null ? labels[n] || n[0].toUpperCase() + n.slice(1) : labels[n + ":" + v] || v,
      el, mode, server, S, lang: STRINGS[lang] ? lang : "en",
      site: (page && url.get("site")) || a("site", ""),
      num: +a("num", page ? 10 : 8) || 8,
      sub: +a("sub-results", 3) || 0,
      from: () => from === "off" ? "" : from !== "auto" ? from : page ? url.get("from_url") || "" : location.href.split("#")[0],
      history: a("history", "on") !== "off",
      suggest: a("suggest", "on") !== "off",
      hotkeys: a("hotkeys", "on") !== "off",
      showLabel: el.hasAttribute("data-show-label"),
      resultsPage: a("results-page", server + "/search.html"),
      css: a("css", server + "/widget.css"),
      key: "siteseek:" + server + ":" + a("site", ""),
    };
  }

  // Analytics (docs/widget.md): the reader's session, a random id kept in sessionStorage for at
  // most 30 minutes, is sent with each search; a result click is a beacon naming the search.
  let sid = [];
  try {
    sid = (sessionStorage["ss-sid"] || "").split(" ");
    if (!(Date.now() - sid[1] < 18e5)) sessionStorage["ss-sid"] = (sid = [Math.random().toString(36).slice(2), Date.now()]).join(" ");
  } catch (e) {}
  const beacon = (cfg, data, position, url) => data.query_id &&
    navigator.sendBeacon(cfg.server + "/analytics/click", JSON.stringify({ query_id: data.query_id, position, url }));

  function api(cfg, path, params) {
    params.session = sid[0];
    const q = Object.keys(params).filter((k) => params[k] !== "" && params[k] != null)
      .map((k) => k + "=" + encodeURIComponent(params[k])).join("&");
    return fetch(cfg.server + path + "?" + q, { headers: { Accept: "application/json" } }).then((res) =>
      res.json().then((body) => {
        if (!res.ok) throw Object.assign(new Error((body.error && body.error.message) || "HTTP " + res.status), body.error);
        return body;
      }));
  }

  // A server that cannot give sub-results or facets (the RediSearch backend) refuses the
  // parameter: ask again without it (sub-results first), and from then on.
  function noSubResults(cfg, err) {
    if (err.code !== "unsupported_parameter") return false;
    if (cfg.sub) cfg.sub = 0;
    else if (cfg.facets.length) cfg.facets = [];
    else return false;
    return true;
  }
  const searchParams = (cfg, q, num, start, filters, facets) =>
    ({ q, site: cfg.site, num, start, from_url: cfg.from(), sub_results: cfg.sub || "", filters, facets });

  // The filters expression (docs/filters.md): each context attribute the reader removed widened to
  // any value (`version:*`), the values chosen in one facet OR'ed, facets AND'ed. A value is quoted
  // unless it is a plain word, with `"` and `\` escaped.
  const quote = (v) => /^[^\s()"\\]+$/.test(v) && v !== "*" ? v : '"' + v.replace(/["\\]/g, "\\$&") + '"';
  function expr(wide, sel) {
    const out = Object.keys(wide).filter((n) => !(sel[n] || []).length).map((n) => n + ":*");
    for (const n in sel) {
      const vs = sel[n].map((v) => n + ":" + quote(v));
      if (vs.length) out.push(vs.length > 1 ? "(" + vs.join(" OR ") + ")" : vs[0]);
    }
    return out.join(" AND ");
  }

  const button = (cls, text, label, go) => {
    const b = h("button", { type: "button", class: cls, text, "aria-label": label });
    b.onclick = go;
    return b;
  };
  // The values of the reader's page the search kept to (`context`: version, language…) as chips
  // whose button removes one (`wide[name]` then holds its values), and for each one removed a
  // button that keeps to it again. `redo` searches again.
  function chips(cfg, data, wide, redo) {
    const S = cfg.S, L = cfg.L, ctx = {}, kids = [];
    for (const c of data.context || []) (ctx[c.name] = ctx[c.name] || []).push(L(c.name, c.value));
    for (const n in ctx) {
      const text = L(n) + " " + ctx[n].join(", ");
      kids.push(h("span", { class: "ss-chip" }, [text, button("ss-x", "×", S("remove", { c: text }), () => { wide[n] = ctx[n].join(", "); redo(); })]));
    }
    for (const n in wide) kids.push(button("ss-only", S("only", { c: (cfg.labels[n] || n) + " " + wide[n] }), null, () => { delete wide[n]; redo(); }));
    return kids.length ? h("div", { class: "ss-chips", role: "group", "aria-label": S("filters") }, kids) : "";
  }

  // Recent searches (queries) and favourites (pages) in localStorage, per server and site.
  function store(cfg) {
    const read = () => { try { return JSON.parse(localStorage.getItem(cfg.key)) || {}; } catch (e) { return {}; } };
    const write = (v) => { try { localStorage.setItem(cfg.key, JSON.stringify(v)); } catch (e) { /* private mode */ } };
    return {
      get: () => { const v = read(); return { recent: v.recent || [], favs: v.favs || [] }; },
      addRecent(q) {
        if (!cfg.history || !q) return;
        const v = this.get();
        v.recent = [q].concat(v.recent.filter((x) => x !== q)).slice(0, 5);
        write(v);
      },
      isFav: (url) => cfg.history && (read().favs || []).some((f) => f.url === url),
      toggleFav(fav) {
        const v = this.get(), had = v.favs.some((f) => f.url === fav.url);
        v.favs = had ? v.favs.filter((f) => f.url !== fav.url) : [fav].concat(v.favs).slice(0, 10);
        write(v);
        return !had;
      },
      remove(kind, value) {
        const v = this.get();
        v[kind] = v[kind].filter((x) => (x.url || x) !== value);
        write(v);
      },
      clear: () => { try { localStorage.removeItem(cfg.key); } catch (e) { /* nothing kept */ } },
    };
  }

  // The shadow root with the stylesheet; the content shows once the stylesheet is there (`ready`),
  // so it is never seen unstyled.
  function shadow(host, cfg, cls) {
    const root = host.shadowRoot || host.attachShadow({ mode: "open" });
    const link = h("link", { rel: "stylesheet", href: cfg.css });
    const wrap = h("div", { class: "ss-root " + (cls || "ss-" + cfg.mode), lang: cfg.lang, hidden: true });
    wrap.ready = new Promise((done) => { link.onload = link.onerror = done; }).then(() => { wrap.hidden = false; });
    root.replaceChildren(link, wrap);
    return wrap;
  }

  function sitePicker(cfg, onChange) {
    const picker = h("select", { class: "ss-site", "aria-label": cfg.S("site"), hidden: true });
    if (!cfg.site) {
      api(cfg, "/sites", {}).then((data) => {
        const sites = data.sites || [];
        if (sites.length < 2) return;
        for (const s of sites) picker.append(h("option", { value: s.name, text: s.name }));
        picker.value = cfg.site = data.default_site || sites[0].name;
        picker.hidden = false;
      }).catch(() => { /* the search itself reports an unreachable server */ });
    }
    picker.addEventListener("change", () => { cfg.site = picker.value; onChange(); });
    return picker;
  }

  const snippet = (html, cls) => h("span", { class: cls || "ss-snippet", html });

  // The search box with its listbox (the ARIA combobox pattern), used by the inline and the modal
  // forms. Options are links (role=option), so a click, a middle click and "copy link" all work.
  function combobox(cfg, wrap, modal) {
    const S = cfg.S, id = "ss" + ++count, host = cfg.owner || cfg.el, saved = store(cfg);
    const input = h("input", {
      id: id + "-q", class: "ss-input", type: "search", role: "combobox", "aria-expanded": "false",
      "aria-controls": id + "-list", "aria-autocomplete": "list", autocomplete: "off", spellcheck: "false",
      enterkeyhint: "search", placeholder: S("placeholder"),
    });
    // The label is for screen readers unless data-show-label: seen, it would sit on the page's own
    // background, whose colours the widget cannot know.
    const label = h("label", { for: id + "-q", class: modal || !cfg.showLabel ? "ss-label ss-vh" : "ss-label", text: S("label") });
    const live = h("div", { class: "ss-vh", role: "status" });
    const panel = h("div", { class: "ss-panel", hidden: !modal });
    const picker = sitePicker(cfg, () => { cache = {}; wide = {}; search(); });
    const field = h("div", { class: "ss-field" }, [input, h("span", { class: "ss-spin", "aria-hidden": "true" })]);
    const bar = h("div", { class: "ss-bar" }, [picker, field]);
    let opts = [], active = -1, wanted = "", busy = false, cache = {}, list = null, shown = "", from = cfg.from();
    // Context attributes the reader removed (name: the values shown): kept while the words are.
    let wide = {};
    const key = () => wanted + "\n" + expr(wide, {});

    const state = (s) => { host.setAttribute("data-state", s); wrap.setAttribute("data-state", s); };
    const say = (text) => { live.textContent = text; };
    const isOpen = () => !panel.hidden;
    // Closed by Escape: an answer arriving after it does not open the list again; typing does.
    let dismissed = false;
    function setOpen(open) {
      if (open === "auto") open = !dismissed;
      else dismissed = !open;
      if (!modal) panel.hidden = !open;
      input.setAttribute("aria-expanded", String(open && !!list && opts.length > 0));
      if (!open) select(-1);
    }
    function select(i) {
      if (opts[active]) opts[active].el.setAttribute("aria-selected", "false");
      active = opts.length ? (i < -1 ? opts.length - 1 : i >= opts.length ? -1 : i) : -1;
      const o = opts[active];
      if (!o) return input.removeAttribute("aria-activedescendant");
      o.el.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", o.el.id);
      o.el.scrollIntoView({ block: "nearest" });
    }
    // An option: `go(newTab)` acts on it; `fav` is the page a Ctrl/Cmd-S saves.
    function option(parent, cls, kids, go, href, fav) {
      const el = h(href ? "a" : "div", { id: id + "-o" + opts.length, role: "option", class: "ss-opt " + cls,
        "aria-selected": "false", href, tabindex: "-1" }, kids);
      const o = { el, go, fav };
      if (fav && cfg.history) el.append(h("span", { class: "ss-star", "aria-hidden": "true", "data-on": saved.isFav(fav.url) }));
      el.addEventListener("mousedown", (e) => e.preventDefault());  // keep the focus in the box
      el.addEventListener("click", (e) => {
        if (fav && e.target.classList.contains("ss-star")) { e.preventDefault(); return star(o); }
        if (href && (e.ctrlKey || e.metaKey || e.shiftKey || e.button)) return saved.addRecent(wanted);
        e.preventDefault();
        go(false);
      });
      opts.push(o);
      parent.append(el);
      return o;
    }
    function star(o) {
      if (!cfg.history) return;
      const on = saved.toggleFav(o.fav);
      for (const x of opts) if (x.fav && x.fav.url === o.fav.url) x.el.lastChild.toggleAttribute("data-on", on);
      say(S(on ? "saved" : "unsaved"));
    }
    const open = (url, newTab, data, i) => {
      if (data) beacon(cfg, data, i + 1, url);
      saved.addRecent(wanted);
      if (newTab) window.open(url, "_blank", "noopener");
      else { if (modal) modal.close(true); location.href = url; }
    };
    const seeAll = (q) => cfg.resultsPage + "?" + new URLSearchParams(Object.entries({ q, site: cfg.site, from_url: cfg.from(),
      facets: cfg.facetsText, labels: cfg.labelsText }).concat(Object.keys(wide).map((n) => ["any", n + ":" + wide[n]]))
      .filter((e) => e[1])).toString();
    const group = (label) => h("div", { role: "group", "aria-label": label, class: "ss-group" },
      [h("div", { class: "ss-group-title", "aria-hidden": "true", text: label })]);
    // The panel is built anew each time: nodes that are new never count as moved, so opening,
    // refining and closing results shift nothing (the panel overlays the page).
    function fill(nodes, foot, head) {
      opts = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list = h("div", { id: id + "-list", role: "listbox", class: "ss-list", "aria-label": S("results") });
      for (const n of nodes) if (n) list.append(n);
      panel.replaceChildren(head || "", list, foot || "");
    }
    function message(text, head) { opts = []; list = null; panel.replaceChildren(head || "", h("p", { class: "ss-msg", text })); }
    // The context's chips above the results; a click keeps the focus in the box.
    function head(data) {
      const c = chips(cfg, data, wide, () => { input.focus(); search(); });
      if (c) c.onmousedown = (e) => e.preventDefault();
      return c;
    }

    function home() {
      shown = "";
      state("idle");
      const { recent, favs } = cfg.history ? saved.get() : { recent: [], favs: [] };
      if (!recent.length && !favs.length) {
        if (modal) message(S("start"));
        else { panel.replaceChildren(); list = null; opts = []; }
        return setOpen(false);
      }
      const r = recent.length && group(S("recent")), f = favs.length && group(S("favs"));
      fill([r, f], h("div", { class: "ss-foot" }, [h("button", { type: "button", class: "ss-clear", text: S("clear") })]));
      for (const q of recent) {
        const o = option(r, "ss-recent", [h("span", { class: "ss-title", text: q })], () => { input.value = q; search(); });
        o.remove = () => saved.remove("recent", q);
      }
      for (const fv of favs) {
        const o = option(f, "ss-fav", [h("span", { class: "ss-title", text: fv.title }),
          fv.section && h("span", { class: "ss-section", text: fv.section })], (nt) => open(fv.url, nt), fv.url, fv);
        o.remove = () => saved.remove("favs", fv.url);
      }
      panel.querySelector(".ss-clear").onclick = () => { saved.clear(); say(S("cleared")); home(); input.focus(); };
      setOpen(!!modal || wrap.getRootNode().activeElement === input);
    }

    function render(q, data, sugg) {
      shown = q;
      const results = data.results || [];
      if (!results.length) {
        state("empty-results");
        message(S("none", { q }), head(data));
        setOpen("auto");
        say(S("none", { q }));
        return;
      }
      const total = data.total;
      fill([], null, head(data));
      results.forEach((r, i) => {
        const title = [snippet(r.title, "ss-title"), r.section_title && snippet(r.section_title, "ss-section")];
        const crumbs = r.hierarchy && r.hierarchy.length && h("span", { class: "ss-crumbs", text: r.hierarchy.join(" › ") });
        const fav = { url: r.url, title: strip(r.title), section: strip(r.section_title || "") };
        option(list, "ss-hit", [h("span", { class: "ss-head" }, title), crumbs, snippet(r.body)], (nt) => open(r.url, nt, data, i), r.url, fav);
        for (const s of Array.isArray(r.sub_results) ? r.sub_results : []) {  // absent on servers without sub-results
          option(list, "ss-sub", [snippet(s.title, "ss-section"), s.body && snippet(s.body)], (nt) => open(s.url, nt, data, i), s.url,
            { url: s.url, title: fav.title, section: strip(s.title) });
        }
      });
      if (cfg.resultsPage !== "off") {
        option(list, "ss-all", [h("span", { text: S("all", { n: total }) })], (nt) => open(seeAll(q), nt), seeAll(q));
      }
      if (sugg) suggestions(q, sugg);
      state("results");
      setOpen("auto");
      say(S("count", { n: total }));
      host.dispatchEvent(new CustomEvent("siteseek:results", { detail: { q, total, took_ms: data.took_ms, filters: expr(wide, {}) } }));
    }
    // Word completions of the last word, after the results: appended at the end, they move nothing.
    function suggestions(q, items) {
      const last = q.split(/\s+/).pop().toLowerCase();
      const words = items.filter((s) => !s.url && s.text.toLowerCase() !== last).slice(0, 4);
      if (!words.length || !list || shown !== q) return;
      const g = group(S("suggest"));
      g.classList.add("ss-suggest");
      for (const s of words) {
        option(g, "ss-word", [h("span", { text: s.text })], () => {
          input.value = q.replace(/\S*$/, s.text) + " ";
          search();
        });
      }
      list.append(g);
    }
    const strip = (html) => { const d = document.createElement("div"); d.innerHTML = html; return d.textContent; };

    // As the reader types, no debounce: one request in flight at a time, and when it returns the
    // newest words go next (a local server answers in a millisecond; a remote one is not flooded,
    // and no connection is torn down by a cancelled request).
    function search() {
      const q = input.value.trim();
      wanted = q;
      if (!q) { wide = {}; return home(); }
      if (from !== cfg.from()) { from = cfg.from(); cache = {}; wide = {}; }  // answers depend on the page too
      const c = cache[key()];
      if (c) return c.data ? render(q, c.data, c.sugg) : null;
      if (!busy) send(q, key());
    }
    function send(q, k) {
      let again = false;
      busy = true;
      state("loading");
      const entry = (cache[k] = {});
      if (cfg.suggest) {
        api(cfg, "/suggest", { q, site: cfg.site, num: 6 }).then((d) => {
          entry.sugg = d.suggestions || [];
          if (shown === q && entry.data && list && !list.querySelector(".ss-suggest")) suggestions(q, entry.sugg);
        }).catch(() => { /* suggestions are optional */ });
      }
      api(cfg, "/search", searchParams(cfg, q, cfg.num, 0, expr(wide, {}))).then((data) => {
        entry.data = data;
        if (k === key()) render(q, data, entry.sugg);
      }, (err) => {
        delete cache[k];
        if ((again = noSubResults(cfg, err)) || k !== key()) return;
        state("error");
        message(S("error") + " (" + err.message + ")");
        setOpen("auto");
        say(S("error"));
      }).finally(() => {
        busy = false;
        if (wanted && (k !== key() || again)) search();
      });
    }

    input.addEventListener("input", () => { dismissed = false; search(); });
    input.addEventListener("keydown", (e) => {
      const mod = e.ctrlKey || e.metaKey, k = e.key;
      if (k === "ArrowDown" || k === "ArrowUp") {
        e.preventDefault();
        if (!isOpen()) { setOpen(true); if (!list) return; }
        select(k === "ArrowDown" ? active + 1 : active < 0 ? -2 : active - 1);
      } else if (k === "Enter") {
        e.preventDefault();
        if (opts[active]) return opts[active].go(mod);
        if (wanted) {  // Enter with nothing selected: every result, on the results page
          if (cfg.resultsPage !== "off") open(seeAll(wanted), mod);
          else if (opts[0]) opts[0].go(mod);
        }
      } else if (k === "Escape") {
        e.preventDefault();
        // Inline: the first Escape closes the list and keeps the words, the second clears them.
        if (modal) modal.close();
        else if (isOpen() && list) setOpen(false);
        else if (input.value) { input.value = ""; search(); }
      } else if (mod && (e.code === "KeyS") && opts[active] && opts[active].fav) {
        e.preventDefault();
        star(opts[active]);
      } else if (k === "Delete" && opts[active] && opts[active].remove && !input.value) {
        e.preventDefault();
        opts[active].remove();
        home();
      }
    });
    input.addEventListener("focus", () => { if (!input.value) home(); else if (list) setOpen(true); });
    if (!modal) {
      input.addEventListener("blur", () => setTimeout(() => {
        if (!wrap.contains(wrap.getRootNode().activeElement)) setOpen(false);
      }, 120));
    }
    wrap.append(label, bar, live, panel);
    state("idle");
    return { input, home, show: setOpen };
  }

  // The inline form: the box in the page, its results dropping down over what follows.
  function inline(cfg) {
    const wrap = shadow(cfg.el, cfg);
    const box = combobox(cfg, wrap, null);
    return { focus: () => wrap.ready.then(() => { box.input.focus(); box.input.select(); }) };
  }

  // The modal form: a button in the page; the dialog is a shadow host of its own appended to
  // <body>, so no transformed or clipped ancestor of the button can trap it.
  function modalForm(cfg) {
    const wrap = shadow(cfg.el, cfg), S = cfg.S;
    const button = h("button", { type: "button", class: "ss-button", "aria-haspopup": "dialog",
      "aria-keyshortcuts": cfg.hotkeys ? (mac ? "Meta+K" : "Control+K") + " /" : null }, [
      h("span", { class: "ss-icon", "aria-hidden": "true" }), h("span", { class: "ss-button-text", text: S("button") }),
      cfg.hotkeys && h("kbd", { "aria-hidden": "true", text: (mac ? "⌘" : "Ctrl ") + "K" }),
    ]);
    wrap.append(button);
    let back = null;
    // Built at once (hidden), so its stylesheet is loaded before the first Ctrl-K.
    const dialogHost = h("siteseek-modal", { "data-theme": cfg.el.getAttribute("data-theme") });
    dialogHost.style.cssText = "all:initial!important";  // no page rule positions or stacks it
    document.body.append(dialogHost);
    // data-theme set later on the element (a site's own dark switch) reaches the dialog too.
    new MutationObserver(() => dialogHost.setAttribute("data-theme", cfg.el.getAttribute("data-theme") || ""))
      .observe(cfg.el, { attributes: true, attributeFilter: ["data-theme"] });
    const dwrap = shadow(dialogHost, cfg, "ss-layer");
    const dialog = h("div", { class: "ss-dialog", role: "dialog", "aria-modal": "true", "aria-label": S("label") });
    const backdrop = h("div", { class: "ss-backdrop", hidden: true }, [dialog]);
    dwrap.append(backdrop);
    const api = {
      isOpen: () => !backdrop.hidden,
      open() {
        if (api.isOpen()) return;
        back = deepActive();
        backdrop.hidden = false;
        cfg.el.setAttribute("data-open", "true");
        dwrap.ready.then(() => {
          box.input.focus();
          box.input.select();
          if (box.input.value) box.show(true);
          else box.home();
        });
      },
      close(leaving) {
        if (!api.isOpen()) return;
        backdrop.hidden = true;
        box.show(false);
        cfg.el.removeAttribute("data-open");
        if (!leaving && back && back.isConnected) back.focus();
      },
      focus: () => api.open(),
      dialog: dialogHost,
    };
    const box = combobox(Object.assign({}, cfg, { owner: cfg.el }), dialog, api);
    const close = h("button", { type: "button", class: "ss-close", text: S("close") });
    close.onclick = () => api.close();
    dialog.querySelector(".ss-bar").append(close);
    dialog.append(h("div", { class: "ss-keys", "aria-hidden": "true", text: S("keys") }));
    backdrop.addEventListener("mousedown", (e) => { if (e.target === backdrop) { e.preventDefault(); api.close(); } });
    // Tab stays in the dialog.
    dialog.addEventListener("keydown", (e) => {
      if (e.key !== "Tab") return;
      const f = [...dialog.querySelectorAll("input,select:not([hidden]),button")].filter((x) => x.offsetParent);
      const i = f.indexOf(dwrap.getRootNode().activeElement);
      if (e.shiftKey ? i <= 0 : i === f.length - 1) { e.preventDefault(); f[e.shiftKey ? f.length - 1 : 0].focus(); }
    });
    button.addEventListener("click", () => api.open());
    return api;
  }

  const deepActive = () => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a;
  };

  // The results page: a search form, the count and time, the context's chips and the facets,
  // results with their sections, and "load more" (new results are appended: nothing above them
  // moves).
  function pageForm(cfg) {
    const wrap = shadow(cfg.el, cfg), S = cfg.S, id = "ss" + ++count;
    const input = h("input", { id: id + "-q", class: "ss-input", type: "search", name: "q", autocomplete: "off",
      spellcheck: "false", placeholder: S("placeholder") });
    const picker = sitePicker(cfg, () => run(input.value.trim()));
    const form = h("form", { role: "search", class: "ss-form" }, [
      h("label", { for: id + "-q", class: "ss-label", text: S("label") }),
      h("div", { class: "ss-bar" }, [picker, h("div", { class: "ss-field" }, [input]),
        h("button", { class: "ss-submit", text: S("submit") })]),
    ]);
    const summary = h("p", { class: "ss-summary", role: "status" });
    const listEl = h("ol", { class: "ss-hits", "aria-label": S("results") });
    const chipsEl = h("div"), facetsEl = h("div", { class: "ss-facets" });
    let bar = h("div");
    wrap.append(form, summary, chipsEl, facetsEl, listEl, bar);
    const state = (s) => cfg.el.setAttribute("data-state", s);
    let q = "", total = 0, loaded = 0, seq = 0;
    // The filters: values chosen per facet, and the context attributes removed (name: the values
    // they had). Both are in the address (f=name:value, any=name:values), so that a link shared
    // searches the same; a value chosen of an attribute that is not a facet makes it one.
    const sel = {}, wide = {}, base = cfg.facets.slice(), url = new URLSearchParams(location.search);
    for (const [k, to] of [["f", sel], ["any", wide]]) {
      for (const x of url.getAll(k)) {
        const m = /^([\w-]+):([^]*)$/.exec(x);
        if (!m) continue;
        if (k === "any") to[m[1]] = m[2];
        else (to[m[1]] = to[m[1]] || []).push(m[2]);
        if (k === "f" && !cfg.facets.includes(m[1])) cfg.facets.push(m[1]);
      }
    }
    function sync() {
      const p = new URLSearchParams(location.search);
      for (const k of ["q", "f", "any"]) p.delete(k);
      if (q) p.set("q", q);
      for (const n in sel) for (const v of sel[n]) p.append("f", n + ":" + v);
      for (const n in wide) p.append("any", n + ":" + wide[n]);
      history.replaceState(null, "", "?" + p);
    }
    // Any change of filters searches again from the first result.
    const redo = () => { sync(); if (q) load(0); };
    const clear = () => {
      for (const o of [sel, wide]) for (const n in o) delete o[n];
      cfg.facets = base.slice();
      input.focus();
      redo();
    };

    // Each facet a group of checkboxes with counts: the values chosen first (kept when their count
    // falls to nothing), then the server's order. The focus stays on the value it was on (the
    // groups are drawn anew).
    function groups(facets) {
      const was = wrap.getRootNode().activeElement, k = was && was.k;
      facetsEl.replaceChildren(...cfg.facets.map((n) => {
        const chosen = sel[n] || [], count = new Map((facets[n] || { values: [] }).values.map((v) => [v.value, v.count]));
        const all = chosen.concat([...count.keys()].filter((v) => !chosen.includes(v)));
        return all.length ? h("fieldset", { class: "ss-facet" }, [h("legend", { class: "ss-group-title", text: cfg.L(n) })].concat(all.map((v) => {
          const c = count.get(v) || 0;
          const box = h("input", { type: "checkbox", checked: chosen.includes(v), "aria-label": cfg.L(n, v) + " (" + S("count", { n: c }) + ")" });
          box.k = n + ":" + v;
          box.onchange = () => {
            const now = sel[n] || [];
            sel[n] = box.checked ? now.concat(v) : now.filter((x) => x !== v);
            redo();
          };
          return h("label", { class: "ss-fv" }, [box, h("span", { text: cfg.L(n, v) }), h("span", { class: "ss-n", text: c })]);
        }))) : "";
      }));
      if (k) for (const b of facetsEl.querySelectorAll("input")) if (b.k === k) b.focus();
    }

    function hit(r, i, data, start) {
      const subs = Array.isArray(r.sub_results) && r.sub_results.length && h("ul", { class: "ss-subs", "aria-label": S("sections") },
        r.sub_results.map((s) => h("li", {}, [h("a", { href: s.url, class: "ss-sub-link" }, [snippet(s.title, "ss-section")]),
          s.body && snippet(s.body)])));
      const li = h("li", { class: "ss-item" }, [
        h("a", { href: r.url, class: "ss-hit-link" }, [snippet(r.title, "ss-title"), r.section_title && snippet(r.section_title, "ss-section")]),
        r.hierarchy && r.hierarchy.length && h("div", { class: "ss-crumbs", text: r.hierarchy.join(" › ") }),
        snippet(r.body), subs,
      ]);
      for (const a of li.querySelectorAll("a")) a.onclick = () => beacon(cfg, data, start + i + 1, a.href);
      return li;
    }
    function load(start) {
      const mine = ++seq, words = q, filters = expr(wide, sel);
      state("loading");
      // A facet with values chosen is counted without its own choice (its other values stay
      // offered: they would be OR'ed), beside the results.
      const own = start ? [] : Object.keys(sel).filter((n) => sel[n].length);
      return Promise.all([api(cfg, "/search", searchParams(cfg, words, cfg.num, start, filters, start ? "" : cfg.facets.join()))].concat(
        own.map((n) => api(cfg, "/search", searchParams(cfg, words, 0, 0, [expr(wide, Object.assign({}, sel, { [n]: [] })), n + ":*"]
          .filter(Boolean).join(" AND "), n)).then((d) => (d.facets || {})[n]))),
      ).then(([data, ...counts]) => {
        if (mine !== seq) return;
        if (!start) {
          chipsEl.replaceChildren(chips(cfg, data, wide, () => { input.focus(); redo(); }));
          const f = Object.assign({}, data.facets);
          own.forEach((n, i) => { f[n] = counts[i]; });
          groups(f);
        }
        const items = (data.results || []).map((r, i) => hit(r, i, data, start));
        if (!start) listEl.replaceChildren();
        listEl.append(...items);
        total = data.total;
        loaded = start + items.length;
        summary.textContent = total ? S("took", { n: total, q: words, ms: (+data.took_ms || 0).toFixed(2) }) : S("none", { q: words });
        // A new bar under the results each time: the old one would move down (a layout shift).
        const more = !(loaded >= total || !items.length) && h("button", { type: "button", class: "ss-more", text: S("more") });
        if (more) more.onclick = () => load(loaded);
        bar.replaceWith((bar = h("div", { class: "ss-more-bar" }, [total && h("p", { class: "ss-shown", text: S("shown", { k: loaded, n: total }) }), more])));
        state(total ? "results" : "empty-results");
        cfg.el.dispatchEvent(new CustomEvent("siteseek:results", { detail: { q: words, total, took_ms: data.took_ms, loaded, filters } }));
        if (start && items.length) items[0].querySelector("a").focus();  // the keyboard goes on where the new ones start
      }, (err) => {
        if (mine !== seq) return;
        if (noSubResults(cfg, err)) return load(start);
        state("error");
        summary.textContent = S("error") + " (" + err.message + ")";
        if (err.code !== "invalid_filter") return;
        summary.textContent = S("bad");
        empty();
        chipsEl.replaceChildren(button("ss-clear", S("unfilter"), null, clear));
      });
    }
    function empty() { for (const e of [listEl, bar, chipsEl, facetsEl]) e.replaceChildren(); }
    function run(words, record) {
      q = words;
      sync();
      if (!words) {
        ++seq;
        empty();
        summary.textContent = "";
        return state("idle");
      }
      if (record) store(cfg).addRecent(words);
      return load(0);
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); run(input.value.trim(), true); });
    input.addEventListener("input", () => run(input.value.trim()));
    input.value = new URLSearchParams(location.search).get("q") || "";
    state("idle");
    if (input.value.trim()) run(input.value.trim(), true);
    return { focus: () => wrap.ready.then(() => { input.focus(); input.select(); }) };
  }

  function init(el, opts) {
    if (el.__siteseek) return el.__siteseek;
    const cfg = config(el, opts);
    const w = (el.__siteseek = cfg.mode === "modal" ? modalForm(cfg) : cfg.mode === "page" ? pageForm(cfg) : inline(cfg));
    w.cfg = cfg;
    // The keys go to one widget: the first modal, else the first box.
    if (cfg.hotkeys && (!hotkeyOwner || (cfg.mode === "modal" && hotkeyOwner.cfg.mode !== "modal"))) hotkeyOwner = w;
    return w;
  }

  document.addEventListener("keydown", (e) => {
    const w = hotkeyOwner;
    if (!w || e.defaultPrevented) return;
    const t = e.composedPath()[0] || e.target;
    const typing = /^(input|textarea|select)$/i.test(t.tagName || "") || t.isContentEditable;
    const ctrlK = (e.key || "").toLowerCase() === "k" && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
    if (!ctrlK && !(e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey)) return;
    e.preventDefault();
    if (ctrlK && w.isOpen && w.isOpen()) w.close();
    else w.focus();
  });

  function boot() { document.querySelectorAll("[data-siteseek]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
  window.SiteseekWidget = { init, strings: STRINGS };
})();
