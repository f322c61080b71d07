// client/gui/model_reports.cpp — GuiModel's reports list (paged from the
// store), report detail and summary.
//
// The list shows any number of reports with a bounded memory: the UI asks
// for rows by index (ImGuiListClipper gives the visible range); rows come in
// pages of ReportsView::kPageSize fetched on the worker with LIMIT/OFFSET and
// kept in a small LRU cache. A filter change bumps the generation and drops
// the cache; a data change marks pages stale, and they are refetched while
// the old rows stay on screen.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <malloc.h>

#include "client/gui/model.h"

namespace fieldsync::gui {
namespace {

// "YYYY-MM" of the month `back` months before the one holding `now_ms` (UTC).
std::string MonthKey(int64_t now_ms, int back) {
  std::time_t t = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int y = tm.tm_year + 1900, m = tm.tm_mon + 1 - back;
  while (m <= 0) {
    m += 12;
    --y;
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d", y, m);
  return buf;
}

std::string FormatNumber(double v) {
  char buf[32];
  if (std::fabs(v - std::round(v)) < 1e-9) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f", v);
  }
  return buf;
}

}  // namespace

// ---- reports list ----

store::ReportFilter GuiModel::StoreFilter(const ReportsFilter& f) const {
  store::ReportFilter out;
  out.status = f.status;
  out.period = f.period;
  out.search = f.search;
  if (!f.sector.empty()) {
    out.form_id = "\x01none";  // no form of that sector: nothing matches
    for (const auto& info : forms_) {
      if (info.form && info.form->sector == f.sector) {
        out.form_id = info.form->id;
        break;
      }
    }
  }
  return out;
}

void GuiModel::SetReportsFilter(const ReportsFilter& filter) {
  reports_.filter = filter;
  reports_.search_typed = filter.search;
  ++reports_.generation;
  reports_.pages.clear();
  reports_.inflight.clear();
  reports_.total = -1;
  reports_.count_inflight = false;
  RequestReportsCount();
}

void GuiModel::SetReportsSearchTyped(const std::string& text) {
  reports_.search_typed = text;
  reports_.search_typed_ms = now_ms_;
}

void GuiModel::RequestReportsCount() {
  reports_.count_inflight = true;
  const uint64_t generation = reports_.generation;
  store::ReportFilter f = StoreFilter(reports_.filter);
  Post([this, f, generation](app::DeviceApp& app) -> Worker::Completion {
    auto n = app.store().CountReports(f);
    int64_t total = n.ok() ? *n : 0;
    return [this, total, generation] {
      if (generation != reports_.generation) return;
      reports_.count_inflight = false;
      reports_.total = total;
    };
  });
}

void GuiModel::RequestReportsPage(int64_t page) {
  if (reports_.inflight.count(page)) return;
  reports_.inflight.insert(page);
  const uint64_t generation = reports_.generation;
  const uint64_t version = data_version_;
  store::ReportFilter f = StoreFilter(reports_.filter);
  f.limit = ReportsView::kPageSize;
  f.offset = static_cast<int>(page * ReportsView::kPageSize);
  // Summaries name each form's first key indicator in the UI language.
  std::map<std::string, std::pair<const schema::Question*, std::shared_ptr<const schema::Form>>> key;
  for (const auto& info : forms_) {
    if (info.form && !info.key_indicators.empty()) {
      key[info.form->id] = {info.form->Find(info.key_indicators.front()), info.form};
    }
  }
  const std::string lang = LangCode(settings_.lang);
  const Lang ui_lang = settings_.lang;
  Post([this, f, page, generation, version, key, lang, ui_lang](app::DeviceApp& app) -> Worker::Completion {
    auto rows = std::make_shared<std::vector<ListRow>>();
    auto list = app.ListReports(f);
    if (list.ok()) {
      rows->reserve(list->size());
      for (const auto& r : *list) {
        ListRow row;
        row.id = r.id;
        row.project_code = r.project_code;
        row.form_id = r.form_id;
        row.period = r.period;
        row.status = r.status;
        row.updated_at_ms = r.updated_at_ms;
        row.has_conflict = r.has_conflict;
        row.waiting = r.status == store::ReportStatus::kFinalized && r.server_version == 0;
        if (auto it = key.find(r.form_id); it != key.end() && it->second.first) {
          const schema::Question* q = it->second.first;
          if (auto v = r.values.find(q->name); v != r.values.end() && !v->is_null()) {
            row.summary = Format(Tr(Str::kLabelValue, ui_lang), {q->label.Get(lang), schema::FormatValue(*q, *v, lang)});
          }
        }
        rows->push_back(std::move(row));
      }
    }
    return [this, rows, page, generation, version] {
      if (generation != reports_.generation) return;
      reports_.inflight.erase(page);
      auto& p = reports_.pages[page];
      p.rows = std::move(*rows);
      p.data_version = version;
      p.last_used = ++reports_.use_clock;
      ++reports_.pages_loaded;
      while (static_cast<int>(reports_.pages.size()) > ReportsView::kMaxCachedPages) {
        auto oldest = std::min_element(reports_.pages.begin(), reports_.pages.end(),
                                       [](const auto& a, const auto& b) {
                                         return a.second.last_used < b.second.last_used;
                                       });
        reports_.pages.erase(oldest);
      }
    };
  });
}

const ListRow* GuiModel::ReportRow(int64_t index) {
  if (index < 0) return nullptr;
  const int64_t page = index / ReportsView::kPageSize;
  auto it = reports_.pages.find(page);
  if (it == reports_.pages.end()) {
    RequestReportsPage(page);
    return nullptr;
  }
  it->second.last_used = ++reports_.use_clock;
  if (it->second.data_version != data_version_) RequestReportsPage(page);  // stale: refresh, keep showing
  const size_t i = static_cast<size_t>(index % ReportsView::kPageSize);
  return i < it->second.rows.size() ? &it->second.rows[i] : nullptr;
}

// ---- report detail ----

void GuiModel::OpenDetail(const std::string& report_id) {
  const bool same = detail_.report_id == report_id && screen_ == Screen::kDetail;
  if (!same) {
    detail_ = DetailView{};
    detail_.report_id = report_id;
  }
  detail_.loading = true;
  const uint64_t generation = ++detail_.generation;
  if (screen_ != Screen::kDetail) Go(Screen::kDetail);
  Post([this, report_id, generation](app::DeviceApp& app) -> Worker::Completion {
    auto d = app.ShowReport(report_id);
    std::shared_ptr<const schema::Form> form;
    std::string title;
    if (d.ok()) {
      if (auto f = app.FindForm(d->report.form_id, d->report.form_version); f.ok()) form = *f;
      if (auto p = app.FindProject(d->report.project_code); p.ok()) title = p->title;
    }
    auto details = std::make_shared<Result<app::ReportDetails>>(std::move(d));
    return [this, details, form, title, generation] {
      if (generation != detail_.generation) return;
      detail_.loading = false;
      if (!details->ok()) {
        detail_.error = details->status().message();
        return;
      }
      detail_.details = std::move(*details).value();
      detail_.form = form;
      detail_.project_title = title;
      detail_.error.clear();
    };
  });
}

void GuiModel::MarkConflictSeen() {
  if (detail_.report_id.empty()) return;
  const std::string id = detail_.report_id;
  Post([this, id](app::DeviceApp& app) -> Worker::Completion {
    Status s = app.store().MarkConflictSeen(id);
    return [this, s] {
      if (!s.ok()) Notify(s.message(), true);
      DataChanged();
    };
  });
}

// ---- summary ----

void GuiModel::RefreshSummary() {
  summary_.loading = true;
  const uint64_t version = data_version_;
  std::vector<std::string> months;
  for (int back = 11; back >= 0; --back) months.push_back(MonthKey(now_ms_, back));
  std::vector<FormInfo> forms = forms_;
  const std::filesystem::path dir = options_.data_dir;
  // One pass over every report, a page at a time, on the slow worker with
  // its own connection: the officer's saves and list pages do not wait.
  slow_worker_->Post([this, months, forms, version, dir]() -> Worker::Completion {
    auto out = std::make_shared<SummaryView>();
    out->months = months;
    if (!slow_store_) {
      auto opened = store::Store::Open(dir);
      if (opened.ok()) slow_store_ = std::move(opened).value();
    }
    std::map<std::string, size_t> month_index, form_index;
    std::vector<std::vector<std::string>> keys_by_form;
    for (size_t m = 0; m < months.size(); ++m) month_index[months[m]] = m;
    for (const auto& info : forms) {
      if (!info.form) continue;
      form_index[info.form->id] = out->form_ids.size();
      keys_by_form.push_back(info.key_indicators);
      out->form_ids.push_back(info.form->id);
      out->counts.emplace_back(months.size(), 0);
      out->indicators.emplace_back(info.key_indicators.size(), std::vector<double>(months.size(), 0.0));
    }
    store::ReportFilter f;
    f.limit = 250;
    for (f.offset = 0; slow_store_; f.offset += f.limit) {
      auto rows = slow_store_->ListReports(f);
      if (!rows.ok() || rows->empty()) break;
      for (const auto& r : *rows) {
        auto m = month_index.find(r.period);
        auto fi = form_index.find(r.form_id);
        if (m == month_index.end() || fi == form_index.end()) continue;
        out->counts[fi->second][m->second] += 1;
        const auto& keys = keys_by_form[fi->second];
        for (size_t k = 0; k < keys.size(); ++k) {
          auto v = r.values.find(keys[k]);
          if (v != r.values.end() && v->is_number()) out->indicators[fi->second][k][m->second] += v->get<double>();
        }
      }
      if (static_cast<int>(rows->size()) < f.limit) break;
    }
    for (const auto& series : out->counts) {
      for (auto c : series) out->total += c;
    }
    out->loaded = true;
    out->data_version = version;
    // The pass parsed every report: give the freed memory back to the system
    // rather than keep it in this thread's malloc arena.
    malloc_trim(0);
    return [this, out] {
      summary_ = std::move(*out);
      summary_.loading = false;
    };
  });
}

// Used by the summary screen for axis labels ("1.2k").
std::string ShortNumber(double v, Lang lang) {
  std::string out, unit;
  if (std::fabs(v) >= 1e6) {
    out = FormatNumber(std::round(v / 1e5) / 10);
    unit = "M";
  } else if (std::fabs(v) >= 1e4) {
    out = FormatNumber(std::round(v / 1e2) / 10);
    unit = "k";
  } else {
    out = FormatNumber(v);
  }
  if (lang == Lang::kEn) return out + unit;
  for (auto& c : out) {
    if (c == '.') c = ',';
  }
  return unit.empty() ? out : out + "\u00a0" + unit;
}

}  // namespace fieldsync::gui
