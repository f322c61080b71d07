// client/gui/screen_home.cpp — home: the sync badge in full (what waits, when
// the last sync was, the link, rejections), "Sync now", and what needs the
// officer's attention (returned reports, conflicts, drafts, rejections).
#include <string>

#include "client/gui/ui.h"

namespace fieldsync::gui {
namespace {

void DrawSyncCard(const UiContext& ui) {
  GuiModel& m = ui.model;
  const SyncBadge& b = m.badge();
  BeginCard(ui, "sync");
  ImGui::PushFont(ui.fonts.title);
  if (!b.enrolled) {
    ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.text);
    ImGui::TextWrapped("%s", m.T(Str::kNotEnrolled));
    ImGui::PopStyleColor();
    ImGui::PopFont();
    ImGui::PushFont(ui.fonts.regular);
    ImGui::PushStyleColor(ImGuiCol_Text, b.waiting > 0 ? ui.palette.warn : ui.palette.muted);
    ImGui::TextWrapped("%s", Format(m.T(Str::kSavedOnDevice), {std::to_string(m.home().total)}).c_str());
  } else if (b.waiting > 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.warn);
    ImGui::TextWrapped("● %s", Format(m.T(Str::kWaitingToSend), {std::to_string(b.waiting)}).c_str());
  } else {
    ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.ok);
    ImGui::TextWrapped("✓ %s", m.T(Str::kEverythingSent));
  }
  ImGui::PopStyleColor();
  ImGui::PopFont();
  if (b.photos_waiting > 0) {
    ImGui::TextWrapped("%s", Format(m.T(Str::kPhotosWaiting), {std::to_string(b.photos_waiting)}).c_str());
  }
  ImGui::TextWrapped("%s", Format(m.T(Str::kLastSync), {m.Ago(b.last_sync_ms)}).c_str());
  // The device's link, and whether HQ answered the last time.
  Str link = Str::kLinkNone;
  if (b.link.online) {
    switch (b.link.kind) {
      case platform::LinkKind::kWifi: link = Str::kLinkWifi; break;
      case platform::LinkKind::kCellular: link = Str::kLinkCellular; break;
      case platform::LinkKind::kEthernet: link = Str::kLinkEthernet; break;
      default: link = Str::kLinkOther; break;
    }
  }
  std::string line = m.T(link);
  if (b.enrolled && b.server_link == 1) line += std::string(" · ") + m.T(Str::kServerReachable);
  if (b.enrolled && b.server_link < 0) line += std::string(" · ") + m.T(Str::kServerUnreachable);
  ImGui::PushStyleColor(ImGuiCol_Text, b.link.online ? ui.palette.text : ui.palette.warn);
  ImGui::TextWrapped("%s", line.c_str());
  ImGui::PopStyleColor();
  if (b.dead_letters > 0) {
    TextColoredWrapped(ui.palette.error,
                       ("⚠ " + Format(m.T(Str::kRejectedByHq), {std::to_string(b.dead_letters)})).c_str());
  }
  if (b.paused_for_battery) {
    TextColoredWrapped(ui.palette.warn,
                       Format(m.T(Str::kSyncPausedBattery), {std::to_string(b.battery.percent)}).c_str());
  }
  if (!m.settings().auto_sync) TextColoredWrapped(ui.palette.muted, m.T(Str::kAutoSyncOff));
  if (!b.last_error.empty() && b.enrolled) {
    TextColoredWrapped(ui.palette.muted, Format(m.T(Str::kLastAttemptFailed), {b.last_error}).c_str());
  }
  ImGui::Spacing();
  if (!b.enrolled) {
    if (TouchButton(ui, m.T(Str::kConnectToHq), -1)) m.Go(Screen::kFirstRun);
  } else {
    ImGui::BeginDisabled(b.syncing);
    if (TouchButton(ui, b.syncing ? m.T(Str::kSyncing) : m.T(Str::kSyncNow), -1, ButtonKind::kPrimary)) {
      m.SyncNow();
    }
    ImGui::EndDisabled();
  }
  EndCard(ui);
}

