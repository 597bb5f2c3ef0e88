// Proves: 1. a job goes queued -> running -> finished with its report and timestamps;
// 2. a submit while the site's job runs queues one new job to follow it (the running one may have
// read the site before the change), and further submits return that queued job (no duplicate);
// with two threads a site's jobs still run in turn;
// 3. a failing reindex ends as failed with the error message; 4. progress is visible while it
// runs; 5. unknown ids are not found; 6. history is bounded.
#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

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

// Polls until the job has finished (bounded: 10 s).
bool eventually_finished(const JobRunner& runner, const std::string& id) {
  for (int i = 0; i < 1000; ++i) {
    auto j = runner.find(id);
    if (j && j->status == JobStatus::finished) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}
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
  BOOST_TEST(again.id != a.id);  // running: a new job follows it
  BOOST_TEST(to_string(again.status) == std::string("queued"));
  BOOST_TEST(runner.submit("docs").id == again.id);  // queued: the same job
  BOOST_TEST(to_string(runner.find(again.id)->status) == std::string("queued"));
  gate.release();
  runner.wait_idle();
  auto done = runner.find(a.id);
  BOOST_REQUIRE(done);
  BOOST_TEST(to_string(done->status) == std::string("finished"));
  BOOST_REQUIRE(done->report);
  BOOST_TEST(done->report->documents == 42u);
  BOOST_TEST((done->ended_at >= done->started_at));
  BOOST_TEST(runs == 2);  // the first and the one that followed it
  BOOST_TEST(to_string(runner.find(again.id)->status) == std::string("finished"));
  Job next = runner.submit("docs");  // finished jobs don't block a new one
  BOOST_TEST(next.id != a.id);
  BOOST_TEST(next.id != again.id);
  runner.wait_idle();
  BOOST_TEST(runs == 3);
  BOOST_TEST(!runner.find("nope"));
}

BOOST_AUTO_TEST_CASE(a_site_s_jobs_run_in_turn_on_several_threads) {
  std::mutex m;
  std::map<std::string, int> now, most;
  Gate gate;
  JobRunner runner([&](const std::string& site, const ProgressCallback&) {
    {
      std::lock_guard l(m);
      most[site] = std::max(most[site], ++now[site]);
    }
    if (site == "docs") gate.wait();
    {
      std::lock_guard l(m);
      --now[site];
    }
    return IngestReport{};
  }, {2, 100});
  Job first = runner.submit("docs");
  gate.wait_entered();
  Job second = runner.submit("docs");  // queued behind the running one, though a thread is free
  Job other = runner.submit("blog");   // another site takes the free thread meanwhile
  BOOST_TEST(eventually_finished(runner, other.id));
  BOOST_TEST(to_string(runner.find(second.id)->status) == std::string("queued"));
  gate.release();
  runner.wait_idle();
  BOOST_TEST(to_string(runner.find(first.id)->status) == std::string("finished"));
  BOOST_TEST(to_string(runner.find(second.id)->status) == std::string("finished"));
  BOOST_TEST(most["docs"] == 1);
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
