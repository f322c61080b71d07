// tests/sync/sync_test_util.h — a temp folder, a device store, and a scripted
// HQ for the engine's unit tests.
//
// ScriptedHq answers the sync protocol in memory (docs/protocol.md) so the
// engine's control logic — batch sizing, retries, splitting, resuming — can be
// driven through FaultTransport without sockets. It keeps the same exactly-once
// bookkeeping as the real server (highest seq per device, stored outcomes), so
// a replay is answered with the stored outcome. The real server is exercised
// by tests/e2e.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/store.h"
#include "sync/codec.h"
#include "sync/engine.h"
#include "sync/fault_transport.h"
#include "tests/temp_dir.h"

namespace fieldsync::testing {

using nlohmann::json;

inline std::unique_ptr<store::Store> OpenStore(const std::filesystem::path& dir) {
  auto s = store::Store::Open(dir);
  if (!s.ok()) throw std::runtime_error(s.status().ToString());
  return std::move(s).value();
}

inline void EnrollFake(store::Store& st) {
  auto s = st.SetEnrollment("http://hq.test", "d_test", std::string(64, 'a'), "Amina", "west");
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

// Adds n finalized health reports with a little text so they have some size.
inline std::vector<std::string> AddReports(store::Store& st, int n, int text_bytes = 200) {
  std::vector<std::string> ids;
  std::mt19937 rng(7);
  for (int i = 0; i < n; ++i) {
    store::Report r;
    r.project_code = "SSC-HLT-001";
    r.form_id = "health";
    r.form_version = 1;
    r.status = store::ReportStatus::kFinalized;
    r.author = "Amina";
    std::string note;
    for (int k = 0; k < text_bytes; ++k) note.push_back(static_cast<char>('a' + rng() % 26));
    r.values = {{"period", "2026-10"}, {"hiv_tested", 100 + i}, {"note", note}};
    auto c = st.CreateReport(r);
    if (!c.ok()) throw std::runtime_error(c.status().ToString());
    ids.push_back(c->id);
  }
  return ids;
}

// An in-memory HQ speaking the sync protocol.
struct ScriptedHq {
  int64_t acked = 0;
  std::map<int64_t, json> outcomes;           // seq → stored result
  std::map<std::string, json> reports;        // id → last report applied
  std::map<std::string, int> applied_count;   // id → times a new seq was applied
  std::set<std::string> reject_ids;           // reports to reject
  std::vector<json> feed;                     // changes, cursor = index + 1
  std::map<std::string, std::string> photos;  // sha → bytes received
  std::vector<size_t> batch_sizes;            // entries per /sync request seen
  std::vector<size_t> wire_sizes;             // body bytes per /sync request seen
  bool ack_less = false;                      // misbehave: acknowledge one seq less
  int corrupt_uploads = 0;                    // fail this many hash checks (422, discard)

  sync::HttpResponse Answer(int status, const json& body) {
    return {status, {{"Content-Type", "application/json"}}, body.dump()};
  }

  sync::HttpResponse operator()(const sync::HttpRequest& r) {
    if (sync::FindHeader(r.headers, "Authorization") != "Bearer " + std::string(64, 'a')) {
      return Answer(401, sync::ErrorBody(Status::Unauthenticated("unknown token")));
    }
    if (r.url.ends_with("/api/v1/sync")) return Sync(r);
    auto pos = r.url.find("/api/v1/attachments/");
    if (pos != std::string::npos) return Photo(r, r.url.substr(pos + 20));
    return Answer(404, sync::ErrorBody(Status::NotFound("no such endpoint")));
  }

  sync::HttpResponse Sync(const sync::HttpRequest& r) {
    auto format = sync::FormatFromContentType(sync::FindHeader(r.headers, "Content-Type"));
    auto body = sync::DecodeBody(r.body, *format, sync::FindHeader(r.headers, "Content-Encoding"));
    if (!body.ok()) return Answer(400, sync::ErrorBody(body.status()));
    const json& req = *body;
    batch_sizes.push_back(req["batch"].size());
    wire_sizes.push_back(r.body.size());
    json results = json::array();
    for (const auto& e : req["batch"]) {
      int64_t seq = e["seq"];
      if (seq <= acked && outcomes.count(seq)) {
        results.push_back(outcomes[seq]);
        continue;
      }
      std::string id = e["report"]["id"];
      json res;
      if (reject_ids.count(id)) {
        res = {{"seq", seq}, {"outcome", "rejected"}, {"reason", "period is in the future"}};
      } else {
        reports[id] = e["report"];
        applied_count[id] += 1;
        res = {{"seq", seq}, {"outcome", "applied"}, {"server_version", applied_count[id]}};
      }
      outcomes[seq] = res;
      results.push_back(res);
      acked = std::max(acked, seq);
    }
    size_t cursor =
        req["cursor"].get<std::string>().empty() ? 0 : std::stoul(req["cursor"].get<std::string>());
    size_t limit = req["pull_limit"];
    json changes = json::array();
    size_t end = std::min(feed.size(), cursor + limit);
    for (size_t i = cursor; i < end; ++i) changes.push_back(feed[i]);
    json answer = {{"acked_seq", ack_less ? acked - 1 : acked},
                   {"results", results},
                   {"changes", changes},
                   {"cursor", std::to_string(std::max(end, cursor))},
                   {"more", end < feed.size()}};
    std::string wire = sync::EncodeBody(answer, *format, true);
    return {
        200,
        {{"Content-Type", std::string(sync::ContentTypeOf(*format))}, {"Content-Encoding", "zstd"}},
        wire};
  }

  sync::HttpResponse Photo(const sync::HttpRequest& r, std::string rest) {
    if (rest.ends_with("/status")) {
      std::string sha = rest.substr(0, rest.size() - 7);
      return Answer(200, {{"received", photos[sha].size()}, {"complete", false}});
    }
    std::string sha = rest.substr(0, rest.find('?'));
    auto q = rest.find("offset=");
    int64_t offset = std::stoll(rest.substr(q + 7));
    int64_t total = std::stoll(rest.substr(rest.find("total=") + 6));
    std::string& have = photos[sha];
    if (offset != static_cast<int64_t>(have.size())) {
      json b =
          sync::ErrorBody(Status::Conflict("upload continues at " + std::to_string(have.size())));
      b["received"] = have.size();
      return Answer(409, b);
    }
    have += r.body;
    if (static_cast<int64_t>(have.size()) == total && corrupt_uploads > 0) {
      --corrupt_uploads;
      have.clear();
      return Answer(422, sync::ErrorBody(Status::FailedPrecondition(
                             "the uploaded bytes hash to something else; start again")));
    }
    return Answer(
        200, {{"received", have.size()}, {"complete", static_cast<int64_t>(have.size()) == total}});
  }
};

}  // namespace fieldsync::testing
