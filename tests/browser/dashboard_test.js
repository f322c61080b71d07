// tests/browser/dashboard_test.js — the HQ review loop in headless Chromium:
//   an officer finalizes a report on a device and syncs; a reviewer signs in
//   to the dashboard (after a wrong password), returns the report with a
//   comment and a field comment; the device syncs and shows them; the officer
//   corrects and finalizes again; the reviewer approves; the export has it.
// Also: a viewer cannot approve, and a session that ends mid-way brings back
// the sign-in page with the reason, never a blank page.
//
//   node dashboard_test.js BUILD_DIR
"use strict";

const assert = require("assert/strict");
const fs = require("fs");
const path = require("path");
const { binaries, run, tempDir, startServer, launchBrowser, REGISTRY_HEADER } = require("./lib");

function step(text) { console.log("- " + text); }

async function main() {
  const buildDir = path.resolve(process.argv[2] || path.join(__dirname, "..", "..", "build"));
  const bin = binaries(buildDir);
  const dir = tempDir("fieldsync-browser-");
  const db = path.join(dir, "hq.db");
  const dev = path.join(dir, "device");
  let server = null, browser = null;
  try {
    step("HQ: registry, users");
    const csv = path.join(dir, "projects.csv");
    fs.writeFileSync(csv, REGISTRY_HEADER + "\n" +
      "TRI-AGR-001,Rice intensification,agriculture,13,triangular,VNM,SEN,FAO,ISRA,west-africa,1,0,0\n" +
      "SSC-HLT-001,ART scale-up,health,16;18,bilateral,BRA,MOZ,,MoH Mozambique,east-africa,1,0,0\n");
    run(bin.server, ["admin", "--db", db, "projects", "import", csv]);
    run(bin.server, ["admin", "--db", db, "user", "add", "rev", "--role", "reviewer", "--region", "west-africa"],
      { input: "review-pass-1\n" });
    run(bin.server, ["admin", "--db", db, "user", "add", "view", "--role", "viewer"], { input: "viewer-pass-1\n" });
    server = await startServer(bin.server, db);

    step("device: enroll, finalize a report, sync");
    const code = JSON.parse(run(bin.server, ["admin", "--db", db, "enroll", "--officer", "Amina", "--region", "west-africa", "--json"]).out).code;
    run(bin.cli, ["--data", dev, "enroll", "--server", server.url, "--code", code]);
    const id = run(bin.cli, ["--data", dev, "report", "new", "--project", "TRI-AGR-001", "--form", "agriculture",
      "--set", "period=2026-10", "--set", "farmers_trained=40", "--set", "women_farmers=12",
      "--set", "hectares_planted=10.5", "--set", "seed_distributed_kg=200", "--set", "main_crop=rice",
      "--set", "yield_t_ha=3.2", "--set", "irrigation_schemes=2", "--set", "location=14.7,-17.4",
      "--finalize"]).out.trim();
    assert.match(id, /^[0-9a-zA-Z_-]+$/);
    run(bin.cli, ["--data", dev, "sync"]);

    browser = await launchBrowser();
    const page = await browser.context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // Nothing may be fetched from anywhere but the server.
    const origin = new URL(server.url).origin;
    const foreign = [];
    page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) foreign.push(r.url()); });

    step("browser: a wrong password gets a clear message");
    await page.goto(server.url + "/");
    await page.waitForSelector("#user");
    await page.fill("#user", "rev");
    await page.fill("#password", "not-the-password");
    await page.click("#signin");
    await page.waitForSelector("#login-error:not([hidden])");
    assert.equal((await page.textContent("#login-error")).trim(), "wrong user name or password");

    step("browser: a viewer reads the report but cannot approve it");
    await page.fill("#user", "view");
    await page.fill("#password", "viewer-pass-1");
    await page.click("#signin");
    await page.waitForSelector(`#inbox tr[data-id="${id}"]`);
    await page.goto(server.url + "/#/report/" + id);
    await page.waitForSelector("#review");
    assert.equal(await page.$("#approve"), null, "a viewer sees no Approve button");
    assert.match(await page.textContent("#review"), /can read reports but not review them/);
    const forbidden = await page.evaluate(async (rid) => {
      const r = await fetch(`/api/v1/hq/reports/${rid}/review`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ decision: "approve" }) });
      return { status: r.status, body: await r.json() };
    }, id);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.error.message, /'view' is a viewer; approving or returning reports needs the reviewer or admin role/);
    await page.click("#logout");
    await page.waitForSelector("#login-error:not([hidden])");
    assert.match(await page.textContent("#login-error"), /signed out/);

    step("browser: the reviewer returns the report with a comment and a field comment");
    await page.fill("#user", "rev");
    await page.fill("#password", "review-pass-1");
    await page.click("#signin");
    await page.waitForSelector(`#inbox tr[data-id="${id}"]`);
    await page.click(`#inbox tr[data-id="${id}"]`);
    await page.waitForSelector("#approve");
    assert.match(await page.textContent("h1"), new RegExp(id));
    await page.click('tr[data-field="farmers_trained"] button');
    await page.fill('input[data-field="farmers_trained"]', "Was it 40 or 14 farmers?");
    const comment = "Please check the number of farmers trained";
    await page.fill("#review-comment", comment);
    await page.click("#return");
    await page.waitForSelector("#banner:not([hidden])");
    assert.match(await page.textContent("#banner"), /returned; the officer sees your comments/);
    assert.match(await page.textContent(".pagehead .badge"), /returned/);
    assert.match(await page.textContent('tr[data-field="farmers_trained"]'), /HQ: Was it 40 or 14 farmers\?/);

    step("device: sync brings the comments");
    run(bin.cli, ["--data", dev, "sync"]);
    let shown = JSON.parse(run(bin.cli, ["--data", dev, "report", "show", id, "--json"]).out);
    assert.equal(shown.status, "returned");
    assert.equal(shown.review.decision, "returned");
    assert.equal(shown.review.comment, comment);
    assert.equal(shown.review.reviewer, "rev");
    assert.equal(shown.review.field_comments.farmers_trained, "Was it 40 or 14 farmers?");
    assert.match(run(bin.cli, ["--data", dev, "report", "show", id]).out, /Please check the number of farmers trained/);

    step("device: the officer corrects and finalizes again");
    run(bin.cli, ["--data", dev, "report", "set", id, "farmers_trained=14", "women_farmers=6"]);
    run(bin.cli, ["--data", dev, "report", "finalize", id]);
    run(bin.cli, ["--data", dev, "sync"]);

    step("browser: the reviewer sees the correction and approves");
    await page.reload();
    await page.waitForSelector("#approve:not([disabled])");
    assert.match(await page.textContent('tr[data-field="farmers_trained"] td.value'), /^14/);
    assert.match(await page.textContent(".history"), /farmers_trained|Farmers trained/);
    await page.click("#approve");
    await page.waitForSelector(".pagehead .badge.approved");
    run(bin.cli, ["--data", dev, "sync"]);
    shown = JSON.parse(run(bin.cli, ["--data", dev, "report", "show", id, "--json"]).out);
    assert.equal(shown.status, "approved");

    step("exports have the approved, corrected report");
    const out = path.join(dir, "export.csv");
    run(bin.server, ["admin", "--db", db, "export", "--format", "csv", "--out", out]);
    const lines = fs.readFileSync(out, "utf8").trim().split("\n");
    const header = lines[0].split(",");
    const row = lines.find((l) => l.startsWith(id + ",")).split(",");
    assert.equal(row[header.indexOf("status")], "approved");
    assert.equal(row[header.indexOf("farmers_trained")], "14");
    const dashboardCsv = await page.evaluate(async () => (await fetch("/api/v1/hq/export?format=csv")).text());
    assert.ok(dashboardCsv.includes(id + ",TRI-AGR-001,agriculture,1,2026-10,approved,"));
    const geo = await page.evaluate(async () => (await fetch("/api/v1/hq/export?format=geojson")).json());
    assert.deepEqual(geo.features.map((f) => f.properties.id), [id]);
    assert.deepEqual(geo.features[0].geometry.coordinates, [-17.4, 14.7]);

    step("browser: other pages draw without errors");
    for (const [hash, selector] of [["#/charts", "#c-points svg"], ["#/followup", "#followup table"], ["#/projects", "#projects tbody tr"]]) {
      await page.goto(server.url + "/" + hash);
      await page.waitForSelector(selector);
    }
    assert.equal(await page.$('a[href="#/devices"]'), null, "a reviewer has no Devices page");

    step("browser: a session ended by HQ brings back sign-in with the reason");
    run(bin.server, ["admin", "--db", db, "user", "disable", "rev"]);
    await page.goto(server.url + "/#/inbox");
    await page.waitForSelector("#login-error:not([hidden])");
    assert.match(await page.textContent("#login-error"), /the account 'rev' was disabled on .*; ask an HQ admin/);
    const direct = await page.goto(server.url + "/api/v1/hq/export?format=csv");
    assert.equal(direct.status(), 401);
    assert.match(await page.textContent("body"), /sign in to use the dashboard|sign in again/);
    const nowhere = await page.goto(server.url + "/no/such/page");
    assert.equal(nowhere.status(), 404);
    assert.match(await page.textContent("h1"), /Not found/);

    assert.deepEqual(pageErrors, [], "no script errors");
    assert.deepEqual(foreign, [], "no request left the server");
    console.log("dashboard browser test: ok");
  } finally {
    if (browser) await browser.close();
    if (server) await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error("dashboard browser test FAILED:", e && e.stack ? e.stack : e);
  process.exit(1);
});
