// The engine and its results. Long calls (search, indexing, crawling) release the GIL, so
// Python threads search in parallel.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <type_traits>

#include "bindings.hpp"
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <mutex>

#include <boost/json.hpp>

#include "siteseek/curation.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/json.hpp"
#include "siteseek/keys.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/node.hpp"
#include "siteseek/segments.hpp"

namespace py = pybind11;

namespace siteseek::python {
namespace {

const char* type_name(DocumentType t) { return t == DocumentType::page ? "page" : "section"; }

// A dict of these keys and values, in this order (the HTTP API's).
py::dict dict_of(std::initializer_list<std::pair<const char*, py::object>> items) {
  py::dict d;
  for (const auto& [key, value] : items) d[key] = value;
  return d;
}

py::dict sub_result_dict(const SubResult& s) {
  return dict_of({{"title", py::cast(s.title)}, {"url", py::cast(s.url)}, {"body", py::cast(s.body)}});
}

py::dict facet_value_dict(const FacetValue& v) { return dict_of({{"value", py::cast(v.value)}, {"count", py::cast(v.count)}}); }

py::dict attribute_dict(const Attribute& a) { return dict_of({{"name", py::cast(a.name)}, {"value", py::cast(a.value)}}); }

py::list rule_effects(const std::vector<RuleEffect>& rules) {
  py::list out;
  for (const auto& e : rules)
    out.append(dict_of({{"id", py::cast(e.id)}, {"kind", py::cast(e.kind)}, {"effect", py::cast(e.effect)}}));
  return out;
}

py::object explain_dict(const SearchResponse& r) {
  if (!r.explain) return py::none();
  py::list related;
  for (const auto& w : r.explain->related) related.append(dict_of({{"word", py::cast(w.word)}, {"related", py::cast(w.related)}}));
  return dict_of({{"query", py::cast(r.explain->query)},
                  {"optional_words", py::cast(r.explain->optional_words)},
                  {"rules", rule_effects(r.explain->rules)},
                  {"related", related}});
}

// Curation rules as dicts (the HTTP API's JSON shape), and back.
py::object rule_dict(const Rule& r) { return json_to_python(json_text(rule_to_json(r))); }
py::list rule_dicts(const std::vector<Rule>& rules) {
  py::list out;
  for (const auto& r : rules) out.append(rule_dict(r));
  return out;
}

// The HTTP API's keys, sub_results only when the search asked for them.
py::dict result_dict(const SearchResult& r) {
  py::dict d;
  d["title"] = r.title;
  d["section_title"] = r.section_title;
  d["hierarchy"] = r.hierarchy;
  d["body"] = r.body;
  d["url"] = r.url;
  if (!r.site.empty()) d["site"] = r.site;
  if (r.sub_results) {
    py::list subs;
    for (const auto& s : *r.sub_results) subs.append(sub_result_dict(s));
    d["sub_results"] = subs;
  }
  return d;
}

// With explain: each result's rules too.
py::dict result_dict_explained(const SearchResult& r, bool explained) {
  py::dict d = result_dict(r);
  if (explained) d["rules"] = rule_effects(r.rules);
  return d;
}

// One facet as the HTTP API gives it under its name: {"values": [{"value", "count"}], "more"}, more
// only when values were left out.
py::dict facet_dict(const Facet& f) {
  py::dict d;
  py::list values;
  for (const auto& v : f.values) values.append(facet_value_dict(v));
  d["values"] = values;
  if (f.more) d["more"] = f.more;
  return d;
}

// The HTTP API's response keys; facets and context only when the search has them.
py::dict response_dict(const SearchResponse& r) {
  py::dict d;
  d["total"] = r.total;
  py::list results;
  for (const auto& x : r.results) results.append(result_dict_explained(x, r.explain.has_value()));
  d["results"] = results;
  if (!r.facets.empty()) {
    py::dict facets;
    for (const auto& f : r.facets) facets[py::str(f.name)] = facet_dict(f);
    d["facets"] = facets;
  }
  if (!r.context.empty()) {
    py::list context;
    for (const auto& a : r.context) context.append(attribute_dict(a));
    d["context"] = context;
  }
  if (r.explain) d["explain"] = explain_dict(r);
  d["took_ms"] = r.took_ms;
  return d;
}

// Facet names: a list of strings, or one comma-separated string as HTTP's facets= is. Their
// number and spelling are the node's policy.
std::vector<std::string> facet_names(const py::handle& v) {
  if (py::isinstance<py::str>(v)) return facet_list(v.cast<std::string>());
  std::vector<std::string> names;
  if (!py::isinstance<py::iterable>(v) || py::isinstance<py::bytes>(v) || py::isinstance<py::dict>(v))
    throw RequestError("invalid_parameter", "facets must be a list of attribute names or a comma-separated string");
  for (auto item : v) {
    if (!py::isinstance<py::str>(item))
      throw RequestError("invalid_parameter", "facets must be a list of attribute names or a comma-separated string");
    names.push_back(item.cast<std::string>());
  }
  return names;
}

// A time from Python: an RFC 3339 UTC string ("2027-01-01T00:00:00Z"), a datetime (its
// timestamp(): a naive one is local time, as Python reads it) or Unix seconds. `what` names the
// argument in the ConfigError.
KeyClock::time_point time_from_python(const py::handle& v, const char* what) {
  if (py::isinstance<py::str>(v)) {
    auto t = parse_utc(v.cast<std::string>());
    if (!t) throw ConfigError(what, "expected a UTC time like 2027-01-01T00:00:00Z, got '" + v.cast<std::string>() + "'");
    return *t;
  }
  double seconds;
  if (py::hasattr(v, "timestamp")) seconds = v.attr("timestamp")().cast<double>();
  else if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) seconds = v.cast<double>();
  else throw ConfigError(what, "expected a UTC time string, a datetime or Unix seconds");
  if (!(seconds >= 0 && seconds < 7'000'000'000.0)) throw ConfigError(what, "out of range");
  return KeyClock::from_time_t(static_cast<std::time_t>(seconds));
}

py::dict key_info_dict(const KeyInfo& k) { return json_to_python(json_text(boost::json::value_from(k))); }

// A report as a dict: its JSON (siteseek/json.hpp), with skipped and failed as lists of
// (url, reason) and (url, error) tuples, as the Python API has always given them.
py::dict report_dict(const IngestReport& r) {
  py::dict d = json_to_python(json_text(boost::json::value_from(r)));
  for (auto [key, second] : {std::pair{"skipped", "reason"}, std::pair{"failed", "error"}}) {
    py::list pairs;
    for (auto item : d[key]) pairs.append(py::make_tuple(item[py::str("url")], item[py::str(second)]));
    d[key] = pairs;
  }
  return d;
}

// {"version": "3.12", "tags": ["a", "b"]}: per name a string or a list of strings, as a record
// keeps them (normalize_attributes); a QueryError naming the key when they cannot be.
std::vector<Attribute> attributes_from(const py::handle& obj) {
  auto bad = [](const std::string& why) { return RequestError("invalid_document", "document key 'attributes' " + why); };
  const char* shape = "must be a dict of names to a string or a list of strings";
  if (!py::isinstance<py::dict>(obj)) throw bad(shape);
  std::vector<Attribute> out;
  for (auto [name, values] : obj.cast<py::dict>()) {
    if (!py::isinstance<py::str>(name)) throw bad(shape);
    auto add = [&](const py::handle& value) {
      if (!py::isinstance<py::str>(value)) throw bad(shape);
      out.push_back({name.cast<std::string>(), value.cast<std::string>()});
    };
    if (py::isinstance<py::str>(values)) {
      add(values);
    } else if (py::isinstance<py::list>(values) || py::isinstance<py::tuple>(values)) {
      for (auto value : values) add(value);
    } else {
      throw bad(shape);
    }
  }
  if (auto why = normalize_attributes(out); !why.empty()) throw bad("is invalid: " + why);
  return out;
}

// A record's attributes as {name: [values]}, names and values sorted.
py::dict attributes_dict(const std::vector<Attribute>& attributes) {
  py::dict d;
  for (const auto& a : attributes) {
    py::str name(a.name);
    if (!d.contains(name)) d[name] = py::list();
    d[name].cast<py::list>().append(a.value);
  }
  return d;
}

Document document_from(const py::handle& obj) {
  if (py::isinstance<Document>(obj)) return obj.cast<Document>();
  if (!py::isinstance<py::dict>(obj)) throw RequestError("invalid_document", "a document must be a dict or siteseek.Document");
  auto d = obj.cast<py::dict>();
  Document doc;
  // A value of the wrong type is a QueryError naming the key, not pybind11's bare cast error.
  auto get = [&](const char* key, auto& out, const char* expected) {
    if (!d.contains(key)) return;
    py::object v = d[key];
    using T = std::decay_t<decltype(out)>;
    const bool list = std::is_same_v<T, std::vector<std::string>>;
    if (list && (py::isinstance<py::str>(v) || py::isinstance<py::bytes>(v)))
      throw RequestError("invalid_document", std::string("document key '") + key + "' must be " + expected);
    try {
      out = v.cast<T>();
    } catch (const py::cast_error&) {
      throw RequestError("invalid_document", std::string("document key '") + key + "' must be " + expected);
    }
  };
  auto text = [&](const char* key, std::string& out) { get(key, out, "a string"); };
  text("url", doc.url);
  text("id", doc.id);
  text("title", doc.title);
  text("section_title", doc.section_title);
  text("body", doc.body);
  text("section_key", doc.section_key);
  get("hierarchy", doc.hierarchy, "a list of strings");
  get("anchors", doc.anchors, "a list of strings");
  if (d.contains("type")) {
    std::string t;
    text("type", t);
    if (t != "page" && t != "section") throw RequestError("invalid_document", "type must be 'page' or 'section', got '" + t + "'");
    doc.type = t == "page" ? DocumentType::page : DocumentType::section;
  }
  get("boost", doc.boost, "a number");
  get("position", doc.position, "a non-negative integer");
  get("inbound_links", doc.inbound_links, "a non-negative integer");
  if (d.contains("attributes")) doc.attributes = attributes_from(d["attributes"]);
  for (auto item : d) {
    auto key = item.first.cast<std::string>();
    static const char* known[] = {"url",  "id",    "title",    "section_title", "body",          "section_key", "hierarchy",
                                  "type", "boost", "position", "anchors",       "inbound_links", "attributes"};
    if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return key == k; }) == std::end(known)) {
      throw RequestError("invalid_document", "unknown document key '" + key + "'");
    }
  }
  if (doc.url.empty()) throw RequestError("invalid_document", "a document needs a url");
  if (doc.id.empty()) doc.id = doc.url;
  return doc;
}

