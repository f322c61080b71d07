// client/gui/model.cpp — GuiModel: start-up, navigation, settings, sync badge,
// home, first run and projects. The editor, the reports list, the detail and
// the summary are in model_editor.cpp and model_reports.cpp.
#include "client/gui/model.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "sync/engine.h"
#include "sync/sync_loop.h"

namespace fieldsync::gui {
namespace {

constexpr int64_t kDevicePollMs = 5000;
constexpr int64_t kHomeRefreshMs = 30000;
constexpr int64_t kNoticeMs = 6000;

const char* const kScreenNames[] = {"loading", "first-run", "home",    "projects", "editor",
                                    "reports", "detail",    "summary", "settings"};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Questions a summary sums for a form: a chosen few for the shipped forms,
// else the first three numeric questions.
std::vector<std::string> KeyIndicators(const schema::Form& form) {
  static const std::map<std::string, std::vector<std::string>> kPreferred = {
      {"health", {"hiv_tested", "malaria_tested", "tb_screened"}},
      {"education", {"learners_enrolled", "learners_completed", "teachers_trained"}},
      {"agriculture", {"farmers_trained", "hectares_planted", "seed_distributed_kg"}},
  };
  std::vector<std::string> out;
  if (auto it = kPreferred.find(form.id); it != kPreferred.end()) {
    for (const auto& name : it->second) {
      if (form.Find(name)) out.push_back(name);
    }
  }
  if (!out.empty()) return out;
  for (const auto& q : form.questions) {
    if (q.type == schema::QuestionType::kInteger || q.type == schema::QuestionType::kDecimal) {
      out.push_back(q.name);
      if (out.size() == 3) break;
    }
  }
  return out;
}

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) == 0 && buf[0]) return buf;
  return "device";
}

}  // namespace

void ApplyMemoryPolicy(int sqlite_cache_mb) {
  sqlite3_soft_heap_limit64(static_cast<sqlite3_int64>(sqlite_cache_mb) << 20);
}

const char* ScreenName(Screen s) { return kScreenNames[static_cast<int>(s)]; }

bool ParseScreen(std::string_view name, Screen* out) {
  for (int i = 0; i < static_cast<int>(std::size(kScreenNames)); ++i) {
    if (name == kScreenNames[i]) {
      *out = static_cast<Screen>(i);
      return true;
    }
  }
  if (name == "first_run" || name == "firstrun") {
    *out = Screen::kFirstRun;
    return true;
  }
  return false;
}

const FieldView* EditorView::Find(const std::string& name) const {
  for (const auto& f : fields) {
    if (f.question && f.question->name == name) return &f;
  }
  return nullptr;
}

GuiModel::GuiModel(ModelOptions options)
    : options_(std::move(options)), slow_worker_(std::make_unique<Worker>()), worker_(std::make_unique<Worker>()) {
  if (options_.lang) settings_.lang = *options_.lang;
  if (options_.theme) settings_.theme = *options_.theme;
  settings_view_.data_dir = options_.data_dir.string();
}

GuiModel::~GuiModel() {
  // The workers are joined first; then the threads they do not own.
  worker_.reset();
  slow_worker_.reset();
  if (sync_) sync_->Stop();
  if (gps_) gps_->Stop();
}

void GuiModel::SetWake(std::function<void()> wake) {
  wake_ = wake;
  slow_worker_->SetWake(wake);
  worker_->SetWake(std::move(wake));
}

void GuiModel::Post(std::function<Worker::Completion(app::DeviceApp&)> job) {
  worker_->Post([this, job = std::move(job)]() -> Worker::Completion {
    if (!app_) return {};
    return job(*app_);
  });
}

void GuiModel::PostEditor(std::function<Worker::Completion(app::DeviceApp&, app::FormSession&)> job) {
  worker_->Post([this, job = std::move(job)]() -> Worker::Completion {
    if (!app_ || !session_) return {};
    return job(*app_, *session_);
  });
}

bool GuiModel::Busy() const { return !worker_->Idle() || !slow_worker_->Idle(); }

