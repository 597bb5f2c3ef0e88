// Query -> Weight: analyse each operand with the index's analyzer, then expand every word
// against the dictionary. All expansion caps come from siteseek/limits.hpp.
#include "search/plan.hpp"

#include <algorithm>
#include <cmath>

#include "index/index_data.hpp"
#include "search/curation_apply.hpp"
#include "search/lexicon.hpp"
#include "search/question.hpp"
#include "search/ranking.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::detail {

namespace {

// A token and the parts that follow it (an identifier or literal split into words).
struct Unit {
  Token head;
  std::vector<Token> parts;
};

std::vector<Unit> units_of(std::vector<Token> tokens) {
  std::vector<Unit> out;
  for (auto& t : tokens) {
    if (t.term.empty()) continue;
    if (t.kind == TokenKind::part && !out.empty()) out.back().parts.push_back(std::move(t));
    else out.push_back({std::move(t), {}});
  }
  return out;
}

// Chinese and Japanese are written without spaces: an operand holding a run of them ("怎样关闭系统")
// is split into its words, one clause each, as if typed with spaces ("怎样 关闭 系统"), so that the
// query relaxes when no record holds every word, and each word is matched, ranked and respelled
// on its own. Phrases, exclusions and alternatives ('|') stay whole. Clauses past
// max_query_terms are dropped, as the parser drops them. None when no operand is split.
std::optional<ParsedQuery> split_runs(const Analyzer& analyzer, const ParsedQuery& query) {
  ParsedQuery out;
  bool split = false;
  for (const auto& c : query.clauses) {
    // Han and kana are three or four bytes, from E3: text without such bytes has none.
    const auto may_hold_run = [](const std::string& text) {
      return std::any_of(text.begin(), text.end(), [](char b) { return static_cast<unsigned char>(b) >= 0xE3; });
    };
    if (c.excluded || c.alternatives.size() != 1 || c.alternatives[0].phrase || !may_hold_run(c.alternatives[0].text)) {
      out.clauses.push_back(c);
      continue;
    }
    const auto& op = c.alternatives[0];
    const auto units = units_of(analyzer.analyze(op.text));
    if (units.size() < 2 || std::none_of(units.begin(), units.end(), [](const Unit& u) { return u.head.kind == TokenKind::cjk; })) {
      out.clauses.push_back(c);
      continue;
    }
    split = true;
    for (std::size_t k = 0; k < units.size(); ++k) {
      std::size_t begin = units[k].head.offset, end = begin + units[k].head.length;
      for (const auto& p : units[k].parts) end = std::max<std::size_t>(end, p.offset + p.length);
      QueryOperand word = op;
      word.text = op.text.substr(begin, end - begin);
      word.prefix = op.prefix && k + 1 == units.size();
      out.clauses.push_back({{std::move(word)}, false});
    }
  }
  if (!split) return std::nullopt;
  if (out.clauses.size() > limits::max_query_terms) out.clauses.resize(limits::max_query_terms);
  return out;
}

// How far a word typed is expanded beyond itself (prefix completions and synonyms aside).
enum class Expand : std::uint8_t {
  none,   // as typed: phrase words, the parts of a split word ("built-in")
  typos,  // and its typo neighbours: a camelCase name typed whole, an identifier's parts
  names,  // an identifier with punctuation typed whole: when no record has it, the identifiers
          // with punctuation a typo away (wal_levl -> wal_level, whose short part "levl" gets no
          // neighbours of its own)
  all,    // and its stem variants: a word
};

struct Builder {
  Lexicon& lex;
  const Index::Data& d;  // the site's settings as analysed (synonyms, languages): alike in every segment
  const Analyzer& analyzer;
  PlanOptions options;
  Plan plan;
  const std::vector<std::vector<std::vector<Token>>>& synonyms;  // group -> member -> tokens (no parts)
  std::uint32_t base = 0;  // query position of the current operand's first token

  // `whole`: the term of the identifier these words are the parts of, if they are.
  void add_sequence(const std::vector<std::uint32_t>& terms, std::int32_t whole = -1) {
    const std::size_t first = plan.sequence.size();
    for (auto t : terms) {
      if (plan.terms[t].stop) continue;
      if (plan.sequence.empty()) plan.sequence_origin = plan.terms[whole >= 0 ? static_cast<std::uint32_t>(whole) : t].position;
      plan.sequence.push_back(t);
      plan.joined.push_back(-1);
      if (plan.sequence.size() - first > 1) plan.joined[plan.sequence.size() - 2] = whole;
    }
  }

  // Asked last, when a word would get typo neighbours: a search past its budget says so
  // (SearchResponse::out_of_time).
  bool out_of_time() {
    if (std::chrono::steady_clock::now() < options.deadline) return false;
    plan.out_of_time = true;
    return true;
  }

