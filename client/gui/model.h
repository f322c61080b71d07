// client/gui/model.h — the GUI's view state and commands, without any UI toolkit.
//
// GuiModel is what the ImGui screens draw and what their buttons call. It is
// also what the tests, the --script runner and the benchmark drive, so every
// behaviour of the app can be exercised without a window.
//
// THREADS
//  - The UI thread owns GuiModel: every public method is called from it.
//  - A Worker thread (client/gui/worker.h) owns the app::DeviceApp and the
//    open app::FormSession and does all disk work. Commands post jobs; their
//    results come back as completions that BeginFrame() applies, so state
//    only changes at the start of a frame and nothing the UI reads is shared.
//  - A second, "slow" Worker with its own Store connection does the long
//    reads (the summary's pass over every report), so they never hold up
//    what the officer is waiting for (a save, a page of the list).
//  - A sync::SyncLoop thread syncs in the background (its own Store handle);
//    BeginFrame() copies its Snapshot().
//  - A platform::GpsReader thread follows gpsd.
//
// INVARIANTS
//  1. Nothing the frame loop calls waits on the disk or the network.
//  2. "Saved" is shown only after the worker's transaction returned ok
//     (EditorView::saved_at_ms is set by the save's completion).
//  3. Results of a superseded request (an older filter, a closed report) are
//     dropped: each view carries a generation that requests echo back.
//  4. The reports list never holds more than kMaxCachedPages pages of rows;
//     the rest stays in SQLite (paged with LIMIT/OFFSET).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/app/device_app.h"
#include "client/app/form_session.h"
#include "client/gui/i18n.h"
#include "client/gui/worker.h"
#include "platform/battery.h"
#include "platform/connectivity.h"
#include "platform/gps.h"
#include "schema/catalogue.h"
#include "schema/form.h"
#include "store/store.h"

namespace fieldsync::sync {
class SyncLoop;
struct SyncLoopSnapshot;
}  // namespace fieldsync::sync

namespace fieldsync::gui {

enum class Screen { kLoading, kFirstRun, kHome, kProjects, kEditor, kReports, kDetail, kSummary, kSettings };
// "home", "projects", ... (for --screen and scripts); ParseScreen is the inverse.
const char* ScreenName(Screen s);
bool ParseScreen(std::string_view name, Screen* out);

enum class Theme { kLight, kDark };

struct Settings {
  Lang lang = Lang::kEn;
  Theme theme = Theme::kLight;
  float text_scale = 1.0f;        // 0.8 .. 1.6, on top of the display's DPI scale
  bool auto_sync = true;
  int battery_pause_percent = 15;  // 0 = never pause
};

// A one-line message for the officer (a toast); cleared after a while.
struct Notice {
  std::string text;
  bool error = false;
  int64_t at_ms = 0;
};

// ---- screens' state ----

struct FirstRunView {
  std::string server_url = "http://";
  std::string code;
  bool busy = false;
  std::string error;
};

struct SyncBadge {
  bool enrolled = false;
  int64_t waiting = 0;         // outbox entries
  int64_t dead_letters = 0;
  int64_t photos_waiting = 0;
  int64_t last_sync_ms = 0;    // 0 = never
  std::string last_error;
  bool syncing = false;
  bool auto_sync = true;
  bool paused_for_battery = false;
  int server_link = 0;         // 0 unknown, 1 reachable, -1 unreachable, -2 refused (enroll again)
  platform::LinkState link;    // the device's own network link
  platform::BatteryState battery;
  uint64_t finished_syncs = 0; // increments when a sync ends (any outcome)
};

struct AttentionItem {
  enum class Kind { kReturned, kConflict, kDraft, kRejected };
  Kind kind = Kind::kDraft;
  std::string report_id;
  std::string project_code;
  std::string form_id;
  std::string period;
  std::string detail;       // HQ's comment, the rejection reason
  int64_t dead_letter_seq = 0;
  int64_t updated_at_ms = 0;
};

struct HomeView {
  bool loaded = false;
  std::map<std::string, int64_t> by_status;  // "draft" → n
  int64_t total = 0;
  std::vector<AttentionItem> attention;      // at most ~30, most urgent first
  std::string officer;
  std::string server_url;
};

struct FormInfo {
  std::shared_ptr<const schema::Form> form;
  std::vector<std::string> key_indicators;  // numeric question names summed by the summary
};

struct ProjectsView {
  bool loaded = false;
  std::vector<schema::Project> all;          // sorted by code
  // Filters (empty / 0 = any).
  std::string sector;
  std::string country;
  int measure = 0;
  std::string search;
  // Derived by ApplyProjectFilter(): indices into `all`.
  std::vector<int> visible;
  // Choices offered by the filter menus (from the projects present).
  std::vector<std::string> sectors, countries;
  std::vector<int> measures;
  std::string selected;  // project code whose form picker is open
};

struct FieldView {
  const schema::Question* question = nullptr;  // into EditorView::form
  std::string text;               // what the session shows for the field
  nlohmann::json value;
  std::vector<std::string> errors;
  bool relevant = true;
  bool calculated = false;
};

struct EditorView {
  bool open = false;
  bool loading = false;
  uint64_t generation = 0;
  std::shared_ptr<const schema::Form> form;
  std::string project_code;
  std::string project_title;
  std::string report_id;                   // empty until first saved
  std::optional<store::ReportStatus> status;
  bool read_only = false;
  bool dirty = false;                      // the worker's session has unsaved changes
  std::vector<FieldView> fields;           // form order
  int finalize_errors = 0;                 // what blocks finalizing (required included)
  std::vector<std::string> top_errors;     // report-level errors
  nlohmann::json review;                   // HQ's review when returned
  // UI-side state.
  std::map<std::string, std::string> buffers;  // field → text being typed
  std::string keypad_field;                // numeric keypad open for this field
  std::string keypad_scrolled_for;         // the field the view last scrolled to for the keypad
  std::string photo_field;                 // photo picker open for this field
  std::string photo_dir;
  std::vector<std::string> photo_files;    // images in photo_dir
  bool saving = false;
  int64_t saved_at_ms = 0;                 // set only by a save's completion (invariant 2)
  int64_t last_edit_ms = 0;
  uint64_t edits_posted = 0;
  uint64_t edits_at_last_save = 0;
  uint64_t autosave_tried_at = 0;          // edits_posted when autosave last ran
  std::string message;
  bool message_error = false;
  bool finalized_now = false;              // the last action was a successful finalize