void GuiModel::WaitIdle() {
  // Completions can post more jobs (a save refreshes the list): loop until quiet.
  for (int i = 0; i < 100; ++i) {
    worker_->WaitForJobs();
    slow_worker_->WaitForJobs();
    const int applied = worker_->Drain() + slow_worker_->Drain();
    if (applied == 0 && worker_->Idle() && slow_worker_->Idle()) return;
  }
}

void GuiModel::RunOnWorkerAndWait(const std::function<void(app::DeviceApp&)>& fn) {
  Post([fn](app::DeviceApp& app) -> Worker::Completion {
    fn(app);
    return {};
  });
  worker_->WaitForJobs();
}

void GuiModel::Notify(std::string text, bool error) {
  notice_ = Notice{std::move(text), error, now_ms_};
}

// ---- start-up ----

void GuiModel::Start() {
  screen_ = Screen::kLoading;
  struct Loaded {
    std::map<std::string, std::string> settings;
    store::DeviceState device;
    std::vector<FormInfo> forms;
    std::string error;
  };
  auto dir = options_.data_dir;
  app::AppOptions app_options;
  app_options.lang = LangCode(settings_.lang);
  app_options.today = options_.today;
  worker_->Post([this, dir, app_options]() -> Worker::Completion {
    auto loaded = std::make_shared<Loaded>();
    auto opened = app::DeviceApp::Open(dir, app_options);
    if (!opened.ok()) {
      loaded->error = opened.status().message();
    } else {
      app_ = std::move(opened).value();
      for (const char* key : {"gui.lang", "gui.theme", "gui.text_scale", "gui.auto_sync",
                              "gui.battery_pause", "gui.offline"}) {
        auto v = app_->store().GetSetting(key, "");
        if (v.ok() && !v->empty()) loaded->settings[key] = *v;
      }
      // The stored language decides the app's messages too.
      Lang lang;
      if (auto it = loaded->settings.find("gui.lang");
          it != loaded->settings.end() && ParseLang(it->second, &lang) &&
          it->second != app_options.lang && !options_.lang) {
        app::AppOptions again = app_options;
        again.lang = it->second;
        app_.reset();
        auto reopened = app::DeviceApp::Open(dir, again);
        if (reopened.ok()) app_ = std::move(reopened).value();
        else loaded->error = reopened.status().message();
      }
    }
    if (app_) {
      if (auto st = app_->store().GetDeviceState(); st.ok()) loaded->device = *st;
      if (auto forms = app_->Forms(); forms.ok()) {
        for (auto& f : *forms) loaded->forms.push_back(FormInfo{f, KeyIndicators(*f)});
      }
    }
    return [this, loaded] {
      if (!loaded->error.empty()) {
        open_error_ = loaded->error;
        Notify(loaded->error, true);
        return;
      }
      LoadSettings(loaded->settings);
      app_lang_ = settings_.lang;
      forms_ = loaded->forms;
      enrolled_ = !loaded->device.token.empty();
      settings_view_.officer = loaded->device.officer;
      settings_view_.server_url = loaded->device.server_url;
      settings_view_.device_id = loaded->device.device_id;
      badge_.enrolled = enrolled_;
      offline_chosen_ = loaded->settings.count("gui.offline") > 0;
      OnOpened();
    };
  });
}

void GuiModel::LoadSettings(const std::map<std::string, std::string>& stored) {
  auto get = [&](const char* key) -> const std::string* {
    auto it = stored.find(key);
    return it == stored.end() ? nullptr : &it->second;
  };
  Lang lang;
  if (auto v = get("gui.lang"); v && !options_.lang && ParseLang(*v, &lang)) settings_.lang = lang;
  if (auto v = get("gui.theme"); v && !options_.theme) {
    settings_.theme = *v == "dark" ? Theme::kDark : Theme::kLight;
  }
  if (auto v = get("gui.text_scale")) {
    float s = std::strtof(v->c_str(), nullptr);
    if (s >= 0.8f && s <= 1.6f) settings_.text_scale = s;
  }
  if (auto v = get("gui.auto_sync")) settings_.auto_sync = *v != "0";
  if (auto v = get("gui.battery_pause")) {
    int p = std::atoi(v->c_str());
    if (p >= 0 && p <= 50) settings_.battery_pause_percent = p;
  }
}

