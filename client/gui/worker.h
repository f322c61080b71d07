// client/gui/worker.h — the one thread that does the GUI's disk work.
//
// The frame loop never touches the store: it posts jobs here and gets their
// results back as completions, which it runs at the start of a frame
// (Drain). Jobs run one at a time in the order posted, so a save posted after
// an edit sees the edit. The thread owns whatever the jobs share (the
// DeviceApp, the open FormSession); see GuiModel.
//
// A job returns its completion (may be empty). Completions run on the thread
// that calls Drain, in the order their jobs finished.
//
// Thread safety: Post, Drain, Idle and SetWake are safe from any thread; only
// one thread should Drain.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace fieldsync::gui {

class Worker {
 public:
  using Completion = std::function<void()>;
  using Job = std::function<Completion()>;

  Worker();
  // Finishes the job running, drops the queued ones (their completions never
  // run) and joins.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Post(Job job);
  // Runs the completions that are ready; returns how many ran.
  int Drain();
  // No job queued or running and no completion waiting.
  bool Idle() const;
  // Blocks until Idle() (tests and scripts only; never from the frame loop).
  // Does not run completions: call Drain after.
  void WaitForJobs() const;
  // Called on the worker thread each time a completion is queued (the GUI
  // uses it to wake its event loop). Set before posting.
  void SetWake(std::function<void()> wake);
  // Jobs completed since start (for tests).
  uint64_t jobs_done() const;

 private:
  void Run();

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;       // jobs queued / stopping
  mutable std::condition_variable idle_cv_;  // a job finished
  std::deque<Job> jobs_;
  std::deque<Completion> done_;
  std::function<void()> wake_;
  bool running_job_ = false;
  bool stop_ = false;
  uint64_t jobs_done_ = 0;
  std::thread thread_;
};

}  // namespace fieldsync::gui