  // The terms sharing a stem (the most frequent max_stem_variants of them), but `except`.
  void add_variants(std::vector<Expansion>& out, std::vector<std::uint32_t> variants, std::uint32_t except,
                    float weight, MatchKind kind) {
    if (variants.size() > limits::max_stem_variants) {
      std::partial_sort(variants.begin(), variants.begin() + limits::max_stem_variants, variants.end(),
                        [&](auto a, auto b) { return lex.df(a) > lex.df(b); });
      variants.resize(limits::max_stem_variants);
    }
    for (auto v : variants)
      if (v != except) out.push_back({v, weight, kind});
  }
  void add_stems(std::vector<Expansion>& out, std::string_view stem, std::uint32_t exact_or_none, float weight) {
    add_variants(out, lex.stem_variants(stem), exact_or_none, weight, MatchKind::stem);
  }

  // One query word -> a term clause with its expansions. Returns its index in plan.terms.
  // With `completions`, a prefix is completed by those terms instead of every term it starts.
  std::uint32_t add_term(const Token& t, bool prefix, std::optional<std::uint8_t> field, Expand expand,
                         const std::vector<const std::vector<Token>*>& single_synonyms = {},
                         const std::vector<std::uint32_t>* completions = nullptr, bool exact_too = true) {
    TermClause tc;
    tc.text = t.term;
    tc.stem = t.stem.empty() ? t.term : t.stem;
    tc.field = field;
    tc.fields = options.fields;
    tc.prefix = prefix;
    tc.stop = t.stop;
    tc.position = base + t.position;
    auto& ex = tc.expansions;
    auto exact = lex.find(t.term);
    const std::uint32_t none = ~0u;
    const std::uint32_t exact_id = exact >= 0 ? static_cast<std::uint32_t>(exact) : none;
    if (exact >= 0 && exact_too) ex.push_back({exact_id, weight_exact, MatchKind::exact});
    if (!t.stop) plan.highlight.terms.push_back(t.term);
    const bool is_word = t.kind == TokenKind::word || t.kind == TokenKind::part;
    if (expand == Expand::all && is_word) {
      add_stems(ex, tc.stem, exact_id, weight_stem);
      if (!t.stop) plan.highlight.stems.push_back(tc.stem);
      // A search kept to no language of a site holding several: the word's stem in each of the
      // records' other languages too (Index::Data::language_analyzers).
      if (options.all_languages) {
        const auto each = [&](const Analyzer& other) {
          auto st = other.stem(t.term);
          if (st == tc.stem) return;
          add_stems(ex, st, exact_id, weight_stem);
          if (!t.stop) plan.highlight.stems.push_back(std::move(st));
        };
        if (options.languages)
          for (const auto* other : *options.languages) each(*other);
        else
          for (const auto& [tag, other] : d.language_analyzers) each(other);
      }
    }
    std::uint32_t completions_df = 0;
    if (prefix) {
      // The most frequent completions carry nearly all the documents a prefix can mean; the
      // long tail of rare ones costs postings for records that also match a common one.
      std::vector<std::uint32_t> ids;
      if (completions) {
        for (auto id : *completions)
          if (id != exact_id) ids.push_back(id);
        const std::size_t cap = std::min(limits::max_prefix_terms, ids.size());
        std::partial_sort(ids.begin(), ids.begin() + cap, ids.end(), [&](auto a, auto b) { return lex.more_frequent(a, b); });
        ids.resize(cap);
      } else {
        ids = lex.top_completions(t.term, exact, limits::max_prefix_terms);
      }
      for (auto id : ids) {
        completions_df += lex.df(id);
        // The word typed whole and more of an identifier ("logging" -> "logging.config") is in
        // no record without the word itself, which the exact expansion matches for more (a
        // higher weight, at least the same frequencies): walking it would only repeat records.
        if (exact >= 0 && identifier_continuation(lex.term(id), t.term)) continue;
        ex.push_back({id, weight_prefix, MatchKind::prefix});
      }
      plan.highlight.prefixes.push_back(t.term);
      // A word being typed that nothing completes may be a name typed without its separators
      // ("checkpointtim", "sharedbuf"): the names that complete it once they are put back do.
      if (ids.empty() && exact < 0 && is_word && expand != Expand::none && options.typo &&
          t.term.size() >= options.one_typo_min_length && !out_of_time()) {
        // A name typed whole is taken as typed without its separators whole (the word spelt
        // another way, below); else the names the word starts complete it.
        const auto spelt = separated(t.term);
        const bool whole = std::any_of(spelt.begin(), spelt.end(), [&](const std::string& n) { return lex.find(n) >= 0; });
        if (!whole)
          for (const auto& name : spelt) {
            for (auto id : lex.top_completions(name, -1, limits::max_prefix_terms)) {
              completions_df += lex.df(id);
              ex.push_back({id, weight_prefix, MatchKind::prefix});
            }
            plan.highlight.prefixes.push_back(name);
          }
      }
    }
    const auto length = t.term.size();
    // A word the documents use several times is taken as typed: looking for its neighbours
    // would only add noise (and time). So is a word being typed that common words complete.
    const bool known = (exact >= 0 && lex.df(exact_id) >= known_word_min_df) ||
                       (prefix && completions_df >= known_word_min_df);
    // A camelCase name typed whole is spelled like a word ("VecDequeue"), as the names a typo may
    // correct to are (index_data.hpp): it may have typos too; so may each part of an identifier
    // ("succed" of pam_succed_if), as a word. A name with punctuation typed whole is corrected
    // only among such names (below).
    const bool typo_kind = t.kind == TokenKind::word || t.kind == TokenKind::part ||
                           (t.kind == TokenKind::identifier && typo_reachable(t.kind, t.term));
    // An identifier with punctuation typed whole that no record has (wal_levl) is corrected
    // among such identifiers; a word no record has may be one typed without its separators
    // ("sharedbuffers", "jsonbset"): the names that are the word once their separators are left
    // out match it as the word spelt another way (at the stem weight), instead of its typos. One
    // walk of the dictionary finds both kinds (TypoMatch::name).
    const bool name_typed = expand == Expand::names && exact < 0 && completions_df == 0 && punctuated_name(t.term);
    const bool unknown_word = is_word && exact < 0 && completions_df == 0;
    if (expand != Expand::none && options.typo && !known && (typo_kind || name_typed) && length >= options.one_typo_min_length &&
        !out_of_time()) {
      unsigned edits = length >= options.two_typos_min_length ? 2 : 1;
      auto matches = lex.typo_lookup(t.term, edits, limits::max_one_typo_terms + limits::max_two_typo_terms, name_typed || unknown_word);
      bool joined = false;
      if (unknown_word)
        for (const auto& m : matches) {
          const auto name = lex.term(m.term);
          if (!m.name || name.size() != t.term.size() + m.distance || !same_without_separators(name, t.term)) continue;
          ex.push_back({m.term, weight_stem, MatchKind::stem});
          plan.highlight.terms.emplace_back(name);
          joined = true;
        }
      if (joined) matches.clear();  // the word spelt another way, not misspelt
      std::size_t ones = 0, twos = 0, shown = 0;
      for (const auto& m : matches) {
        if (name_typed ? !punctuated_name(lex.term(m.term)) : m.name) continue;
        if (m.distance == 1 && ones++ >= limits::max_one_typo_terms) continue;
        if (m.distance == 2 && twos++ >= limits::max_two_typo_terms) continue;
        const float w = m.distance == 1 ? weight_one_typo : weight_two_typos;
        const auto kind = m.distance == 1 ? MatchKind::one_typo : MatchKind::two_typos;
        ex.push_back({m.term, w, kind});
        if (shown++ < limits::max_highlighted_typo_terms) plan.highlight.terms.emplace_back(lex.term(m.term));
        // The word meant also matches by its stem ('lamda' -> lambda -> "Lambdas"), as typed
        // words do: for the likeliest corrections (the most frequent come first).
        if (shown <= limits::typo_stem_corrections && !name_typed) {
          const auto st = lex.stem_of(m.term);
          add_variants(ex, lex.stem_variants(st), m.term, w * weight_stem, kind);
          plan.highlight.stems.emplace_back(st);
        }
      }
    }
    std::size_t synonym_count = 0;
    for (const auto* member : single_synonyms) {
      if (synonym_count++ >= limits::max_synonym_expansions) break;
      const auto& s = member->front();
      auto id = lex.find(s.term);
      if (id >= 0) ex.push_back({static_cast<std::uint32_t>(id), weight_synonym, MatchKind::synonym});
      plan.highlight.terms.push_back(s.term);
      if (s.kind == TokenKind::word) {
        add_stems(ex, s.stem.empty() ? s.term : s.stem, id >= 0 ? static_cast<std::uint32_t>(id) : none,
                  weight_synonym * weight_stem);
        plan.highlight.stems.push_back(s.stem.empty() ? s.term : s.stem);
      }
    }
    // The thesaurus's words related to this one, when the site says little with it and much
    // with them (a reader's "folder" where the docs say "directory"), at a lower weight: the
    // word typed keeps the records that use it, and the others compete. Its stems are the site
    // analyzer's: not for a search kept to another language.
    if (options.related && expand == Expand::all && t.kind == TokenKind::word && !t.stop && d.thesaurus && &analyzer == &d.analyzer) {
      const auto variants_df = [&](std::string_view term, std::string_view stem) {
        std::uint32_t most = 0;
        if (const auto id = lex.find(term); id >= 0) most = lex.df(static_cast<std::uint32_t>(id));
        for (const auto v : lex.stem_variants(stem)) most = std::max(most, lex.df(v));
        return most;
      };
      const auto& stems = d.thesaurus->stems;
      auto it = std::lower_bound(stems.begin(), stems.end(), tc.stem, [](const auto& e, std::string_view s) { return e.first < s; });
      const auto own = it != stems.end() && it->first == tc.stem ? variants_df(t.term, tc.stem) : 0;
      if (own < related_weak_share * lex.documents())
        for (; it != stems.end() && it->first == tc.stem; ++it)
          for (const auto& [term, stem] : d.thesaurus->groups[it->second]) {
            if (stem == tc.stem || variants_df(term, stem) < related_more_common * std::max<std::uint32_t>(own, 1)) continue;
            const auto id = lex.find(term);
            if (id >= 0) ex.push_back({static_cast<std::uint32_t>(id), weight_related, MatchKind::related});
            add_variants(ex, lex.stem_variants(stem), id >= 0 ? static_cast<std::uint32_t>(id) : none, weight_related * weight_stem,
                         MatchKind::related);
            plan.highlight.terms.push_back(term);
            plan.highlight.stems.push_back(stem);
            plan.related.push_back({t.term, term});
          }
    }
    // One expansion per term, the best weight.
    std::sort(ex.begin(), ex.end(), [](const Expansion& a, const Expansion& b) {
      return a.term != b.term ? a.term < b.term : a.weight > b.weight;
    });
    ex.erase(std::unique(ex.begin(), ex.end(), [](const Expansion& a, const Expansion& b) { return a.term == b.term; }),
             ex.end());
    // The clause's idf: how rare the word typed is (the exact term, else its most common
    // expansion), so rare completions and rare typo neighbours are not inflated.
    std::uint32_t df = 0;
    if (exact >= 0) df = lex.df(exact_id);
    else
      for (const auto& e : ex) df = std::max(df, lex.df(e.term));
    const double n = lex.documents();
    auto idf_of = [&](double f) { return std::log(1.0 + (n - f + 0.5) / (f + 0.5)); };
    tc.idf = idf_of(df);
    // A completion (or a related word) more common than the word typed counts with its own idf:
    // "into" completing "int" says as little as "into" typed whole, not as much as the rare
    // "int"; "directory" for "folder" as much as "directory" typed. (Typo
    // corrections keep the clause's: the word meant is usually commoner than the one typed.)
    for (auto& e : ex) {
      if (e.kind != MatchKind::prefix && e.kind != MatchKind::related) continue;
      const double own = idf_of(lex.df(e.term));
      if (own < tc.idf) e.weight = static_cast<float>(e.weight * own / tc.idf);
    }
    plan.terms.push_back(std::move(tc));
    return static_cast<std::uint32_t>(plan.terms.size() - 1);
  }

