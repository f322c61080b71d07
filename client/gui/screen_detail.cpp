// client/gui/screen_detail.cpp — one report: its values, HQ's review and
// comments, conflicts explained (which value was kept, which lost, and that
// the lost one is in the history), and the history of every change.
#include <ctime>
#include <string>

#include "client/gui/ui.h"

namespace fieldsync::gui {
namespace {

std::string ValueText(GuiModel& m, const schema::Form* form, const std::string& field, const nlohmann::json& v) {
  if (v.is_null()) return m.T(Str::kNoAnswer);
  if (form) {
    if (const schema::Question* q = form->Find(field)) return schema::FormatValue(*q, v, LangCode(m.lang()));
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string FieldLabel(GuiModel& m, const schema::Form* form, const std::string& field) {
  if (field == "status") return m.T(Str::kStatusField);
  if (form) {
    if (const schema::Question* q = form->Find(field)) return q->label.Get(LangCode(m.lang()));
  }
  return field;
}

std::string StatusValue(GuiModel& m, const nlohmann::json& v) {
  store::ReportStatus s;
  if (v.is_string() && store::ParseReportStatus(v.get<std::string>(), &s)) return m.StatusText(s, false);
  return v.is_null() ? "—" : (v.is_string() ? v.get<std::string>() : v.dump());
}

std::string When(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
  return buf;
}

}  // namespace

void DrawDetail(const UiContext& ui) {
  GuiModel& m = ui.model;
  const DetailView& d = m.detail();
  if (!d.error.empty()) {
    TextColoredWrapped(ui.palette.error, d.error.c_str());
    return;
  }
  if (!d.details) {
    ImGui::TextDisabled("%s", m.T(Str::kLoading));
    return;
  }
  const store::Report& r = d.details->report;
  const schema::Form* form = d.form.get();
  const std::string lang = LangCode(m.lang());

  BoldText(ui, r.project_code.c_str());
  if (!d.project_title.empty()) ImGui::TextWrapped("%s", d.project_title.c_str());
  if (form) TextColoredWrapped(ui.palette.muted, form->title.Get(lang).c_str());
  const bool waiting = r.status == store::ReportStatus::kFinalized && r.server_version == 0;
  Pill(ui, m.StatusText(r.status, waiting).c_str(), StatusColor(ui, r.status), ReadableOn(StatusColor(ui, r.status)));
  ImGui::TextDisabled("%s", Format(m.T(Str::kReportId), {r.id.substr(0, 8)}).c_str());
  ImGui::TextDisabled("%s · %s", Format(m.T(Str::kCreated), {When(r.created_at_ms)}).c_str(),
                      Format(m.T(Str::kUpdated), {m.Ago(r.updated_at_ms)}).c_str());

  const bool editable = r.status == store::ReportStatus::kDraft || r.status == store::ReportStatus::kReturned ||
                        r.status == store::ReportStatus::kFinalized;
  if (editable && TouchButton(ui, m.T(Str::kEditReport), -1, ButtonKind::kPrimary)) m.EditReport(r.id);

  // Conflicts: the history keeps both sides.
  bool any_conflict = false;
  for (const auto& h : d.details->history) any_conflict |= h.source == "conflict";
  if (any_conflict) {
    ImGui::Spacing();
    Heading(ui, m.T(Str::kConflicts));
    BeginCard(ui, "conflicts");
    for (const auto& h : d.details->history) {
      if (h.source != "conflict") continue;
      std::string text = Format(m.T(Str::kConflictExplain),
                                {FieldLabel(m, form, h.field), ValueText(m, form, h.field, h.new_value),
                                 ValueText(m, form, h.field, h.old_value)});
      ImGui::TextWrapped("%s", text.c_str());
    }
    if (r.has_conflict && TouchButton(ui, m.T(Str::kGotIt))) m.MarkConflictSeen();
    const ImVec4 border = ui.palette.warn;
    EndCard(ui, false, &border);
  }

  // HQ's review.
  ImGui::Spacing();
  Heading(ui, m.T(Str::kHqReview));
  if (!r.review.is_object()) {
    ImGui::TextDisabled("%s", m.T(Str::kNoReview));
  } else {
    BeginCard(ui, "review");
    const std::string decision = r.review.value("decision", "");
    store::ReportStatus ds;
    std::string decision_text = decision;
    if (decision == "approve" || decision == "approved") decision_text = m.StatusText(store::ReportStatus::kApproved, false);
    else if (decision == "return" || decision == "returned") decision_text = m.StatusText(store::ReportStatus::kReturned, false);
    else if (store::ParseReportStatus(decision, &ds)) decision_text = m.StatusText(ds, false);
    BoldText(ui, decision_text.c_str());
    const std::string who = r.review.value("reviewer", "");
    if (!who.empty()) ImGui::TextDisabled("%s", Format(m.T(Str::kBy), {who}).c_str());
    const std::string comment = r.review.value("comment", "");
    if (!comment.empty()) ImGui::TextWrapped("%s", comment.c_str());
    if (r.review.contains("field_comments") && r.review["field_comments"].is_object()) {
      for (const auto& [field, c] : r.review["field_comments"].items()) {
        std::string text = c.is_string() ? c.get<std::string>() : c.dump();
        TextColoredWrapped(ui.palette.error, Format(m.T(Str::kFieldComment), {FieldLabel(m, form, field), text}).c_str());
      }
    }
    EndCard(ui);
  }

  // What still blocks finalizing a draft.
  if ((r.status == store::ReportStatus::kDraft || r.status == store::ReportStatus::kReturned) &&
      !d.details->errors.empty()) {
    ImGui::Spacing();
    TextColoredWrapped(ui.palette.warn,
                       Format(m.T(Str::kToFixBeforeFinalize), {std::to_string(d.details->errors.size())}).c_str());
    for (const auto& e : d.details->errors) TextColoredWrapped(ui.palette.muted, ("• " + e.ToString()).c_str());
  }

  // Values in form order.
  ImGui::Spacing();
  Heading(ui, m.T(Str::kValues));
  if (form) {
    for (const auto& q : form->questions) {
      if (!q.HoldsValue()) continue;
      auto it = r.values.find(q.name);
      if (it == r.values.end() || it->is_null()) continue;
      ImGui::PushFont(ui.fonts.small);
      TextColoredWrapped(ui.palette.muted, q.label.Get(lang).c_str());
      ImGui::PopFont();
      ImGui::TextWrapped("%s", schema::FormatValue(q, *it, lang).c_str());
    }
  }

  // History, newest first.
  ImGui::Spacing();
  Heading(ui, m.T(Str::kHistory));
  const auto& history = d.details->history;
  if (history.empty()) ImGui::TextDisabled("%s", m.T(Str::kNoHistory));
  int shown = 0;
  for (auto it = history.rbegin(); it != history.rend() && shown < 200; ++it, ++shown) {
    const auto& h = *it;
    Str source = Str::kSourceDevice;
    if (h.source == "server") source = Str::kSourceServer;
    if (h.source == "conflict") source = Str::kSourceConflict;
    if (h.source == "review") source = Str::kSourceReview;
    ImGui::PushFont(ui.fonts.small);
    ImGui::TextDisabled("%s · %s · %s", When(h.at_ms).c_str(), h.author.c_str(), m.T(source));
    ImGui::PopFont();
    std::string change;
    if (h.field == "status") {
      change = FieldLabel(m, form, h.field) + ": " + StatusValue(m, h.old_value) + " → " + StatusValue(m, h.new_value);
    } else {
      change = FieldLabel(m, form, h.field) + ": " +
               (h.old_value.is_null() ? "—" : ValueText(m, form, h.field, h.old_value)) + " → " +
               ValueText(m, form, h.field, h.new_value);
    }
    ImGui::TextWrapped("%s", change.c_str());
  }
}

}  // namespace fieldsync::gui
