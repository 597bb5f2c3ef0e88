// Proves: 1. a job goes queued -> running -> finished with its report and timestamps;
// 2. a second submit for a site with a queued or running job returns that job (no duplicate),
// and a running one then runs once more before it ends (its pass may predate the change);
// 3. a failing reindex ends as failed with the error message; 4. progress is visible while it
// runs; 5. unknown ids are not found; 6. history is bounded.
#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <mutex>

#include "siteseek/jobs.hpp"

using namespace siteseek;

namespace {
// Lets a test hold a job in the running state until it says so.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false, entered = false;
  void wait() {
    std::unique_lock l(m);
    entered = true;
    cv.notify_all();
    cv.wait(l, [&] { return open; });
  }
  void wait_entered() {
    std::unique_lock l(m);
    cv.wait(l, [&] { return entered; });
  }
  void release() {
    std::lock_guard l(m);
    open = true;
    cv.notify_all();
  }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(jobs)

BOOST_AUTO_TEST_CASE(lifecycle_dedupe_and_progress) {
  Gate gate;
  int runs = 0;
  JobRunner runner([&](const std::string& site, const ProgressCallback& progress) {
    ++runs;
    progress({7, 3, 12, 0});
    gate.wait();
    IngestReport r;
    r.documents = 42;
    return r;
  });
  Job a = runner.submit("docs");
  BOOST_TEST(a.site == "docs");
  gate.wait_entered();
  auto running = runner.find(a.id);
  BOOST_REQUIRE(running);
  BOOST_TEST(to_string(running->status) == std::string("running"));
  BOOST_TEST(running->progress.fetched == 7u);
  BOOST_TEST(running->started_at.has_value());
  Job again = runner.submit("docs");
  BOOST_TEST(again.id == a.id);  // the running job, not a new one
  BOOST_TEST(runner.submit("docs").id == a.id);
  gate.release();
  runner.wait_idle();
  BOOST_TEST(runs == 2);  // submitted while it ran: one more pass (not one per submit)
  auto done = runner.find(a.id);
  BOOST_REQUIRE(done);
  BOOST_TEST(to_string(done->status) == std::string("finished"));
  BOOST_REQUIRE(done->report);
  BOOST_TEST(done->report->documents == 42u);
  BOOST_TEST((done->ended_at >= done->started_at));
  BOOST_TEST(done->attempts == 1u);
  Job next = runner.submit("docs");  // finished jobs don't block a new one
  BOOST_TEST(next.id != a.id);
  runner.wait_idle();
  BOOST_TEST(runs == 3);
  BOOST_TEST(!runner.find("nope"));
}

BOOST_AUTO_TEST_CASE(failures_are_captured) {
  JobRunner runner([](const std::string& site, const ProgressCallback&) -> IngestReport {
    throw std::runtime_error("cannot fetch https://example.invalid/ for " + site);
  });
  Job j = runner.submit("broken");
  runner.wait_idle();
  auto done = runner.find(j.id);
  BOOST_REQUIRE(done);
  BOOST_TEST(to_string(done->status) == std::string("failed"));
  BOOST_TEST(done->error == "cannot fetch https://example.invalid/ for broken");
  BOOST_TEST(!done->report);
}

BOOST_AUTO_TEST_CASE(history_is_bounded) {
  JobRunner runner([](const std::string&, const ProgressCallback&) { return IngestReport{}; }, {1, 3});
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(runner.submit("s" + std::to_string(i)).id);
    runner.wait_idle();
  }
  BOOST_TEST(runner.recent(100).size() == 3u);
  BOOST_TEST(!runner.find(ids[0]));
  BOOST_TEST(runner.find(ids[5]).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