void GuiModel::SaveSetting(const std::string& key, const std::string& value) {
  Post([key, value](app::DeviceApp& app) -> Worker::Completion {
    Status s = app.store().SetSetting(key, value);
    if (s.ok()) return {};
    return [] {};  // a setting that did not stick is retried the next time it changes
  });
}

void GuiModel::OnOpened() {
  screen_ = (enrolled_ || offline_chosen_) ? Screen::kHome : Screen::kFirstRun;
  if (options_.start_gps && !gps_) {
    gps_ = std::make_unique<platform::GpsReader>();
    gps_->Start();
  }
  StartSync();
  LoadProjects();
  RefreshHome();
  PollDevice();
}

void GuiModel::StartSync() {
  if (!options_.start_sync || sync_) return;
  sync::SyncLoopOptions o;
  o.data_dir = options_.data_dir;
  o.auto_sync = settings_.auto_sync;
  o.retry_base = std::chrono::milliseconds(options_.sync_retry_base_ms);
  o.retry_cap = std::chrono::milliseconds(options_.sync_retry_cap_ms);
  o.poll_interval = std::chrono::milliseconds(1000);
  o.sync.max_attempts = options_.sync_attempts;
  o.sync.backoff_base = std::chrono::milliseconds(1000);
  o.sync.backoff_cap = std::chrono::milliseconds(options_.sync_attempt_backoff_cap_ms);
  sync_ = std::make_unique<sync::SyncLoop>(std::move(o));
  Status s = sync_->Start();
  if (!s.ok()) Notify(s.message(), true);
}

// ---- frames ----

int GuiModel::BeginFrame(int64_t now_ms) {
  now_ms_ = now_ms;
  const int applied = worker_->Drain() + slow_worker_->Drain();
  ApplySyncSnapshot();
  if (now_ms_ - last_device_poll_ms_ >= kDevicePollMs) PollDevice();
  if (screen_ == Screen::kHome && !home_refresh_inflight_ &&
      now_ms_ - last_home_refresh_ms_ >= kHomeRefreshMs) {
    RefreshHome();
  }
  // The reports search applies after a short pause in typing.
  if (reports_.search_typed != reports_.filter.search && now_ms_ - reports_.search_typed_ms >= 350) {
    ReportsFilter f = reports_.filter;
    f.search = reports_.search_typed;
    SetReportsFilter(f);
  }
  if (screen_ == Screen::kSummary && !summary_.loading && summary_.data_version != data_version_) {
    RefreshSummary();
  }
  EditorTimers();
  if (!notice_.text.empty() && now_ms_ - notice_.at_ms > kNoticeMs) notice_ = Notice{};
  return applied;
}

void GuiModel::PollDevice() {
  last_device_poll_ms_ = now_ms_;
  badge_.battery = platform::ReadBattery(options_.power_supply_root);
  badge_.link = platform::ReadLinkState(options_.net_root);
  bool pause = platform::ShouldPauseForBattery(badge_.battery, settings_.battery_pause_percent);
  badge_.paused_for_battery = pause;
  if (sync_) {
    sync_->SetPaused(pause);
    // A link that just came up is the moment to send what waits.
    if (badge_.link.online && !was_link_online_ && settings_.auto_sync && enrolled_) {
      sync_->RequestSyncNow();
    }
  }
  was_link_online_ = badge_.link.online;
}