void DrawCounts(const UiContext& ui) {
  GuiModel& m = ui.model;
  const HomeView& h = m.home();
  struct Count {
    const char* status;
    store::ReportStatus value;
  };
  static const Count kCounts[] = {{"draft", store::ReportStatus::kDraft},
                                  {"finalized", store::ReportStatus::kFinalized},
                                  {"returned", store::ReportStatus::kReturned},
                                  {"approved", store::ReportStatus::kApproved}};
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float w = (ImGui::GetContentRegionAvail().x - spacing) / 2;
  for (int i = 0; i < 4; ++i) {
    if (i % 2) ImGui::SameLine();
    auto it = h.by_status.find(kCounts[i].status);
    const int64_t n = it == h.by_status.end() ? 0 : it->second;
    std::string label = Format(m.T(Str::kLabelValue), {m.StatusText(kCounts[i].value, false), std::to_string(n)}) +
                        "##count" + std::to_string(i);
    if (TouchButton(ui, label.c_str(), w)) {
      ReportsFilter f;
      f.status = kCounts[i].value;
      m.SetReportsFilter(f);
      m.Go(Screen::kReports);
    }
  }
}

void DrawAttention(const UiContext& ui) {
  GuiModel& m = ui.model;
  const HomeView& h = m.home();
  Heading(ui, m.T(Str::kNeedsAttention));
  if (!h.loaded) {
    ImGui::TextDisabled("%s", m.T(Str::kLoading));
    return;
  }
  if (h.attention.empty()) {
    ImGui::TextDisabled("%s", m.T(Str::kNothingNeedsAttention));
    return;
  }
  int i = 0;
  for (const AttentionItem& a : h.attention) {
    ImGui::PushID(i++);
    ImVec4 color = ui.palette.muted;
    std::string what;
    switch (a.kind) {
      case AttentionItem::Kind::kReturned:
        color = ui.palette.error;
        what = m.T(Str::kAttReturned);
        break;
      case AttentionItem::Kind::kConflict:
        color = ui.palette.warn;
        what = m.T(Str::kAttConflict);
        break;
      case AttentionItem::Kind::kDraft:
        color = ui.palette.muted;
        what = m.T(Str::kAttDraft);
        break;
      case AttentionItem::Kind::kRejected:
        color = ui.palette.error;
        what = Format(m.T(Str::kAttRejected), {a.detail});
        break;
    }
    BeginCard(ui, "att");
    ImGui::PushFont(ui.fonts.bold);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextWrapped("%s", what.c_str());
    ImGui::PopStyleColor();
    ImGui::PopFont();
    const FormInfo* form = m.FindForm(a.form_id);
    std::string line = a.project_code;
    if (form && form->form) line += " · " + m.SectorName(form->form->sector);
    if (!a.period.empty()) line += " · " + a.period;
    ImGui::TextWrapped("%s", line.c_str());
    if (a.kind == AttentionItem::Kind::kReturned && !a.detail.empty()) {
      TextColoredWrapped(ui.palette.muted, Format(m.T(Str::kReturnedComment), {a.detail}).c_str());
    }
    if (a.kind == AttentionItem::Kind::kRejected) {
      if (TouchButton(ui, m.T(Str::kSendAgain))) m.ResendDeadLetter(a.dead_letter_seq);
    }
    if (EndCard(ui, true)) {
      if (a.kind == AttentionItem::Kind::kDraft || a.kind == AttentionItem::Kind::kReturned) {
        m.EditReport(a.report_id);
      } else {
        m.OpenDetail(a.report_id);
      }
    }
    ImGui::PopID();
  }
}

}  // namespace

void DrawHome(const UiContext& ui) {
  GuiModel& m = ui.model;
  ImGui::Dummy(ImVec2(0, 2 * ui.scale));
  DrawSyncCard(ui);
  ImGui::Spacing();
  if (TouchButton(ui, (std::string("+ ") + m.T(Str::kNewReport)).c_str(), -1, ButtonKind::kPrimary)) {
    m.Go(Screen::kProjects);
  }
  ImGui::Spacing();
  DrawCounts(ui);
  ImGui::Spacing();
  DrawAttention(ui);
}

}  // namespace fieldsync::gui
