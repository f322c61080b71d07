// client/gui/model_editor.cpp — GuiModel's report editor: one app::FormSession
// on the worker thread, mirrored into EditorView after every change.
//
// Text boxes belong to the UI: what the officer types stays in
// EditorView::buffers and is never rewritten under their fingers. The worker
// validates each change and sends back errors, relevance and calculated
// values, applied at the start of the next frame. A draft is saved
// automatically a moment after typing stops (when it is draft-valid), and
// when the editor is left with unsaved typing.
#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "client/gui/model.h"

namespace fieldsync::gui {
namespace {

constexpr int64_t kAutosaveAfterMs = 2500;

Str ExpectationFor(schema::QuestionType t) {
  switch (t) {
    case schema::QuestionType::kInteger: return Str::kExpectInteger;
    case schema::QuestionType::kDecimal: return Str::kExpectDecimal;
    case schema::QuestionType::kDate: return Str::kExpectDate;
    case schema::QuestionType::kGeopoint: return Str::kExpectGeopoint;
    default: return Str::kExpectValue;
  }
}

bool IsImageFile(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp" || ext == ".gif" ||
         ext == ".heic";
}

std::filesystem::path DefaultPictureDir() {
  if (const char* d = std::getenv("XDG_PICTURES_DIR"); d && *d) return d;
  if (const char* h = std::getenv("HOME"); h && *h) {
    std::error_code ec;
    for (const char* sub : {"Pictures", "Images", "DCIM"}) {
      auto p = std::filesystem::path(h) / sub;
      if (std::filesystem::is_directory(p, ec)) return p;
    }
    return h;
  }
  return ".";
}

}  // namespace

Worker::Completion GuiModel::EditorSnapshot(app::DeviceApp& app, const app::FormSession& session,
                                            uint64_t generation, Lang lang, bool init_buffers,
                                            const std::string& buffer_field) {
  auto snap = std::make_shared<EditorView>();
  const schema::Form& form = session.form();
  if (auto f = app.FindForm(form.id, form.version); f.ok()) snap->form = *f;
  snap->project_code = session.project_code();
  if (auto p = app.FindProject(session.project_code()); p.ok()) snap->project_title = p->title;
  snap->report_id = session.report_id();
  snap->status = session.saved_status();
  snap->read_only = session.read_only();
  snap->dirty = session.dirty();
  const std::string lang_code = LangCode(lang);
  if (snap->form) {
    for (const auto& q : snap->form->questions) {
      FieldView fv;
      fv.question = &q;
      fv.relevant = session.IsRelevant(q.name);
      fv.calculated = session.IsCalculated(q.name);
      fv.value = session.Value(q.name);
      fv.text = q.HoldsValue() ? session.Text(q.name) : std::string();
      bool parse_error = !fv.text.empty() &&
                         (fv.value.is_null() || schema::FormatValue(q, fv.value, lang_code) != fv.text);
      for (const auto& e : session.FieldErrors(q.name)) fv.errors.push_back(e.message);
      if (parse_error && !fv.errors.empty()) fv.errors.front() = Tr(ExpectationFor(q.type), lang);
      snap->fields.push_back(std::move(fv));
    }
  }
  for (const auto& e : session.Errors()) {
    if (e.field.empty()) snap->top_errors.push_back(e.message);
  }
  snap->finalize_errors = static_cast<int>(session.FinalizeErrors().size());
  return [this, snap, generation, init_buffers, buffer_field] {
    if (generation != editor_.generation || !editor_.open) return;
    EditorView& e = editor_;
    e.loading = false;
    e.form = snap->form;
    e.project_code = snap->project_code;
    e.project_title = snap->project_title;
    e.report_id = snap->report_id;
    e.status = snap->status;
    e.read_only = snap->read_only;
    e.dirty = snap->dirty;
    e.fields = std::move(snap->fields);
    e.finalize_errors = snap->finalize_errors;
    e.top_errors = std::move(snap->top_errors);
    for (const auto& f : e.fields) {
      if (!f.question) continue;
      const std::string& name = f.question->name;
      if (init_buffers || name == buffer_field || f.calculated) e.buffers[name] = f.text;
    }
  };
}

void GuiModel::EditorOpen(
    std::function<Result<std::unique_ptr<app::FormSession>>(app::DeviceApp&)> open) {
  const uint64_t generation = editor_.generation + 1;
  editor_ = EditorView{};
  editor_.generation = generation;
  editor_.open = true;
  editor_.loading = true;
  if (screen_ != Screen::kEditor) {
    if (screen_ != Screen::kLoading && screen_ != Screen::kFirstRun) back_stack_.push_back(screen_);
    screen_ = Screen::kEditor;
  }
  worker_->Post([this, open = std::move(open), generation, lang = settings_.lang]() -> Worker::Completion {
    if (!app_) return {};
    session_.reset();
    auto s = open(*app_);
    if (!s.ok()) {
      Status st = s.status();
      return [this, st, generation] {
        if (generation != editor_.generation) return;
        editor_.loading = false;
        editor_.open = false;
        Notify(st.message(), true);
        Back();
      };
    }
    session_ = std::move(s).value();
    nlohmann::json review;
    if (!session_->report_id().empty()) {
      if (auto r = app_->store().GetReport(session_->report_id()); r.ok()) review = r->review;
    }
    auto apply = EditorSnapshot(*app_, *session_, generation, lang, true, "");
    return [this, apply, review, generation] {
      apply();
      if (generation == editor_.generation) editor_.review = review;
    };
  });
}

void GuiModel::NewReport(const std::string& project_code, const std::string& form_id) {
  EditorOpen([project_code, form_id](app::DeviceApp& app) {
    return app::FormSession::New(&app, project_code, form_id);
  });
}

void GuiModel::EditReport(const std::string& report_id) {
  EditorOpen([report_id](app::DeviceApp& app) { return app::FormSession::Edit(&app, report_id); });
}

void GuiModel::EditorSetText(const std::string& field, const std::string& text) {
  if (!editor_.open || editor_.read_only) return;
  editor_.buffers[field] = text;
  ++editor_.edits_posted;
  editor_.last_edit_ms = now_ms_;
  editor_.finalized_now = false;
  const uint64_t generation = editor_.generation;
  const Lang lang = settings_.lang;
  PostEditor([this, field, text, generation, lang](app::DeviceApp& app, app::FormSession& s) {
    s.SetText(field, text).ok();  // a parse error shows beside the field
    return EditorSnapshot(app, s, generation, lang, false, "");
  });
}

void GuiModel::EditorSetValue(const std::string& field, const nlohmann::json& value) {
  if (!editor_.open || editor_.read_only) return;
  ++editor_.edits_posted;
  editor_.last_edit_ms = now_ms_;
  editor_.finalized_now = false;
  const uint64_t generation = editor_.generation;
  const Lang lang = settings_.lang;
  PostEditor([this, field, value, generation, lang](app::DeviceApp& app, app::FormSession& s) {
    Status st = s.SetValue(field, value);
    auto apply = EditorSnapshot(app, s, generation, lang, false, field);
    return [this, apply, st] {
      apply();
      if (!st.ok()) Notify(st.message(), true);
    };
  });
}

void GuiModel::EditorToggleChoice(const std::string& field, const std::string& choice) {
  const FieldView* f = editor_.Find(field);
  if (!f || !f->question) return;
  if (f->question->type == schema::QuestionType::kSelectOne) {
    if (f->value.is_string() && f->value.get<std::string>() == choice) {
      EditorSetValue(field, nullptr);  // tapping the chosen answer again clears it
    } else {
      EditorSetValue(field, choice);
    }
    return;
  }
  nlohmann::json list = f->value.is_array() ? f->value : nlohmann::json::array();
  auto it = std::find(list.begin(), list.end(), nlohmann::json(choice));
  if (it != list.end()) {
    list.erase(it);
  } else {
    list.push_back(choice);
  }
  EditorSetValue(field, list.empty() ? nlohmann::json() : list);
}

void GuiModel::EditorAttachPhoto(const std::string& field, const std::filesystem::path& file) {
  if (!editor_.open || editor_.read_only) return;
  ++editor_.edits_posted;
  editor_.last_edit_ms = now_ms_;
  editor_.photo_field.clear();
  const uint64_t generation = editor_.generation;
  const Lang lang = settings_.lang;
  PostEditor([this, field, file, generation, lang](app::DeviceApp& app, app::FormSession& s) {
    Status st = s.AttachPhoto(field, file);
    auto apply = EditorSnapshot(app, s, generation, lang, false, field);
    return [this, apply, st, field, file] {
      apply();
      if (!st.ok()) {
        Notify(st.message(), true);
      } else {
        editor_.buffers[field + "#file"] = file.filename().string();
      }
    };
  });
}

void GuiModel::EditorOpenPhotoPicker(const std::string& field, const std::filesystem::path& dir) {
  editor_.photo_field = field;
  editor_.photo_dir = (dir.empty() ? DefaultPictureDir() : dir).string();
  editor_.photo_files.clear();
  const uint64_t generation = editor_.generation;
  const std::filesystem::path where = editor_.photo_dir;
  // Listing a folder is disk work: on the worker.
  Post([this, where, generation](app::DeviceApp&) -> Worker::Completion {
    auto files = std::make_shared<std::vector<std::string>>();
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(where, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && IsImageFile(it->path())) files->push_back(it->path().string());
      if (files->size() >= 200) break;
    }
    std::sort(files->begin(), files->end());
    return [this, files, generation] {
      if (generation == editor_.generation) editor_.photo_files = std::move(*files);
    };
  });
}

