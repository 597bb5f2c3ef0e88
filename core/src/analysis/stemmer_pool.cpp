#include "analysis/stemmer_pool.hpp"

#include <cstring>
#include <thread>

#include <libstemmer.h>

#include "common/word_hash.hpp"
#include "siteseek/error.hpp"

namespace siteseek::analysis {

using detail::hash_word;

namespace {

// Words are short: an inline loop beats a call to memcmp.
bool same_bytes(const char* a, std::string_view b) noexcept {
  for (std::size_t k = 0; k < b.size(); ++k)
    if (a[k] != b[k]) return false;
  return true;
}

bool has_ascii_digit(std::string_view s) noexcept {
  for (char c : s)
    if (c >= '0' && c <= '9') return true;
  return false;
}

}  // namespace

Worker::Worker(const std::string& language, const StringSet& stop_words, const StringSet& unstemmed)
    : stop_words_(stop_words), unstemmed_(unstemmed) {
  if (!language.empty()) {
    stemmer_ = sb_stemmer_new(language.c_str(), "UTF_8");
    if (!stemmer_) {
      std::string known;
      for (const char** l = sb_stemmer_list(); *l; ++l) {
        if (!known.empty()) known += ", ";
        known += *l;
      }
      throw ConfigError({{"language", "unknown stemmer language '" + language +
                                          "' (expected \"none\" or one of: " + known + ")"}});
    }
  }
  slots_.resize(1024);
}

Worker::~Worker() {
  if (stemmer_) sb_stemmer_delete(stemmer_);
}

std::string_view Worker::compute_stem(std::string_view folded) {
  if (!stemmer_ || has_ascii_digit(folded)) return folded;
  if (!unstemmed_.empty() && unstemmed_.find(folded) != unstemmed_.end()) return folded;
  const sb_symbol* out = sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(folded.data()),
                                         static_cast<int>(folded.size()));
  if (!out) return folded;  // Snowball ran out of memory: keep the word
  return {reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(stemmer_))};
}

void Worker::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (!s.used) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

TermInfo Worker::lookup(std::string_view folded) {
  if (folded.size() > max_cached_length)
    return {compute_stem(folded), stop_words_.find(folded) != stop_words_.end()};
  const auto h = static_cast<std::uint32_t>(hash_word(folded));
  std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  for (; slots_[i].used; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.hash == h && s.key_len == folded.size() && same_bytes(arena_.data() + s.key, folded))
      return {std::string_view(arena_.data() + s.stem, s.stem_len), s.stop};
  }

  // Miss: compute, then store (after making room, which may move slots and the arena).
  std::string_view stem = compute_stem(folded);
  bool stop = !stop_words_.empty() && stop_words_.find(folded) != stop_words_.end();
  if (stem.size() > max_cached_length) return {stem, stop};  // a stemmer that lengthened it
  if (entries_ >= max_entries || arena_.size() + folded.size() + stem.size() > max_arena) {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    entries_ = 0;
    arena_.clear();
  }
  Slot s;
  s.hash = h;
  s.used = true;
  s.stop = stop;
  s.key = static_cast<std::uint32_t>(arena_.size());
  s.key_len = static_cast<std::uint8_t>(folded.size());
  arena_.append(folded);
  if (stem == folded) {
    s.stem = s.key;  // unchanged: share the key's bytes
  } else {
    s.stem = static_cast<std::uint32_t>(arena_.size());
    arena_.append(stem);
  }
  s.stem_len = static_cast<std::uint8_t>(stem.size());
  if ((entries_ + 1) * 2 > slots_.size()) grow();
  mask = slots_.size() - 1;
  i = h & mask;
  while (slots_[i].used) i = (i + 1) & mask;
  slots_[i] = s;
  ++entries_;
  return {std::string_view(arena_.data() + s.stem, s.stem_len), s.stop};
}

WorkerPool::WorkerPool(std::string language, const StringSet& stop_words,
                       const StringSet& unstemmed)
    : language_(std::move(language)), stop_words_(stop_words), unstemmed_(unstemmed) {
  if (language_ == "none") language_.clear();
  // Build the first worker now so an unknown language fails at construction, not mid-search.
  slots_[0].store(new Worker(language_, stop_words_, unstemmed_), std::memory_order_release);
}

WorkerPool::~WorkerPool() { clear(); }

void WorkerPool::clear() noexcept {
  for (auto& s : slots_) delete s.exchange(nullptr, std::memory_order_acq_rel);
}

namespace {
std::size_t home_slot(std::size_t count) {
  return std::hash<std::thread::id>{}(std::this_thread::get_id()) % count;
}
}  // namespace

WorkerPool::Lease WorkerPool::lease() const {
  std::size_t start = home_slot(slot_count);
  for (std::size_t k = 0; k < slot_count; ++k) {
    if (Worker* w = slots_[(start + k) % slot_count].exchange(nullptr, std::memory_order_acq_rel))
      return Lease(*this, w);
  }
  return Lease(*this, new Worker(language_, stop_words_, unstemmed_));
}

void WorkerPool::give_back(Worker* w) const noexcept {
  std::size_t start = home_slot(slot_count);
  for (std::size_t k = 0; k < slot_count; ++k) {
    Worker* expected = nullptr;
    if (slots_[(start + k) % slot_count].compare_exchange_strong(expected, w,
                                                                  std::memory_order_acq_rel))
      return;
  }
  delete w;  // more threads than slots at once: drop the extra worker
}

}  // namespace siteseek::analysis
