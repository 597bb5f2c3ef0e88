/* siteseek search widget: one script tag and one element give any page a search box.
 *
 *   <div data-siteseek="https://search.example.org" data-site="docs"></div>
 *   <script src="https://search.example.org/widget.js" defer></script>
 *
 * The stylesheet (widget.css, from the same server) is added to the page unless the page
 * links one itself (to restyle it, link your own copy, or override the --ss-* properties).
 * data-siteseek: the siteseek server (default: where this script came from); data-site: the
 * site to search (default: the server's default site; a picker appears when the server has
 * several). The server must list the page's origin in cors_origins when it is another origin.
 * Keyboard: "/" or Ctrl-K focuses, Up/Down move, Enter opens, Esc closes. ARIA combobox/listbox.
 */
(function () {
  "use strict";
  var scriptOrigin = (function () {
    var s = document.currentScript;
    try { return s && s.src ? new URL(s.src, location.href).origin : location.origin; } catch (e) { return location.origin; }
  })();
  var counter = 0;
  var DEBOUNCE_MS = 120;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function init(root) {
    if (root.__siteseek) return root.__siteseek;
    var id = ++counter;
    var server = (root.getAttribute("data-siteseek") || scriptOrigin).replace(/\/+$/, "");
    var site = root.getAttribute("data-site") || "";
    var num = parseInt(root.getAttribute("data-num") || "8", 10);

    root.classList.add("ss-widget");
    var label = el("label", { "class": "ss-label", "for": "ss-input-" + id }, root.getAttribute("data-label") || "Search the documentation");
    var bar = el("div", { "class": "ss-bar" });
    var picker = el("select", { "class": "ss-site", "aria-label": "Site to search" });
    picker.hidden = true;
    var input = el("input", {
      "id": "ss-input-" + id, "class": "ss-input", "type": "search", "role": "combobox",
      "aria-expanded": "false", "aria-controls": "ss-list-" + id, "aria-autocomplete": "list",
      "autocomplete": "off", "spellcheck": "false", "placeholder": "Search…  ( / or Ctrl-K )"
    });
    var status = el("div", { "class": "ss-status", "role": "status", "aria-live": "polite" });
    var list = el("ul", { "id": "ss-list-" + id, "class": "ss-results", "role": "listbox", "aria-label": "Search results" });
    list.hidden = true;
    bar.appendChild(picker);
    bar.appendChild(input);
    root.appendChild(label);
    root.appendChild(bar);
    root.appendChild(status);
    root.appendChild(list);

    var timer = null, controller = null, seq = 0, active = -1, results = [];

    function setState(state, message) {
      root.setAttribute("data-state", state);
      status.textContent = message || "";
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      list.querySelectorAll("[aria-selected=true]").forEach(function (item) { item.setAttribute("aria-selected", "false"); });
      active = -1;
    }

    function open() {
      if (!results.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function go(index) {
      var r = results[index < 0 ? 0 : index];
      if (r) window.location.href = r.url;
    }

    function render(query, data) {
      results = data.results || [];
      list.textContent = "";
      if (!results.length) {
        close();
        setState("empty-results", "No results for “" + query + "”");
        return;
      }
      results.forEach(function (r, i) {
        var item = el("li", { "id": "ss-" + id + "-opt-" + i, "class": "ss-result", "role": "option", "aria-selected": "false" });
        var link = el("a", { "class": "ss-link", "href": r.url, "tabindex": "-1" });
        // title, section_title and body come HTML-escaped from the server with <b> around matches.
        var title = el("span", { "class": "ss-title" });
        title.innerHTML = r.title;
        link.appendChild(title);
        if (r.section_title) {
          var section = el("span", { "class": "ss-section" });
          section.innerHTML = r.section_title;
          link.appendChild(section);
        }
        if (r.hierarchy && r.hierarchy.length) link.appendChild(el("span", { "class": "ss-crumbs" }, r.hierarchy.join(" › ")));
        var body = el("span", { "class": "ss-snippet" });
        body.innerHTML = r.body;
        link.appendChild(body);
        item.appendChild(link);
        item.addEventListener("mousedown", function (e) { e.preventDefault(); });
        item.addEventListener("click", function (e) { e.preventDefault(); go(i); });
        list.appendChild(item);
      });
      setState("results", data.total + (data.total === 1 ? " result" : " results"));
      open();
    }

    function search() {
      var query = input.value;
      if (controller) controller.abort();
      if (!query.trim()) {
        results = [];
        list.textContent = "";
        close();
        setState("idle", "");
        return;
      }
      var mine = ++seq;
      controller = typeof AbortController === "function" ? new AbortController() : null;
      setState("loading", "Searching…");
      var url = server + "/search?q=" + encodeURIComponent(query) + "&num=" + num + (site ? "&site=" + encodeURIComponent(site) : "");
      fetch(url, { signal: controller ? controller.signal : undefined, headers: { "Accept": "application/json" } })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok) throw new Error((body && body.error && body.error.message) || ("HTTP " + res.status));
            return body;
          });
        })
        .then(function (data) { if (mine === seq) render(query, data); })
        .catch(function (err) {
          if (err && err.name === "AbortError") return;
          if (mine !== seq) return;
          results = [];
          list.textContent = "";
          close();
          setState("error", "Search is unavailable right now. " + (err && err.message ? "(" + err.message + ")" : ""));
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); open(); highlight(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); open(); highlight(active - 1); }
      else if (e.key === "Enter") { e.preventDefault(); go(active); }
      else if (e.key === "Escape") {
        // A search input clears itself on Escape by default: the first Escape only closes the
        // list and keeps the words, the second clears them.
        e.preventDefault();
        if (!list.hidden) close();
        else { input.value = ""; search(); }
      }
    });
    input.addEventListener("focus", open);
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    picker.addEventListener("change", function () { site = picker.value; search(); });

    document.addEventListener("keydown", function (e) {
      var typing = /^(input|textarea|select)$/i.test((e.target && e.target.tagName) || "") || (e.target && e.target.isContentEditable);
      if ((e.key === "k" && (e.ctrlKey || e.metaKey)) || (e.key === "/" && !typing)) {
        e.preventDefault();
        input.focus();
        input.select();
      }
    });

    if (!site) {
      fetch(server + "/sites").then(function (r) { return r.json(); }).then(function (data) {
        var sites = (data && data.sites) || [];
        if (sites.length < 2) return;
        sites.forEach(function (s) { picker.appendChild(el("option", { "value": s.name }, s.name)); });
        site = data.default_site || sites[0].name;
        picker.value = site;
        picker.hidden = false;
      }).catch(function () { /* the search itself reports an unreachable server */ });
    }
    setState("idle", "");
    root.__siteseek = { input: input, search: search };
    return root.__siteseek;
  }

  function ensureStyles(server) {
    var links = document.querySelectorAll("link[rel=stylesheet]");
    for (var i = 0; i < links.length; i++) {
      if (/\/widget\.css(\?|$)/.test(links[i].href)) return;
    }
    document.head.appendChild(el("link", { "rel": "stylesheet", "href": server + "/widget.css" }));
  }

  function boot() {
    var roots = document.querySelectorAll("[data-siteseek]");
    if (roots.length) ensureStyles((roots[0].getAttribute("data-siteseek") || scriptOrigin).replace(/\/+$/, ""));
    roots.forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
  window.SiteseekWidget = { init: init };
})();
