// Curation rules written into RediSearch queries and the search script's arguments, and explain
// from its reply (redisearch/curation.hpp).
#include "redisearch/curation.hpp"

#include <algorithm>

#include "common/number_text.hpp"
#include "redisearch/syntax.hpp"
#include "search/curation_apply.hpp"
#include "search/ranking.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::redisearch {

namespace {

std::string quoted(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += std::string(out.empty() ? "\"" : ", \"") + w + "\"";
  return out;
}

bool names_url(const std::string& key, const std::string& url) {
  return key.size() > url.size() && key.compare(key.size() - url.size() - 1, std::string::npos, ":" + url) == 0;
}

}  // namespace

std::vector<std::string> rule_synonyms(const std::vector<std::string>& words, const detail::CompiledRules* rules,
                                       const std::set<std::string>& stop_words, std::vector<std::uint32_t>* fired) {
  std::vector<std::string> out;
  if (!rules) return out;
  for (const auto& rule : rules->synonyms) {
    bool fires = false;
    for (std::size_t m = 0; m < rule.triggers && m < rule.words.size() && !fires; ++m) fires = rule.words[m] == words;
    if (!fires) continue;
    bool added = false;
    for (const auto& member : rule.words) {
      if (member == words) continue;
      std::vector<std::string> kept;
      for (const auto& w : member)
        if (member.size() == 1 || !stop_words.count(w)) kept.push_back(w);
      if (kept.empty()) continue;
      std::string alt = kept.size() == 1 ? kept.front() : "\"";
      if (kept.size() > 1) {
        for (std::size_t w = 0; w < kept.size(); ++w) alt += (w ? " " : "") + kept[w];
        alt += "\"";
      }
      if (std::find(out.begin(), out.end(), alt) == out.end()) out.push_back(std::move(alt));
      added = true;
    }
    if (added && fired && std::find(fired->begin(), fired->end(), rule.rule) == fired->end()) fired->push_back(rule.rule);
  }
  return out;
}

std::string with_synonyms(const std::string& original, const std::vector<std::string>& alternatives, bool weighted) {
  if (alternatives.empty()) return original;
  std::string alts;
  for (const auto& a : alternatives) alts += (alts.empty() ? "" : "|") + a;
  if (!weighted) return "(" + original + "|" + alts + ")";
  return "((" + original + ")|((" + alts + ") => {$weight: " + weight(detail::weight_synonym) + "}))";
}

void add_targets(Translated& out, const SearchRequest& request, const SiteSettings& site, const Index::Data* d,
                 const detail::CompiledRules* rules) {
  // Pins, hides and boosts whose query is this one's (compared as the embedded engine does, with
  // the site's analyzer: the vocabulary's, which the rules were compiled for).
  if (d) {
    const auto active = detail::active_rules(rules, *d, request.q);
    out.normalized = active.query.empty() ? normalize_query(d->analyzer, request.q) : active.query;
    std::vector<std::string> hidden;
    for (const auto* h : active.hides) {
      for (const auto& u : h->urls)
        if (std::find(hidden.begin(), hidden.end(), u) == hidden.end()) hidden.push_back(u);
      out.hides.emplace_back(h->rule, h->urls.empty() ? std::string() : url_union(h->urls));
    }
    if (!hidden.empty()) out.hidden = url_union(hidden);
    for (const auto* p : active.pins) {
      out.pin_rules.push_back(p->rule);
      for (const auto& u : p->urls)
        if (std::find(out.pins.begin(), out.pins.end(), u) == out.pins.end()) {
          out.pins.push_back(u);
          out.pinned_by.push_back(p->rule);
        }
    }
    for (const auto* b : active.boosts) {
      Translated::Boost x;
      x.rule = b->rule;
      x.factor = b->factor;
      if (!b->urls.empty()) {
        x.page = b->group != detail::TargetRule::none;
        x.url = x.page ? page_of(b->urls.front()) : b->urls.front();
      }
      out.boosts.push_back(std::move(x));
    }
  } else if (rules) {
    out.normalized = lowercase_words(request.q);
  }
  // The landing page, after the pins (the embedded engine's order).
  const std::string q_words = lowercase_words(request.q);
  for (std::size_t k = 0; k < site.landing_pages.size() && !q_words.empty(); ++k)
    if (lowercase_words(site.landing_pages[k].query) == q_words) {
      if (std::find(out.pins.begin(), out.pins.end(), site.landing_pages[k].url) == out.pins.end()) {
        out.pins.push_back(site.landing_pages[k].url);
        out.pinned_by.push_back(-1 - static_cast<std::int64_t>(k));
      }
      break;
    }
}