  const FieldView* Find(const std::string& name) const;
  // Unsaved typing: edits posted since the last successful save.
  bool HasUnsavedEdits() const { return edits_posted != edits_at_last_save; }
};

struct ListRow {
  std::string id;
  std::string project_code;
  std::string form_id;
  std::string period;
  store::ReportStatus status = store::ReportStatus::kDraft;
  int64_t updated_at_ms = 0;
  bool has_conflict = false;
  bool waiting = false;  // finalized and not yet acknowledged by HQ
  std::string summary;   // a short line of values
};

struct ReportsFilter {
  std::optional<store::ReportStatus> status;
  std::string sector;   // mapped to the form(s) of that sector
  std::string period;   // "YYYY-MM"
  std::string search;
  bool operator==(const ReportsFilter&) const = default;
};

struct ReportsView {
  static constexpr int kPageSize = 64;
  static constexpr int kMaxCachedPages = 24;
  ReportsFilter filter;
  std::string search_typed;   // applied to filter.search after a pause in typing
  int64_t search_typed_ms = 0;
  uint64_t generation = 0;    // bumped by every filter change
  int64_t total = -1;         // -1 while counting
  bool count_inflight = false;
  struct Page {
    std::vector<ListRow> rows;
    uint64_t data_version = 0;
    uint64_t last_used = 0;
  };
  std::map<int64_t, Page> pages;
  std::set<int64_t> inflight;
  uint64_t use_clock = 0;
  int64_t pages_loaded = 0;   // for tests and the benchmark
};

struct DetailView {
  bool loading = false;
  uint64_t generation = 0;
  std::string report_id;
  std::optional<app::ReportDetails> details;
  std::shared_ptr<const schema::Form> form;
  std::string project_title;
  std::string error;
};

struct SummaryView {
  bool loading = false;
  bool loaded = false;
  uint64_t data_version = 0;              // the data it was computed from
  std::vector<std::string> months;        // "YYYY-MM", oldest first, 12 of them
  std::vector<std::string> form_ids;      // one series per form (sector)
  // counts[f][m]: reports of form f in month m.
  std::vector<std::vector<int64_t>> counts;
  // indicators[f][k][m]: sum of key indicator k of form f in month m.
  std::vector<std::vector<std::vector<double>>> indicators;
  int64_t total = 0;
};

struct SettingsView {
  std::string data_dir;
  std::string officer, server_url, device_id;
};

struct ModelOptions {
  std::filesystem::path data_dir;
  std::optional<Lang> lang;         // overrides the stored setting (--lang)
  std::optional<Theme> theme;       // overrides the stored setting (--theme)
  bool start_sync = true;           // run the background SyncLoop
  bool start_gps = true;            // follow gpsd
  std::string today;                // "YYYY-MM-DD" for forms' today(); empty = system date
  std::filesystem::path power_supply_root = "/sys/class/power_supply";
  std::filesystem::path net_root = "/sys/class/net";
  // SyncLoop tuning: a sync that cannot reach HQ gives up after a few quick
  // attempts (in-call backoff capped at sync_attempt_backoff_cap_ms) and the
  // loop tries again within sync_retry_cap_ms, so a report waiting for a
  // server that comes back goes out within about that time.
  int64_t sync_retry_base_ms = 5000;
  int64_t sync_retry_cap_ms = 20000;
  int sync_attempts = 4;
  int64_t sync_attempt_backoff_cap_ms = 4000;
};

class GuiModel {
 public:
  explicit GuiModel(ModelOptions options);
  ~GuiModel();
  GuiModel(const GuiModel&) = delete;
  GuiModel& operator=(const GuiModel&) = delete;