  Alternative phrase_of(const std::vector<Token>& tokens, std::optional<std::uint8_t> field, float weight) {
    Alternative alt;
    alt.phrase = tokens.size() > 1;
    alt.weight = weight;
    std::uint32_t first = tokens.empty() ? 0 : tokens.front().position;
    for (const auto& t : tokens) {
      if (alt.terms.size() >= limits::max_phrase_words) break;
      alt.terms.push_back(add_term(t, false, field, Expand::none));
      alt.offsets.push_back(t.position - first);
    }
    return alt;
  }

  // The dictionary terms that spell `word` (a CJK word, folded), the longest first from its
  // start. Empty when some character starts no term, except while `typing` it: a rest that only
  // starts terms is left out ("シンボリ" is シン ボ and the リ of リック still being typed; a phrase
  // matches one expansion of each word, so a prefix in it would not find every completion).
  std::vector<std::string> spelling(std::string_view word, bool typing) {
    std::vector<std::string> pieces;
    for (std::size_t at = 0; at < word.size();) {
      std::size_t end = word.size();
      for (; end > at; --end) {
        if (end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) continue;  // inside a character
        if (lex.find(word.substr(at, end - at)) >= 0) break;
      }
      if (end == at) {
        if (typing && lex.completions(word.substr(at), 1) > 0) return pieces;
        return {};
      }
      pieces.emplace_back(word.substr(at, end - at));
      at = end;
    }
    return pieces;
  }