void explain_rules(SearchResponse& out, const RedisReply& pins, const RedisReply& touched, const RedisReply& counts,
                   const std::vector<std::string>& ids, const SearchRequest& request, const Translated& t,
                   const detail::CompiledRules* rules) {
  // As the embedded engine's (search/searcher.cpp): the synonym rules that expanded the query,
  // the pins, the landing page, the hides, the boosts; then each result's pin or boosts.
  if (!out.explain) out.explain = t.explain();
  auto& ex = *out.explain;
  const auto source = rules ? rules->source : nullptr;
  auto effect_of = [&](std::uint32_t rule, std::string effect) {
    const auto& r = (*source)[rule];
    return RuleEffect{r.id, std::string(rule_kind_name(r.kind)), std::move(effect)};
  };
  // Which URL of t.pins each kept pin is.
  std::vector<std::int64_t> pin_source;  // per kept pin: t.pinned_by of its URL
  for (const auto& p : pins.elements) {
    std::int64_t by = 0;
    for (std::size_t k = 0; k < t.pins.size(); ++k)
      if (!p.elements.empty() && names_url(p.elements[0].str, t.pins[k])) {
        by = t.pinned_by[k];
        break;
      }
    pin_source.push_back(by);
  }
  if (source) {
    for (const auto rule : t.expanded_by) {
      const auto& r = (*source)[rule];
      ex.rules.push_back(effect_of(rule, r.kind == RuleKind::synonyms ? "expanded the query with the group " + quoted(r.synonyms)
                                                                      : "expanded \"" + r.from + "\" with " + quoted(r.to)));
    }
    for (const auto rule : t.pin_rules) {
      const auto shown = std::count(pin_source.begin(), pin_source.end(), static_cast<std::int64_t>(rule));
      ex.rules.push_back(effect_of(rule, "pinned " + std::to_string(shown) + " of " + std::to_string((*source)[rule].urls.size()) + " URLs"));
    }
  }
  for (const auto by : pin_source)
    if (by < 0) ex.rules.push_back({"landing_pages[" + std::to_string(-1 - by) + "]", "landing_page", "pinned the landing page"});
  if (source) {
    std::size_t counted = 0;
    for (const auto& [rule, urls] : t.hides) {
      std::uint64_t removed = 0;
      if (!urls.empty() && counted < counts.elements.size()) removed = count_of(counts.elements[counted++]);
      ex.rules.push_back(effect_of(rule, "removed " + std::to_string(removed) + " matching records"));
    }
    std::size_t sent = 0;
    for (const auto& b : t.boosts) {
      std::uint64_t n_touched = 0;
      if (!b.url.empty() && sent < touched.elements.size()) n_touched = count_of(touched.elements[sent++]);
      ex.rules.push_back(effect_of(b.rule, "multiplied the score of " + std::to_string(n_touched) + " matching records by " + detail::number_text((*source)[b.rule].factor)));
    }
  }
  const std::size_t start = std::min<std::size_t>(request.start, limits::max_results_window);
  for (std::size_t k = 0; k < ids.size() && k < out.results.size(); ++k) {
    auto& result_rules = out.results[k].rules;
    const std::size_t position = start + k;
    if (position < pins.elements.size() && !pins.elements[position].elements.empty() &&
        pins.elements[position].elements[0].str == ids[k]) {
      const auto by = pin_source[position];
      const std::string effect = "pinned at position " + std::to_string(position + 1);
      if (by >= 0 && source) result_rules.push_back(effect_of(static_cast<std::uint32_t>(by), effect));
      else if (by < 0) result_rules.push_back({"landing_pages[" + std::to_string(-1 - by) + "]", "landing_page", effect});
      continue;  // a pinned result's place is the pin's, whatever its score
    }
    if (!source) continue;
    const std::string& url = out.results[k].url;
    for (const auto& b : t.boosts)
      if (!b.url.empty() && (b.page ? page_of(url) == b.url : url == b.url))
        result_rules.push_back(effect_of(b.rule, "score multiplied by " + detail::number_text((*source)[b.rule].factor)));
  }
}

}  // namespace siteseek::redisearch