  // Opens the data folder on the worker and loads settings and reference
  // data; the screen goes from kLoading to kFirstRun (never enrolled, never
  // skipped) or kHome.
  void Start();
  // Applies worker results and the sync snapshot, polls battery and link
  // (every few seconds), runs timers (search debounce, autosave, refreshes).
  // Returns how many worker results were applied (the frame loop draws a few
  // more frames after a change).
  int BeginFrame(int64_t now_ms);
  // Work queued or running, or results not yet applied.
  bool Busy() const;
  // Tests and scripts: blocks until the worker is idle, then applies results.
  void WaitIdle();
  // Called from other threads when something arrived that a frame should show.
  void SetWake(std::function<void()> wake);
  // A fatal error opening the data folder (empty when fine).
  const std::string& open_error() const { return open_error_; }

  // ---- navigation ----
  Screen screen() const { return screen_; }
  void Go(Screen s);
  void Back();

  // ---- state the screens draw ----
  const Settings& settings() const { return settings_; }
  Lang lang() const { return settings_.lang; }
  const char* T(Str id) const { return Tr(id, settings_.lang); }
  const SyncBadge& badge() const { return badge_; }
  const HomeView& home() const { return home_; }
  FirstRunView& first_run() { return first_run_; }
  ProjectsView& projects() { return projects_; }
  EditorView& editor() { return editor_; }
  ReportsView& reports() { return reports_; }
  const DetailView& detail() const { return detail_; }
  const SummaryView& summary() const { return summary_; }
  const SettingsView& settings_view() const { return settings_view_; }
  const std::vector<FormInfo>& forms() const { return forms_; }
  const FormInfo* FindForm(const std::string& id) const;
  const schema::Project* FindProject(const std::string& code) const;
  const Notice& notice() const { return notice_; }
  platform::GpsSnapshot gps() const;
  int64_t now_ms() const { return now_ms_; }

  // ---- commands: first run ----
  void Enroll();        // uses first_run().server_url and code
  void WorkOffline();

  // ---- commands: sync and home ----
  void SyncNow();
  void ResendDeadLetter(int64_t seq);
  void RefreshHome();

  // ---- commands: projects ----
  void ApplyProjectFilter();

  // ---- commands: report editor ----
  void NewReport(const std::string& project_code, const std::string& form_id);
  void EditReport(const std::string& report_id);
  // Text typed into a field (also what the keypad produces).
  void EditorSetText(const std::string& field, const std::string& text);
  // A typed value (choices, GPS); null clears.
  void EditorSetValue(const std::string& field, const nlohmann::json& value);
  void EditorToggleChoice(const std::string& field, const std::string& choice);
  void EditorAttachPhoto(const std::string& field, const std::filesystem::path& file);
  void EditorOpenPhotoPicker(const std::string& field, const std::filesystem::path& dir = {});
  void EditorUseGps(const std::string& field);
  // Keypad: appends a key ("0".."9", ".", "-") or edits ("back", "clear").
  void EditorKeypad(const std::string& key);
  void EditorSaveDraft();
  void EditorFinalize();
  void EditorClose();

  // ---- commands: reports list ----
  void SetReportsFilter(const ReportsFilter& filter);
  void SetReportsSearchTyped(const std::string& text);
  // The row at `index` (0 = newest) when its page is loaded; otherwise asks
  // for the page and returns null (the UI draws a placeholder).
  const ListRow* ReportRow(int64_t index);
  // Total for the current filter; -1 while counting.
  int64_t ReportsTotal() const { return reports_.total; }

  // ---- commands: report detail ----
  void OpenDetail(const std::string& report_id);
  void MarkConflictSeen();

  // ---- commands: summary ----
  void RefreshSummary();

  // ---- commands: settings ----
  void SetLanguage(Lang lang);
  void SetTheme(Theme theme);
  void SetTextScale(float scale);
  void SetAutoSync(bool on);
  void SetBatteryPause(int percent);