void GuiModel::ApplySyncSnapshot() {
  if (!sync_) return;
  sync::SyncLoopSnapshot s = sync_->Snapshot();
  const bool was_running = badge_.syncing;
  const int64_t old_pending = badge_.waiting;
  const int64_t old_dead = badge_.dead_letters;
  const int64_t old_success = badge_.last_sync_ms;
  badge_.enrolled = s.enrolled || enrolled_;
  // While a sync runs the loop does not re-read its counts; the worker's own
  // reading (after every save) is fresher then.
  const bool stale = s.running && store_pending_ >= 0;
  badge_.waiting = stale ? store_pending_ : s.pending;
  badge_.dead_letters = stale ? store_dead_ : s.dead_letters;
  badge_.photos_waiting = s.photos_pending;
  badge_.last_sync_ms = s.last_success_ms;
  badge_.last_error = s.last_error_ms > s.last_success_ms ? s.last_error : std::string();
  badge_.syncing = s.running;
  badge_.auto_sync = s.auto_sync;
  switch (s.link) {
    case sync::LinkState::kUnknown: badge_.server_link = 0; break;
    case sync::LinkState::kUp: badge_.server_link = 1; break;
    case sync::LinkState::kDown: badge_.server_link = -1; break;
    case sync::LinkState::kUnauthorized: badge_.server_link = -2; break;
  }
  if (s.enrolled && !enrolled_) enrolled_ = true;
  const int64_t sync_end = std::max(s.last_success_ms, s.last_error_ms);
  bool finished = (was_running && !s.running) || sync_end != last_seen_sync_end_ms_;
  last_seen_sync_end_ms_ = sync_end;
  if (finished && sync_end != 0) {
    ++badge_.finished_syncs;
    bool brought_changes = s.last_report && (s.last_report->pulled > 0 || s.last_report->pushed > 0);
    if (brought_changes || old_success != s.last_success_ms) DataChanged();
  }
  if ((old_pending != badge_.waiting || old_dead != badge_.dead_letters) && !home_refresh_inflight_ &&
      screen_ == Screen::kHome) {
    RefreshHome();
  }
}

void GuiModel::DataChanged() {
  ++data_version_;
  RequestReportsCount();
  if (screen_ == Screen::kHome || home_.loaded) RefreshHome();
  if (screen_ == Screen::kDetail && !detail_.report_id.empty()) OpenDetail(detail_.report_id);
}

platform::GpsSnapshot GuiModel::gps() const {
  return gps_ ? gps_->Latest() : platform::GpsSnapshot{};
}

// ---- navigation ----

void GuiModel::Go(Screen s) {
  if (s == screen_) return;
  if (screen_ == Screen::kEditor && s != Screen::kEditor) EditorClose();
  if (screen_ != Screen::kLoading && screen_ != Screen::kFirstRun) back_stack_.push_back(screen_);
  if (back_stack_.size() > 16) back_stack_.erase(back_stack_.begin());
  screen_ = s;
  switch (s) {
    case Screen::kHome: RefreshHome(); break;
    case Screen::kReports:
      if (reports_.total < 0 && !reports_.count_inflight) RequestReportsCount();
      break;
    case Screen::kSummary:
      if (summary_.data_version != data_version_ && !summary_.loading) RefreshSummary();
      break;
    case Screen::kProjects:
      if (!projects_.loaded) LoadProjects();
      break;
    default: break;
  }
}

void GuiModel::Back() {
  if (screen_ == Screen::kEditor) EditorClose();
  Screen to = Screen::kHome;
  while (!back_stack_.empty()) {
    to = back_stack_.back();
    back_stack_.pop_back();
    if (to != screen_ && to != Screen::kEditor) break;
    to = Screen::kHome;
  }
  Screen from = screen_;
  screen_ = to;
  if (to == Screen::kHome && from != Screen::kHome) RefreshHome();
}

// ---- first run ----