  // `word` with one or two separators of identifier parts put back between its letters, as the
  // site's terms start (a prefix of some term at every step): "checkpoint_tim" for
  // "checkpointtim". At most 4.
  std::vector<std::string> separated(std::string_view word) {
    std::vector<std::string> out;
    std::string spelt;
    const auto walk = [&](const auto& self, std::size_t at, int separators) -> void {
      if (out.size() >= 4) return;
      if (at == word.size()) {
        if (separators) out.push_back(spelt);
        return;
      }
      for (const std::string_view sep : {"", "_", ".", "-", "::"}) {
        if (!sep.empty() && (at == 0 || separators == 2)) continue;
        const auto size = spelt.size();
        spelt.append(sep);
        spelt += word[at];
        if (lex.completions(spelt, 1) > 0) self(self, at + 1, separators + !sep.empty());
        spelt.resize(size);
      }
    };
    walk(walk, 0, 0);
    return out;
  }

  // The words of the site that `word` (letters, no record has it) is, joined: two, else three,
  // each of at least min_split_word letters that records hold; of several cuts, the one whose
  // rarest word the most records hold (the likeliest reading). Empty when there is none.
  static constexpr std::size_t min_split_word = 3;
  std::vector<std::string> joined_words(std::string_view word) {
    const std::size_t n = word.size();
    // How many records hold word[a, b) (0: none).
    const auto df = [&](std::size_t a, std::size_t b) -> std::uint32_t {
      const auto id = lex.find(word.substr(a, b - a));
      return id < 0 ? 0 : lex.df(static_cast<std::uint32_t>(id));
    };
    std::uint32_t best = 0;
    std::vector<std::size_t> cuts;
    for (std::size_t i = min_split_word; i + min_split_word <= n; ++i) {
      const auto first = df(0, i);
      if (!first) continue;
      if (const auto rest = df(i, n); std::min(first, rest) > best) best = std::min(first, rest), cuts = {i};
    }
    for (std::size_t i = min_split_word; cuts.empty() && i + 2 * min_split_word <= n; ++i) {
      const auto first = df(0, i);
      if (!first) continue;
      for (std::size_t j = i + min_split_word; j + min_split_word <= n; ++j) {
        const auto m = std::min({first, df(i, j), df(j, n)});
        if (m > best) best = m, cuts = {i, j};
      }
    }
    if (cuts.empty()) return {};
    std::vector<std::string> out;
    std::size_t at = 0;
    for (auto c : cuts) out.emplace_back(word.substr(at, c - at)), at = c;
    out.emplace_back(word.substr(at));
    return out;
  }