  // Something outside the model changed the reports (another process, a
  // test): refresh what shows them.
  void ReloadData() { DataChanged(); }

  // ---- for tests, scripts and the benchmark ----
  // Bumps when reports on disk change (a save, a sync that brought changes).
  uint64_t data_version() const { return data_version_; }
  // Runs `fn` with the DeviceApp on the worker thread and waits for it.
  // REQUIRES: not from the frame loop (blocks).
  void RunOnWorkerAndWait(const std::function<void(app::DeviceApp&)>& fn);
  // A status line for a report: "Draft", "Finalized · waiting to send", ...
  std::string StatusText(store::ReportStatus s, bool waiting) const;
  // The sector's name in the UI language ("Santé"); the code when unknown.
  std::string SectorName(const std::string& code) const;
  // "just now", "5 min ago", ... relative to now_ms().
  std::string Ago(int64_t at_ms) const;

 private:
  void Post(std::function<Worker::Completion(app::DeviceApp&)> job);
  void PostEditor(std::function<Worker::Completion(app::DeviceApp&, app::FormSession&)> job);
  void Notify(std::string text, bool error = false);
  void OnOpened();
  void LoadSettings(const std::map<std::string, std::string>& stored);
  void SaveSetting(const std::string& key, const std::string& value);
  void PollDevice();
  void ApplySyncSnapshot();
  void DataChanged();
  void LoadProjects();
  void RequestReportsCount();
  void RequestReportsPage(int64_t page);
  store::ReportFilter StoreFilter(const ReportsFilter& f) const;
  void EditorTimers();
  void EditorSave(bool finalize);
  // Builds the editor's field views from the session (on the worker); the
  // completion applies them when `generation` is still the open report.
  // init_buffers: (re)fill every text box; buffer_field: refill that one.
  Worker::Completion EditorSnapshot(app::DeviceApp& app, const app::FormSession& session,
                                    uint64_t generation, Lang lang, bool init_buffers,
                                    const std::string& buffer_field);
  void EditorOpen(std::function<Result<std::unique_ptr<app::FormSession>>(app::DeviceApp&)> open);
  void StartSync();
  // Reopens the DeviceApp with `lang` for its messages (no report may be open).
  void ReopenApp(Lang lang);

  ModelOptions options_;
  Screen screen_ = Screen::kLoading;
  std::vector<Screen> back_stack_;
  Settings settings_;
  SyncBadge badge_;
  FirstRunView first_run_;
  HomeView home_;
  ProjectsView projects_;
  EditorView editor_;
  ReportsView reports_;
  DetailView detail_;
  SummaryView summary_;
  SettingsView settings_view_;
  std::vector<FormInfo> forms_;
  Notice notice_;
  std::string open_error_;
  int64_t now_ms_ = 0;
  int64_t last_device_poll_ms_ = -1000000;
  int64_t last_home_refresh_ms_ = 0;
  bool home_refresh_inflight_ = false;
  bool enrolled_ = false;
  // Counts from the worker's own reading of the store (home refresh): the
  // badge uses them while the sync loop is busy and its counts are stale.
  int64_t store_pending_ = -1;
  int64_t store_dead_ = -1;
  Lang app_lang_ = Lang::kEn;  // the language the DeviceApp's messages are in
  bool offline_chosen_ = false;
  bool was_link_online_ = false;
  uint64_t data_version_ = 1;
  int64_t last_seen_sync_end_ms_ = 0;
  std::function<void()> wake_;

  std::unique_ptr<platform::GpsReader> gps_;
  std::unique_ptr<sync::SyncLoop> sync_;
  // Owned by the worker threads: touched only inside their jobs.
  std::unique_ptr<app::DeviceApp> app_;
  std::unique_ptr<app::FormSession> session_;
  std::unique_ptr<store::Store> slow_store_;
  std::unique_ptr<Worker> slow_worker_;
  // Declared last so it is destroyed first: its thread is joined before the
  // objects its jobs use go away.
  std::unique_ptr<Worker> worker_;
};

// The app's memory policy for small devices: SQLite page caches across every
// connection of the process (the GUI's, the sync loop's) share a soft limit
// of `sqlite_cache_mb`, instead of each keeping its own full cache. Call once
// at start-up, before opening stores.
void ApplyMemoryPolicy(int sqlite_cache_mb = 6);

// A number for an axis or a tile: "950", "12.5k", "1.2M" ("12,5 k" in
// French, Spanish and Portuguese, which write a decimal comma).
std::string ShortNumber(double v, Lang lang = Lang::kEn);

}  // namespace fieldsync::gui
