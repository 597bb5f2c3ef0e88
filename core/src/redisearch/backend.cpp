// RediSearchBackend: index a site into RediSearch and search it, blocking or on an io_context.
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

#include "index/static_boost.hpp"
#include "siteseek/error.hpp"
#include "siteseek/redisearch.hpp"

namespace siteseek {

using namespace redisearch;

namespace {

// FT.ADDs (HSETs) per round trip. Every reply of a pipeline must arrive within the command timeout
// (2 s): 500 long documents took longer than that on a loaded machine, 100 leave a wide margin.
constexpr std::size_t batch = 100;

// A site never indexed has no pointer (v1: the script answers {0}) or no alias (v2: an error).
bool no_index_yet(const RedisReply& r) {
  if (!r.is_error()) return false;
  std::string e = r.str;
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e.find("unknown index") != std::string::npos || e.find("no such index") != std::string::npos;
}

// What the embedded engine answers and RediSearch cannot: sub-results would need every other
// matching record of each returned page, which the FT.SEARCH script (one page of ids, grouped by
// page in Lua) does not keep. Refused rather than answered in the flat shape. (Filters and facets
// run: the `attrs` tag and FT.AGGREGATE, commands.cpp.)
void check_supported(const SearchRequest& request) {
  if (request.sub_results > 0)
    throw RequestError("unsupported_parameter", "sub_results is not supported with backend = \"redisearch\"");
  if (request.site.find(',') != std::string::npos)
    throw RequestError("unsupported_parameter", "several sites in one search are not supported with backend = \"redisearch\"");
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

struct RediSearchBackend::Impl {
  RedisOptions options;
  std::string prefix;
  RedisConnection redis;
  std::mutex mutex;
  std::optional<Dialect> dialect;
  std::shared_ptr<RedisClient> client;
  std::atomic<int> async_dialect{-1};  // -1 unknown, else a Dialect

  Impl(RedisOptions o, std::string p) : options(o), prefix(std::move(p)), redis(std::move(o)) {}

  static SearchResponse respond(const RedisReply& main, const SearchRequest& request, const SiteSettings& site,
                                const Translated& t, const detail::CompiledRules* rules) {
    if (no_index_yet(main)) return {};
    return parse_search_reply(main, request, site, t, rules);
  }

  // The async search of the translated request `t` once the dialect is known.
  void search_with(Dialect d, const SiteSettings& site, const SearchRequest& request, Translated t,
                   std::shared_ptr<const detail::CompiledRules> rules, SearchCallback done,
                   std::chrono::steady_clock::time_point started) {
    const auto n = names(prefix, site.name, 0);
    auto cmd = search_command(d, n, t, request, site);
    client->command(std::move(cmd), [site = &site, request, t = std::move(t), rules = std::move(rules), done = std::move(done),
                                     started](std::exception_ptr e, RedisReply reply) {
      if (e) return done(e, {});
      SearchResponse r;
      try {
        r = respond(reply, request, *site, t, rules.get());
      } catch (...) {
        return done(std::current_exception(), {});
      }
      r.context = t.context;
      r.took_ms = ms_since(started);
      done(nullptr, std::move(r));
    });
  }
};

RediSearchBackend::RediSearchBackend(RedisOptions redis, std::string prefix)
    : impl_(std::make_unique<Impl>(std::move(redis), std::move(prefix))) {}
RediSearchBackend::~RediSearchBackend() = default;

Dialect RediSearchBackend::dialect() {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->dialect) impl_->dialect = dialect_for(module_version(impl_->redis.command({"MODULE", "LIST"}).check("MODULE LIST")));
  return *impl_->dialect;
}

void RediSearchBackend::index(const SiteSettings& site, const std::vector<Document>& documents) {
  const Dialect d = dialect();
  auto& redis = impl_->redis;
  const auto gen = redis.command({"INCR", impl_->prefix + "rs:" + site.name + ":gen"}).check().integer;
  const auto n = names(impl_->prefix, site.name, static_cast<std::uint64_t>(gen));
  const std::string index_key = n.current + ":index";  // the generation now served (v1: same as the pointer)
  try {
    for (const auto& r : redis.pipeline(create_commands(d, n, site))) r.check("creating " + n.index);
    // The static boost as the embedded index computes it; RediSearch wants 0..1, so divided by
    // the largest.
    const StaticBoost static_boost(site);
    double top = 0;
    for (const auto& doc : documents) top = std::max(top, static_boost.of(doc));
    std::vector<RedisCommand> cmds;
    for (std::size_t i = 0; i < documents.size(); ++i) {
      cmds.push_back(add_command(d, n, documents[i], top > 0 ? static_boost.of(documents[i]) / top : 1.0));
      if (cmds.size() == batch || i + 1 == documents.size()) {
        for (const auto& r : redis.pipeline(cmds)) r.check("adding documents to " + n.index);
        cmds.clear();
      }
    }
    auto old = redis.command({"GET", index_key}).check();
    // In one transaction with the schema it holds: a search reads both in one script.
    const auto swapped = redis.pipeline({{"MULTI"}, swap_command(d, n), {"SET", index_key, n.index},
                                         {"SET", n.schema, schema_version}, {"EXEC"}});
    for (const auto& r : swapped) r.check("swapping in " + n.index);
    for (const auto& r : swapped.back().elements) r.check("swapping in " + n.index);
    if (!old.is_nil() && old.str != n.index) redis.command(drop_command(d, old.str));  // best effort
  } catch (...) {
    try {
      redis.command(drop_command(d, n.index));
    } catch (...) {
    }
    throw;
  }
}

bool RediSearchBackend::has_index(const std::string& site) {
  const Dialect d = dialect();
  const auto n = names(impl_->prefix, site, 0);
  std::string index = n.current;  // v2: the alias
  if (d == Dialect::v1) {
    auto pointer = impl_->redis.command({"GET", n.current}).check();
    if (pointer.is_nil()) return false;
    index = pointer.str;
  }
  auto info = impl_->redis.command({"FT.INFO", index});
  if (no_index_yet(info)) return false;
  info.check("FT.INFO " + index);
  // An index an older siteseek built (no schema key: before record attributes) is rebuilt.
  return impl_->redis.command({"GET", n.schema}).check().str == schema_version;
}

SearchResponse RediSearchBackend::search(const SiteSettings& site, const SearchRequest& request,
                                         const Index* vocabulary, std::shared_ptr<const detail::CompiledRules> rules) {
  const auto started = std::chrono::steady_clock::now();
  check_supported(request);
  const Dialect d = dialect();
  const Translated t = translate(request, site, d, vocabulary, rules.get());
  SearchResponse r;
  r.context = t.context;
  if (t.query().empty()) {
    if (request.explain) r.explain = t.explain();
    return r;
  }
  const auto n = names(impl_->prefix, site.name, 0);
  r = Impl::respond(impl_->redis.command(search_command(d, n, t, request, site)), request, site, t, rules.get());
  r.context = t.context;
  r.took_ms = ms_since(started);
  return r;
}

void RediSearchBackend::attach(boost::asio::io_context& io) {
  impl_->client = RedisClient::create(io, impl_->options);
  impl_->client->connect();
}

void RediSearchBackend::search_async(const SiteSettings& site, const SearchRequest& request, SearchCallback done,
                                     const Index* vocabulary, std::shared_ptr<const detail::CompiledRules> rules) {
  const auto started = std::chrono::steady_clock::now();
  // Translated now: the vocabulary is not used after this call. Before the first MODULE LIST
  // answer the dialect is taken as 1.x (one typo edit), which 2.x also understands.
  const int known = impl_->async_dialect.load();
  Translated t;
  try {
    check_supported(request);
    t = translate(request, site, known >= 0 ? static_cast<Dialect>(known) : Dialect::v1, vocabulary, rules.get());
  } catch (const RequestError&) {
    return done(std::current_exception(), {});
  }
  if (!impl_->client) return done(std::make_exception_ptr(RedisError("redis_error", "the RediSearch backend is not attached")), {});
  if (t.query().empty()) {
    SearchResponse r;
    r.context = std::move(t.context);
    if (request.explain) r.explain = t.explain();
    return done(nullptr, std::move(r));
  }
  if (known >= 0) return impl_->search_with(static_cast<Dialect>(known), site, request, std::move(t), std::move(rules), std::move(done), started);
  impl_->client->command({"MODULE", "LIST"}, [impl = impl_.get(), &site, request, t = std::move(t), rules = std::move(rules), done, started](std::exception_ptr e, RedisReply r) {
    Dialect d;
    try {
      if (e) std::rethrow_exception(e);
      d = dialect_for(module_version(r.check("MODULE LIST")));
    } catch (...) {
      return done(std::current_exception(), {});
    }
    impl->async_dialect = static_cast<int>(d);
    impl->search_with(d, site, request, t, rules, done, started);
  });
}

bool RediSearchBackend::connected() const noexcept { return impl_->client && impl_->client->connected(); }
std::string RediSearchBackend::last_error() const { return impl_->client ? impl_->client->last_error() : "not attached"; }

}  // namespace siteseek
