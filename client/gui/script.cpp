// client/gui/script.cpp — the --script player.
#include "client/gui/script.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fieldsync::gui {
namespace {

struct Spec {
  const char* name;
  int min_args;
};
const Spec kSpecs[] = {
    {"offline", 0}, {"enroll", 2}, {"screen", 1}, {"back", 0}, {"new", 2}, {"set", 1},
    {"choose", 2}, {"keypad", 2}, {"save", 0}, {"finalize", 0}, {"expect-error", 1}, {"close", 0},
    {"detail", 1}, {"edit", 1}, {"filter", 1}, {"search", 0}, {"expect-screen", 1}, {"expect-count", 1},
    {"expect-row", 2}, {"expect-waiting", 1}, {"sync", 0}, {"expect-sent", 0}, {"lang", 1}, {"theme", 1},
    {"wait", 0}, {"sleep", 1}, {"signal", 1}, {"wait-file", 1}, {"select-project", 1}, {"timeout", 1}, {"screenshot", 1}, {"quit", 0},
};

size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

int64_t ToInt(const std::string& s) {
  try {
    return std::stoll(s);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

Result<ScriptRunner> ScriptRunner::Parse(const std::string& text) {
  ScriptRunner r;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (auto hash = line.find('#'); hash != std::string::npos && (hash == 0 || line[hash - 1] == ' ')) {
      line.erase(hash);
    }
    std::istringstream words(line);
    Command c;
    c.line = n;
    if (!(words >> c.name)) continue;
    std::string w;
    while (words >> w) c.args.push_back(w);
    // "rest": the text after the first argument, spaces kept.
    if (!c.args.empty()) {
      size_t pos = line.find(c.name) + c.name.size();
      pos = line.find(c.args[0], pos) + c.args[0].size();
      while (pos < line.size() && line[pos] == ' ') ++pos;
      c.rest = pos < line.size() ? line.substr(pos) : "";
      while (!c.rest.empty() && (c.rest.back() == ' ' || c.rest.back() == '\r')) c.rest.pop_back();
    }
    const Spec* spec = nullptr;
    for (const auto& s : kSpecs) {
      if (c.name == s.name) spec = &s;
    }
    if (!spec) {
      std::string best;
      size_t best_d = 3;
      for (const auto& s : kSpecs) {
        size_t d = Distance(c.name, s.name);
        if (d < best_d) {
          best_d = d;
          best = s.name;
        }
      }
      return Status::InvalidArgument("line " + std::to_string(n) + ": unknown command '" + c.name + "'" +
                                     (best.empty() ? "" : " (did you mean '" + best + "'?)"));
    }
    if (static_cast<int>(c.args.size()) < spec->min_args) {
      return Status::InvalidArgument("line " + std::to_string(n) + ": '" + c.name + "' needs " +
                                     std::to_string(spec->min_args) + " argument(s)");
    }
    r.commands_.push_back(std::move(c));
  }
  return r;
}

Result<ScriptRunner> ScriptRunner::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read the script '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = Parse(ss.str());
  if (!r.ok()) return r.status().WithContext(path);
  return r;
}

ScriptRunner::Tick ScriptRunner::Step(GuiModel& model, int64_t now_ms) {
  Tick tick;
  if (index_ >= commands_.size()) {
    tick.done = true;
    return tick;
  }
  // Nothing runs before the data folder is open (the start screen is chosen then).
  if (model.screen() == Screen::kLoading) {
    if (!model.open_error().empty()) {
      tick.error = Status::FailedPrecondition(model.open_error());
      tick.done = true;
    }
    return tick;
  }
  const Command& c = commands_[index_];
  if (step_started_ms_ < 0) {
    step_started_ms_ = now_ms;
    frames_in_step_ = 0;
    action_sent_ = false;
  }
  ++frames_in_step_;
  bool complete = Run(model, c, now_ms, &tick);
  if (!tick.error.ok()) {
    tick.error = tick.error.WithContext("script line " + std::to_string(c.line) + " (" + c.name + ")");
    tick.done = true;
    return tick;
  }
  if (complete) {
    if (index_ < commands_.size()) ++index_;
    step_started_ms_ = -1;
    if (index_ >= commands_.size()) tick.done = tick.screenshot.empty();
  } else if (now_ms - step_started_ms_ > timeout_ms_) {
    tick.error = Status::Unavailable("script line " + std::to_string(c.line) + " (" + c.name +
                                     "): still not done after " + std::to_string(timeout_ms_ / 1000) + " s");
    tick.done = true;
  }
  return tick;
}

bool ScriptRunner::Run(GuiModel& m, const Command& c, int64_t now_ms, Tick* tick) {
  const auto& a = c.args;
  auto idle = [&] { return !m.Busy() && frames_in_step_ >= 3; };
  // Commands that act once, then wait for the model to settle.
  auto once = [&](auto&& action) {
    if (!action_sent_) {
      action();
      action_sent_ = true;
      return false;
    }
    return idle();
  };
  const std::string& n = c.name;
  if (n == "offline") return once([&] { m.WorkOffline(); });
  if (n == "enroll") {
    if (!action_sent_) {
      m.first_run().server_url = a[0];
      m.first_run().code = a[1];
      m.Enroll();
      action_sent_ = true;
      return false;
    }
    if (m.first_run().busy || m.Busy()) return false;
    if (!m.first_run().error.empty()) tick->error = Status::Unavailable(m.first_run().error);
    return true;
  }
  if (n == "screen") {
    Screen s;
    if (!ParseScreen(a[0], &s)) {
      tick->error = Status::InvalidArgument("unknown screen '" + a[0] + "'");
      return true;
    }
    return once([&] { m.Go(s); });
  }
  if (n == "back") return once([&] { m.Back(); });
  if (n == "new") {
    if (!action_sent_) {
      m.NewReport(a[0], a[1]);
      action_sent_ = true;
      return false;
    }
    if (!idle()) return false;
    if (!m.editor().open || !m.editor().form) tick->error = Status::NotFound(m.notice().text);
    return true;
  }
  if (n == "set") return once([&] { m.EditorSetText(a[0], c.rest); });
  if (n == "choose") return once([&] { m.EditorToggleChoice(a[0], a[1]); });
  if (n == "keypad") {
    return once([&] {
      m.editor().keypad_field = a[0];
      m.EditorKeypad("clear");
      for (char ch : a[1]) m.EditorKeypad(std::string(1, ch));
    });
  }
  if (n == "save" || n == "finalize") {
    if (!action_sent_) {
      saved_seen_ = static_cast<uint64_t>(m.editor().saved_at_ms);
      m.editor().saved_at_ms = 0;
      if (n == "save") m.EditorSaveDraft();
      else m.EditorFinalize();
      action_sent_ = true;
      return false;
    }
    if (!idle() || m.editor().saving) return false;
    if (m.editor().message_error || m.editor().saved_at_ms == 0) {
      tick->error = Status::FailedPrecondition(m.editor().message.empty() ? "not saved" : m.editor().message);
    } else {
      last_report_ = m.editor().report_id;
    }
    return true;
  }
  if (n == "expect-error") {
    if (!idle()) return false;
    const FieldView* f = m.editor().Find(a[0]);
    return f && !f->errors.empty();
  }
  if (n == "close") return once([&] { m.Back(); });
  if ((n == "detail" || n == "edit") && a[0] == "newest") {
    // The newest report in the list as filtered now; a new report when none
    // matches and the command is "edit".
    if (!action_sent_) {
      if (m.ReportsTotal() < 0 && !m.reports().count_inflight) m.SetReportsFilter(m.reports().filter);
      action_sent_ = true;
      newest_phase_ = 0;
      return false;
    }
    if (newest_phase_ == 0) {
      if (m.ReportsTotal() < 0) return false;
      if (m.ReportsTotal() == 0) {
        if (n == "detail") {
          tick->error = Status::NotFound("the device has no report to show");
          return true;
        }
        if (m.projects().all.empty() || m.forms().empty()) return false;
        const schema::Project& p = m.projects().all.front();
        std::string form = m.forms().front().form->id;
        for (const auto& f : m.forms()) {
          if (f.form && f.form->sector == p.sector) form = f.form->id;
        }
        m.NewReport(p.code, form);
        newest_phase_ = 1;
        return false;
      }
      const ListRow* row = m.ReportRow(0);
      if (!row) return false;
      if (n == "detail") m.OpenDetail(row->id);
      else m.EditReport(row->id);
      newest_phase_ = 1;
      return false;
    }
    return idle();
  }
  if (n == "detail" || n == "edit") {
    std::string id = a[0] == "last" ? last_report_ : a[0];
    if (id.empty()) {
      tick->error = Status::FailedPrecondition("no report saved yet");
      return true;
    }
    if (!action_sent_) {
      if (n == "detail") m.OpenDetail(id);
      else m.EditReport(id);
      action_sent_ = true;
      return false;
    }
    return idle();
  }
  if (n == "filter") {
    return once([&] {
      ReportsFilter f = m.reports().filter;
      if (a[0] == "clear") f = ReportsFilter{};
      if (a[0] == "status" && a.size() > 1) {
        store::ReportStatus s;
        if (store::ParseReportStatus(a[1], &s)) f.status = s;
      }
      if (a[0] == "sector" && a.size() > 1) f.sector = a[1];
      if (a[0] == "period" && a.size() > 1) f.period = a[1];
      m.SetReportsFilter(f);
    });
  }
  if (n == "search") {
    return once([&] {
      ReportsFilter f = m.reports().filter;
      f.search = a.empty() ? "" : a[0] + (c.rest.empty() ? "" : " " + c.rest);
      m.SetReportsFilter(f);
    });
  }
  if (n == "expect-screen") return ScreenName(m.screen()) == a[0];
  if (n == "expect-count") return m.ReportsTotal() == ToInt(a[0]);
  if (n == "expect-row") {
    const ListRow* row = m.ReportRow(ToInt(a[0]));
    if (!row) return false;
    store::ReportStatus s;
    if (!store::ParseReportStatus(a[1], &s)) {
      tick->error = Status::InvalidArgument("unknown status '" + a[1] + "'");
      return true;
    }
    const bool want_waiting = a.size() > 2 && a[2] == "waiting";
    return row->status == s && (!want_waiting || row->waiting);
  }
  if (n == "expect-waiting") return m.badge().waiting == ToInt(a[0]);
  if (n == "sync") return once([&] { m.SyncNow(); });
  if (n == "expect-sent") return m.badge().waiting == 0 && m.badge().last_sync_ms > 0 && !m.badge().syncing;
  if (n == "lang") {
    Lang l;
    if (!ParseLang(a[0], &l)) {
      tick->error = Status::InvalidArgument("unknown language '" + a[0] + "' (en, fr, es, pt)");
      return true;
    }
    return once([&] { m.SetLanguage(l); });
  }
  if (n == "theme") return once([&] { m.SetTheme(a[0] == "dark" ? Theme::kDark : Theme::kLight); });
  if (n == "wait") return idle();
  if (n == "select-project") {
    if (!m.projects().loaded) return false;
    ProjectsView& p = m.projects();
    p.selected = a[0];
    if (a[0] == "first" && !p.visible.empty()) p.selected = p.all[static_cast<size_t>(p.visible.front())].code;
    return true;
  }
  if (n == "signal") {
    std::ofstream(a[0]) << "1\n";
    return true;
  }
  if (n == "wait-file") {
    std::error_code ec;
    return std::filesystem::exists(a[0], ec);
  }
  if (n == "sleep") return now_ms - step_started_ms_ >= ToInt(a[0]);
  if (n == "timeout") {
    timeout_ms_ = std::max<int64_t>(1, ToInt(a[0])) * 1000;
    return true;
  }
  if (n == "screenshot") {
    // Settled frames first, so what is captured is what a person would see.
    if (!idle() || frames_in_step_ < 4) return false;
    tick->screenshot = a[0];
    return true;
  }
  if (n == "quit") {
    tick->done = true;
    index_ = commands_.size();
    return true;
  }
  tick->error = Status::Internal("unhandled command '" + n + "'");
  return true;
}

}  // namespace fieldsync::gui