void GuiModel::EditorUseGps(const std::string& field) {
  platform::GpsSnapshot g = gps();
  if (!g.fix.valid) {
    Notify(T(Str::kGpsUnavailable), true);
    return;
  }
  nlohmann::json v = {{"lat", g.fix.lat}, {"lon", g.fix.lon}};
  if (g.fix.has_alt) v["alt"] = g.fix.alt;
  if (g.fix.acc > 0) v["acc"] = g.fix.acc;
  EditorSetValue(field, v);
}

void GuiModel::EditorKeypad(const std::string& key) {
  if (editor_.keypad_field.empty()) return;
  const std::string field = editor_.keypad_field;
  std::string text = editor_.buffers[field];
  if (key == "back") {
    if (!text.empty()) {
      // Drop one UTF-8 character (the keypad only types ASCII, but a typed
      // text may hold more).
      size_t n = text.size() - 1;
      while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
      text.erase(n);
    }
  } else if (key == "clear") {
    text.clear();
  } else if (key == "done") {
    editor_.keypad_field.clear();
    return;
  } else if (key.size() == 1 && (std::isdigit(static_cast<unsigned char>(key[0])) || key == "." ||
                                 key == "-" || key == "," || key == " ")) {
    text += key;
  } else {
    return;
  }
  EditorSetText(field, text);
}

