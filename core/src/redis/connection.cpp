// The blocking API: the async client on a private io_context, run until the replies arrive.
#include <boost/asio/io_context.hpp>

#include <mutex>
#include <optional>

#include "siteseek/io_backend.hpp"
#include "siteseek/redis.hpp"

namespace siteseek {

struct RedisConnection::Impl {
  boost::asio::io_context io;
  std::shared_ptr<RedisClient> client;
  std::mutex mutex;  // one caller at a time: the io_context is run by the calling thread

  explicit Impl(RedisOptions options) : client(RedisClient::create(io, std::move(options))) {}
  ~Impl() {
    client->close();
    client.reset();
    drain(io, std::chrono::seconds(2));  // the close and the cancelled waits, before the io_context goes
  }

  std::vector<RedisReply> run(const std::vector<RedisCommand>& commands) {
    std::lock_guard lock(mutex);
    // Handle what happened while idle first: a server that closed the connection is noticed
    // here, so the command goes out on a new connection instead of failing on the dead one.
    io.restart();
    io.poll();
    std::vector<RedisReply> replies(commands.size());
    std::exception_ptr first_error;
    std::size_t left = commands.size();
    for (std::size_t i = 0; i < commands.size(); ++i) {
      client->command(commands[i], [&, i](std::exception_ptr error, RedisReply reply) {
        if (error && !first_error) first_error = error;
        replies[i] = std::move(reply);
        --left;
      });
    }
    io.restart();
    while (left > 0 && io.run_one() > 0) {
    }
    if (first_error) std::rethrow_exception(first_error);
    return replies;
  }
};

RedisConnection::RedisConnection(RedisOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
RedisConnection::~RedisConnection() = default;

RedisReply RedisConnection::command(const RedisCommand& args) { return std::move(impl_->run({args}).front()); }

RedisReply RedisConnection::command(std::initializer_list<std::string_view> args) {
  RedisCommand cmd;
  cmd.reserve(args.size());
  for (auto a : args) cmd.emplace_back(a);
  return command(cmd);
}

std::vector<RedisReply> RedisConnection::pipeline(const std::vector<RedisCommand>& commands) {
  if (commands.empty()) return {};
  return impl_->run(commands);
}

bool RedisConnection::ping() noexcept {
  try {
    auto r = command({"PING"});
    return r.type == RedisReply::Type::status && r.str == "PONG";
  } catch (...) {
    return false;
  }
}

const RedisOptions& RedisConnection::options() const noexcept { return impl_->client->options(); }

}  // namespace siteseek