AppSettings settings_from(const py::object& settings) {
  if (settings.is_none()) return {};
  if (py::isinstance<AppSettings>(settings)) {
    auto s = settings.cast<AppSettings>();
    validate(s);
    return s;
  }
  if (py::isinstance<py::str>(settings)) return app_settings_from_json_text(settings.cast<std::string>());
  return app_settings_from_json(parse_json_exact(python_to_json(settings)));
}

// A Node plus what Python needs around it: the documents given per site, from which a site's
// index is built again after add_documents. An engine that keeps nothing on disk builds it once,
// at the next call that reads or changes an index (N calls of one document build once, not N
// times); one that stores builds and stores at each call, so that a call that returned is kept.
// The node is never replaced (sites are added to it), so a search that released the GIL always
// runs on a live engine; the buffer has its own lock, taken with the GIL released.
class PyEngine {
 public:
  // With no settings the engine keeps nothing on disk; with settings it stores like the server.
  explicit PyEngine(AppSettings settings, bool persist, bool analytics = false)
      : node_(std::make_unique<Node>(std::move(settings), options(persist, analytics))), persist_(persist) {}

  static std::unique_ptr<PyEngine> open(const std::string& path, const std::string& site) {
    AppSettings s;
    const SiteSettings ss = new_site(site);
    s.sites.push_back(ss);
    auto e = std::make_unique<PyEngine>(s, false);
    std::shared_ptr<const Index> index;
    {
      py::gil_scoped_release release;
      index = load_snapshot(path, ss);
      verify_if_small(*index, limits::verify_before_serving_bytes);  // as a node serves it
    }
    e->node_->engine().publish(site, index);
    return e;
  }

