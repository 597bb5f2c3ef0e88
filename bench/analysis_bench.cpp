// Throughput of Analyzer::analyze over the Python 3.11 HTML docs (tags stripped crudely: this
// measures tokenising speed, not extraction quality). Not a test; prints MB/s.
//
// Not in any CMakeLists yet; build by hand, e.g.:
//   g++ -std=c++20 -O2 -DNDEBUG -Icore/include bench/analysis_bench.cpp \
//     <build>/core/CMakeFiles/siteseek_analysis.dir/src/analysis/*.o \
//     <build>/core/CMakeFiles/siteseek_common.dir/src/common/*.o -lutf8proc -lstemmer -luring \
//     $(pkg-config --libs icu-uc) -o analysis_bench
//   ./analysis_bench [html-dir] [rounds]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "siteseek/analysis.hpp"

namespace {

// Drops tags and collapses whitespace runs to one space, so the figure is not inflated by the
// cheap-to-skip indentation of the HTML source (entities are left as they are).
std::string strip_tags(const std::string& html) {
  std::string out;
  out.reserve(html.size() / 2);
  bool in_tag = false;
  auto space = [&] {
    if (!out.empty() && out.back() != ' ') out.push_back(' ');
  };
  for (char c : html) {
    if (c == '<') {
      in_tag = true;
      space();
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') space();
      else out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> load(const std::filesystem::path& dir) {
  std::vector<std::string> docs;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".html") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    docs.push_back(strip_tags(ss.str()));
  }
  return docs;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = argc > 1 ? argv[1] : "/usr/share/doc/python3.11/html";
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (!std::filesystem::is_directory(dir)) {
    std::printf("no %s: nothing to measure\n", dir.c_str());
    return 0;
  }
  auto docs = load(dir);
  std::size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();

  siteseek::AnalyzerOptions options;
  options.stop_words = {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in",
                        "is", "it", "of", "on", "or", "that", "the", "this", "to", "with"};
  options.literal_terms = {"f-string", "c++"};
  siteseek::Analyzer analyzer(options);

  // Single thread: best of `rounds` (the first round also warms the stem cache).
  double best = 1e9;
  std::size_t tokens = 0;
  for (int r = 0; r < rounds; ++r) {
    tokens = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& d : docs) tokens += analyzer.analyze(d).size();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    std::printf("round %d: %.3f s\n", r + 1, s);
  }
  double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%zu documents, %.1f MB of text, %zu tokens\n", docs.size(), mb, tokens);
  std::printf("single thread: %.3f s best, %.1f MB/s, %.1f M tokens/s\n", best, mb / best,
              static_cast<double>(tokens) / best / 1e6);

  // Two threads sharing one Analyzer (the machine has 2 cores), each over half the documents.
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < docs.size(); i += 2) analyzer.analyze(docs[i]);
    });
  for (auto& th : threads) th.join();
  double s2 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("two threads, one Analyzer: %.3f s, %.1f MB/s\n", s2, mb / s2);
}