void GuiModel::Enroll() {
  if (first_run_.busy) return;
  auto url = sync::NormalizeServerUrl(first_run_.server_url);
  if (!url.ok()) {
    first_run_.error = url.status().message();
    return;
  }
  if (first_run_.code.empty()) {
    first_run_.error = T(Str::kEnrollCode);
    return;
  }
  first_run_.busy = true;
  first_run_.error.clear();
  std::string server = *url, code = first_run_.code;
  Post([this, server, code](app::DeviceApp& app) -> Worker::Completion {
    auto r = sync::Enroll(app.store(), server, code, HostName());
    return [this, r, server] {
      first_run_.busy = false;
      if (!r.ok()) {
        first_run_.error = r.status().message();
        return;
      }
      enrolled_ = true;
      badge_.enrolled = true;
      settings_view_.officer = r->officer;
      settings_view_.server_url = server;
      settings_view_.device_id = r->device_id;
      first_run_.code.clear();
      Notify(Format(T(Str::kEnrolledAs), {r->officer}));
      screen_ = Screen::kHome;
      back_stack_.clear();
      if (sync_) sync_->RequestSyncNow();
      RefreshHome();
    };
  });
}

void GuiModel::WorkOffline() {
  offline_chosen_ = true;
  SaveSetting("gui.offline", "1");
  screen_ = Screen::kHome;
  back_stack_.clear();
  RefreshHome();
}

// ---- sync and home ----

void GuiModel::SyncNow() {
  if (!enrolled_) {
    screen_ = Screen::kFirstRun;
    return;
  }
  if (sync_) sync_->RequestSyncNow();
  badge_.syncing = true;  // shown at once; the next snapshot confirms
}

void GuiModel::ResendDeadLetter(int64_t seq) {
  Post([this, seq](app::DeviceApp& app) -> Worker::Completion {
    Status s = app.store().Resend(seq);
    return [this, s] {
      if (!s.ok()) Notify(s.message(), true);
      DataChanged();
      if (s.ok() && sync_ && settings_.auto_sync) sync_->RequestSyncNow();
    };
  });
}

void GuiModel::RefreshHome() {
  home_refresh_inflight_ = true;
  last_home_refresh_ms_ = now_ms_;
  Post([this](app::DeviceApp& app) -> Worker::Completion {
    auto view = std::make_shared<HomeView>();
    auto status = app.GetStatus();
    int64_t pending = 0, dead = 0, photos = 0, last_sync = 0;
    std::string last_error;
    if (status.ok()) {
      view->by_status = status->reports_by_status;
      view->total = status->reports_total;
      view->officer = status->device.officer;
      view->server_url = status->device.server_url;
      pending = status->pending_changes;
      dead = static_cast<int64_t>(status->dead_letters.size());
      photos = status->pending_attachments;
      last_sync = status->device.last_sync_ok_ms;
      if (status->device.last_error_ms > last_sync) last_error = status->device.last_error;
      for (const auto& d : status->dead_letters) {
        AttentionItem item;
        item.kind = AttentionItem::Kind::kRejected;
        item.report_id = d.report_id;
        item.detail = d.reason;
        item.dead_letter_seq = d.seq;
        item.updated_at_ms = d.at_ms;
        if (auto r = app.store().GetReport(d.report_id); r.ok()) {
          item.project_code = r->project_code;
          item.form_id = r->form_id;
          item.period = r->period;
        }
        view->attention.push_back(std::move(item));
        if (view->attention.size() >= 10) break;
      }
    }
    auto add = [&](const store::Report& r, AttentionItem::Kind kind) {
      AttentionItem item;
      item.kind = kind;
      item.report_id = r.id;
      item.project_code = r.project_code;
      item.form_id = r.form_id;
      item.period = r.period;
      item.updated_at_ms = r.updated_at_ms;
      if (kind == AttentionItem::Kind::kReturned && r.review.is_object()) {
        item.detail = r.review.value("comment", "");
      }
      view->attention.push_back(std::move(item));
    };
    store::ReportFilter f;
    f.status = store::ReportStatus::kReturned;
    f.limit = 10;
    if (auto rows = app.ListReports(f); rows.ok()) {
      for (const auto& r : *rows) add(r, AttentionItem::Kind::kReturned);
    }
    // Conflicts surface among recently changed reports (a sync touches them).
    store::ReportFilter recent;
    recent.limit = 200;
    std::set<std::string> seen;
    for (const auto& a : view->attention) seen.insert(a.report_id);
    if (auto rows = app.ListReports(recent); rows.ok()) {
      for (const auto& r : *rows) {
        if (r.has_conflict && !seen.count(r.id)) {
          add(r, AttentionItem::Kind::kConflict);
          seen.insert(r.id);
        }
      }
    }
    store::ReportFilter drafts;
    drafts.status = store::ReportStatus::kDraft;
    drafts.limit = 8;
    if (auto rows = app.ListReports(drafts); rows.ok()) {
      for (const auto& r : *rows) {
        if (!seen.count(r.id)) add(r, AttentionItem::Kind::kDraft);
      }
    }
    view->loaded = true;
    return [this, view, pending, dead, photos, last_sync, last_error] {
      home_refresh_inflight_ = false;
      home_ = std::move(*view);
      store_pending_ = pending;
      store_dead_ = dead;
      if (!sync_ || badge_.syncing) {
        badge_.waiting = pending;
        badge_.dead_letters = dead;
      }
      if (!sync_) {  // without the sync loop the store's counts are the badge
        badge_.waiting = pending;
        badge_.dead_letters = dead;
        badge_.photos_waiting = photos;
        badge_.last_sync_ms = last_sync;
        badge_.last_error = last_error;
        badge_.enrolled = enrolled_;
      }
    };
  });
}