  void save(const std::string& path, const std::optional<std::string>& site) {
    flush();
    std::string name = site.value_or("").empty() ? node_->engine().default_site() : *site;
    auto segments = node_->engine().segments(name);
    if (!segments) throw RequestError("no_index", "site '" + name + "' has no index to save");
    py::gil_scoped_release release;
    // One snapshot file: after live updates, one index of the live records is built for it.
    const auto& parts = segments->segments();
    auto index = parts.size() == 1 && !parts.front().deleted
                     ? parts.front().index
                     : segments->merge_build(0, parts.size(), parts.front().index->settings());
    save_snapshot(*index, path);
  }

  py::dict index_directory(const std::string& dir, const std::string& base_url, const std::string& site) {
    flush();
    IngestReport report;
    {
      py::gil_scoped_release release;
      SiteSettings ss = site_or_new(site);
      ss.url = base_url;
      ss.directory = dir;
      node_->put_site(std::move(ss));
      report = node_->reindex(site);
    }
    return report_dict(report);
  }

  py::dict crawl_site(const std::optional<std::string>& site) {
    flush();
    IngestReport report;
    {
      py::gil_scoped_release release;
      SiteSettings ss = node_->settings()->site(site.value_or(""));
      if (!ss.directory.empty()) {  // crawled from its url from now on
        ss.directory.clear();
        node_->put_site(ss);
      }
      report = node_->reindex(ss.name);
    }
    return report_dict(report);
  }

  py::dict reindex(const std::optional<std::string>& site) {
    flush();
    IngestReport report;
    {
      py::gil_scoped_release release;
      report = node_->reindex(node_->settings()->site(site.value_or("")).name);
    }
    return report_dict(report);
  }

  // The documents are checked here (a bad one raises now, naming it) and built into the site's
  // index by the next call that reads or changes one (flush()), or now when the engine stores.
  void add_documents(const std::string& site, const py::iterable& docs) {
    std::vector<Document> list;
    for (auto d : docs) list.push_back(document_from(d));
    normalize_documents(list);
    py::gil_scoped_release release;
    if (!has_site(site)) node_->put_site(site_or_new(site));
    std::lock_guard lock(documents_mutex_);
    auto& buffer = documents_[site];
    for (auto& d : list) buffer.add(std::move(d));
    if (persist_) node_->publish_documents(site, buffer.live());
    else pending_.insert(site);
  }

  // Pages replaced and deleted by URL: a new segment, searchable (and, for an engine that stores,
  // kept in data_dir as segments) when this returns (Node::update_documents).
  py::dict update(const std::string& site, const py::iterable& docs, const std::vector<std::string>& deleted) {
    std::vector<Document> list;
    for (auto d : docs) list.push_back(document_from(d));
    normalize_documents(list);
    flush();
    py::gil_scoped_release release;
    if (!has_site(site)) node_->put_site(site_or_new(site));
    std::lock_guard lock(documents_mutex_);
    auto& buffer = documents_[site];
    UpdateReport report;
    report.added = list.size();
    for (const auto& d : list) report.removed += buffer.remove_page(page_url(d));
    for (const auto& u : deleted) report.removed += buffer.remove_page(std::string(page_of(u)));
    for (const auto& d : list) buffer.add(d);
    const auto done = node_->update_documents(site, std::move(list), deleted);
    report.removed = done.removed;  // the index may hold pages the buffer does not (a directory indexed)
    report.segments = done.segments;
    py::gil_scoped_acquire acquire;
    py::dict out;
    out["added"] = report.added;
    out["removed"] = report.removed;
    out["segments"] = report.segments;
    return out;
  }

  py::dict upsert_documents(const std::string& site, const py::iterable& docs) { return update(site, docs, {}); }
  py::dict delete_pages(const std::string& site, const std::vector<std::string>& urls) { return update(site, py::list(), urls); }

