// Curation rules compiled against an index, and the pass that hides and boosts records.
#include "search/curation_apply.hpp"

#include <algorithm>
#include <cctype>

namespace siteseek::detail {

namespace {

// A rule's URL as the index spells it: a path from the root is completed with the scheme and
// host of the site's url.
std::string absolute_url(const Index::Data& d, const std::string& url) {
  if (url.empty() || url.front() != '/') return url;
  const std::string& base = d.settings.url;
  const auto scheme = base.find("://");
  if (scheme == std::string::npos) return url;
  const auto path = base.find('/', scheme + 3);
  return base.substr(0, path) + url;
}

constexpr std::uint32_t none = TargetRule::none;

// The record a URL names: a page URL its page record (else the first record of the page), an
// anchored URL that section's record. none when it is not indexed.
std::uint32_t record_of(const Index::Data& d, const std::string& url) {
  const auto first = d.find_page(url);
  if (first == Index::Data::no_attr) return none;
  const bool anchored = page_of(url).size() < url.size();
  const auto group = d.doc_group[first];
  std::uint32_t found = none;
  // A page's records are few and start at `first`; the page record or the anchored one is
  // among the records of its group (a scan of the whole index only for an anchor not found).
  for (std::uint32_t doc = first; doc < d.docs.size(); ++doc) {
    if (d.doc_group[doc] != group) {
      if (!anchored || found != none) break;
      continue;
    }
    const auto u = d.slice(d.record(doc).url);
    if (!anchored) {
      if (d.record(doc).type == DocumentType::page && u == url) return doc;
      if (found == none) found = doc;
    } else if (u == url) {
      return doc;
    }
  }
  return anchored ? found : first;
}

bool matches(const TargetRule& t, std::string_view q) {
  if (q.empty()) return false;
  return t.prefix ? q.substr(0, t.query.size()) == t.query : q == t.query;
}

std::vector<Token> words_of(const Analyzer& analyzer, const std::string& text) {
  std::vector<Token> words;
  for (auto& t : analyzer.analyze(text))  // a part follows its identifier: never first
    if (!t.term.empty() && (t.kind != TokenKind::part || words.empty())) words.push_back(std::move(t));
  return words;
}

// The records of each page group, made once per compile when a hide or boost names a page.
struct Groups {
  std::vector<std::vector<std::uint32_t>> records;
  const std::vector<std::uint32_t>& of(const Index::Data& d, std::uint32_t group) {
    if (records.empty()) {
      records.resize(d.page_groups);
      for (std::uint32_t doc = 0; doc < d.docs.size(); ++doc)
        if (d.doc_group[doc] < records.size()) records[d.doc_group[doc]].push_back(doc);
    }
    static const std::vector<std::uint32_t> none;
    return group < records.size() ? records[group] : none;
  }
};

}  // namespace

std::vector<std::string> plain_words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '_' || c >= 0x80) {
      cur += static_cast<char>(std::tolower(c));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::shared_ptr<const CompiledRules> compile_rules(std::shared_ptr<const std::vector<Rule>> rules,
                                                   const std::shared_ptr<const Index>& index) {
  if (!rules || rules->empty() || !index) return nullptr;
  auto out = std::make_shared<CompiledRules>();
  out->source = rules;
  out->index = index;
  const auto& d = index->data();
  Groups groups;
  for (std::uint32_t i = 0; i < rules->size(); ++i) {
    const Rule& r = (*rules)[i];
    switch (r.kind) {
      case RuleKind::synonyms:
      case RuleKind::one_way: {
        SynonymRule s;
        s.rule = i;
        if (r.kind == RuleKind::synonyms) {
          for (const auto& m : r.synonyms) s.members.push_back(words_of(d.analyzer, m));
          s.triggers = s.members.size();
        } else {
          s.members.push_back(words_of(d.analyzer, r.from));
          s.triggers = 1;
          for (const auto& m : r.to) s.members.push_back(words_of(d.analyzer, m));
        }
        if (r.kind == RuleKind::synonyms)
          for (const auto& m : r.synonyms) s.words.push_back(plain_words(m));
        else {
          s.words.push_back(plain_words(r.from));
          for (const auto& m : r.to) s.words.push_back(plain_words(m));
        }
        out->synonyms.push_back(std::move(s));
        break;
      }
      case RuleKind::pin:
      case RuleKind::hide:
      case RuleKind::boost: {
        TargetRule t;
        t.query = normalize_query(d.analyzer, r.query);
        t.prefix = r.match == QueryMatch::prefix;
        t.rule = i;
        if (t.query.empty()) break;  // only characters the analyzer drops: it can never match
        if (r.kind == RuleKind::pin) {
          for (const auto& url : r.urls) {
            const auto doc = record_of(d, absolute_url(d, url));
            if (doc != none && std::find(t.docs.begin(), t.docs.end(), doc) == t.docs.end()) {
              t.docs.push_back(doc);
              t.urls.emplace_back(d.slice(d.record(doc).url));
            }
          }
          out->pins.push_back(std::move(t));
          break;
        }
        const auto url = absolute_url(d, r.url);
        const auto doc = record_of(d, url);
        if (doc != none) {
          if (page_of(url).size() == url.size()) {
            t.group = d.doc_group[doc];
            // A hide names every record of the page (RediSearch excludes records by URL); a
            // boost the page's, which covers its sections by prefix.
            if (r.kind == RuleKind::hide)
              for (const auto k : groups.of(d, t.group)) t.urls.emplace_back(d.slice(d.record(k).url));
            else
              t.urls.emplace_back(d.slice(d.record(doc).url));
          } else {
            t.doc = doc;
            t.urls.emplace_back(d.slice(d.record(doc).url));
          }
        }
        t.factor = static_cast<float>(r.factor);
        (r.kind == RuleKind::hide ? out->hides : out->boosts).push_back(std::move(t));
        break;
      }
    }
  }
  return out;
}

ActiveRules active_rules(const CompiledRules* rules, const Index::Data& d, std::string_view q) {
  ActiveRules a;
  a.rules = rules;
  if (!rules || (rules->pins.empty() && rules->hides.empty() && rules->boosts.empty())) return a;
  a.query = normalize_query(d.analyzer, q);
  for (const auto& t : rules->pins)
    if (matches(t, a.query)) a.pins.push_back(&t);
  for (const auto& t : rules->hides)
    if (matches(t, a.query)) a.hides.push_back(&t);
  for (const auto& t : rules->boosts)
    if (matches(t, a.query)) a.boosts.push_back(&t);
  return a;
}

std::vector<std::size_t> apply_hides_and_boosts(const Index::Data& d, const ActiveRules& active, std::vector<Candidate>& cands) {
  std::vector<std::size_t> touched(active.hides.size() + active.boosts.size(), 0);
  if (active.hides.empty() && active.boosts.empty()) return touched;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < cands.size(); ++i) {
    auto c = cands[i];
    bool hidden = false;
    for (std::size_t h = 0; h < active.hides.size(); ++h)
      if (active.hides[h]->covers(d, c.doc)) {
        ++touched[h];
        hidden = true;
        break;
      }
    if (hidden) continue;
    for (std::size_t b = 0; b < active.boosts.size(); ++b)
      if (active.boosts[b]->covers(d, c.doc)) {
        c.score *= active.boosts[b]->factor;
        ++touched[active.hides.size() + b];
      }
    cands[kept++] = c;
  }
  cands.resize(kept);
  return touched;
}

}  // namespace siteseek::detail