// ---- projects ----

void GuiModel::LoadProjects() {
  Post([this](app::DeviceApp& app) -> Worker::Completion {
    auto projects = app.Projects();
    auto list = std::make_shared<std::vector<schema::Project>>();
    if (projects.ok()) *list = std::move(projects).value();
    // Reference data may have changed with a sync: forms too.
    auto forms = std::make_shared<std::vector<FormInfo>>();
    if (auto fs = app.Forms(); fs.ok()) {
      for (auto& f : *fs) forms->push_back(FormInfo{f, KeyIndicators(*f)});
    }
    return [this, list, forms] {
      projects_.all = std::move(*list);
      if (!forms->empty()) forms_ = std::move(*forms);
      std::set<std::string> sectors, countries;
      std::set<int> measures;
      for (const auto& p : projects_.all) {
        sectors.insert(p.sector);
        for (const auto& c : p.beneficiaries) countries.insert(c);
        for (const auto& c : p.providers) countries.insert(c);
        for (int m : p.measures) measures.insert(m);
      }
      projects_.sectors.assign(sectors.begin(), sectors.end());
      projects_.countries.assign(countries.begin(), countries.end());
      projects_.measures.assign(measures.begin(), measures.end());
      projects_.loaded = true;
      ApplyProjectFilter();
    };
  });
}

void GuiModel::ApplyProjectFilter() {
  auto& p = projects_;
  p.visible.clear();
  const std::string needle = Lower(p.search);
  for (int i = 0; i < static_cast<int>(p.all.size()); ++i) {
    const auto& pr = p.all[static_cast<size_t>(i)];
    if (!p.sector.empty() && pr.sector != p.sector) continue;
    if (!p.country.empty() &&
        std::find(pr.beneficiaries.begin(), pr.beneficiaries.end(), p.country) == pr.beneficiaries.end() &&
        std::find(pr.providers.begin(), pr.providers.end(), p.country) == pr.providers.end()) {
      continue;
    }
    if (p.measure != 0 && std::find(pr.measures.begin(), pr.measures.end(), p.measure) == pr.measures.end()) {
      continue;
    }
    if (!needle.empty()) {
      std::string hay = Lower(pr.code + " " + pr.title + " " + pr.agency + " " + pr.funding_partner);
      for (const auto& c : pr.beneficiaries) hay += " " + Lower(c);
      if (hay.find(needle) == std::string::npos) continue;
    }
    p.visible.push_back(i);
  }
}

const FormInfo* GuiModel::FindForm(const std::string& id) const {
  for (const auto& f : forms_) {
    if (f.form && f.form->id == id) return &f;
  }
  return nullptr;
}