  void put_site(const py::handle& settings) {
    flush();
    SiteSettings site = site_settings_from_python(settings);
    py::gil_scoped_release release;
    node_->put_site(std::move(site));
  }

  void remove_site(const std::string& name) {
    py::gil_scoped_release release;
    node_->remove_site(name);
    std::lock_guard lock(documents_mutex_);
    documents_.erase(name);  // a site of that name added later starts empty
    pending_.erase(name);
  }

  py::dict create_key(const std::vector<std::string>& actions, const std::optional<std::vector<std::string>>& sites,
                      const py::object& expires_at, const std::string& description) {
    KeySpec spec;
    spec.actions = actions;
    if (sites) spec.sites = *sites;
    if (!expires_at.is_none()) spec.expires_at = time_from_python(expires_at, "expires_at");
    spec.description = description;
    CreatedKey created;
    {
      py::gil_scoped_release release;
      created = node_->create_key(spec);
    }
    py::dict d = key_info_dict(key_info(created.record, KeyClock::now()));
    d["key"] = created.key;
    return d;
  }

  py::list list_keys() const {
    std::vector<KeyInfo> keys;
    {
      py::gil_scoped_release release;
      keys = node_->list_keys();
    }
    py::list out;
    for (const auto& k : keys) out.append(key_info_dict(k));
    return out;
  }

  void revoke_key(const std::string& id) {
    py::gil_scoped_release release;
    node_->revoke_key(id);
  }

  py::list rules(const std::string& site) const {
    flush();
    std::vector<Rule> out;
    {
      py::gil_scoped_release release;
      out = node_->rules(site);
    }
    return rule_dicts(out);
  }

  py::object add_rule(const std::string& site, const py::dict& rule) {
    flush();
    Rule r = rule_from_json(parse_json_exact(python_to_json(rule)), "rule");
    {
      py::gil_scoped_release release;
      r = node_->add_rule(site, std::move(r));
    }
    return rule_dict(r);
  }

  void remove_rule(const std::string& site, const std::string& id) {
    flush();
    py::gil_scoped_release release;
    node_->remove_rule(site, id);
  }

  py::list set_rules(const std::string& site, const py::list& rules) {
    flush();
    auto list = rules_from_json(parse_json_exact(python_to_json(rules)));
    {
      py::gil_scoped_release release;
      list = node_->set_rules(site, std::move(list));
    }
    return rule_dicts(list);
  }

  SearchResponse search(const std::string& q, const std::optional<std::string>& site, std::uint32_t num,
                        std::uint32_t start, const std::optional<std::string>& from_url, const py::kwargs& options) {
    SearchRequest req;
    req.q = q;
    if (site) req.site = *site;
    req.num = num;
    req.start = start;
    if (from_url) req.from_url = *from_url;
    for (auto item : options) {
      auto key = item.first.cast<std::string>();
      if (key == "prefix") req.prefix = item.second.cast<bool>();
      else if (key == "typo") req.typo = item.second.cast<bool>();
      else if (key == "distinct") req.distinct = item.second.cast<bool>();
      else if (key == "highlight_pre_tag") req.highlight_pre_tag = item.second.cast<std::string>();
      else if (key == "highlight_post_tag") req.highlight_post_tag = item.second.cast<std::string>();
      else if (key == "snippet_length") req.snippet_length = item.second.cast<std::uint32_t>();
      else if (key == "sub_results") req.sub_results = item.second.cast<std::uint32_t>();
      else if (key == "filters") {
        if (!py::isinstance<py::str>(item.second)) throw RequestError("invalid_parameter", "filters must be a string");
        req.filters = item.second.cast<std::string>();
      }
      else if (key == "facets") req.facets = facet_names(item.second);
      else if (key == "explain") req.explain = item.second.cast<bool>();
      else throw RequestError("invalid_parameter", "unknown search option '" + key + "'");
    }
    flush();
    py::gil_scoped_release release;
    return node_->search(std::move(req));
  }

  std::vector<std::string> load_snapshots() {
    flush();
    StartReport report;
    {
      py::gil_scoped_release release;
      report = node_->start();
    }
    if (!report.refused.empty()) throw SnapshotError(report.refused.front().reason);
    std::vector<std::string> loaded;
    for (const auto& l : report.loaded) loaded.push_back(l.site);
    return loaded;
  }

  std::vector<Suggestion> suggest(const std::string& prefix, const std::optional<std::string>& site, std::uint32_t num) {
    flush();
    py::gil_scoped_release release;
    return node_->suggest({prefix, site.value_or(""), num});
  }

  // The HTTP API's /sites entries.
  py::list sites() const {
    flush();
    return json_to_python(json_text(boost::json::value_from(node_->sites())));
  }

  py::dict result_cache_stats() const {
    auto st = node_->engine().result_cache_stats();
    py::dict d;
    d["hits"] = st.hits;
    d["misses"] = st.misses;
    d["evictions"] = st.evictions;
    d["busy"] = st.busy;
    d["out_of_time"] = st.out_of_time;
    d["entries"] = st.entries;
    d["bytes"] = st.bytes;
    d["max_bytes"] = st.max_bytes;
    return d;
  }

  AppSettings settings() const { return *node_->settings(); }

