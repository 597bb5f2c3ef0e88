#pragma once
// Snowball stemmers are not thread-safe, so each thread borrows a whole Worker (stemmer, term
// cache) for the length of one call and gives it back. The pool is a small array of atomic
// slots: no lock, and a thread usually gets back the worker it used last (so its cache stays
// warm).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

struct sb_stemmer;

namespace siteseek::analysis {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

/// What the analyzer knows about one folded word.
struct TermInfo {
  std::string_view stem;  ///< valid until the worker's next lookup
  bool stop = false;
};

/// Per-thread state of an Analyzer call. Never shared between threads while leased.
class Worker {
 public:
  /// language: a Snowball algorithm name, or empty for no stemming. stop_words and unstemmed
  /// (words never stemmed: the configured literals) must outlive it.
  Worker(const std::string& language, const StringSet& stop_words, const StringSet& unstemmed);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Stem and stop flag of a folded word, memoised (documentation repeats a small vocabulary,
  /// and one open-addressing probe is far cheaper than Snowball plus a set lookup). Words with
  /// an ASCII digit, and configured literals, are not stemmed (so a term has one stem whatever
  /// kind of token it came in).
  TermInfo lookup(std::string_view folded);

 private:
  // 16 bytes, so the table of a documentation site's vocabulary stays mostly in cache.
  struct Slot {
    std::uint32_t hash = 0;
    std::uint32_t key = 0, stem = 0;  // offsets in arena_
    std::uint8_t key_len = 0, stem_len = 0;
    bool used = false, stop = false;
  };
  // Words longer than this bypass the cache (they are rare, and lengths fit in a byte).
  static constexpr std::size_t max_cached_length = 255;
  // Bounded so a pathological text cannot grow it without end; cleared when full.
  static constexpr std::size_t max_entries = 1u << 17;
  static constexpr std::size_t max_arena = 16u << 20;

  std::string_view compute_stem(std::string_view folded);
  void grow();

  sb_stemmer* stemmer_ = nullptr;
  const StringSet& stop_words_;
  const StringSet& unstemmed_;
  std::vector<Slot> slots_;
  std::size_t entries_ = 0;
  std::string arena_;
};

/// Lends Workers to threads. Creating one validates the language (ConfigError if unknown).
class WorkerPool {
 public:
  /// language "none" (or empty) turns stemming off. The sets must outlive the pool.
  WorkerPool(std::string language, const StringSet& stop_words, const StringSet& unstemmed);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// A leased worker, returned to the pool on destruction.
  class Lease {
   public:
    Lease(const WorkerPool& pool, Worker* w) noexcept : pool_(pool), worker_(w) {}
    ~Lease() { pool_.give_back(worker_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Worker& operator*() const noexcept { return *worker_; }
    Worker* operator->() const noexcept { return worker_; }

   private:
    const WorkerPool& pool_;
    Worker* worker_;
  };

  Lease lease() const;
  /// Delete the pooled workers and their word caches (new ones are made on the next lease).
  /// Only while no thread holds a lease.
  void clear() noexcept;
  /// Empty when stemming is off.
  const std::string& language() const noexcept { return language_; }

 private:
  void give_back(Worker* w) const noexcept;
  static constexpr std::size_t slot_count = 16;

  std::string language_;
  const StringSet& stop_words_;
  const StringSet& unstemmed_;
  mutable std::array<std::atomic<Worker*>, slot_count> slots_{};
};

}  // namespace siteseek::analysis