  // ICU segments a query alone and a document in context, and may split one run two ways: the
  // katakana of "シンボリック" typed alone is one word, which the index never saw, while "複雑なシン
  // ボリックリンク" gave シン|ボ|リック. So when a CJK word of the operand (after split_runs, mostly
  // one word) is not in the index (nor, being typed, completed by anything), the operand is also
  // searched respelled: each such word cut into the index's own terms that spell it, as a phrase,
  // since it was typed as one run and the documents that hold it hold it adjacent. None when
  // nothing was respelled or some word cannot be.
  //
  // Likewise a word of letters no record has, typed as two or three joined ("foreignkey",
  // "fulltextsearch"): it is also searched as the phrase of the words it splits into
  // (joined_words).
  std::optional<std::vector<Token>> respelled(const std::vector<Unit>& units, bool prefix) {
    // Whether the index lacks units[k], a CJK word or a word of letters long enough to be two
    // (being typed: lacks its completions too).
    const auto unknown = [&](std::size_t k) {
      const Token& t = units[k].head;
      const bool may_be_joined = t.kind == TokenKind::word && units[k].parts.empty() && t.term.size() >= 2 * min_split_word;
      if ((t.kind != TokenKind::cjk && !may_be_joined) || lex.find(t.term) >= 0) return false;
      if (!prefix || k + 1 < units.size()) return true;
      return lex.completions(t.term, 1) == 0;
    };
    std::size_t first = 0;
    while (first < units.size() && !unknown(first)) ++first;
    if (first == units.size()) return std::nullopt;  // the usual case: nothing to respell
    std::vector<Token> out;
    std::uint32_t shift = 0;
    for (std::size_t k = 0; k < units.size(); ++k) {
      Token t = units[k].head;
      t.position += shift;
      if (k < first || (k > first && !unknown(k))) {
        out.push_back(std::move(t));
        continue;
      }
      const auto pieces = t.kind == TokenKind::cjk ? spelling(t.term, prefix && k + 1 == units.size()) : joined_words(t.term);
      if (pieces.size() < 2) return std::nullopt;
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        Token p = t;
        p.term = p.stem = pieces[i];
        p.position = t.position + static_cast<std::uint32_t>(i);
        out.push_back(std::move(p));
      }
      shift += static_cast<std::uint32_t>(pieces.size() - 1);
    }
    if (out.size() > limits::max_phrase_words) return std::nullopt;
    return out;
  }

  // Synonym members equal to these words: of the settings' groups, then of the curation rules
  // (a one-way rule only when the words are its `from`).
  std::vector<const std::vector<Token>*> synonyms_of(const std::vector<Token>& words, bool& multi_added,
                                                     std::vector<const std::vector<Token>*>& multi) {
    std::vector<const std::vector<Token>*> singles;
    const auto same = [&](const std::vector<Token>& member) {
      return member.size() == words.size() &&
             std::equal(member.begin(), member.end(), words.begin(), [](const Token& a, const Token& b) { return a.term == b.term; });
    };
    // Members [0, triggers) fire the group; every member but the words themselves is added.
    const auto add_group = [&](const std::vector<std::vector<Token>>& group, std::size_t triggers) {
      bool in = false;
      for (std::size_t m = 0; m < triggers && !in; ++m) in = same(group[m]);
      if (!in) return false;
      for (const auto& member : group) {
        if (same(member) || member.empty()) continue;
        if (member.size() == 1) singles.push_back(&member);
        else multi.push_back(&member);
      }
      return true;
    };
    for (const auto& group : synonyms) add_group(group, group.size());
    if (options.rules)
      for (const auto& rule : options.rules->synonyms)
        if (add_group(rule.members, rule.triggers) &&
            std::find(plan.fired_rules.begin(), plan.fired_rules.end(), rule.rule) == plan.fired_rules.end())
          plan.fired_rules.push_back(rule.rule);
    multi_added = !multi.empty();
    return singles;
  }

