// client/gui/screen_editor.cpp — a report being written: the form rendered
// from its definition, in the chosen language, with required markers,
// errors beside each field as the officer types, irrelevant questions
// hidden, calculated values shown, a numeric keypad, photo and location.
#include <cstdio>
#include <string>

#include "client/gui/ui.h"

#include <imgui_stdlib.h>

namespace fieldsync::gui {
namespace {

using schema::QuestionType;

bool UsesKeypad(QuestionType t) {
  return t == QuestionType::kInteger || t == QuestionType::kDecimal || t == QuestionType::kDate ||
         t == QuestionType::kGeopoint;
}

void DrawHeader(const UiContext& ui) {
  GuiModel& m = ui.model;
  const EditorView& e = m.editor();
  const std::string lang = LangCode(m.lang());
  BoldText(ui, e.project_code.c_str());
  if (!e.project_title.empty()) ImGui::TextWrapped("%s", e.project_title.c_str());
  if (e.form) TextColoredWrapped(ui.palette.muted, e.form->title.Get(lang).c_str());
  if (e.status) {
    const bool waiting = *e.status == store::ReportStatus::kFinalized;
    Pill(ui, m.StatusText(*e.status, waiting).c_str(), StatusColor(ui, *e.status),
         ReadableOn(StatusColor(ui, *e.status)));
  }
  if (e.read_only) TextColoredWrapped(ui.palette.warn, m.T(Str::kReadOnlyHq));
  if (e.review.is_object() && !e.review.value("comment", "").empty()) {
    BeginCard(ui, "review");
    ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.error);
    ImGui::TextWrapped("%s", Format(m.T(Str::kReturnedComment), {e.review.value("comment", "")}).c_str());
    ImGui::PopStyleColor();
    EndCard(ui);
  }
  for (const auto& err : e.top_errors) TextColoredWrapped(ui.palette.error, err.c_str());
  ImGui::TextDisabled("%s", m.T(Str::kRequiredNote));
}

void DrawChoices(const UiContext& ui, const FieldView& f, const std::string& lang) {
  GuiModel& m = ui.model;
  const schema::Question& q = *f.question;
  const bool many = q.type == QuestionType::kSelectMultiple;
  const float avail = ImGui::GetContentRegionAvail().x;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  float line_w = 0;
  for (size_t i = 0; i < q.choices.size(); ++i) {
    const schema::Choice& c = q.choices[i];
    bool selected = false;
    if (many && f.value.is_array()) {
      for (const auto& v : f.value) selected |= v.is_string() && v.get<std::string>() == c.name;
    } else if (f.value.is_string()) {
      selected = f.value.get<std::string>() == c.name;
    }
    std::string label = (many ? (selected ? "☑ " : "☐ ") : (selected ? "● " : "○ ")) + c.label.Get(lang);
    const float w = std::min(ImGui::CalcTextSize(label.c_str()).x + ImGui::GetStyle().FramePadding.x * 2 + 8 * ui.scale,
                             avail);
    if (i > 0 && line_w + spacing + w <= avail) {
      ImGui::SameLine();
      line_w += spacing + w;
    } else {
      line_w = w;
    }
    ImGui::PushID(static_cast<int>(i));
    if (Chip(ui, label.c_str(), selected, w)) m.EditorToggleChoice(q.name, c.name);
    ImGui::PopID();
  }
}

void DrawGeopoint(const UiContext& ui, const FieldView& f, bool read_only) {
  GuiModel& m = ui.model;
  EditorView& e = m.editor();
  const std::string& name = f.question->name;
  const platform::GpsSnapshot g = m.gps();
  ImGui::BeginDisabled(read_only || !g.fix.valid);
  if (TouchButton(ui, (std::string("⌖ ") + m.T(Str::kUseGps)).c_str(), -1)) m.EditorUseGps(name);
  ImGui::EndDisabled();
  if (g.status == platform::GpsStatus::kFix) {
    char acc[32];
    std::snprintf(acc, sizeof(acc), "%.0f", g.fix.acc);
    ImGui::TextDisabled("%s", Format(m.T(Str::kGpsFix), {acc}).c_str());
  } else if (g.status == platform::GpsStatus::kSearching) {
    ImGui::TextDisabled("%s", m.T(Str::kGpsSearching));
  } else {
    ImGui::TextDisabled("%s", m.T(Str::kGpsUnavailable));
  }
  std::string& buf = e.buffers[name];
  const std::string hint = std::string(m.T(Str::kLatitude)) + ", " + m.T(Str::kLongitude);
  ImGui::BeginDisabled(read_only);
  if (TouchInput(ui, "##geo", &buf, hint.c_str(), ImGuiInputTextFlags_CharsScientific)) {
    m.EditorSetText(name, buf);
  }
  if (ImGui::IsItemActivated()) e.keypad_field = name;
  ImGui::EndDisabled();
}

void DrawPhoto(const UiContext& ui, const FieldView& f, bool read_only) {
  GuiModel& m = ui.model;
  EditorView& e = m.editor();
  const std::string& name = f.question->name;
  if (!f.value.is_null()) {
    auto file = e.buffers.find(name + "#file");
    std::string shown = file != e.buffers.end() ? file->second : f.text.substr(0, 12) + "…";
    ImGui::PushStyleColor(ImGuiCol_Text, ui.palette.ok);
    ImGui::TextWrapped("✓ %s: %s", m.T(Str::kPhotoAttached), shown.c_str());
    ImGui::PopStyleColor();
    ImGui::TextDisabled("%s", m.T(Str::kPhotoWillUpload));
  }
  if (read_only) return;
  if (e.photo_field != name) {
    if (TouchButton(ui, m.T(Str::kAttachPhoto), -1)) m.EditorOpenPhotoPicker(name);
    return;
  }
  // The picker: a folder and the pictures in it.
  BoldText(ui, m.T(Str::kChooseFile));
  std::string dir = e.photo_dir;
  if (TouchInput(ui, "##dir", &dir, m.T(Str::kPhotoFile), ImGuiInputTextFlags_EnterReturnsTrue)) {
    m.EditorOpenPhotoPicker(name, dir);
  } else {
    e.photo_dir = dir;
  }
  if (e.photo_files.empty()) {
    ImGui::TextDisabled("%s", Format(m.T(Str::kPhotoNoFiles), {e.photo_dir}).c_str());
  }
  int i = 0;
  for (const auto& file : e.photo_files) {
    ImGui::PushID(i++);
    std::string label = std::filesystem::path(file).filename().string();
    if (TouchButton(ui, label.c_str(), -1)) m.EditorAttachPhoto(name, file);
    ImGui::PopID();
  }
  if (TouchButton(ui, m.T(Str::kCancel), -1, ButtonKind::kQuiet)) e.photo_field.clear();
}

void DrawField(const UiContext& ui, const FieldView& f) {
  GuiModel& m = ui.model;
  EditorView& e = m.editor();
  const schema::Question& q = *f.question;
  const std::string lang = LangCode(m.lang());
  const bool read_only = e.read_only;
  ImGui::PushID(q.name.c_str());
  ImGui::Dummy(ImVec2(0, 4 * ui.scale));
  // Label, required marker, calculated tag.
  ImGui::PushFont(ui.fonts.bold);
  ImGui::TextWrapped("%s", q.label.Get(lang).c_str());
  ImGui::PopFont();
  if (q.required) {
    ImGui::SameLine(0, 4 * ui.scale);
    ImGui::TextColored(ui.palette.error, "*");
  }
  if (!q.hint.empty()) TextColoredWrapped(ui.palette.muted, q.hint.Get(lang).c_str());
  const bool has_error = !f.errors.empty();
  if (has_error) {
    ImGui::PushStyleColor(ImGuiCol_Border, ui.palette.error);
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 2.5f * ui.scale);
  }
  std::string& buf = e.buffers[q.name];
  switch (q.type) {
    case QuestionType::kNote:
      break;
    case QuestionType::kCalculate: {
      std::string shown = f.text.empty() ? "—" : f.text;
      ImGui::TextDisabled("= %s  (%s)", shown.c_str(), m.T(Str::kCalculated));
      break;
    }
    case QuestionType::kSelectOne:
    case QuestionType::kSelectMultiple:
      ImGui::BeginDisabled(read_only);
      DrawChoices(ui, f, lang);
      ImGui::EndDisabled();
      break;
    case QuestionType::kGeopoint:
      DrawGeopoint(ui, f, read_only);
      break;
    case QuestionType::kPhoto:
      DrawPhoto(ui, f, read_only);
      break;
    case QuestionType::kText:
      ImGui::BeginDisabled(read_only);
      if (q.name == "narrative" || q.constraint.find("4000") != std::string::npos) {
        ImGui::SetNextItemWidth(-FLT_MIN);
        if (ImGui::InputTextMultiline("##text", &buf, ImVec2(-FLT_MIN, ImGui::GetFontSize() * 4.5f))) {
          m.EditorSetText(q.name, buf);
        }
      } else if (TouchInput(ui, "##text", &buf)) {
        m.EditorSetText(q.name, buf);
      }
      ImGui::EndDisabled();
      break;
    case QuestionType::kInteger:
    case QuestionType::kDecimal:
    case QuestionType::kDate: {
      ImGui::BeginDisabled(read_only);
      ImGuiInputTextFlags flags = q.type == QuestionType::kDate ? ImGuiInputTextFlags_CharsScientific
                                                                 : ImGuiInputTextFlags_CharsDecimal;
      const char* hint = q.type == QuestionType::kDate ? "YYYY-MM-DD" : nullptr;
      if (TouchInput(ui, "##num", &buf, hint, flags)) m.EditorSetText(q.name, buf);
      // Touching the box brings up the keypad (a keyboard works as well).
      if (ImGui::IsItemActivated() && UsesKeypad(q.type)) e.keypad_field = q.name;
      ImGui::EndDisabled();
      break;
    }
  }
  if (has_error) {
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
  }
  for (const auto& err : f.errors) TextColoredWrapped(ui.palette.error, ("⚠ " + err).c_str());
  // The keypad covers the bottom of the screen: bring its field into view once.
  if (e.keypad_field == q.name && e.keypad_scrolled_for != q.name) {
    ImGui::SetScrollHereY(0.6f);
    e.keypad_scrolled_for = q.name;
  }
  if (e.keypad_field == q.name) TextColoredWrapped(ui.palette.accent, ("▼ " + std::string(m.T(Str::kKeypad))).c_str());
  ImGui::PopID();
}

}  // namespace

