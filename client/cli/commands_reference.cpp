// client/cli/commands_reference.cpp — `projects` and `forms`: the reference
// data on the device (seeded on first use, later brought by sync).
#include <algorithm>
#include <ostream>

#include "client/cli/command_table.h"
#include "client/cli/output.h"

namespace fieldsync::cli_app {

namespace {

std::string Measures(const std::vector<int>& measures) {
  std::vector<std::string> parts;
  for (int m : measures) parts.push_back(std::to_string(m));
  return Join(parts, ",");
}

Status RunProjects(CliContext& ctx, const cli::ParsedArgs& args) {
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto projects = (*app)->Projects();
  if (!projects.ok()) return projects.status();
  if (args.Has("--json")) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& p : *projects) arr.push_back(schema::ProjectToJson(p));
    PrintJson(*ctx.out, arr);
    return Status::Ok();
  }
  if (projects->empty()) {
    *ctx.out << "No projects on this device yet; they arrive with the next sync.\n";
    return Status::Ok();
  }
  Table t({"CODE", "SECTOR", "MODALITY", "PROVIDERS", "BENEFICIARIES", "MEASURES", "TITLE"});
  for (const auto& p : *projects) {
    t.Row({p.code, p.sector, std::string(schema::ModalityName(p.modality)), Join(p.providers, ","),
           Join(p.beneficiaries, ","), Measures(p.measures), Ellipsize(p.title, 60)});
  }
  t.Print(*ctx.out);
  return Status::Ok();
}

std::string ChoiceNames(const schema::Question& q) {
  std::vector<std::string> names;
  for (const auto& c : q.choices) names.push_back(c.name);
  return Ellipsize(Join(names, " "), 50);
}

Status RunForms(CliContext& ctx, const cli::ParsedArgs& args) {
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  if (args.Has("--json")) {
    // The full definitions as the device holds them (latest version of each).
    auto rows = (*app)->store().ListForms();
    if (!rows.ok()) return rows.status();
    std::vector<nlohmann::json> forms = std::move(rows).value();
    std::sort(forms.begin(), forms.end(), [](const auto& a, const auto& b) {
      return a.value("id", std::string()) < b.value("id", std::string());
    });
    PrintJson(*ctx.out, nlohmann::json(forms));
    return Status::Ok();
  }
  auto forms = (*app)->Forms();
  if (!forms.ok()) return forms.status();
  if (forms->empty()) {
    *ctx.out << "No forms on this device yet; they arrive with the next sync.\n";
    return Status::Ok();
  }
  if (!args.Has("--fields")) {
    Table t({"ID", "VERSION", "SECTOR", "QUESTIONS", "TITLE"});
    for (const auto& f : *forms) {
      t.Row({f->id, std::to_string(f->version), f->sector, std::to_string(f->questions.size()),
             f->title.Get(ctx.lang)});
    }
    t.Print(*ctx.out);
    *ctx.out << "\nRun 'fieldsync-cli forms --fields' to see each form's fields.\n";
    return Status::Ok();
  }
  bool first = true;
  for (const auto& f : *forms) {
    if (!first) *ctx.out << "\n";
    first = false;
    *ctx.out << f->id << " v" << f->version << " — " << f->title.Get(ctx.lang) << "\n";
    Table t({"  NAME", "TYPE", "REQUIRED", "LABEL", "CHOICES"});
    for (const auto& q : f->questions) {
      t.Row({"  " + q.name, std::string(schema::QuestionTypeName(q.type)),
             q.required ? (q.relevant.empty() ? "yes" : "if relevant") : "",
             Ellipsize(q.label.Get(ctx.lang), 48), ChoiceNames(q)});
    }
    t.Print(*ctx.out);
  }
  return Status::Ok();
}

const CommandRegistrar kReference([](CommandTable& t) {
  cli::CommandSpec projects;
  projects.name = "projects";
  projects.summary = "list the cooperation projects on this device";
  projects.options = {{"--json", "", "print the projects as JSON", false}};
  t.Add({projects, RunProjects, 10});

  cli::CommandSpec forms;
  forms.name = "forms";
  forms.summary = "list the report forms on this device (--json: the full definitions)";
  forms.options = {{"--json", "", "print the full form definitions as JSON", false},
                   {"--fields", "", "list every form's fields, types and choices", false}};
  t.Add({forms, RunForms, 20});
});

}  // namespace

}  // namespace fieldsync::cli_app