  py::dict analytics(const std::optional<std::string>& site, const std::optional<std::string>& from,
                     const std::optional<std::string>& to) const {
    ReportRequest request{site.value_or(""), from.value_or(""), to.value_or("")};
    std::string json;
    {
      py::gil_scoped_release release;
      json = json_text(boost::json::value_from(node_->analytics_report(std::move(request))));
    }
    return json_to_python(json);
  }

 private:
  // Builds the index of every site given documents since its last build, from all of its
  // documents (called with the GIL held; released while building). A site's documents are
  // built in the order the calls came, before anything that reads or replaces its index.
  void flush() const {
    py::gil_scoped_release release;
    std::lock_guard lock(documents_mutex_);
    while (!pending_.empty()) {
      // Taken off first: a build that fails raises once, on this call, not on every later one.
      const auto site = *pending_.begin();
      pending_.erase(pending_.begin());
      node_->publish_documents(site, documents_.at(site).live());
    }
  }

  static NodeOptions options(bool persist, bool analytics) {
    NodeOptions o;
    o.persist = persist;
    o.analytics = analytics;
    return o;
  }

  bool has_site(const std::string& name) const {
    const auto s = node_->settings();
    return std::any_of(s->sites.begin(), s->sites.end(), [&](const auto& x) { return x.name == name; });
  }

  // Defaults for a site the library user names without settings (a url that cannot be fetched).
  static SiteSettings new_site(const std::string& name) {
    SiteSettings ss;
    ss.name = name;
    ss.url = "https://" + name + ".invalid/";
    return ss;
  }

  // The site's settings, or defaults for a new one named `name`.
  SiteSettings site_or_new(const std::string& name) const {
    const auto s = node_->settings();
    for (const auto& x : s->sites) {
      if (x.name == name) return x;
    }
    return new_site(name);
  }

  std::unique_ptr<Node> node_;
  mutable std::mutex documents_mutex_;
  // A site's documents in the order given, a replaced page's new ones after the others (as its
  // new segment is), found by page URL.
  struct Buffer {
    std::vector<Document> docs;
    std::vector<char> dead;
    std::unordered_map<std::string, std::vector<std::size_t>> by_page;
    void add(Document d) {
      by_page[page_url(d)].push_back(docs.size());
      docs.push_back(std::move(d));
      dead.push_back(0);
    }
    // The records of the page at `page` (a URL without fragment) taken out: how many.
    std::uint64_t remove_page(const std::string& page) {
      const auto it = by_page.find(page);
      if (it == by_page.end()) return 0;
      for (auto k : it->second) dead[k] = 1;
      const auto n = it->second.size();
      by_page.erase(it);
      return n;
    }
    std::vector<Document> live() const {
      std::vector<Document> out;
      for (std::size_t k = 0; k < docs.size(); ++k)
        if (!dead[k]) out.push_back(docs[k]);
      return out;
    }
  };
  std::map<std::string, Buffer> documents_;
  mutable std::set<std::string> pending_;  ///< sites given documents since their index was built
  bool persist_ = false;
};


}  // namespace

