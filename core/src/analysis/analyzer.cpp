#include "siteseek/analysis.hpp"

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
