// client/gui/worker.cpp — the GUI's disk-work thread.
#include "client/gui/worker.h"

namespace fieldsync::gui {

Worker::Worker() : thread_(&Worker::Run, this) {}

Worker::~Worker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    jobs_.clear();
  }
  cv_.notify_all();
  thread_.join();
}

void Worker::Post(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

int Worker::Drain() {
  std::deque<Completion> ready;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ready.swap(done_);
  }
  int n = 0;
  for (auto& c : ready) {
    if (c) c();
    ++n;
  }
  return n;
}

bool Worker::Idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.empty() && !running_job_ && done_.empty();
}

void Worker::WaitForJobs() const {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return (jobs_.empty() && !running_job_) || stop_; });
}

void Worker::SetWake(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(mu_);
  wake_ = std::move(wake);
}

uint64_t Worker::jobs_done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_done_;
}

void Worker::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      running_job_ = true;
    }
    Completion done = job ? job() : Completion();
    std::function<void()> wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (done) done_.push_back(std::move(done));
      wake = wake_;
    }
    // Woken before the job counts as finished, so whoever waits for the jobs
    // also sees the wake-up.
    if (wake) wake();
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_job_ = false;
      ++jobs_done_;
    }
    idle_cv_.notify_all();
  }
}

}  // namespace fieldsync::gui
