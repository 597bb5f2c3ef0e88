/* The analytics dashboard (/analytics.html; docs/analytics.md#dashboard): the report of
   GET /analytics as charts and tables, with buttons that turn a row into a curation rule
   (POST /sites/{name}/rules). Served with a Content-Security-Policy that allows this file and
   analytics.css only, so there is no inline script or style here or in the page.
   Every string of the report is a reader's input: it reaches the page through textContent and
   createTextNode only, never innerHTML, and a URL becomes a link only when it is http(s). */
(function () {
  "use strict";

  var KEY_ITEM = "siteseek.analytics.key";  // sessionStorage: this tab only, never localStorage
  var SVG = "http://www.w3.org/2000/svg";
  var state = { key: null, sites: [], siteInput: null, report: null, rulesSite: "" };

  function $(id) { return document.getElementById(id); }

  // An element with attributes and children (strings become text nodes).
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAll(node, attrs, children);
    return node;
  }
  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    setAll(node, attrs, children);
    return node;
  }
  function setAll(node, attrs, children) {
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = String(value);
        else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? "" : String(value));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // ---- the key -----------------------------------------------------------------------------

  function storedKey() {
    try { return sessionStorage.getItem(KEY_ITEM); } catch (e) { return null; }
  }
  function keepKey(key) {
    state.key = key;
    try {
      if (key) sessionStorage.setItem(KEY_ITEM, key);
      else sessionStorage.removeItem(KEY_ITEM);
    } catch (e) { /* no storage (a private mode): the key lives as long as the page */ }
  }

  // Shows the key form with a message; the dashboard stays visible when `keepDashboard` (a key
  // that is valid but may not read what was asked: another site may still be allowed).
  function askForKey(message, keepDashboard) {
    $("key-section").hidden = false;
    $("key-message").textContent = message || "";
    $("dashboard").hidden = !keepDashboard;
    $("forget").hidden = !state.key;
    $("key").value = "";
    $("key").focus();
  }

  function hideReport() {
    state.report = null;
    clear($("totals"));
    $("report").hidden = true;
    $("rules-section").hidden = true;
  }

  function forgetKey() {
    keepKey(null);
    hideReport();
    askForKey("The key is forgotten. Enter a key to see the report.", false);
  }

  // ---- HTTP --------------------------------------------------------------------------------

  // Calls the server with the key; resolves to {status, data} (data: the parsed JSON or null).
  function call(method, path, body) {
    var init = { method: method, headers: { "X-API-KEY": state.key || "" }, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: res.status, ok: res.ok, data: data, text: text };
      });
    }, function (err) {
      return { status: 0, ok: false, data: null, text: "the server could not be reached (" + err.message + ")" };
    });
  }

  // The API's error message as it wrote it, with its code.
  function errorText(res) {
    var e = res.data && res.data.error;
    if (e && typeof e.message === "string") return e.message + (e.code ? " (" + e.code + ")" : "");
    return "HTTP " + res.status + (res.text ? ": " + res.text.slice(0, 300) : "");
  }

  function sitePath(site) { return "sites/" + encodeURIComponent(site) + "/rules"; }

  // ---- sites and dates ---------------------------------------------------------------------

  function loadSites() {
    return call("GET", "sites").then(function (res) {
      var field = $("site-field");
      if (res.ok && res.data && Array.isArray(res.data.sites)) {
        state.sites = res.data.sites.map(function (s) { return String(s.name); });
        var select = $("site");
        var chosen = select.value;
        clear(select).appendChild(el("option", { value: "" }, ["All sites"]));
        state.sites.forEach(function (name) { select.appendChild(el("option", { value: name }, [name])); });
        select.value = state.sites.indexOf(chosen) >= 0 ? chosen : "";
        state.siteInput = select;
        return;
      }
      // No list: a text field (empty: every site).
      state.sites = [];
      clear(field).appendChild(el("label", { "for": "site-text" }, ["Site (empty: all sites)"]));
      state.siteInput = el("input", { id: "site-text", name: "site", type: "text", spellcheck: "false" });
      field.appendChild(state.siteInput);
    });
  }

  function utcDay(d) { return d.toISOString().slice(0, 10); }
  function defaultDates() {
    var now = new Date();
    $("to").value = utcDay(now);
    $("from").value = utcDay(new Date(now.getTime() - 29 * 86400000));
  }

  function selectedSite() { return state.siteInput ? state.siteInput.value.trim() : ""; }

  // ---- the report --------------------------------------------------------------------------

  function loadReport() {
    var params = new URLSearchParams();
    var site = selectedSite();
    if (site) params.set("site", site);
    if ($("from").value) params.set("from", $("from").value);
    if ($("to").value) params.set("to", $("to").value);
    $("status").textContent = "Loading…";
    return call("GET", "analytics?" + params.toString()).then(function (res) {
      if (res.status === 401) {
        keepKey(null);
        $("status").textContent = "";
        askForKey("The server refused the key: " + errorText(res) + ". Enter a valid key.", false);
        return;
      }
      if (res.status === 403) {
        $("status").textContent = "";
        hideReport();
        askForKey("This key may not read the analytics of " + (site ? "the site " + site : "every site") + ": " +
          errorText(res) + ". Choose a site the key covers, or enter another key.", true);
        return;
      }
      if (!res.ok || !res.data) {
        hideReport();  // not the previous range's numbers under this range's controls
        $("status").textContent = "The report could not be loaded: " + errorText(res);
        return;
      }
      $("key-section").hidden = true;
      $("key-message").textContent = "";
      $("dashboard").hidden = false;
      $("forget").hidden = false;
      state.report = res.data;
      render(res.data);
      $("status").textContent = "Report for " + (res.data.site === null ? "all sites" : res.data.site) +
        ", " + res.data.from + " to " + res.data.to + ".";
      state.rulesSite = site;
      return loadRules();
    });
  }

  function pct(x) { return (Math.round(Number(x) * 1000) / 10) + " %"; }
  function num(x) { return Number(x).toLocaleString("en-US"); }

  function render(r) {
    $("report").hidden = false;
    var totals = clear($("totals"));
    [["Searches", num(r.searches)], ["Suggests", num(r.suggests)], ["Clicks", num(r.clicks)],
     ["Searches clicked", num(r.clicked_searches)], ["CTR", pct(r.ctr)]].forEach(function (t) {
      totals.appendChild(el("div", { "class": "total" }, [el("dt", null, [t[0]]), el("dd", null, [t[1]])]));
    });
    var days = Array.isArray(r.days) ? r.days : [];
    barChart($("searches-chart"), days);
    lineChart($("ctr-chart"), days);
    daysTable(days);
    proposals(r.proposals);
    queryTable($("top-queries"), r.top_queries, "No searches in this range.");
    queryTable($("zero-results"), r.zero_results, "Every query found something.");
    queryTable($("no-clicks"), r.no_clicks, "No query with results went without a click.");
    reformulations(r.reformulations);
  }

  // ---- charts (hand-written SVG) -----------------------------------------------------------

  var W = 640, H = 220, PAD = { left: 48, right: 12, top: 12, bottom: 40 };

  // A round upper bound for the y axis: 1, 2, 5, 10, 20, 50…
  function niceMax(x) {
    if (x <= 0) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= x) return steps[i] * p;
    return 10 * p;
  }

  // The frame shared by both charts: svg with title and desc, axes, y labels, first and last day.
  function frame(figure, id, title, desc, yMax, yLabel, yFormat, days) {
    clear(figure);
    var svgEl = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": id + "-title " + id + "-desc",
      "class": "chart-svg", preserveAspectRatio: "xMidYMid meet" });
    svgEl.appendChild(svg("title", { id: id + "-title" }, [title]));
    svgEl.appendChild(svg("desc", { id: id + "-desc" }, [desc]));
    var x0 = PAD.left, x1 = W - PAD.right, y0 = H - PAD.bottom, y1 = PAD.top;
    var axes = svg("g", { "class": "axes", "aria-hidden": "true" });
    [0, 0.5, 1].forEach(function (f) {
      var y = y0 - f * (y0 - y1);
      axes.appendChild(svg("line", { x1: x0, x2: x1, y1: y, y2: y, "class": f === 0 ? "axis" : "grid" }));
      axes.appendChild(svg("text", { x: x0 - 6, y: y + 4, "text-anchor": "end" }, [yFormat(f * yMax)]));
    });
    axes.appendChild(svg("line", { x1: x0, x2: x0, y1: y0, y2: y1, "class": "axis" }));
    if (days.length) {
      axes.appendChild(svg("text", { x: x0, y: y0 + 16, "text-anchor": "start" }, [days[0].day]));
      if (days.length > 1) axes.appendChild(svg("text", { x: x1, y: y0 + 16, "text-anchor": "end" }, [days[days.length - 1].day]));
    }
    axes.appendChild(svg("text", { x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle", "class": "axis-label" }, ["Day (UTC)"]));
    axes.appendChild(svg("text", { x: 12, y: (y0 + y1) / 2, "text-anchor": "middle", "class": "axis-label",
      transform: "rotate(-90 12 " + (y0 + y1) / 2 + ")" }, [yLabel]));
    svgEl.appendChild(axes);
    figure.appendChild(el("figcaption", { id: id + "-caption" }, [title]));
    figure.appendChild(svgEl);
    return { svg: svgEl, x0: x0, x1: x1, y0: y0, y1: y1 };
  }

  function barChart(figure, days) {
    var max = days.reduce(function (m, d) { return Math.max(m, d.searches); }, 0);
    var total = days.reduce(function (s, d) { return s + d.searches; }, 0);
    var yMax = niceMax(max);
    var f = frame(figure, "searches-chart", "Searches per day",
      total + " searches over " + days.length + " days, at most " + max + " in a day. The table below the charts has every day.",
      yMax, "Searches", function (v) { return String(Math.round(v)); }, days);
    var step = (f.x1 - f.x0) / Math.max(days.length, 1);
    var bars = svg("g", { "class": "bars" });
    days.forEach(function (d, i) {
      var h = (d.searches / yMax) * (f.y0 - f.y1);
      bars.appendChild(svg("rect", { x: f.x0 + i * step + step * 0.15, y: f.y0 - h, width: Math.max(step * 0.7, 1), height: h,
        "class": "bar", "data-day": d.day, "data-value": d.searches },
        [svg("title", null, [d.day + ": " + d.searches + " searches"])]));
    });
    f.svg.appendChild(bars);
  }

  // CTR per day: a point for each day with searches (a day without has no CTR), joined by a line.
  function lineChart(figure, days) {
    var withSearches = days.filter(function (d) { return d.searches > 0; });
    var f = frame(figure, "ctr-chart", "Click-through rate per day",
      "Share of searches with a click, on the " + withSearches.length + " of " + days.length +
      " days that had searches. The table below the charts has every day.",
      1, "CTR", function (v) { return Math.round(v * 100) + " %"; }, days);
    var step = (f.x1 - f.x0) / Math.max(days.length, 1);
    var points = [];
    var dots = svg("g", { "class": "points" });
    days.forEach(function (d, i) {
      if (!(d.searches > 0)) return;
      var x = f.x0 + i * step + step / 2, y = f.y0 - Math.min(Math.max(d.ctr, 0), 1) * (f.y0 - f.y1);
      points.push(x.toFixed(1) + "," + y.toFixed(1));
      dots.appendChild(svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 4, "class": "point", "data-day": d.day, "data-value": d.ctr },
        [svg("title", null, [d.day + ": " + pct(d.ctr) + " of " + d.searches + " searches clicked"])]));
    });
    if (points.length > 1) f.svg.appendChild(svg("polyline", { points: points.join(" "), "class": "line", "aria-hidden": "true" }));
    f.svg.appendChild(dots);
  }

  function daysTable(days) {
    var table = clear($("days-table"));
    table.appendChild(el("caption", null, ["Searches, suggests, clicked searches, searches with no result and CTR per day"]));
    table.appendChild(el("thead", null, [el("tr", null, ["Day", "Searches", "Suggests", "Clicked", "No result", "CTR"].map(function (h) {
      return el("th", { scope: "col" }, [h]);
    }))]));
    var body = el("tbody");
    days.forEach(function (d) {
      body.appendChild(el("tr", null, [el("th", { scope: "row" }, [d.day]), el("td", null, [num(d.searches)]),
        el("td", null, [num(d.suggests)]), el("td", null, [num(d.clicked_searches)]),
        el("td", null, [num(d.zero_result_searches)]), el("td", null, [d.searches > 0 ? pct(d.ctr) : "–"])]));
    });
    table.appendChild(body);
  }

  // ---- tables ------------------------------------------------------------------------------

  function link(url) {
    if (/^https?:\/\//i.test(url)) return el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, [url]);
    return el("span", null, [url]);
  }

  function head(table, caption, names) {
    clear(table);
    table.appendChild(el("caption", { "class": "visually-hidden" }, [caption]));
    table.appendChild(el("thead", null, [el("tr", null, names.map(function (h) { return el("th", { scope: "col" }, [h]); }))]));
    var body = el("tbody");
    table.appendChild(body);
    return body;
  }

  function empty(body, columns, text) {
    body.appendChild(el("tr", { "class": "empty" }, [el("td", { colspan: columns }, [text])]));
  }

  var QUERY_COLUMNS = ["Query", "Searches", "Clicked", "CTR", "Mean position", "Results", "Top click", "Fix"];

  function queryTable(table, list, none) {
    var caption = table.parentNode.querySelector("h2").textContent;
    var body = head(table, caption, QUERY_COLUMNS);
    if (!Array.isArray(list) || !list.length) return empty(body, QUERY_COLUMNS.length, none);
    list.forEach(function (q) {
      var top = q.top_click;
      var row = el("tr", { "data-query": q.query }, [
        el("th", { scope: "row", "class": "query" }, [q.query]),
        el("td", { "class": "searches" }, [num(q.searches)]),
        el("td", { "class": "clicked" }, [num(q.clicked_searches)]),
        el("td", { "class": "ctr" }, [pct(q.ctr)]),
        el("td", { "class": "position" }, [q.mean_position ? String(Math.round(q.mean_position * 10) / 10) : "–"]),
        el("td", { "class": "results" }, [num(q.results)]),
        el("td", { "class": "top-click" }, top ? [link(top.url), " (" + num(top.clicks) + ")"] : ["–"]),
        actions(q.query, { synonym: "", pin: top ? top.url : "", hide: "" })]);
      body.appendChild(row);
    });
  }

  function reformulations(list) {
    var columns = ["Query", "Rephrased", "Into", "Fix"];
    var body = head($("reformulations"), "Reformulations", columns);
    if (!Array.isArray(list) || !list.length) return empty(body, columns.length, "No reformulations in this range.");
    list.forEach(function (f) {
      var into = el("ul", { "class": "into" });
      (f.into || []).forEach(function (i) { into.appendChild(el("li", null, [i.query + " (" + num(i.count) + ")"])); });
      var first = f.into && f.into.length ? f.into[0].query : "";
      body.appendChild(el("tr", { "data-query": f.query }, [el("th", { scope: "row", "class": "query" }, [f.query]),
        el("td", { "class": "count" }, [num(f.count)]), el("td", null, [into]), actions(f.query, { synonym: first })]));
    });
  }

  // The buttons of a row: each opens a small form under the row. `prefill` names the actions
  // offered and the value each starts with.
  function actions(query, prefill) {
    var cell = el("td", { "class": "actions" });
    var kinds = [["synonym", "Synonym…"], ["pin", "Pin…"], ["hide", "Hide…"]];
    kinds.forEach(function (k) {
      if (!(k[0] in prefill)) return;
      cell.appendChild(el("button", { type: "button", "class": "act act-" + k[0], "aria-label": k[1] + " " + query,
        "aria-expanded": "false",
        onclick: function (e) { openAction(e.currentTarget, k[0], query, prefill[k[0]]); } }, [k[1]]));
    });
    return cell;
  }

  var ACTION_TEXT = {
    synonym: { label: "Words this query should also match (comma-separated)", submit: "Add synonym" },
    pin: { label: "URL to show first (absolute, or a path such as /install.html)", submit: "Add pin" },
    hide: { label: "URL never to show for this query", submit: "Add hide" }
  };
  var formCount = 0;

  function openAction(button, kind, query, value) {
    var row = button.closest("tr");
    var next = row.nextElementSibling;
    if (next && next.classList.contains("action-row")) {
      var same = next.getAttribute("data-kind") === kind;
      closeAction(next);
      if (same) return;
    }
    var n = ++formCount;
    var text = ACTION_TEXT[kind];
    var input = el("input", { id: "act-" + n, type: "text", value: value || "", required: true, spellcheck: "false", "class": "act-value" });
    var fields = [el("label", { "for": "act-" + n }, [text.label]), input];
    var siteSelect = null;
    if (!selectedSite()) {
      // "All sites": a rule belongs to one site.
      siteSelect = state.sites.length ? el("select", { id: "act-site-" + n, required: true, "class": "act-site" },
        [el("option", { value: "" }, ["Choose a site"])].concat(state.sites.map(function (s) { return el("option", { value: s }, [s]); })))
        : el("input", { id: "act-site-" + n, type: "text", required: true, "class": "act-site" });
      fields.push(el("label", { "for": "act-site-" + n }, ["Site"]), siteSelect);
    }
    var output = el("p", { "class": "action-result", role: "status", "aria-live": "polite" });
    // novalidate: a missing value is said in the form's live region, as the API's errors are.
    var form = el("form", { "class": "action-form", novalidate: true, "aria-label": text.submit + " for " + query }, [
      el("div", { "class": "fields" }, fields),
      el("div", { "class": "row" }, [el("button", { type: "submit" }, [text.submit]),
        el("button", { type: "button", "class": "secondary", onclick: function () { closeAction(actionRow); button.focus(); } }, ["Cancel"])]),
      output]);
    var actionRow = el("tr", { "class": "action-row", "data-kind": kind },
      [el("td", { colspan: row.children.length }, [form])]);
    actionRow.opener = button;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var site = siteSelect ? siteSelect.value.trim() : selectedSite();
      var rule = ruleFor(kind, query, input.value);
      if (!rule) { output.textContent = "Enter at least one word."; return; }
      if (!site) { output.textContent = "Choose the site the rule is for."; return; }
      addRule(site, rule, output);
    });
    form.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { closeAction(actionRow); button.focus(); }
    });
    row.parentNode.insertBefore(actionRow, row.nextSibling);
    button.setAttribute("aria-expanded", "true");
    input.focus();
  }

  function closeAction(actionRow) {
    if (actionRow.opener) actionRow.opener.setAttribute("aria-expanded", "false");
    actionRow.remove();
  }

  function ruleFor(kind, query, value) {
    value = value.trim();
    if (kind === "synonym") {
      var words = value.split(",").map(function (w) { return w.trim(); }).filter(Boolean);
      return words.length ? { kind: "one_way", from: query, to: words } : null;
    }
    if (!value) return null;
    if (kind === "pin") return { kind: "pin", query: query, urls: [value] };
    return { kind: "hide", query: query, url: value };
  }

  // POSTs a rule and says what came of it in `output`; lists the site's rules after a success.
  function addRule(site, rule, output, button) {
    output.textContent = "Adding…";
    if (button) button.disabled = true;
    return call("POST", sitePath(site), rule).then(function (res) {
      if (button) button.disabled = false;
      output.classList.toggle("error", !res.ok);
      if (!res.ok) {
        output.textContent = "Not added: " + errorText(res);
        return false;
      }
      output.textContent = "Added rule " + res.data.id + " (" + res.data.kind + ") to " + site + ".";
      output.setAttribute("data-rule-id", res.data.id);
      state.rulesSite = site;
      loadRules();
      return true;
    });
  }

  // ---- suggested fixes (the report's optional `proposals`) ---------------------------------

  function proposals(list) {
    var section = $("proposals-section");
    if (!Array.isArray(list)) { section.hidden = true; clear($("proposals")); return; }
    section.hidden = false;
    var columns = ["Site", "Fix", "Why", "Evidence", "Accept"];
    var body = head($("proposals"), "Suggested fixes", columns);
    if (!list.length) return empty(body, columns.length, "No suggestions for this range.");
    list.forEach(function (p) {
      var evidence = el("ul", { "class": "evidence" });
      Object.keys(p.evidence || {}).forEach(function (k) {
        var v = p.evidence[k];
        evidence.appendChild(el("li", null, [k.replace(/_/g, " ") + ": " + (typeof v === "object" ? JSON.stringify(v) : String(v))]));
      });
      var output = el("p", { "class": "action-result", role: "status", "aria-live": "polite" });
      var accept = el("button", { type: "button", "class": "accept", "aria-label": "Accept: " + (p.reason || p.kind) });
      accept.textContent = "Accept";
      accept.addEventListener("click", function () {
        addRule(String(p.site), p.rule, output, accept).then(function (ok) { if (ok) accept.disabled = true; });
      });
      body.appendChild(el("tr", { "class": "proposal" }, [el("td", null, [String(p.site)]), el("td", null, [describeRule(p.rule || {})]),
        el("td", { "class": "reason" }, [String(p.reason || "")]), el("td", null, [evidence]), el("td", null, [accept, output])]));
    });
  }

  // ---- the rules of a site -----------------------------------------------------------------

  function describeRule(r) {
    var list = function (v) { return Array.isArray(v) ? v.join(", ") : String(v === undefined ? "" : v); };
    var match = r.match === "prefix" ? " (prefix)" : "";
    switch (r.kind) {
      case "one_way": return r.from + " → also " + list(r.to);
      case "synonyms": return list(r.synonyms);
      case "pin": return r.query + match + " → first " + list(r.urls);
      case "hide": return r.query + match + " → hides " + r.url;
      case "boost": return r.query + match + " → " + r.url + " × " + r.factor;
      default: return JSON.stringify(r);
    }
  }

  function loadRules() {
    var site = state.rulesSite;
    var section = $("rules-section");
    if (!site) { section.hidden = true; return Promise.resolve(); }
    section.hidden = false;
    $("rules-heading").textContent = "Rules of " + site;
    return call("GET", sitePath(site)).then(function (res) {
      var columns = ["Id", "Kind", "Rule", "Note", "Created", "Remove"];
      var body = head($("rules"), "Rules of " + site, columns);
      if (!res.ok) {
        $("rules-message").textContent = "The rules could not be listed: " + errorText(res);
        return;
      }
      $("rules-message").textContent = "";
      var rules = (res.data && res.data.rules) || [];
      if (!rules.length) return empty(body, columns.length, "This site has no rules.");
      rules.forEach(function (r) {
        body.appendChild(el("tr", { "data-rule-id": r.id }, [el("th", { scope: "row" }, [String(r.id)]), el("td", null, [String(r.kind)]),
          el("td", null, [describeRule(r)]), el("td", null, [r.note ? String(r.note) : ""]), el("td", null, [String(r.created || "")]),
          el("td", null, [el("button", { type: "button", "class": "remove", "aria-label": "Remove rule " + r.id,
            onclick: function () { removeRule(site, r.id); } }, ["Remove"])])]));
      });
    });
  }

  function removeRule(site, id) {
    return call("DELETE", sitePath(site) + "/" + encodeURIComponent(id)).then(function (res) {
      if (!res.ok) {
        $("rules-message").textContent = "Not removed: " + errorText(res);
        return;
      }
      return loadRules().then(function () { $("rules-message").textContent = "Removed rule " + id + "."; });
    });
  }

  // ---- start -------------------------------------------------------------------------------

  function start() {
    defaultDates();
    state.siteInput = $("site");
    $("key-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var key = $("key").value.trim();
      if (!key) return;
      keepKey(key);
      $("key").value = "";
      $("key-message").textContent = "";
      loadSites().then(loadReport);
    });
    $("filters").addEventListener("submit", function (e) {
      e.preventDefault();
      loadReport();
    });
    $("forget").addEventListener("click", forgetKey);
    var key = storedKey();
    if (key) {
      state.key = key;
      loadSites().then(loadReport);
    } else {
      askForKey("", false);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