void GuiModel::EditorSave(bool finalize) {
  if (!editor_.open || editor_.read_only || editor_.saving) return;
  editor_.saving = true;
  editor_.message.clear();
  const uint64_t generation = editor_.generation;
  const Lang lang = settings_.lang;
  const uint64_t seq = editor_.edits_posted;
  PostEditor([this, finalize, generation, seq, lang](app::DeviceApp& app, app::FormSession& s) {
    auto r = finalize ? s.Finalize() : s.SaveDraft();
    Status st = r.ok() ? Status::Ok() : r.status();
    auto apply = EditorSnapshot(app, s, generation, lang, false, "");
    return [this, apply, st, generation, seq, finalize] {
      apply();
      if (generation != editor_.generation) {
        if (st.ok()) DataChanged();
        return;
      }
      editor_.saving = false;
      if (st.ok()) {
        editor_.saved_at_ms = now_ms_;
        editor_.edits_at_last_save = seq;
        editor_.message = T(finalize ? Str::kFinalizedOk : Str::kDraftSavedOk);
        editor_.message_error = false;
        editor_.finalized_now = finalize;
        DataChanged();
      } else {
        editor_.message = finalize && editor_.finalize_errors > 0
                              ? Format(T(Str::kToFixBeforeFinalize), {std::to_string(editor_.finalize_errors)})
                              : st.message();
        editor_.message_error = true;
      }
    };
  });
}

void GuiModel::EditorSaveDraft() { EditorSave(false); }
void GuiModel::EditorFinalize() { EditorSave(true); }

void GuiModel::EditorTimers() {
  EditorView& e = editor_;
  if (!e.open || e.loading || e.read_only || e.saving) return;
  if (e.HasUnsavedEdits() && e.autosave_tried_at != e.edits_posted &&
      now_ms_ - e.last_edit_ms >= kAutosaveAfterMs) {
    e.autosave_tried_at = e.edits_posted;
    bool has_parse_error = false;
    for (const auto& f : e.fields) {
      if (!f.errors.empty() && f.value.is_null() && !f.text.empty()) has_parse_error = true;
    }
    if (!has_parse_error) EditorSave(false);
  }
}

void GuiModel::EditorClose() {
  if (!editor_.open) return;
  // Typing the officer saw is not dropped: leaving saves the draft (the
  // save runs before the session is closed; jobs run in order).
  if (!editor_.read_only && editor_.HasUnsavedEdits() && !editor_.saving) {
    const uint64_t generation = editor_.generation;
    PostEditor([this, generation](app::DeviceApp&, app::FormSession& s) -> Worker::Completion {
      auto r = s.SaveDraft();
      Status st = r.ok() ? Status::Ok() : r.status();
      return [this, st, generation] {
        (void)generation;
        if (st.ok()) {
          Notify(T(Str::kDraftSavedOk));
          DataChanged();
        } else {
          Notify(st.message(), true);
        }
      };
    });
  }
  worker_->Post([this]() -> Worker::Completion {
    session_.reset();
    return {};
  });
  if (app_lang_ != settings_.lang) ReopenApp(settings_.lang);
  ++editor_.generation;
  editor_.open = false;
  editor_.fields.clear();
  editor_.buffers.clear();
  editor_.keypad_field.clear();
  editor_.photo_field.clear();
}

}  // namespace fieldsync::gui