void init_engine(py::module_& m) {
  py::class_<Document>(m, "Document", "One searchable record: a page, or one section of a page.")
      .def(py::init([](const std::string& url, const std::string& title, const std::string& body,
                       const std::string& section_title, std::vector<std::string> hierarchy, const std::string& type,
                       float boost, const py::object& attributes) {
             py::dict d;
             d["url"] = url, d["title"] = title, d["body"] = body, d["section_title"] = section_title;
             d["hierarchy"] = hierarchy, d["type"] = type, d["boost"] = boost;
             if (!attributes.is_none()) d["attributes"] = attributes;
             return document_from(d);
           }),
           py::arg("url"), py::arg("title") = "", py::arg("body") = "", py::arg("section_title") = "",
           py::arg("hierarchy") = std::vector<std::string>{}, py::arg("type") = "page", py::arg("boost") = 1.0f,
           py::arg("attributes") = py::none())
      .def_readwrite("url", &Document::url)
      .def_readwrite("id", &Document::id)
      .def_readwrite("title", &Document::title)
      .def_readwrite("section_title", &Document::section_title)
      .def_readwrite("hierarchy", &Document::hierarchy)
      .def_readwrite("body", &Document::body)
      .def_readwrite("anchors", &Document::anchors,
                     "Ids of the definitions inside the record (\"dict.get\"): searched with the URL, not shown.")
      .def_property_readonly("type", [](const Document& d) { return type_name(d.type); })
      .def_readwrite("boost", &Document::boost)
      .def_readwrite("inbound_links", &Document::inbound_links,
                     "How many other pages link to this record's page from their main content (set by ingestion).")
      .def_property(
          "attributes", [](const Document& d) { return attributes_dict(d.attributes); },
          [](Document& d, const py::object& value) { d.attributes = attributes_from(value); },
          "Attributes to filter and facet on, {name: [values]} (docs/filters.md); set as {name: value or [values]}.");

  py::class_<SubResult>(m, "SubResult",
                        "One of a page's other matching sections, listed under the page's result (search(sub_results=n));\n"
                        "title (the section's heading) and body (a short snippet) are HTML-escaped and highlighted.")
      .def_readonly("title", &SubResult::title)
      .def_readonly("url", &SubResult::url)
      .def_readonly("body", &SubResult::body)
      .def("to_dict", &sub_result_dict, "The three keys of the HTTP API: title, url, body.")
      .def("__repr__", [](const SubResult& s) { return "SubResult(url=" + py::repr(py::str(s.url)).cast<std::string>() + ")"; });

  py::class_<SearchResult>(m, "SearchResult", "One result; title, section_title and body are HTML-escaped and highlighted.")
      .def_readonly("title", &SearchResult::title)
      .def_readonly("section_title", &SearchResult::section_title)
      .def_readonly("hierarchy", &SearchResult::hierarchy)
      .def_readonly("body", &SearchResult::body)
      .def_readonly("url", &SearchResult::url)
      .def_readonly("site", &SearchResult::site, "The result's site when several were searched (site=\"a,b\"), else \"\".")
      .def_readonly("score", &SearchResult::score)
      .def_property_readonly("type", [](const SearchResult& r) { return type_name(r.type); })
      .def_readonly("sub_results", &SearchResult::sub_results,
                    "With search(sub_results=n): the page's other matching sections, best first (a list, maybe\n"
                    "empty); None otherwise.")
      .def_property_readonly("rules", [](const SearchResult& r) { return rule_effects(r.rules); },
                             "With search(explain=True): the rules that placed or scored this result ([{'id', 'kind',\n"
                             "'effect'}]); [] otherwise.")
      .def("to_dict", &result_dict,
           "The keys of the HTTP API: title, section_title, hierarchy, body, url, and sub_results when asked.")
      .def("__repr__", [](const SearchResult& r) { return "SearchResult(url=" + py::repr(py::str(r.url)).cast<std::string>() + ")"; });

  py::class_<FacetValue>(m, "FacetValue", "One value of a facet and how many results have it.")
      .def_readonly("value", &FacetValue::value)
      .def_readonly("count", &FacetValue::count)
      .def("__repr__", [](const FacetValue& v) {
        return "FacetValue(value=" + py::repr(py::str(v.value)).cast<std::string>() + ", count=" + std::to_string(v.count) + ")";
      });

  py::class_<Facet>(m, "Facet",
                    "The values of one attribute over every result of a search (search(facets=[...])), one per page\n"
                    "when results are one per page.")
      .def_readonly("name", &Facet::name)
      .def_readonly("values", &Facet::values, "FacetValues, most frequent first, then by value; at most 100.")
      .def_readonly("more", &Facet::more, "How many values were left out of values (0: none).")
      .def("to_dict", &facet_dict,
           "The HTTP API's shape, as under the facet's name in SearchResponse.to_dict()['facets']:\n"
           "{'values': [{'value', 'count'}], 'more'} (more only when values were left out).")
      .def("__repr__", [](const Facet& f) {
        return "Facet(name=" + py::repr(py::str(f.name)).cast<std::string>() + ", values=" + std::to_string(f.values.size()) +
               (f.more ? ", more=" + std::to_string(f.more) : std::string()) + ")";
      });

  py::class_<SearchResponse>(m, "SearchResponse", "A page of results and the total number of matches.")
      .def_readonly("total", &SearchResponse::total)
      .def_readonly("results", &SearchResponse::results)
      .def_readonly("took_ms", &SearchResponse::took_ms)
      .def_readonly("relaxed", &SearchResponse::relaxed)
      .def_readonly("out_of_time", &SearchResponse::out_of_time,
                    "The search ran past the site's search.time_budget_ms: some words got no typo neighbours.")
      .def_readonly("facets", &SearchResponse::facets,
                    "With search(facets=[...]): a Facet per name asked, in that order; [] otherwise.")
      .def_property_readonly("context", [](const SearchResponse& r) {
        py::list out;
        for (const auto& a : r.context) out.append(py::make_tuple(a.name, a.value));
        return out;
      }, "The values of the site's context_attributes on the page at from_url that the search kept to,\n"
         "as (name, value) tuples ([('version', '3.12')]); [] when none applied.")
      .def_property_readonly("explain", &explain_dict,
                             "With search(explain=True): {'query', 'rules': [{'id', 'kind', 'effect'}]}, the curation\n"
                             "rules that fired; None otherwise.")
      .def("to_dict", &response_dict,
           "The HTTP API's response shape: total, results, facets and context when there are any, took_ms.")
      .def("__len__", [](const SearchResponse& r) { return r.results.size(); })
      .def("__iter__", [](const SearchResponse& r) { return py::make_iterator(r.results.begin(), r.results.end()); },
           py::keep_alive<0, 1>());

  py::class_<Suggestion>(m, "Suggestion", "A completion: a word (url None) or a page title (with its url).")
      .def_readonly("text", &Suggestion::text)
      .def_property_readonly("url", [](const Suggestion& s) -> py::object {
        return s.url.empty() ? py::object(py::none()) : py::object(py::str(s.url));
      })
      .def("__repr__", [](const Suggestion& s) {
        return "Suggestion(text=" + py::repr(py::str(s.text)).cast<std::string>() +
               (s.url.empty() ? std::string() : ", url=" + py::repr(py::str(s.url)).cast<std::string>()) + ")";
      });

  m.def(
      "scoped_token",
      [](const std::string& parent_key, const std::optional<std::string>& filters,
         const std::optional<std::vector<std::string>>& sites, const std::optional<std::uint32_t>& max_num,
         const py::object& expires_at) {
        TokenScope scope;
        if (filters) scope.filters = *filters;
        if (sites) scope.sites = *sites;
        if (max_num) scope.max_num = *max_num;
        if (!expires_at.is_none()) scope.expires_at = KeyClock::to_time_t(time_from_python(expires_at, "expires_at"));
        return mint_scoped_token(parent_key, std::move(scope));
      },
      py::arg("parent_key"), py::kw_only(), py::arg("filters") = py::none(), py::arg("sites") = py::none(),
      py::arg("max_num") = py::none(), py::arg("expires_at") = py::none(),
      "A scoped search token signed with parent_key (a key with the search action), made without asking the\n"
      "server: searches with it are limited to filters (ANDed with the request's), sites (within the key's),\n"
      "max_num results per page, until expires_at (a UTC time string, a datetime or Unix seconds). Send it\n"
      "as X-API-KEY. Raises ConfigError naming the argument (a malformed key, a scope over the limits).");

  py::class_<PyEngine>(m, "Engine", R"doc(Sites and their current indexes. Searching is thread-safe and releases the GIL.

Engine(settings=None): settings is an AppSettings, a dict or JSON text with the keys of the
configuration file (docs/configuration.md), or None for an engine with no sites yet (sites are
added by index_directory() and add_documents()). Invalid settings raise ConfigError.
analytics=True records searches and suggests in <data_dir>/analytics (in Redis with storage
"redis"; when the settings' analytics.enabled is on, the default); off by default in the library (docs/analytics.md).)doc")
      .def(py::init([](py::object settings, bool analytics) {
             return std::make_unique<PyEngine>(settings_from(settings), !settings.is_none(), analytics);
           }),
           py::arg("settings") = py::none(), py::arg("analytics") = false)
      .def_static("open", &PyEngine::open, py::arg("path"), py::arg("site") = "default",
                  "An engine with one site whose index is read from a snapshot file (as written by save()\n"
                  "or `siteseek index`), used in place: opening reads its small tables, and checks the rest\n"
                  "too when the index takes at most 64 MiB, else as searches read it. Raises SnapshotError\n"
                  "(corrupt, truncated, other version; a search that reads a damaged part of a large one\n"
                  "raises it too) or IoError.")
      .def("save", &PyEngine::save, py::arg("path"), py::arg("site") = py::none(),
           "Write a site's index (default: the default site) as a checksummed snapshot file (after live\n"
           "updates, one index of its live records is built for it).")
      .def("index_directory", &PyEngine::index_directory, py::arg("directory"), py::arg("base_url"),
           py::arg("site") = "default",
           "Index a built static site: every HTML file under directory, published under base_url.\n"
           "The site is created if the settings lack it. Returns the report as a dict (pages_fetched,\n"
           "pages_indexed, documents, skipped [(url, reason)], failed [(url, error)], duration_ms,\n"
           "generators {name: pages}, and attributes {values: {name: distinct values}, dropped: {...}}\n"
           "when the records carry some: docs/filters.md).\n"
           "Raises IoError when no document could be indexed. Releases the GIL.")
      .def("crawl", &PyEngine::crawl_site, py::arg("site") = py::none(),
           "Crawl a configured site (its url, robots.txt, sitemaps, crawl limits), build and publish\n"
           "its index. Returns the report as a dict; raises IoError when nothing could be indexed.\n"
           "Releases the GIL.")
      .def("reindex", &PyEngine::reindex, py::arg("site") = py::none(),
           "Index a configured site as `siteseek index` does (its directory, else a crawl), publish it\n"
           "and store it: a snapshot in data_dir, or Redis with storage='redis' (every node swaps to\n"
           "it), plus RediSearch with backend='redisearch'. Returns the report as a dict; raises\n"
           "IoError when nothing could be indexed, RedisError when Redis is away. Releases the GIL.")
      .def("add_documents", &PyEngine::add_documents, py::arg("site"), py::arg("documents"),
           "Add documents (dicts with the Document keys, or Document objects) to a site and publish\n"
           "its rebuilt index. A dict needs a url; unknown keys and invalid values (attributes:\n"
           "docs/filters.md) raise QueryError.")
      .def("upsert_documents", &PyEngine::upsert_documents, py::arg("site"), py::arg("documents"),
           "Replace pages: every record of each document's page (its URL without #fragment) is replaced\n"
           "by the documents given for that page; pages not indexed yet are added. Searchable when the\n"
           "call returns: a new segment (merges run in the background); an engine with settings has also\n"
           "kept it in data_dir, or in Redis with storage='redis' (the segment and the manifest), when it\n"
           "returns. Returns {'added': records given, 'removed': records replaced, 'segments': the index's\n"
           "segments}. Documents are checked as add_documents checks them; backend='redisearch' raises\n"
           "Error 'not_supported'. Releases the GIL.")
      .def("delete_pages", &PyEngine::delete_pages, py::arg("site"), py::arg("urls"),
           "Remove pages (every record of each URL's page; the #fragment is ignored): gone from searches\n"
           "when the call returns. URLs not indexed are ignored. Returns the dict upsert_documents returns.")
      .def("put_site", &PyEngine::put_site, py::arg("settings"),
           "Add a site or replace its settings: a SiteSettings, or a dict with the keys of a settings file's\n"
           "sites[] entry (name and url required). Stored like the server's (data_dir, or Redis with\n"
           "storage='redis'). Nothing is indexed: reindex(), crawl() or index_directory() build the index; a\n"
           "changed site keeps answering from its current index until then. Raises ConfigError naming the key.")
      .def("remove_site", &PyEngine::remove_site, py::arg("name"),
           "Remove a site, its index and its stored settings and snapshot. Raises UnknownSiteError.")
      .def("create_key", &PyEngine::create_key, py::arg("actions"), py::arg("sites") = py::none(),
           py::arg("expires_at") = py::none(), py::arg("description") = "",
           "Make an API key in the engine's store (data_dir, or Redis with storage='redis'; a running server\n"
           "honours it within a second). actions: search, suggest, indexer, sites, keys, curation or '*'; sites: the\n"
           "site names it may use (None: every site); expires_at: a UTC time string ('2027-01-01T00:00:00Z'),\n"
           "a datetime or Unix seconds (None: never). Returns a dict: id, key (the key itself, shown this once:\n"
           "only its hash is stored), description, actions, sites, expires_at, created_at, expired.\n"
           "Raises ConfigError naming the argument, UnknownSiteError.")
      .def("list_keys", &PyEngine::list_keys,
           "Every key in the store as a dict (id, key masked as 'ssk_<id>_…', description, actions, sites,\n"
           "expires_at, created_at, expired); no secret.")
      .def("revoke_key", &PyEngine::revoke_key, py::arg("id"),
           "Revoke a key by id (running servers refuse it within a second). Raises Error (code not_found)\n"
           "for an unknown id.")
      .def("rules", &PyEngine::rules, py::arg("site"),
           "A site's curation rules (docs/curation.md), in order, as dicts: id, kind, the kind's fields\n"
           "(synonyms; from, to; query, match, urls or url, factor), created, note.")
      .def("add_rule", &PyEngine::add_rule, py::arg("site"), py::arg("rule"),
           "Add one rule, e.g. {'kind': 'pin', 'query': 'install', 'urls': ['/a', '/b'], 'match': 'prefix'};\n"
           "kinds: synonyms, one_way, pin, hide, boost. In force at once, without reindexing; stored in\n"
           "data_dir (or Redis). Returns it as stored, with its id. Raises ConfigError naming the field\n"
           "('rule.urls[1]'), UnknownSiteError.")
      .def("remove_rule", &PyEngine::remove_rule, py::arg("site"), py::arg("id"),
           "Remove a rule by id. Raises Error (code not_found) for an unknown id.")
      .def("set_rules", &PyEngine::set_rules, py::arg("site"), py::arg("rules"),
           "Replace all of a site's rules with a list of rule dicts; returns them as stored.")
      .def("search", &PyEngine::search, py::arg("q"), py::arg("site") = py::none(), py::arg("num") = 10,
           py::arg("start") = 0, py::arg("from_url") = py::none(),
           "Search a site (default: the default site) and return a SearchResponse.\n"
           "num results from offset start; from_url is the page the user is on (its section ranks higher).\n"
           "Options: prefix, typo, distinct (bool), highlight_pre_tag, highlight_post_tag (str),\n"
           "snippet_length (int), sub_results (int: one result per page, each with up to this many of its\n"
           "other matching sections in .sub_results; 0, the default, none), filters (str: a filter\n"
           "expression, 'version:3.12 AND NOT type:section'; see docs/filters.md), facets (list of attribute\n"
           "names, or a comma-separated str: their values counted over every result, in .facets),\n"
           "explain (bool: .explain and each result's .rules say which curation rules fired).\n"
           "Raises UnknownSiteError, QueryError (code invalid_filter for a filter error, with its\n"
           "position). Releases the GIL.")
      .def("suggest", &PyEngine::suggest, py::arg("prefix"), py::arg("site") = py::none(), py::arg("num") = 8,
           "Completions for a search box: the commonest words starting with prefix's last word, then the\n"
           "titles (with their URLs) of the best records whose title or section title holds its words.")
      .def("load_snapshots", &PyEngine::load_snapshots,
           "Load each configured site's snapshot from data_dir (<data_dir>/<site>.snapshot, as written by\n"
           "`siteseek index`) when present; returns the names of the sites loaded. Releases the GIL.")
      .def("analytics", &PyEngine::analytics, py::arg("site") = py::none(), py::arg("from_") = py::none(),
           py::arg("to") = py::none(),
           "The search analytics report from <data_dir>/analytics (storage \"redis\": every node's log in Redis), as a dict of the shape of the HTTP API's\n"
           "GET /analytics (docs/analytics.md): site, from, to, searches, suggests, clicks, ctr, top_queries,\n"
           "zero_results, no_clicks, reformulations, days, proposals (suggested curation rules, never applied:\n"
           "accept one with add_rule(p[\"site\"], p[\"rule\"])). site: a site name (None: every site); from_ and to:\n"
           "days YYYY-MM-DD (default: the 30 days ending today, UTC). Raises QueryError for a bad date,\n"
           "UnknownSiteError. Releases the GIL.")
      .def("sites", &PyEngine::sites,
           "Each site as a dict: name, url, has_index, documents, terms, memory_bytes, built_at (ISO 8601 UTC,\n"
           "None without an index), snapshot_version and compact (bodies compressed, postings packed: the site's\n"
           "compact_above_mb), as the HTTP API's GET /sites lists them.")
      .def("result_cache_stats", &PyEngine::result_cache_stats,
           "The result cache's hits, misses, evictions, busy (skipped: shard held by another thread), entries, bytes\n"
           "and max_bytes (result_cache_mb).")
      .def_property_readonly("settings", &PyEngine::settings, "The engine's settings (a copy).");
}

}  // namespace siteseek::python
