// The Redis layer against a real redis-server started on a free loopback port: URLs, the blocking
// and async clients, pipelining, AUTH and SELECT, timeouts, reconnects and subscriptions.
#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "../../support/redis_server.hpp"
#include "siteseek/io_backend.hpp"
#include "siteseek/redis.hpp"

using namespace siteseek;
using namespace std::chrono_literals;

namespace {

RedisOptions quick(const std::string& url) {
  auto o = parse_redis_url(url);
  o.connect_timeout = 500ms;
  o.command_timeout = 500ms;
  o.backoff_min = 20ms;
  o.backoff_max = 100ms;
  return o;
}

/// Runs an io_context on two threads for the async tests.
struct IoThreads {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  std::vector<std::thread> threads;
  IoThreads() {
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~IoThreads() {
    guard.reset();
    io.stop();
    for (auto& t : threads) t.join();
    drain(io, 2s);  // the clients' posted closes and their cancelled waits
  }
};

/// Send one command through the async client and wait for it (test helper only).
RedisReply await(RedisClient& client, RedisCommand args) {
  std::promise<RedisReply> p;
  client.command(std::move(args), [&](std::exception_ptr e, RedisReply r) {
    if (e) p.set_exception(e);
    else p.set_value(std::move(r));
  });
  return p.get_future().get();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(urls)

BOOST_AUTO_TEST_CASE(full_url) {
  auto o = parse_redis_url("redis://user:p%40ss@10.0.0.5:6380/3?timeout=250");
  BOOST_TEST(o.host == "10.0.0.5");
  BOOST_TEST(o.port == 6380);
  BOOST_TEST(o.username == "user");
  BOOST_TEST(o.password == "p@ss");
  BOOST_TEST(o.db == 3);
  BOOST_TEST(o.command_timeout.count() == 250);
  BOOST_TEST(o.display() == "10.0.0.5:6380/3");  // no credentials in logs
}

BOOST_AUTO_TEST_CASE(defaults_and_password_only) {
  auto o = parse_redis_url("redis://:secret@localhost");
  BOOST_TEST(o.port == 6379);
  BOOST_TEST(o.db == 0);
  BOOST_TEST(o.username.empty());
  BOOST_TEST(o.password == "secret");
}

BOOST_AUTO_TEST_CASE(bad_urls_name_the_key) {
  for (const char* bad : {"http://localhost", "redis://localhost:0", "redis://localhost:99999", "redis://h/x",
                          "redis://h/1?timeout=abc", "redis://h/1?nope=1", "not a url"}) {
    try {
      parse_redis_url(bad, "redis_url");
      BOOST_FAIL(std::string("accepted ") + bad);
    } catch (const ConfigError& e) {
      BOOST_TEST(e.issues().front().path == "redis_url");
    }
  }
  auto tls = parse_redis_url("rediss://h:6380/0?tls_ca=/etc/ca.pem");
  BOOST_TEST(tls.tls);
  BOOST_TEST(tls.tls_ca_file == "/etc/ca.pem");
  BOOST_CHECK_THROW(parse_redis_url("redis://h/0?tls_ca=/etc/ca.pem"), ConfigError);  // tls_ca without TLS
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(blocking)

BOOST_AUTO_TEST_CASE(commands_are_binary_safe_and_errors_are_replies) {
  test::RedisServer server;
  RedisConnection c(quick(server.url()));
  std::string bytes("a\0b\r\n\xff", 6);
  BOOST_TEST(c.command({"SET", "k", bytes}).str == "OK");
  auto got = c.command({"GET", "k"});
  BOOST_TEST((got.type == RedisReply::Type::string));
  BOOST_TEST(got.str == bytes);
  BOOST_TEST(c.command({"GET", "missing"}).is_nil());
  auto err = c.command({"INCR", "k"});
  BOOST_TEST(err.is_error());
  BOOST_CHECK_THROW(err.check("INCR k"), RedisError);
  BOOST_TEST(c.ping());
}

BOOST_AUTO_TEST_CASE(pipeline_keeps_order) {
  test::RedisServer server;
  RedisConnection c(quick(server.url()));
  std::vector<RedisCommand> cmds;
  for (int i = 0; i < 1000; ++i) cmds.push_back({"INCR", "n"});
  auto replies = c.pipeline(cmds);
  BOOST_REQUIRE(replies.size() == 1000);
  for (int i = 0; i < 1000; ++i) BOOST_TEST(replies[i].integer == i + 1);
  auto arr = c.command({"MGET", "n", "none"});
  BOOST_REQUIRE((arr.type == RedisReply::Type::array));
  BOOST_TEST(arr.elements[0].str == "1000");
  BOOST_TEST(arr.elements[1].is_nil());
}

BOOST_AUTO_TEST_CASE(auth_and_database) {
  test::RedisServer server({"--requirepass", "s3cret"});
  RedisConnection c(quick(server.url("/0").replace(0, 8, "redis://:s3cret@")));
  RedisConnection in3(quick("redis://:s3cret@127.0.0.1:" + std::to_string(server.port()) + "/3"));
  c.command({"SET", "where", "db0"}).check();
  in3.command({"SET", "where", "db3"}).check();
  BOOST_TEST(c.command({"GET", "where"}).str == "db0");
  BOOST_TEST(in3.command({"GET", "where"}).str == "db3");

  RedisConnection wrong(quick("redis://:nope@127.0.0.1:" + std::to_string(server.port()) + "/0"));
  try {
    wrong.command({"PING"});
    BOOST_FAIL("wrong password accepted");
  } catch (const RedisError& e) {
    BOOST_TEST(e.unavailable());
    BOOST_TEST(std::string(e.what()).find("AUTH failed") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(unreachable_fails_fast_and_names_the_server) {
  int port = test::free_port();
  RedisConnection c(quick("redis://127.0.0.1:" + std::to_string(port) + "/0"));
  auto t0 = std::chrono::steady_clock::now();
  try {
    c.command({"PING"});
    BOOST_FAIL("no server, yet an answer");
  } catch (const RedisError& e) {
    BOOST_TEST(e.unavailable());
    BOOST_TEST(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)) != std::string::npos, e.what());
  }
  BOOST_CHECK_THROW(c.command({"PING"}), RedisError);  // during the backoff: at once
  BOOST_TEST(!c.ping());
  // Bound, not a timing assertion: both failures happen without waiting out a timeout.
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 5s));
}

BOOST_AUTO_TEST_CASE(reconnects_after_a_restart) {
  test::RedisServer server;
  RedisConnection c(quick(server.url()));
  c.command({"SET", "a", "1"}).check();
  server.stop();
  BOOST_CHECK_THROW(c.command({"GET", "a"}), RedisError);
  server.start();
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = c.ping();
    if (!back) std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(back);
  BOOST_TEST(c.command({"GET", "a"}).is_nil());  // a new, empty server
}

BOOST_AUTO_TEST_CASE(a_hung_server_times_out_then_recovers) {
  test::RedisServer server;
  RedisConnection c(quick(server.url()));
  BOOST_TEST(c.ping());
  server.freeze();
  try {
    c.command({"PING"});
    BOOST_FAIL("a frozen server answered");
  } catch (const RedisError& e) {
    BOOST_TEST(std::string(e.what()).find("timeout") != std::string::npos, e.what());
  }
  server.thaw();
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = c.ping();
    if (!back) std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(back);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(async)

// The client reconnects in the background, without a command: true once it has (2 s at most).
bool reconnects(const RedisClient& client) {
  for (int i = 0; i < 200 && !client.connected(); ++i) std::this_thread::sleep_for(10ms);
  return client.connected();
}

BOOST_AUTO_TEST_CASE(many_threads_one_connection) {
  test::RedisServer server;
  IoThreads io;
  auto client = RedisClient::create(io.io, quick(server.url()));
  constexpr int senders = 4, each = 250;
  std::atomic<int> ok{0}, failed{0};
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < each; ++i)
        client->command({"RPUSH", "list" + std::to_string(t), std::to_string(i)}, [&](std::exception_ptr e, RedisReply r) {
          (e || r.is_error() ? failed : ok)++;
          std::lock_guard lock(m);
          cv.notify_all();
        });
    });
  for (auto& t : threads) t.join();
  std::unique_lock lock(m);
  BOOST_REQUIRE(cv.wait_for(lock, 10s, [&] { return ok + failed == senders * each; }));
  lock.unlock();
  BOOST_TEST(failed == 0);
  BOOST_TEST(client->connected());
  // Each sender's commands arrive in the order it sent them.
  for (int t = 0; t < senders; ++t) {
    auto list = await(*client, {"LRANGE", "list" + std::to_string(t), "0", "-1"});
    BOOST_REQUIRE(list.elements.size() == std::size_t(each));
    for (int i = 0; i < each; ++i) BOOST_TEST(list.elements[i].str == std::to_string(i));
  }
}

BOOST_AUTO_TEST_CASE(down_means_an_error_at_once_and_the_client_comes_back_by_itself) {
  test::RedisServer server;
  IoThreads io;
  auto client = RedisClient::create(io.io, quick(server.url()));
  BOOST_TEST(await(*client, {"PING"}).str == "PONG");
  server.stop();
  BOOST_CHECK_THROW(await(*client, {"PING"}), RedisError);
  BOOST_CHECK_THROW(await(*client, {"PING"}), RedisError);
  BOOST_TEST(!client->connected());
  BOOST_TEST(!client->last_error().empty());
  server.start();
  // No command needed: the client reconnects in the background.
  BOOST_TEST(reconnects(*client));
  BOOST_TEST(await(*client, {"PING"}).str == "PONG");
}

BOOST_AUTO_TEST_CASE(a_timed_out_command_is_answered_after_the_client_counts_as_down) {
  // Whoever hears of the timeout (a 503 to an HTTP client) may ask /health at once: by then the
  // client must already say it is not connected.
  test::RedisServer server;
  IoThreads io;
  auto client = RedisClient::create(io.io, quick(server.url()));
  BOOST_TEST(await(*client, {"PING"}).str == "PONG");
  server.freeze();
  std::promise<std::pair<bool, bool>> heard;  // (failed, connected when the answer came)
  client->command({"PING"}, [&](std::exception_ptr e, RedisReply) { heard.set_value({e != nullptr, client->connected()}); });
  auto f = heard.get_future();
  BOOST_REQUIRE(f.wait_for(10s) == std::future_status::ready);
  auto [failed, connected] = f.get();
  BOOST_TEST(failed);
  BOOST_TEST(!connected);
  server.thaw();
  BOOST_TEST(reconnects(*client));
}

BOOST_AUTO_TEST_CASE(subscriber_resubscribes_after_reconnect) {
  test::RedisServer server;
  IoThreads io;
  auto sub = RedisClient::create(io.io, quick(server.url()));
  auto pub = RedisClient::create(io.io, quick(server.url()));
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> got;
  int connects = 0;
  sub->subscribe({"chan"}, [&](const std::string& ch, const std::string& payload) {
    std::lock_guard lock(m);
    got.push_back(ch + "=" + payload);
    cv.notify_all();
  }, [&] {
    std::lock_guard lock(m);
    ++connects;
    cv.notify_all();
  });
  {
    std::unique_lock lock(m);
    BOOST_REQUIRE(cv.wait_for(lock, 5s, [&] { return connects == 1; }));
  }
  BOOST_TEST(await(*pub, {"PUBLISH", "chan", "v1"}).integer == 1);
  {
    std::unique_lock lock(m);
    BOOST_REQUIRE(cv.wait_for(lock, 5s, [&] { return got.size() == 1; }));
  }
  BOOST_CHECK_THROW(await(*sub, {"PING"}), RedisError);  // a subscriber sends no commands
  server.stop();
  server.start();
  {
    std::unique_lock lock(m);
    BOOST_REQUIRE(cv.wait_for(lock, 5s, [&] { return connects == 2; }));
  }
  for (int i = 0; i < 100; ++i) {
    try {
      if (await(*pub, {"PUBLISH", "chan", "v2"}).integer == 1) break;
    } catch (const RedisError&) {
    }
    std::this_thread::sleep_for(20ms);
  }
  std::unique_lock lock(m);
  BOOST_REQUIRE(cv.wait_for(lock, 5s, [&] { return got.size() == 2; }));
  BOOST_TEST(got[0] == "chan=v1");
  BOOST_TEST(got[1] == "chan=v2");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tls)

// rediss:// against redis-server with TLS only, its certificate made here for "localhost".
BOOST_AUTO_TEST_CASE(rediss_verifies_the_server_and_works_both_ways) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("siteseek-tls-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string(), other = (dir / "other.pem").string();
  auto make = [&](const std::string& c, const std::string& k, const char* name) {
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=" + std::string(name) +
                      " -addext subjectAltName=DNS:" + name + " -keyout " + k + " -out " + c + " > /dev/null 2>&1";
    BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
  };
  make(cert, key, "localhost");
  make(other, (dir / "other-key.pem").string(), "localhost");
  test::RedisServer server({"--tls-port", "{port}", "--port", "0", "--tls-cert-file", cert, "--tls-key-file", key,
                            "--tls-ca-cert-file", cert, "--tls-auth-clients", "no"});
  const std::string base = "rediss://localhost:" + std::to_string(server.port()) + "/0";

  RedisConnection c(quick(base + "?tls_ca=" + cert));
  BOOST_TEST(c.command({"SET", "k", "over tls"}).str == "OK");
  BOOST_TEST(c.command({"GET", "k"}).str == "over tls");
  IoThreads io;
  auto client = RedisClient::create(io.io, quick(base + "?tls_ca=" + cert));
  BOOST_TEST(await(*client, {"GET", "k"}).str == "over tls");

  // A certificate the CA file does not vouch for: refused, and the error says why.
  RedisConnection wrong(quick(base + "?tls_ca=" + other));
  try {
    wrong.command({"PING"});
    BOOST_FAIL("an unverified server was trusted");
  } catch (const RedisError& e) {
    BOOST_TEST(e.unavailable());
    BOOST_TEST(std::string(e.what()).find("TLS handshake") != std::string::npos, e.what());
  }
  // Plain redis:// to a TLS port gets no answer it can use.
  RedisConnection plain(quick("redis://127.0.0.1:" + std::to_string(server.port()) + "/0"));
  BOOST_TEST(!plain.ping());
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
