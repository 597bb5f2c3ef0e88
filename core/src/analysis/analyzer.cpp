#include "siteseek/analysis.hpp"

#include <libstemmer.h>

#include "analysis/stemmer_pool.hpp"
#include "analysis/tokenizer.hpp"
#include "analysis/unicode.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

AnalyzerOptions AnalyzerOptions::from_site(const SiteSettings& site) {
  AnalyzerOptions o;
  o.language = site.language;
  o.stop_words = site.stop_words;
  o.literal_terms = site.literal_terms;
  return o;
}

namespace {

analysis::Vocabulary make_vocabulary(const AnalyzerOptions& options) {
  analysis::Vocabulary v;
  for (const auto& w : options.stop_words) {
    std::string f;
    analysis::fold_append(f, w);
    if (!f.empty()) v.stop_words.insert(std::move(f));
  }
  for (const auto& l : options.literal_terms) {
    std::string f;
    analysis::fold_append(f, l);
    v.literals.add(std::move(f));
  }
  return v;
}

}  // namespace

struct Analyzer::Impl {
  AnalyzerOptions options;
  analysis::Vocabulary vocab;     // before workers: they keep references into it
  analysis::WorkerPool workers;

  explicit Impl(AnalyzerOptions o)
      : options(std::move(o)), vocab(make_vocabulary(options)),
        workers(options.language, vocab.stop_words, vocab.literals.set()) {}
};

std::string snowball_for_tag(std::string_view tag) {
  // Primary subtags (ISO 639-1) of the languages libstemmer has an algorithm for.
  static constexpr std::pair<std::string_view, std::string_view> names[] = {
      {"ar", "arabic"},     {"ca", "catalan"},   {"da", "danish"},     {"de", "german"},     {"el", "greek"},
      {"en", "english"},    {"es", "spanish"},   {"eu", "basque"},     {"fi", "finnish"},    {"fr", "french"},
      {"ga", "irish"},      {"hi", "hindi"},     {"hu", "hungarian"},  {"hy", "armenian"},   {"id", "indonesian"},
      {"it", "italian"},    {"lt", "lithuanian"}, {"nb", "norwegian"}, {"ne", "nepali"},     {"nl", "dutch"},
      {"nn", "norwegian"},  {"no", "norwegian"}, {"pt", "portuguese"}, {"ro", "romanian"},  {"ru", "russian"},
      {"sr", "serbian"},    {"sv", "swedish"},   {"ta", "tamil"},      {"tr", "turkish"},    {"yi", "yiddish"}};
  std::string primary(tag.substr(0, tag.find_first_of("-_")));
  for (auto& c : primary) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const auto& [code, name] : names) {
    if (code != primary) continue;
    for (const char** l = sb_stemmer_list(); *l; ++l)
      if (name == *l) return std::string(name);  // this libstemmer has it
    return {};
  }
  return {};
}

std::optional<AnalyzerOptions> record_analyzer_options(const AnalyzerOptions& site, std::string_view tag) {
  const auto language = snowball_for_tag(tag);
  // A site set to "none" asked for no stemming, in any language.
  if (language.empty() || language == site.language || site.language == "none") return std::nullopt;
  AnalyzerOptions o;
  o.language = language;
  o.literal_terms = site.literal_terms;
  return o;
}

Analyzer::Analyzer(AnalyzerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Analyzer::~Analyzer() = default;
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;

std::vector<Token> Analyzer::analyze(std::string_view text) const {
  std::vector<Token> out;
  // About one token per 6 bytes of English prose; saves most regrowth.
  out.reserve(text.size() / 6 + 4);
  auto worker = impl_->workers.lease();
  analysis::tokenize(text, impl_->vocab, *worker, out);
  return out;
}

void Analyzer::trim() noexcept { impl_->workers.clear(); }

std::string Analyzer::fold(std::string_view word) const {
  std::string out;
  out.reserve(word.size());
  analysis::fold_append(out, word);
  return out;
}

std::string Analyzer::stem(std::string_view folded) const {
  auto worker = impl_->workers.lease();
  return std::string(worker->lookup(folded).stem);
}

bool Analyzer::is_stop_word(std::string_view folded) const {
  return impl_->vocab.stop_words.find(folded) != impl_->vocab.stop_words.end();
}

const AnalyzerOptions& Analyzer::options() const noexcept { return impl_->options; }

}  // namespace siteseek
