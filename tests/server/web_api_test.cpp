// tests/server/web_api_test.cpp — the dashboard's /api/v1/hq routes over a
// real loopback server: sign-in, sessions, throttling, every route for every
// role, regions, the review loop to the device feed, inbox paging and filters.
#include <array>
#include <set>

#include "tests/server/hq_test_util.h"

namespace fieldsync::server::hq_testing {
namespace {

// Two regions' devices and reports, and one user of each kind.
//   west-africa: 3 agriculture (TRI-AGR-001), 2 health (TRI-HLT-002)
//   east-africa: 2 health (SSC-HLT-001), 1 education (SSC-EDU-003)
struct World {
  HqServer server;
  std::string west, east;  // device tokens
  std::vector<std::string> west_ids, east_ids;

  World() {
    west = server.EnrollDevice("Amina", "west-africa");
    east = server.EnrollDevice("Juma", "east-africa");
    std::vector<json> w, e;
    for (int i = 0; i < 3; ++i) {
      west_ids.push_back(Id(1, i));
      w.push_back(MakeReport(west_ids.back(), "TRI-AGR-001", "agriculture",
                             AgricultureValues("2026-0" + std::to_string(7 + i), 40 + i, 10.0)));
    }
    for (int i = 0; i < 2; ++i) {
      west_ids.push_back(Id(2, i));
      w.push_back(
          MakeReport(west_ids.back(), "TRI-HLT-002", "health", HealthValues("2026-09", 100 + i)));
    }
    for (int i = 0; i < 2; ++i) {
      east_ids.push_back(Id(3, i));
      e.push_back(MakeReport(east_ids.back(), "SSC-HLT-001", "health", HealthValues("2026-08", 50),
                             "Juma"));
    }
    east_ids.push_back(Id(4, 0));
    e.push_back(MakeReport(east_ids.back(), "SSC-EDU-003", "education",
                           EducationValues("2026-08", 30), "Juma"));
    server.Push(west, w);
    server.advance(1000);
    server.Push(east, e);
    server.AddUser("ada", "admin");
    server.AddUser("rita", "reviewer");
    server.AddUser("wendy", "reviewer", "west-africa");
    server.AddUser("vic", "viewer");
  }
};

std::set<std::string> InboxIds(const Answer& a) {
  std::set<std::string> ids;
  for (const json& r : a.j["rows"]) ids.insert(r["id"].get<std::string>());
  return ids;
}

TEST_CASE("sign-in sets an HttpOnly SameSite=Strict expiring cookie; logout ends the session") {
  HqServer s;
  s.AddUser("ada", "admin");
  Answer a = s.Login("ada", HqServer::Password("ada"));
  REQUIRE(a.status == 200);
  std::string cookie = a.Header("Set-Cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("Max-Age=43200") != std::string::npos);
  CHECK(cookie.find("Path=/") != std::string::npos);
  CHECK(a.j["user"] == "ada");
  CHECK(a.j["role"] == "admin");

  // Only the token's hash is stored.
  std::string token = cookie.substr(cookie.find('=') + 1, 64);
  Status st = s.service().storage().Read([&](StorageReader& tx) -> Status {
    auto plain = tx.FindHqSession(token);
    REQUIRE(plain.ok());
    CHECK_FALSE(plain->has_value());
    auto hashed = tx.FindHqSession(HashSecret(token));
    REQUIRE(hashed.ok());
    CHECK(hashed->has_value());
    return Status::Ok();
  });
  REQUIRE(st.ok());

  Dashboard d = s.SignIn("ada");
  CHECK(d.Get("/api/v1/hq/me").status == 200);
  Answer out = d.Post("/api/v1/hq/logout", json::object());
  CHECK(out.status == 200);
  CHECK(out.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  Answer after = d.Get("/api/v1/hq/me");
  CHECK(after.status == 401);
  CHECK(after.ErrorMessage().find("sign in again") != std::string::npos);
}

TEST_CASE("a wrong password and an unknown user get the same clear 401") {
  HqServer s;
  s.AddUser("ada", "admin");
  Answer wrong = s.Login("ada", "not-the-password");
  Answer unknown = s.Login("nobody", "whatever-pw");
  CHECK(wrong.status == 401);
  CHECK(unknown.status == 401);
  CHECK(wrong.ErrorMessage() == "wrong user name or password");
  CHECK(unknown.ErrorMessage() == wrong.ErrorMessage());
  CHECK(wrong.Header("Set-Cookie").empty());
  Answer empty = s.Login("", "");
  CHECK(empty.status == 400);
  CHECK(empty.ErrorMessage().find("user name") != std::string::npos);
}

TEST_CASE("failed sign-ins are throttled per user and address with 429 and Retry-After") {
  HqServer s;
  s.AddUser("ada", "admin");
  s.AddUser("bob", "viewer");
  for (int i = 0; i < 5; ++i) CHECK(s.Login("ada", "wrong-password").status == 401);
  Answer locked = s.Login("ada", HqServer::Password("ada"));  // even the right one
  CHECK(locked.status == 429);
  CHECK(locked.ErrorMessage().find("too many failed sign-ins for 'ada'") != std::string::npos);
  CHECK(locked.ErrorMessage().find("try again in 60 seconds") != std::string::npos);
  CHECK(locked.Header("Retry-After") == "60");
  // Another user from the same address is not locked out.
  CHECK(s.Login("bob", HqServer::Password("bob")).status == 200);
  // After the lockout the right password works and clears the count.
  s.advance(61'000);
  CHECK(s.Login("ada", HqServer::Password("ada")).status == 200);
  CHECK(s.Login("ada", "wrong-password").status == 401);
  CHECK(s.Login("ada", HqServer::Password("ada")).status == 200);
  // A failure right after a lockout doubles the wait.
  for (int i = 0; i < 5; ++i) s.Login("ada", "wrong-password");
  s.advance(61'000);
  CHECK(s.Login("ada", "wrong-password").status == 401);
  Answer longer = s.Login("ada", HqServer::Password("ada"));
  CHECK(longer.status == 429);
  CHECK(longer.Header("Retry-After") == "120");
  CHECK(longer.ErrorMessage().find("try again in 2 minutes") != std::string::npos);
}

TEST_CASE("one address trying many user names is throttled too") {
  HqAuthOptions o = CheapAuth();
  o.max_failures_per_client = 8;
  HqServer s(o);
  s.AddUser("ada", "admin");
  for (int i = 0; i < 8; ++i)
    CHECK(s.Login("user" + std::to_string(i), "wrong-password").status == 401);
  Answer a = s.Login("ada", HqServer::Password("ada"));
  CHECK(a.status == 429);
  CHECK(a.ErrorMessage().find("too many failed sign-ins from this address") == 0);
}

TEST_CASE("sessions expire after idle time and after their lifetime, with a message saying so") {
  HqServer s;
  s.AddUser("ada", "admin");
  Dashboard d = s.SignIn("ada");
  s.advance(90LL * 60 * 1000);  // 1.5 h: active again, idle clock restarts
  CHECK(d.Get("/api/v1/hq/me").status == 200);
  s.advance(119LL * 60 * 1000);
  CHECK(d.Get("/api/v1/hq/me").status == 200);
  s.advance(121LL * 60 * 1000);  // 2 h idle
  Answer idle = d.Get("/api/v1/hq/me");
  CHECK(idle.status == 401);
  CHECK(idle.ErrorMessage().find("without activity") != std::string::npos);
  CHECK(idle.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);

  Dashboard e = s.SignIn("ada");
  for (int i = 0; i < 13; ++i) {  // active every hour: the 12 h lifetime still ends it
    s.advance(60LL * 60 * 1000);
    Answer a = e.Get("/api/v1/hq/me");
    if (i < 11) {
      CHECK(a.status == 200);
    } else {
      CHECK(a.status == 401);
      CHECK(a.ErrorMessage().find("your session expired at") != std::string::npos);
      break;
    }
  }
}

TEST_CASE("a disabled user's sessions stop at once") {
  HqServer s;
  s.AddUser("ada", "admin");
  Dashboard d = s.SignIn("ada");
  REQUIRE(s.auth().SetDisabled("ada", true).ok());
  Answer a = d.Get("/api/v1/hq/me");
  CHECK(a.status == 401);
  CHECK(a.ErrorMessage().find("disabled") != std::string::npos);
  Answer login = s.Login("ada", HqServer::Password("ada"));
  CHECK(login.status == 401);
  CHECK(login.ErrorMessage().find("disabled") != std::string::npos);
}

struct Route {
  std::string method;
  std::string path;
  json body;
};

// Every authenticated route, with a body that would succeed for an admin.
std::vector<Route> AllRoutes(const World& w) {
  const std::string west = w.west_ids[0];
  return {
      {"GET", "/api/v1/hq/me", nullptr},
      {"GET", "/api/v1/hq/facets", nullptr},
      {"GET", "/api/v1/hq/reports", nullptr},
      {"GET", "/api/v1/hq/reports/" + west, nullptr},
      {"POST", "/api/v1/hq/reports/" + west + "/review", {{"decision", "approve"}}},
      {"GET", "/api/v1/hq/charts", nullptr},
      {"GET", "/api/v1/hq/followup", nullptr},
      {"GET", "/api/v1/hq/export?format=csv", nullptr},
      {"GET", "/api/v1/hq/devices", nullptr},
      {"POST", "/api/v1/hq/devices/enroll", {{"officer", "Kofi"}, {"region", "west-africa"}}},
      {"POST", "/api/v1/hq/devices/d_0000000000000000/revoke", json::object()},
      {"GET", "/api/v1/hq/projects", nullptr},
      {"POST",
       "/api/v1/hq/projects/import",
       {{"csv",
         "code,title,sector,measures,modality,providers,beneficiaries,funding_partner,"
         "agency,region,ldc,lldc,sids\nNEW-AGR-009,Seeds,agriculture,13,bilateral,BRA,"
         "GHA,,Agency,west-africa,0,0,0\n"}}},
      {"GET", "/api/v1/hq/users", nullptr},
  };
}

Answer Call(Dashboard& d, const Route& r) {
  return r.method == "GET" ? d.Get(r.path) : d.Post(r.path, r.body);
}

TEST_CASE("every dashboard route refuses a request without a valid session") {
  World w;
  Dashboard anon = w.server.Anonymous();
  Dashboard forged(w.server, "fieldsync_session=" + std::string(64, 'a'));
  for (const Route& r : AllRoutes(w)) {
    Answer a = Call(anon, r);
    CHECK_MESSAGE(a.status == 401, r.method << " " << r.path);
    CHECK(a.j["error"]["code"] == "unauthenticated");
    CHECK(a.ErrorMessage() == "sign in to use the dashboard");
    CHECK_MESSAGE(Call(forged, r).status == 401, r.path);
  }
}

TEST_CASE("roles: what each role may do on every route") {
  World w;
  // Expected status per route (index in AllRoutes) for viewer, reviewer, admin.
  // 404 for revoke: the admin passes the role check and meets an unknown device.
  const std::vector<std::array<int, 3>> expected = {
      {200, 200, 200},  // me
      {200, 200, 200},  // facets
      {200, 200, 200},  // inbox
      {200, 200, 200},  // report
      {403, 200, 422},  // review: the reviewer approves first; the admin finds it approved
      {200, 200, 200},  // charts
      {200, 200, 200},  // followup
      {200, 200, 200},  // export
      {403, 403, 200},  // devices
      {403, 403, 200},  // enroll
      {403, 403, 404},  // revoke
      {200, 200, 200},  // projects
      {403, 403, 200},  // import
      {403, 403, 200},  // users
  };
  std::vector<Route> routes = AllRoutes(w);
  REQUIRE(routes.size() == expected.size());
  const char* users[] = {"vic", "rita", "ada"};
  for (int role = 0; role < 3; ++role) {
    Dashboard d = w.server.SignIn(users[role]);
    for (size_t i = 0; i < routes.size(); ++i) {
      Answer a = Call(d, routes[i]);
      CHECK_MESSAGE(a.status == expected[i][static_cast<size_t>(role)],
                    users[role] << " " << routes[i].method << " " << routes[i].path << " -> "
                                << a.status << " " << a.body.substr(0, 200));
      if (a.status == 403) {
        CHECK(a.j["error"]["code"] == "permission_denied");
        CHECK(a.ErrorMessage().find(std::string("'") + users[role] + "' is a") == 0);
      }
    }
  }
  // The viewer's refusal says what is missing.
  Dashboard vic = w.server.SignIn("vic");
  Answer a = vic.Post("/api/v1/hq/reports/" + w.west_ids[1] + "/review", {{"decision", "approve"}});
  CHECK(a.ErrorMessage() ==
        "'vic' is a viewer; approving or returning reports needs the reviewer or admin role");
  CHECK(w.server.service().GetReport(w.west_ids[1])->value().status == "received");
}

TEST_CASE("a reviewer of one region sees nothing of another") {
  World w;
  Dashboard wendy = w.server.SignIn("wendy");
  Answer inbox = wendy.Get("/api/v1/hq/reports");
  REQUIRE(inbox.status == 200);
  CHECK(InboxIds(inbox) == std::set<std::string>(w.west_ids.begin(), w.west_ids.end()));
  CHECK(inbox.j["total"] == 5);
  // Asking for the other region explicitly does not widen the view.
  CHECK(InboxIds(wendy.Get("/api/v1/hq/reports?region=east-africa")).size() == 5);
  for (const std::string& id : w.east_ids) {
    Answer r = wendy.Get("/api/v1/hq/reports/" + id);
    CHECK(r.status == 404);
    CHECK(r.ErrorMessage() == "no report '" + id + "' in region west-africa");
    Answer rv = wendy.Post("/api/v1/hq/reports/" + id + "/review",
                           {{"decision", "return"}, {"comment", "fix"}});
    CHECK(rv.status == 404);
    CHECK(wendy.Get("/api/v1/hq/reports/" + id + "/photos/" + std::string(64, 'a')).status == 404);
  }
  CHECK(w.server.service().GetReport(w.east_ids[0])->value().status == "received");
  // Charts, follow-up, exports and facets are limited too.
  Answer charts = wendy.Get("/api/v1/hq/charts");
  CHECK(charts.j["total_reports"] == 5);
  Answer csv = wendy.Get("/api/v1/hq/export?format=csv");
  REQUIRE(csv.status == 200);
  for (const std::string& id : w.east_ids) CHECK(csv.body.find(id) == std::string::npos);
  for (const std::string& id : w.west_ids) CHECK(csv.body.find(id) != std::string::npos);
  Answer fu = wendy.Get("/api/v1/hq/followup");
  CHECK(fu.j["reports_counted"] == 5);
  for (const json& row : fu.j["rows"])  // west-africa's education project has not reported
    if (row["sector"] == "education") CHECK(row["reports"] == 0);
  Answer facets = wendy.Get("/api/v1/hq/facets");
  for (const json& p : facets.j["projects"]) {
    auto project = schema::DemoProjects();
    auto it = std::find_if(project.begin(), project.end(),
                           [&](const schema::Project& x) { return x.code == p["code"]; });
    REQUIRE(it != project.end());
    CHECK(it->region == "west-africa");
  }
  CHECK(facets.j["officers"] == json{"Amina"});
  Answer projects = wendy.Get("/api/v1/hq/projects");
  for (const json& p : projects.j["projects"]) CHECK(p["region"] == "west-africa");
  // A reviewer without a region sees both.
  Dashboard rita = w.server.SignIn("rita");
  CHECK(rita.Get("/api/v1/hq/reports").j["total"] == 8);
  CHECK(rita.Get("/api/v1/hq/reports/" + w.east_ids[0]).status == 200);
}

TEST_CASE("return with comments reaches the device; it resubmits; approval follows") {
  World w;
  const std::string id = w.west_ids[0];
  Dashboard wendy = w.server.SignIn("wendy");
  Answer view = wendy.Get("/api/v1/hq/reports/" + id + "?lang=fr");
  REQUIRE(view.status == 200);
  CHECK(view.j["can_approve"] == true);
  CHECK(view.j["form"]["title"].get<std::string>().find("agriculture") != std::string::npos);
  bool labelled = false;
  for (const json& f : view.j["fields"])
    if (f["name"] == "main_crop") {
      CHECK(f["text"] == "Riz");  // the choice label in French
      CHECK(f["label"] == "Culture principale");
      labelled = true;
    }
  CHECK(labelled);
  const int64_t version = view.j["report"]["server_version"];

  Answer returned = wendy.Post(
      "/api/v1/hq/reports/" + id + "/review",
      {{"decision", "return"},
       {"comment", "Check the number of farmers"},
       {"field_comments", {{"farmers_trained", "Was it 40 or 14?"}, {"yield_t_ha", "  "}}},
       {"server_version", version}});
  REQUIRE_MESSAGE(returned.status == 200, returned.body);
  CHECK(returned.j["report"]["status"] == "returned");
  CHECK(returned.j["latest_review"]["reviewer"] == "wendy");
  CHECK(returned.j["latest_review"]["field_comments"] ==
        json{{"farmers_trained", "Was it 40 or 14?"}});

  // The transition is kept with who and when.
  auto history = w.server.service().History(id);
  REQUIRE(history.ok());
  const HistoryRow& last = history->back();
  CHECK(last.source == "review");
  CHECK(last.author == "wendy");
  CHECK(last.at_ms == w.server.clock());
  CHECK(last.old_value == "received");
  CHECK(last.new_value == "returned");
  CHECK(last.note == "Check the number of farmers");

  // The device's feed carries the review.
  json review;
  for (const json& c : w.server.Pull(w.west))
    if (c["kind"] == "review" && c["key"] == id) review = c["data"];
  REQUIRE(review.is_object());
  CHECK(review["decision"] == "returned");
  CHECK(review["comment"] == "Check the number of farmers");
  CHECK(review["field_comments"]["farmers_trained"] == "Was it 40 or 14?");
  CHECK(review["reviewer"] == "wendy");
  // ...and the other region's device does not see it.
  for (const json& c : w.server.Pull(w.east)) CHECK(c["key"] != id);

  // Approving a returned report waits for the officer.
  Answer early = wendy.Post("/api/v1/hq/reports/" + id + "/review", {{"decision", "approve"}});
  CHECK(early.status == 422);
  CHECK(early.ErrorMessage().find("waits for the officer") != std::string::npos);

  // The officer corrects and finalizes again: received.
  w.server.advance(5000);
  json corrected =
      MakeReport(id, "TRI-AGR-001", "agriculture", AgricultureValues("2026-07", 14, 10.0));
  corrected["base_version"] = returned.j["report"]["server_version"];
  w.server.Push(w.west, {corrected});
  Answer again = wendy.Get("/api/v1/hq/reports/" + id);
  CHECK(again.j["report"]["status"] == "received");
  CHECK(again.j["can_approve"] == true);
  // A review based on the version before the correction is refused.
  Answer stale = wendy.Post("/api/v1/hq/reports/" + id + "/review",
                            {{"decision", "approve"}, {"server_version", version}});
  CHECK(stale.status == 409);
  CHECK(stale.ErrorMessage().find("changed since you opened it") != std::string::npos);
  Answer approved = wendy.Post(
      "/api/v1/hq/reports/" + id + "/review",
      {{"decision", "approve"}, {"server_version", again.j["report"]["server_version"]}});
  REQUIRE(approved.status == 200);
  CHECK(approved.j["report"]["status"] == "approved");
  CHECK(approved.j["can_approve"] == false);
  CHECK(approved.j["can_return"] == true);
  std::vector<std::string> statuses;
  for (const json& h : approved.j["history"])
    if (h["field"] == "status") statuses.push_back(h["new"]);
  CHECK(statuses == std::vector<std::string>{"returned", "received", "approved"});
  for (const json& c : w.server.Pull(w.west))
    if (c["kind"] == "review" && c["key"] == id) CHECK(c["data"]["decision"] == "approved");
}

TEST_CASE("review refusals say why") {
  World w;
  Dashboard rita = w.server.SignIn("rita");
  const std::string id = w.west_ids[1];
  auto post = [&](const json& body) {
    return rita.Post("/api/v1/hq/reports/" + id + "/review", body);
  };
  Answer no_comment = post({{"decision", "return"}, {"comment", "  "}});
  CHECK(no_comment.status == 400);
  CHECK(no_comment.ErrorMessage().find("say what the officer should correct") == 0);
  Answer bad_decision = post({{"decision", "maybe"}});
  CHECK(bad_decision.status == 400);
  Answer bad_field = post({{"decision", "return"}, {"field_comments", {{"no_such", "x"}}}});
  CHECK(bad_field.status == 400);
  CHECK(bad_field.ErrorMessage() == "form 'agriculture@1' has no field 'no_such'");
  CHECK(rita.Post("/api/v1/hq/reports/nope/review", {{"decision", "approve"}}).status == 404);
  // A draft is not reviewed.
  json draft = MakeReport(Id(9, 9), "TRI-AGR-001", "agriculture",
                          AgricultureValues("2026-07", 5, 1.0), "Amina", "draft");
  w.server.Push(w.west, {draft});
  Answer d = rita.Post("/api/v1/hq/reports/" + Id(9, 9) + "/review", {{"decision", "approve"}});
  CHECK(d.status == 422);
  CHECK(d.ErrorMessage().find("is draft") != std::string::npos);
  CHECK(w.server.service().GetReport(id)->value().status == "received");
}

TEST_CASE("inbox keyset paging returns every report once, newest first") {
  HqServer s;
  std::string token = s.EnrollDevice("Amina", "west-africa");
  std::vector<std::string> ids;
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<json> reports;
    for (int i = 0; i < 40; ++i) {
      ids.push_back(Id(batch, i));
      reports.push_back(MakeReport(ids.back(), "TRI-AGR-001", "agriculture",
                                   AgricultureValues("2026-10", 10 + i, 2.0, false)));
    }
    s.Push(token, reports);
    s.advance(1000);
  }
  s.AddUser("vic", "viewer");
  Dashboard d = s.SignIn("vic");
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  int64_t last_ms = INT64_MAX;
  while (true) {
    Answer a = d.Get("/api/v1/hq/reports?limit=50" + (after.empty() ? "" : "&after=" + after));
    REQUIRE(a.status == 200);
    CHECK(a.j["total"] == 120);
    for (const json& r : a.j["rows"]) {
      CHECK(r["received_at_ms"].get<int64_t>() <= last_ms);
      last_ms = r["received_at_ms"];
      seen.push_back(r["id"]);
    }
    ++pages;
    if (a.j["next"].is_null()) break;
    after = a.j["next"];
  }
  CHECK(pages == 3);
  CHECK(seen.size() == 120);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 120);
  CHECK(seen.front().substr(0, 8) == "00000002");  // the last batch first
  CHECK(d.Get("/api/v1/hq/reports?limit=0").status == 400);
  Answer bad = d.Get("/api/v1/hq/reports?after=garbage");
  CHECK(bad.status == 400);
  CHECK(bad.ErrorMessage().find("cursor") != std::string::npos);
}

TEST_CASE("inbox filters: sector, country, measure, project, status, period, officer, search") {
  World w;
  Dashboard d = w.server.SignIn("rita");
  auto ids = [&](const std::string& q) {
    Answer a = d.Get("/api/v1/hq/reports?" + q);
    REQUIRE_MESSAGE(a.status == 200, q << " " << a.body);
    return InboxIds(a);
  };
  CHECK(ids("sector=agriculture").size() == 3);
  CHECK(ids("sector=health").size() == 4);
  CHECK(ids("country=MOZ").size() == 2);  // SSC-HLT-001's beneficiary
  CHECK(ids("country=vnm").size() == 3);  // TRI-AGR-001's provider, any case
  CHECK(ids("measure=13").size() == 3);   // agriculture projects
  CHECK(ids("measure=16").size() == 4);   // health projects
  CHECK(ids("measure=2").size() == 1);    // scholarships: SSC-EDU-003
  CHECK(ids("project=TRI-HLT-002").size() == 2);
  CHECK(ids("officer=Juma").size() == 3);
  CHECK(ids("from=2026-08&to=2026-08").size() == 4);
  CHECK(ids("from=2026-09").size() == 3);
  CHECK(ids("status=approved").empty());
  CHECK(ids("q=juma").size() == 3);                    // author, any case
  CHECK(ids("q=Rice%20intensification").size() == 3);  // project title
  CHECK(ids("q=" + w.east_ids[2].substr(0, 12)).size() == 1);
  CHECK(ids("sector=health&officer=Amina").size() == 2);
  CHECK(ids("q=100%25").empty());  // '%' is literal, not a wildcard
  for (const char* bad :
       {"sector=space", "measure=51", "from=2026-13", "status=lost", "country=MOZA"}) {
    Answer a = d.Get(std::string("/api/v1/hq/reports?") + bad);
    CHECK_MESSAGE(a.status == 400, bad);
    CHECK(!a.ErrorMessage().empty());
  }
  Answer facets = d.Get("/api/v1/hq/facets");
  CHECK(facets.j["officers"] == json{"Amina", "Juma"});
  CHECK(facets.j["measures"].size() == 50);
}

TEST_CASE("posts from another site or not in JSON are refused") {
  World w;
  Dashboard ada = w.server.SignIn("ada");
  const std::string path = "/api/v1/hq/reports/" + w.west_ids[0] + "/review";
  Answer cross = ada.Post(path, {{"decision", "approve"}}, {{"Origin", "http://evil.example"}});
  CHECK(cross.status == 403);
  CHECK(cross.ErrorMessage().find("another site") != std::string::npos);
  auto c = w.server.Client();
  auto res = c->Post(path, {{"Cookie", ada.cookie()}}, "decision=approve",
                     "application/x-www-form-urlencoded");
  REQUIRE(res);
  CHECK(res->status == 415);
  Answer same = ada.Post(path, {{"decision", "approve"}},
                         {{"Origin", "http://127.0.0.1:" + std::to_string(w.server.port())}});
  CHECK(same.status == 200);
  auto bad = c->Post("/api/v1/hq/login", "{not json", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
}

TEST_CASE("browsers get pages, never blank or a trace: dashboard, 404, expired session") {
  World w;
  auto c = w.server.Client();
  auto index = c->Get("/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(index->get_header_value("Content-Security-Policy").find("default-src 'self'") !=
        std::string::npos);
  CHECK(index->body.find("/static/app.js") != std::string::npos);
  for (const char* asset :
       {"/static/app.js", "/static/charts.js", "/static/style.css", "/static/favicon.svg"}) {
    auto a = c->Get(asset);
    REQUIRE(a);
    CHECK_MESSAGE(a->status == 200, asset);
    CHECK(a->body.size() > 100);
    std::string etag = a->get_header_value("ETag");
    auto again = c->Get(asset, {{"If-None-Match", etag}});
    CHECK(again->status == 304);
  }
  // No reference to anything outside the server.
  for (const char* asset : {"/", "/static/app.js", "/static/style.css", "/static/charts.js"}) {
    std::string body = c->Get(asset)->body;
    CHECK_MESSAGE(body.find("https://") == std::string::npos, asset);
    CHECK_MESSAGE(body.find("@import") == std::string::npos, asset);
  }
  httplib::Headers html = {{"Accept", "text/html,application/xhtml+xml"}};
  auto missing = c->Get("/no/such/page", html);
  CHECK(missing->status == 404);
  CHECK(missing->body.find("there is no page at /no/such/page") != std::string::npos);
  CHECK(missing->body.find("Back to the dashboard") != std::string::npos);
  auto unauth = c->Get("/api/v1/hq/export?format=csv", html);
  CHECK(unauth->status == 401);
  CHECK(unauth->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  CHECK(unauth->body.find("sign in to use the dashboard") != std::string::npos);
  // API clients still get JSON, and the device API's 404 is untouched.
  auto api = c->Get("/api/v1/nothing");
  CHECK(api->status == 404);
  CHECK(json::parse(api->body)["error"]["code"] == "not_found");
  auto health = c->Get("/healthz");
  CHECK(health->status == 200);
}

TEST_CASE("photos: served once complete, to those who may see the report") {
  World w;
  const std::string bytes = std::string("\xff\xd8\xff\xe0", 4) + std::string(3000, 'x');
  const std::string sha = HashSecret(bytes);
  const std::string id = Id(5, 1);
  json v = AgricultureValues("2026-10", 30, 5.0);
  v["photo"] = sha;
  w.server.Push(w.west, {MakeReport(id, "TRI-AGR-001", "agriculture", v)});
  Dashboard wendy = w.server.SignIn("wendy");
  const std::string url = "/api/v1/hq/reports/" + id + "/photos/" + sha;
  Answer view = wendy.Get("/api/v1/hq/reports/" + id);
  REQUIRE(view.j["photos"].size() == 1);
  CHECK(view.j["photos"][0]["complete"] == false);
  Answer pending = wendy.Get(url);
  CHECK(pending.status == 422);
  CHECK(pending.ErrorMessage().find("has not reached HQ yet") != std::string::npos);
  auto device = w.server.service().Authenticate(w.west);
  REQUIRE(device.ok());
  AttachmentState state;
  REQUIRE(
      w.server.service()
          .PutAttachmentChunk(*device, sha, 0, static_cast<int64_t>(bytes.size()), bytes, &state)
          .ok());
  REQUIRE(state.complete);
  Answer photo = wendy.Get(url);
  REQUIRE(photo.status == 200);
  CHECK(photo.body == bytes);
  CHECK(photo.Header("Content-Type") == "image/jpeg");
  CHECK(wendy.Get("/api/v1/hq/reports/" + id).j["photos"][0]["complete"] == true);
  // Not through another report, and not for a reviewer of another region.
  CHECK(wendy.Get("/api/v1/hq/reports/" + w.west_ids[0] + "/photos/" + sha).status == 404);
  w.server.AddUser("eve", "reviewer", "east-africa");
  CHECK(w.server.SignIn("eve").Get(url).status == 404);
}

TEST_CASE("devices: an enrollment code made on the dashboard enrolls; revoke refuses the device") {
  World w;
  Dashboard ada = w.server.SignIn("ada");
  Answer code =
      ada.Post("/api/v1/hq/devices/enroll", {{"officer", "Kofi"}, {"region", "west-africa"}});
  REQUIRE(code.status == 200);
  CHECK(code.j["code"].get<std::string>().size() == 14);
  CHECK(code.j["expires_at_ms"] == w.server.clock() + 24LL * 3600 * 1000);
  auto enrolled = w.server.service().Enroll(code.j["code"].get<std::string>(), "tab");
  REQUIRE(enrolled.ok());
  CHECK(enrolled->officer == "Kofi");
  Answer list = ada.Get("/api/v1/hq/devices");
  REQUIRE(list.j["devices"].size() == 3);
  bool found = false;
  for (const json& d : list.j["devices"])
    if (d["id"] == enrolled->device_id) {
      found = true;
      CHECK(d["last_seen_ms"] == w.server.clock());
      CHECK(d["revoked"] == false);
    }
  CHECK(found);
  Answer revoked =
      ada.Post("/api/v1/hq/devices/" + enrolled->device_id + "/revoke", json::object());
  CHECK(revoked.status == 200);
  auto refused = w.server.service().Authenticate(enrolled->token);
  CHECK_FALSE(refused.ok());
  CHECK(refused.status().message().find("revoked") != std::string::npos);
  Answer empty = ada.Post("/api/v1/hq/devices/enroll", {{"officer", " "}});
  CHECK(empty.status == 400);
}

TEST_CASE("projects: the registry lists, imports from CSV, and a bad row names its line") {
  World w;
  Dashboard ada = w.server.SignIn("ada");
  const std::string header =
      "code,title,sector,measures,modality,providers,beneficiaries,funding_partner,agency,region,"
      "ldc,lldc,sids\n";
  Answer ok = ada.Post("/api/v1/hq/projects/import",
                       {{"csv", header + "NEW-WAT-001,Wells,water,13;30,bilateral,IND,MWI,,Agency,"
                                         "east-africa,1,1,0\n"}});
  REQUIRE_MESSAGE(ok.status == 200, ok.body);
  CHECK(ok.j["imported"] == 1);
  Answer list = ada.Get("/api/v1/hq/projects");
  bool found = false;
  for (const json& p : list.j["projects"])
    if (p["code"] == "NEW-WAT-001") found = p["sector"] == "water" && p["lldc"] == true;
  CHECK(found);
  CHECK(list.j["can_import"] == true);
  Answer bad = ada.Post("/api/v1/hq/projects/import",
                        {{"csv", header + "BAD-1,T,health,51,bilateral,BRA,MOZ,,A,r,0,0,0\n"}});
  CHECK(bad.status == 400);
  CHECK(bad.ErrorMessage().find("line 2") != std::string::npos);
  CHECK(w.server.SignIn("vic").Get("/api/v1/hq/projects").j["can_import"] == false);
}

}  // namespace
}  // namespace fieldsync::server::hq_testing
