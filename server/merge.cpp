// server/merge.cpp — merging a device's edit into the server's copy.
#include "server/merge.h"

#include <set>

namespace fieldsync::server {
namespace {

constexpr const char* kStatusField = "status";

std::string Show(const nlohmann::json& v) {
  if (v.is_null()) return "(no answer)";
  if (v.is_string()) return "'" + v.get<std::string>() + "'";
  return v.dump();
}

}  // namespace

std::string ServerStatusForDevice(const std::string& device_status) {
  if (device_status == "finalized") return "received";
  if (device_status == "returned" || device_status == "received") return device_status;
  if (device_status == "approved") return "received";  // a device cannot approve
  return "draft";
}

bool DeviceOwns(const std::string& server_status) {
  return server_status == "draft" || server_status == "returned";
}

nlohmann::json ReportToJson(const StoredReport& r) {
  return {{"id", r.id},
          {"project", r.project},
          {"form_id", r.form_id},
          {"form_version", r.form_version},
          {"period", r.period},
          {"values", r.values},
          {"status", r.status},
          {"author", r.author},
          {"server_version", r.server_version},
          {"created_at_ms", r.created_at_ms},
          {"updated_at_ms", r.updated_at_ms}};
}

MergeOutput MergeDeviceEdit(const MergeInput& in) {
  MergeOutput out;
  const IncomingReport& inc = in.incoming;
  const std::string device_status = ServerStatusForDevice(inc.status);

  if (in.current == nullptr) {
    StoredReport& r = out.report;
    r.id = inc.id;
    r.device_id = in.device_id;
    r.project = inc.project;
    r.form_id = inc.form_id;
    r.form_version = inc.form_version;
    r.period = inc.period;
    r.values = nlohmann::json::object();
    for (auto it = inc.values.begin(); it != inc.values.end(); ++it)
      if (!it.value().is_null()) r.values[it.key()] = it.value();
    r.status = device_status;
    r.author = inc.author;
    r.server_version = 1;
    r.max_seq = in.seq;
    r.created_at_ms = inc.created_at_ms;
    r.updated_at_ms = inc.updated_at_ms;
    r.received_at_ms = in.now_ms;
    for (auto it = r.values.begin(); it != r.values.end(); ++it)
      r.field_versions[it.key()] = {1, 0};
    r.field_versions[kStatusField] = {1, 0};
    HistoryRow h;
    h.report_id = r.id;
    h.at_ms = in.now_ms;
    h.server_version = 1;
    h.source = "device";
    h.author = inc.author;
    h.new_value = r.status;
    h.note = "received from device " + in.device_id + " as " + r.status;
    out.history.push_back(std::move(h));
    out.outcome = "applied";
    return out;
  }

  const StoredReport& cur = *in.current;
  StoredReport r = cur;
  const int64_t new_version = cur.server_version + 1;
  const bool device_owns = DeviceOwns(cur.status);

  auto server_value = [&](const std::string& f) -> nlohmann::json {
    if (f == kStatusField) return cur.status;
    auto it = cur.values.find(f);
    return it == cur.values.end() ? nlohmann::json(nullptr) : *it;
  };
  auto device_value = [&](const std::string& f) -> nlohmann::json {
    if (f == kStatusField) return device_status;
    auto it = inc.values.find(f);
    return it == inc.values.end() ? nlohmann::json(nullptr) : *it;
  };
  auto hq_changed = [&](const std::string& f) {
    auto it = cur.field_versions.find(f);
    return it != cur.field_versions.end() && it->second.hq_version > in.base_version;
  };
  auto set_value = [&](const std::string& f, const nlohmann::json& v) {
    if (f == kStatusField) {
      r.status = v.get<std::string>();
    } else if (v.is_null()) {
      r.values.erase(f);
    } else {
      r.values[f] = v;
    }
  };

  std::set<std::string> changed;
  if (in.changed) {
    changed.insert(in.changed->begin(), in.changed->end());
  } else {
    std::set<std::string> all = {kStatusField};
    for (auto it = cur.values.begin(); it != cur.values.end(); ++it) all.insert(it.key());
    for (auto it = inc.values.begin(); it != inc.values.end(); ++it) all.insert(it.key());
    for (const auto& f : all)
      if (device_value(f) != server_value(f)) changed.insert(f);
  }

  bool any_change = false;
  auto history = [&](const std::string& source, const std::string& f, const nlohmann::json& old_v,
                     const nlohmann::json& new_v, std::string note) {
    HistoryRow h;
    h.report_id = r.id;
    h.at_ms = in.now_ms;
    h.server_version = new_version;
    h.source = source;
    h.author = inc.author;
    h.field = f;
    h.old_value = old_v;
    h.new_value = new_v;
    h.note = std::move(note);
    out.history.push_back(std::move(h));
  };

  for (const std::string& f : changed) {
    nlohmann::json dv = device_value(f);
    nlohmann::json sv = server_value(f);
    if (dv == sv) continue;
    if (hq_changed(f)) {
      if (device_owns) {
        set_value(f, dv);
        r.field_versions[f].version = new_version;
        any_change = true;
        out.conflicts.push_back({{"field", f}, {"kept", dv}, {"lost", sv}, {"winner", "device"}});
        history("conflict", f, sv, dv,
                "changed on both sides; the device owned the report (" + cur.status +
                    "), so HQ's value " + Show(sv) + " lost to the device's " + Show(dv));
      } else {
        out.conflicts.push_back({{"field", f}, {"kept", sv}, {"lost", dv}, {"winner", "hq"}});
        history("conflict", f, dv, sv,
                "changed on both sides; HQ owned the report (" + cur.status +
                    "), so the device's value " + Show(dv) + " lost to HQ's " + Show(sv));
      }
    } else {
      set_value(f, dv);
      r.field_versions[f].version = new_version;
      any_change = true;
      history("device", f, sv, dv, "");
    }
  }

  // "merged": HQ changed other fields since the device's base and the device's
  // copy does not have HQ's values yet (it needs the merged report back).
  bool hq_kept_other = false;
  for (const auto& [f, fv] : cur.field_versions)
    if (fv.hq_version > in.base_version && !changed.count(f) && server_value(f) != device_value(f))
      hq_kept_other = true;

  // The device owns the report's description; take it as sent.
  if (r.project != inc.project || r.form_version != inc.form_version || r.period != inc.period ||
      r.author != inc.author || r.updated_at_ms != inc.updated_at_ms) {
    r.project = inc.project;
    r.form_version = inc.form_version;
    r.period = inc.period;
    r.author = inc.author;
    r.updated_at_ms = inc.updated_at_ms;
    any_change = true;
  }
  r.max_seq = in.seq;
  if (any_change || !out.conflicts.empty()) {
    r.server_version = new_version;
    r.received_at_ms = in.now_ms;
  } else {
    for (auto& h : out.history) h.server_version = cur.server_version;
  }

  out.report = std::move(r);
  out.outcome = !out.conflicts.empty() ? "conflict" : hq_kept_other ? "merged" : "applied";
  return out;
}

}  // namespace fieldsync::server
