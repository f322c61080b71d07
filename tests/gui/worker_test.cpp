// tests/gui/worker_test.cpp — the disk-work thread: jobs in order, results
// only when the frame loop drains them.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "client/gui/worker.h"

using fieldsync::gui::Worker;

TEST_CASE("jobs run in order on another thread; completions run on Drain") {
  Worker w;
  std::vector<int> order;  // touched only by completions (this thread)
  const auto main_id = std::this_thread::get_id();
  std::atomic<bool> off_thread{true};
  for (int i = 0; i < 100; ++i) {
    w.Post([i, &order, &off_thread, main_id]() -> Worker::Completion {
      if (std::this_thread::get_id() == main_id) off_thread = false;
      return [i, &order] { order.push_back(i); };
    });
  }
  w.WaitForJobs();
  CHECK(order.empty());  // nothing applied until the frame asks
  CHECK_FALSE(w.Idle());  // results wait
  CHECK(w.Drain() == 100);
  CHECK(w.Idle());
  CHECK(off_thread);
  REQUIRE(order.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(order[static_cast<size_t>(i)] == i);
  CHECK(w.jobs_done() == 100);
}

TEST_CASE("the wake callback fires for each result; destruction drops queued jobs") {
  std::atomic<int> wakes{0};
  std::atomic<int> ran{0};
  {
    Worker w;
    w.SetWake([&] { ++wakes; });
    w.Post([&]() -> Worker::Completion {
      ++ran;
      return [] {};
    });
    w.WaitForJobs();
    CHECK(wakes == 1);
    // A long job, then many queued behind it: destroying the worker waits for
    // the running one and drops the rest.
    std::atomic<bool> started{false};
    w.Post([&]() -> Worker::Completion {
      started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ++ran;
      return {};
    });
    for (int i = 0; i < 10; ++i) {
      w.Post([&]() -> Worker::Completion {
        ++ran;
        return {};
      });
    }
    while (!started) std::this_thread::yield();
  }
  CHECK(ran == 2);
}