const schema::Project* GuiModel::FindProject(const std::string& code) const {
  for (const auto& p : projects_.all) {
    if (p.code == code) return &p;
  }
  return nullptr;
}

// ---- settings ----

void GuiModel::SetLanguage(Lang lang) {
  if (lang == settings_.lang) return;
  settings_.lang = lang;
  SaveSetting("gui.lang", LangCode(lang));
  // The app's own messages (validation) follow: reopen it with the new
  // language now, or when the report open in the editor is closed.
  if (!editor_.open) ReopenApp(lang);
  // Rows carry labels in the language: reload them.
  ++reports_.generation;
  reports_.pages.clear();
  reports_.inflight.clear();
}

void GuiModel::ReopenApp(Lang lang) {
  app_lang_ = lang;
  app::AppOptions o;
  o.lang = LangCode(lang);
  o.today = options_.today;
  auto dir = options_.data_dir;
  worker_->Post([this, dir, o]() -> Worker::Completion {
    if (session_ || !app_) return {};
    auto reopened = app::DeviceApp::Open(dir, o);
    if (reopened.ok()) app_ = std::move(reopened).value();
    return {};
  });
}

void GuiModel::SetTheme(Theme theme) {
  settings_.theme = theme;
  SaveSetting("gui.theme", theme == Theme::kDark ? "dark" : "light");
}

void GuiModel::SetTextScale(float scale) {
  scale = std::clamp(scale, 0.8f, 1.6f);
  settings_.text_scale = scale;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.2f", scale);
  SaveSetting("gui.text_scale", buf);
}

void GuiModel::SetAutoSync(bool on) {
  settings_.auto_sync = on;
  SaveSetting("gui.auto_sync", on ? "1" : "0");
  if (sync_) sync_->SetAutoSync(on);
}

void GuiModel::SetBatteryPause(int percent) {
  settings_.battery_pause_percent = std::clamp(percent, 0, 50);
  SaveSetting("gui.battery_pause", std::to_string(settings_.battery_pause_percent));
  PollDevice();
}

// ---- text helpers ----

std::string GuiModel::StatusText(store::ReportStatus s, bool waiting) const {
  Str id = Str::kStatusDraft;
  switch (s) {
    case store::ReportStatus::kDraft: id = Str::kStatusDraft; break;
    case store::ReportStatus::kFinalized: id = Str::kStatusFinalized; break;
    case store::ReportStatus::kReceived: id = Str::kStatusReceived; break;
    case store::ReportStatus::kApproved: id = Str::kStatusApproved; break;
    case store::ReportStatus::kReturned: id = Str::kStatusReturned; break;
  }
  std::string out = T(id);
  if (waiting) out += std::string(" · ") + T(Str::kWaitingTag);
  return out;
}

std::string GuiModel::SectorName(const std::string& code) const {
  static const std::pair<const char*, Str> kSectors[] = {
      {"health", Str::kSectorHealth},           {"education", Str::kSectorEducation},
      {"agriculture", Str::kSectorAgriculture}, {"water", Str::kSectorWater},
      {"ict", Str::kSectorIct},                 {"trade", Str::kSectorTrade},
      {"finance", Str::kSectorFinance},         {"environment", Str::kSectorEnvironment},
      {"energy", Str::kSectorEnergy},           {"governance", Str::kSectorGovernance},
  };
  for (const auto& [c, s] : kSectors) {
    if (code == c) return T(s);
  }
  return code;
}

std::string GuiModel::Ago(int64_t at_ms) const {
  if (at_ms <= 0) return T(Str::kNever);
  int64_t d = (now_ms_ - at_ms) / 1000;
  if (d < 60) return T(Str::kJustNow);
  if (d < 3600) return Format(T(Str::kMinutesAgo), {std::to_string(d / 60)});
  if (d < 86400) return Format(T(Str::kHoursAgo), {std::to_string(d / 3600)});
  return Format(T(Str::kDaysAgo), {std::to_string(d / 86400)});
}

}  // namespace fieldsync::gui
