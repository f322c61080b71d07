// client/gui/script.h — scripted sessions: a text file of UI actions that the
// real app (fieldsync --script FILE) or a test plays against a GuiModel.
//
// One command per line; '#' starts a comment. Commands call the same model
// actions as the buttons do; those marked (waits) hold the script until their
// condition is met or `timeout` seconds pass (an error then).
//
//   offline                      first run: work offline for now
//   enroll URL CODE              first run: connect (waits until done)
//   screen NAME                  go to a screen (home, projects, reports, ...)
//   select-project CODE|first    open a project's card (its forms)
//   back
//   new PROJECT FORM             start a report (waits for the form)
//   set FIELD TEXT...            type into a field (rest of the line)
//   choose FIELD CHOICE          tap a choice (toggles for select_multiple)
//   keypad FIELD KEYS            type KEYS on the on-screen keypad
//   save | finalize              (waits for the disk; fails if refused)
//   expect-error FIELD           the field shows an error (waits)
//   close                        leave the editor
//   detail last|newest|ID        open a report (last = the last one saved by the
//                                script, newest = the top of the list as filtered)
//   edit last|newest|ID          (newest on an empty device: a new report)
//   filter clear | filter status S | filter sector S | filter period P | search TEXT
//   expect-screen NAME
//   expect-count N               the reports list total (waits)
//   expect-row I STATUS [waiting]  row I of the list (waits)
//   expect-waiting N             the badge's waiting count (waits)
//   sync                         sync now
//   expect-sent                  badge shows 0 waiting after a sync (waits)
//   lang L | theme light|dark
//   wait                         until no work is pending (waits)
//   sleep MS
//   signal FILE                  create FILE (tells a test harness where the script is)
//   wait-file FILE               until FILE exists (the harness's answer) (waits)
//   timeout SECONDS              for the following waits (default 20)
//   screenshot FILE              write the frame as a PNG (needs a window)
//   quit
//
// Thread safety: UI thread, like the model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/gui/model.h"

namespace fieldsync::gui {

class ScriptRunner {
 public:
  struct Command {
    int line = 0;
    std::string name;
    std::vector<std::string> args;
    std::string rest;  // everything after the first argument (for "set")
  };
  // What the frame loop should do after a step.
  struct Tick {
    bool done = false;        // the script finished (or failed: see error)
    std::string screenshot;   // capture this frame into the file
    Status error;
  };

  // Parses the text; InvalidArgument "line 3: unknown command 'sav' (did you
  // mean 'save'?)" on an unknown command or a missing argument.
  static Result<ScriptRunner> Parse(const std::string& text);
  static Result<ScriptRunner> Load(const std::string& path);

  // Advances by at most one command; call once per frame after
  // GuiModel::BeginFrame. A waiting command returns without advancing.
  Tick Step(GuiModel& model, int64_t now_ms);
  size_t position() const { return index_; }
  size_t size() const { return commands_.size(); }
  const std::string& last_report_id() const { return last_report_; }

 private:
  // Returns true when the command is complete.
  bool Run(GuiModel& m, const Command& c, int64_t now_ms, Tick* tick);

  std::vector<Command> commands_;
  size_t index_ = 0;
  int64_t step_started_ms_ = -1;
  int frames_in_step_ = 0;
  int64_t timeout_ms_ = 20000;
  std::string last_report_;
  uint64_t saved_seen_ = 0;
  bool action_sent_ = false;
  int newest_phase_ = 0;
};

}  // namespace fieldsync::gui