void DrawEditor(const UiContext& ui) {
  GuiModel& m = ui.model;
  const EditorView& e = m.editor();
  if (e.loading || !e.form) {
    ImGui::TextDisabled("%s", m.T(Str::kLoading));
    return;
  }
  DrawHeader(ui);
  ImGui::Separator();
  for (const FieldView& f : e.fields) {
    if (!f.question || !f.relevant) continue;  // relevance hides the question
    DrawField(ui, f);
  }
  ImGui::Dummy(ImVec2(0, 24 * ui.scale));
}

void DrawEditorBar(const UiContext& ui) {
  GuiModel& m = ui.model;
  const EditorView& e = m.editor();
  if (!e.keypad_field.empty()) {
    ImGui::Separator();
    Keypad(ui);
  }
  ImGui::Separator();
  // Where the work stands: saved (only once the disk said so), saving, or not yet.
  std::string state;
  ImVec4 color = ui.palette.muted;
  if (e.saving) {
    state = m.T(Str::kSaving);
  } else if (e.HasUnsavedEdits() || (e.report_id.empty() && !e.read_only)) {
    state = m.T(Str::kUnsaved);
    color = ui.palette.warn;
  } else if (e.saved_at_ms > 0) {
    state = Format(m.T(Str::kSavedAt), {m.Ago(e.saved_at_ms)});
    color = ui.palette.ok;
  }
  if (!e.message.empty() && e.message_error) {
    state = e.message;
    color = ui.palette.error;
  } else if (e.finalize_errors > 0 && !e.read_only && state.empty()) {
    state = Format(m.T(Str::kToFixBeforeFinalize), {std::to_string(e.finalize_errors)});
  } else if (!e.message.empty() && !e.HasUnsavedEdits()) {
    state = e.message;
    color = ui.palette.ok;
  }
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float w = (ImGui::GetContentRegionAvail().x - spacing) / 2;
  ImGui::BeginDisabled(e.read_only || e.saving || e.loading);
  if (TouchButton(ui, m.T(Str::kSaveDraft), w)) m.EditorSaveDraft();
  ImGui::SameLine();
  if (TouchButton(ui, m.T(Str::kFinalize), w, ButtonKind::kPrimary)) m.EditorFinalize();
  ImGui::EndDisabled();
  ImGui::PushFont(ui.fonts.small);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  // One line: a long message is cut rather than pushed off screen.
  ImGui::PushClipRect(ImGui::GetCursorScreenPos(),
                      ImVec2(ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x,
                             ImGui::GetCursorScreenPos().y + ImGui::GetFontSize() * 1.4f),
                      true);
  ImGui::TextUnformatted(state.c_str());
  ImGui::PopClipRect();
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

}  // namespace fieldsync::gui