  // The terms completing `part` (the last part of the identifier `head`) inside the completions
  // of the whole identifier (its clause `whole`): "os.path.join" for "os.p" gives "path". None
  // when nothing completes the whole or folding moved the part's bytes (then the part is
  // completed as a word).
  // `whole_part`: set when some completion holds the part as typed, whole ("os.path" for "os.path").
  std::optional<std::vector<std::uint32_t>> part_completions(const TermClause& whole, const Token& head, const Token& part,
                                                             bool& whole_part) {
    whole_part = lex.find(head.term) >= 0;  // the identifier as typed is a term: its parts are whole
    if (head.term.size() != head.length || part.offset < head.offset || part.offset - head.offset + part.term.size() > head.term.size())
      return std::nullopt;
    const std::size_t at = part.offset - head.offset;
    if (std::string_view(head.term).substr(at, part.term.size()) != part.term) return std::nullopt;
    // Nothing completes the whole: the identifier is not in the index as typed.
    if (lex.completions(head.term, 2) <= (lex.find(head.term) >= 0 ? 1u : 0u)) return std::nullopt;
    std::vector<std::uint32_t> out;
    for (const auto& x : whole.expansions) {
      if (x.kind != MatchKind::prefix) continue;
      const auto completion = lex.term(x.term);
      std::size_t end = at;
      while (end < completion.size() && ((completion[end] >= 'a' && completion[end] <= 'z') ||
                                         (completion[end] >= '0' && completion[end] <= '9') ||
                                         static_cast<unsigned char>(completion[end]) >= 0x80))
        ++end;
      if (end <= at + part.term.size()) {  // the part typed whole: its exact term covers it
        whole_part = whole_part || end == at + part.term.size();
        continue;
      }
      const auto id = lex.find(completion.substr(at, end - at));
      if (id >= 0) out.push_back(static_cast<std::uint32_t>(id));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // One operand (word or phrase) -> alternatives of its clause. Returns whether it is only a stop
  // word. `framing`: it frames a question (question_frame), a stop word here.
  bool add_operand(const QueryOperand& op, PlanClause& clause, bool in_sequence, bool framing) {
    auto tokens = analyzer.analyze(op.text);
    if (framing)
      for (auto& t : tokens) t.stop = true;
    std::uint32_t next_base = base;
    for (const auto& t : tokens) next_base = std::max(next_base, base + t.position + 1);
    struct Advance {
      std::uint32_t& base;
      std::uint32_t next;
      ~Advance() { base = next; }
    } advance{base, next_base};
    auto units = units_of(std::move(tokens));
    if (units.empty()) return false;
    if (op.phrase) {
      std::vector<Token> tokens;
      for (auto& u : units) {
        // A phrase matches identifiers whole, at the position of the first part.
        tokens.push_back(u.head);
      }
      auto alt = phrase_of(tokens, op.field, 1.0f);
      if (in_sequence) add_sequence(alt.terms);
      clause.alternatives.push_back(std::move(alt));
      if (auto respelt = respelled(units, false)) clause.alternatives.push_back(phrase_of(*respelt, op.field, weight_exact));
      return false;
    }
    if (units.size() == 1 && !units[0].parts.empty()) {
      // An identifier or literal: whole (exact, or as a prefix while typing), or all its parts.
      const auto& u = units[0];
      Alternative whole;
      // Expanded only by typos (an identifier has no stem): a camelCase name's as a word's, a
      // name with punctuation's among such names when no record has it.
      const auto whole_term =
          add_term(u.head, op.prefix, op.field, typo_reachable(u.head.kind, u.head.term) ? Expand::typos : Expand::names);
      whole.terms.push_back(whole_term);
      clause.alternatives.push_back(std::move(whole));
      Alternative parts;
      parts.weight = weight_identifier_parts;
      // The part being typed is completed by what completes it inside the identifiers that
      // complete the whole ("os.p" -> os.path, os.popen -> "path", "popen"), not by every word
      // starting with it ("p": the most frequent words of the site, each walked for nothing).
      std::optional<std::vector<std::uint32_t>> inner;
      bool whole_part = true;
      if (op.prefix) inner = part_completions(plan.terms[whole_term], u.head, u.parts.back(), whole_part);
      // The part typed is a word of its own only when an identifier completing the whole holds it
      // so: "pt" of "shared_pt", which completes to shared_ptr only, is "ptr" being typed, not the
      // word "pt" (a variable's name in some example).
      const bool part_exact = !inner || inner->empty() || whole_part;
      for (std::size_t k = 0; k < u.parts.size(); ++k) {
        bool last = k + 1 == u.parts.size();
        // The part being typed is a word in progress, not a stop word ("formatIS" is "formatISO"
        // being typed, not "format is"): it is compared with titles and kept in proximity.
        Token part = u.parts[k];
        if (last && op.prefix) part.stop = false;
        parts.terms.push_back(add_term(part, op.prefix && last, op.field, Expand::typos, {}, last && inner ? &*inner : nullptr,
                                       !last || part_exact));
      }
      if (in_sequence) add_sequence(parts.terms, static_cast<std::int32_t>(whole_term));
      clause.alternatives.push_back(std::move(parts));
      return false;
    }
    // Plain words (one, or several when the analyzer split the operand, as in "built-in").
    Alternative alt;
    bool only_stop = true;
    std::vector<Token> heads;
    for (auto& u : units) heads.push_back(u.head);
    std::vector<const std::vector<Token>*> multi;
    bool has_multi = false;
    auto singles = units.size() == 1 ? synonyms_of(heads, has_multi, multi) : decltype(multi){};
    for (std::size_t k = 0; k < units.size(); ++k) {
      const auto& u = units[k];
      bool last = k + 1 == units.size();
      if (u.parts.empty()) {
        alt.terms.push_back(add_term(u.head, op.prefix && last, op.field, in_sequence ? Expand::all : Expand::none, singles));
        only_stop = only_stop && u.head.stop;
      } else {
        for (std::size_t p = 0; p < u.parts.size(); ++p)
          alt.terms.push_back(add_term(u.parts[p], op.prefix && last && p + 1 == u.parts.size(), op.field, Expand::none));
        only_stop = false;
      }
    }
    if (in_sequence) add_sequence(alt.terms);
    clause.alternatives.push_back(std::move(alt));
    for (const auto* m : multi) clause.alternatives.push_back(phrase_of(*m, op.field, weight_synonym));
    if (auto respelt = respelled(units, op.prefix)) clause.alternatives.push_back(phrase_of(*respelt, op.field, weight_exact));
    return only_stop;
  }
};

}  // namespace

PlanOptions plan_options(const SearchRequest& request, const SearchOptions& so, std::chrono::steady_clock::time_point started) {
  PlanOptions po;
  po.typo = request.typo.value_or(so.typo_tolerance);
  po.one_typo_min_length = so.one_typo_min_length;
  po.two_typos_min_length = so.two_typos_min_length;
  po.deadline = started + std::chrono::milliseconds(so.time_budget_ms);
  po.related = so.related_words;
  return po;
}

Plan make_plan(const Index& index, const ParsedQuery& parsed, const PlanOptions& options) {
  Lexicon lex(index);
  return make_plan(index, lex, parsed, options);
}

void bind_plan(const Plan& plan, const Lexicon& lex, std::size_t segment, Plan& out, bool highlight) {
  // Field by field: a segment's plan is bound for every search over segments, and the words
  // explain reports, or the highlighter's, are many strings (every expansion's text).
  out.terms = plan.terms;
  out.clauses = plan.clauses;
  out.sequence = plan.sequence;
  out.joined = plan.joined;
  out.sequence_origin = plan.sequence_origin;
  if (highlight) {
    out.highlight = plan.highlight;
  } else {
    out.highlight.terms.clear();
    out.highlight.stems.clear();
    out.highlight.prefixes.clear();
  }
  out.analyzer = plan.analyzer;
  out.fired_rules.clear();
  out.out_of_time = plan.out_of_time;
  out.optional_words.clear();
  out.related.clear();
  out.cased = plan.cased;
  constexpr auto by_term = [](const Expansion& a, const Expansion& b) { return a.term < b.term; };
  for (auto& tc : out.terms) {
    std::erase_if(tc.expansions, [&](Expansion& e) {
      const auto id = lex.local(e.term, segment);
      if (id >= 0) e.term = static_cast<std::uint32_t>(id);
      return id < 0;
    });
    // In the segment's order, which is the text's, as one index walks them (the union
    // dictionary's ids are in that order already; terms interned as met are not).
    if (!std::is_sorted(tc.expansions.begin(), tc.expansions.end(), by_term)) std::sort(tc.expansions.begin(), tc.expansions.end(), by_term);
  }
}

Plan make_plan(const Index& index, Lexicon& lex, const ParsedQuery& parsed, const PlanOptions& options) {
  Builder b{lex, index.data(), options.analyzer ? *options.analyzer : index.analyzer(), options, {},
            index.data().synonym_words};
  const auto split = split_runs(b.analyzer, parsed);
  const ParsedQuery& query = split ? *split : parsed;

  // Consecutive plain words equal to a multi-word synonym become one clause with the synonyms
  // as alternatives ("global interpreter lock" | "gil").
  const auto& cl = query.clauses;
  std::vector<bool> merged(cl.size(), false);
  // Each clause's words, analysed once for all the spans that try it.
  std::vector<std::optional<std::vector<Unit>>> analysed(cl.size());
  auto simple = [&](std::size_t i) {
    return !cl[i].excluded && cl[i].alternatives.size() == 1 && !cl[i].alternatives[0].phrase &&
           !cl[i].alternatives[0].field;
  };
  // The words framing a question in English ("difference between", "vs"): optional, as stop
  // words are, unless the site has no stop words at all.
  std::vector<bool> frame(cl.size(), false);
  if (frames_questions(b.analyzer.options().language, !b.analyzer.options().stop_words.empty())) {
    std::vector<std::string> words(cl.size());
    for (std::size_t i = 0; i < cl.size(); ++i) {
      if (!simple(i)) continue;
      std::string_view text = cl[i].alternatives[0].text;
      while (!text.empty() && text.back() == '.') text.remove_suffix(1);
      words[i] = b.analyzer.fold(text);
    }
    frame = question_frame(words);
  }
  for (std::size_t i = 0; i < cl.size(); ++i) {
    if (merged[i]) continue;
    // Try the longest synonym span starting here.
    bool done = false;
    const bool any_synonyms = !b.synonyms.empty() || (options.rules && !options.rules->synonyms.empty());
    const std::size_t longest = any_synonyms ? std::min<std::size_t>(cl.size() - i, 4) : 1;
    for (std::size_t len = longest; len >= 2 && !done; --len) {
      bool ok = true;
      std::vector<Token> words;
      for (std::size_t k = i; k < i + len && ok; ++k) {
        ok = simple(k) && !frame[k];
        if (!ok) break;
        if (!analysed[k]) analysed[k] = units_of(b.analyzer.analyze(cl[k].alternatives[0].text));
        const auto& units = *analysed[k];
        if (units.size() != 1 || !units[0].parts.empty()) ok = false;
        else words.push_back(units[0].head);
      }
      if (!ok) continue;
      bool multi_added = false;
      std::vector<const std::vector<Token>*> multi;
      auto singles = b.synonyms_of(words, multi_added, multi);
      if (singles.empty() && multi.empty()) continue;
      PlanClause clause;
      Alternative original;
      for (std::size_t k = 0; k < words.size(); ++k) {
        bool prefix = cl[i + k].alternatives[0].prefix;
        words[k].position = static_cast<std::uint32_t>(k);
        original.terms.push_back(b.add_term(words[k], prefix, std::nullopt, Expand::all));
      }
      b.base += static_cast<std::uint32_t>(words.size());
      b.add_sequence(original.terms);
      clause.alternatives.push_back(std::move(original));
      for (const auto* m : singles) clause.alternatives.push_back(b.phrase_of(*m, std::nullopt, weight_synonym));
      for (const auto* m : multi) clause.alternatives.push_back(b.phrase_of(*m, std::nullopt, weight_synonym));
      b.plan.clauses.push_back(std::move(clause));
      for (std::size_t k = i; k < i + len; ++k) merged[k] = true;
      done = true;
    }
    if (done) continue;
    PlanClause clause;
    clause.excluded = cl[i].excluded;
    bool only_stop = true;
    for (const auto& op : cl[i].alternatives) only_stop = b.add_operand(op, clause, !cl[i].excluded, frame[i]) && only_stop;
    if (clause.alternatives.empty()) continue;
    clause.optional = only_stop && cl[i].alternatives.size() == 1 && !cl[i].excluded;
    if (clause.optional) b.plan.optional_words.push_back(b.analyzer.fold(cl[i].alternatives[0].text));
    b.plan.clauses.push_back(std::move(clause));
  }
  // A query of stop words only: they are what the user asked for.
  bool any_required = false;
  for (const auto& c : b.plan.clauses) any_required = any_required || (!c.excluded && !c.optional);
  if (!any_required) {
    for (auto& c : b.plan.clauses) c.optional = false;
    b.plan.optional_words.clear();
  }
  // The words typed with a capital inside them, as typed (typed_case).
  for (const auto& c : parsed.clauses) {
    if (c.excluded) continue;
    for (const auto& op : c.alternatives)
      for (std::size_t at = 0; at < op.text.size();) {
        const auto end = std::min(op.text.find(' ', at), op.text.size());
        const std::string_view w = std::string_view(op.text).substr(at, end - at);
        const bool capital_inside = std::any_of(w.begin() + (w.empty() ? 0 : 1), w.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
        const bool small = std::any_of(w.begin(), w.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; });
        if (capital_inside && small && std::find(b.plan.cased.begin(), b.plan.cased.end(), w) == b.plan.cased.end())
          b.plan.cased.emplace_back(w);
        at = end + 1;
      }
  }
  b.plan.analyzer = &b.analyzer;
  return std::move(b.plan);
}

}  // namespace siteseek::detail
