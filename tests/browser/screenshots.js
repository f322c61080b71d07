// tests/browser/screenshots.js — screenshots of every dashboard page for
// docs/screenshots/dashboard-*.png (run through scripts/dashboard-screenshots.sh).
//
// Fills a server database with inbox_bench (a few thousand generated reports
// over the demo registry), adds a real device whose report goes through the
// review loop (returned with comments, corrected, resubmitted), then signs in
// and photographs: sign-in, inbox, report, charts, follow-up (page and the
// printable export), devices (with a fresh enrollment code) and projects.
//
//   node screenshots.js BUILD_DIR OUT_DIR [REPORTS]
"use strict";

const fs = require("fs");
const path = require("path");
const { binaries, run, tempDir, startServer, launchBrowser } = require("./lib");

async function main() {
  const buildDir = path.resolve(process.argv[2] || path.join(__dirname, "..", "..", "build"));
  const outDir = path.resolve(process.argv[3] || path.join(__dirname, "..", "..", "docs", "screenshots"));
  const reports = process.argv[4] || "3000";
  const bin = binaries(buildDir);
  const bench = path.join(buildDir, "bench", "inbox_bench");
  if (!fs.existsSync(bench)) throw new Error(`missing ${bench}; build the inbox_bench target first`);
  fs.mkdirSync(outDir, { recursive: true });
  const dir = tempDir("fieldsync-shots-");
  const db = path.join(dir, "hq.db");
  const dev = path.join(dir, "device");
  let server = null, browser = null;
  try {
    run(bench, ["--reports", reports, "--runs", "1", "--keep", db]);
    run(bin.server, ["admin", "--db", db, "user", "add", "ada", "--role", "admin"], { input: "admin-pass-1\n" });
    server = await startServer(bin.server, db);

    // A real device's report with a review history.
    const code = JSON.parse(run(bin.server, ["admin", "--db", db, "enroll", "--officer", "Amina Diallo", "--region", "west-africa", "--json"]).out).code;
    run(bin.cli, ["--data", dev, "enroll", "--server", server.url, "--code", code, "--name", "tablet-07"]);
    const id = run(bin.cli, ["--data", dev, "report", "new", "--project", "TRI-AGR-001", "--form", "agriculture",
      "--set", "period=2026-10", "--set", "farmers_trained=140", "--set", "women_farmers=52",
      "--set", "hectares_planted=61.5", "--set", "seed_distributed_kg=2400", "--set", "main_crop=rice",
      "--set", "yield_t_ha=4.1", "--set", "irrigation_schemes=3", "--set", "location=14.79,-16.93",
      "--set", "narrative=Two new water user associations; the dry-season plots are ready.",
      "--finalize"]).out.trim();
    run(bin.cli, ["--data", dev, "sync"]);
    const code2 = JSON.parse(run(bin.server, ["admin", "--db", db, "enroll", "--officer", "Juma Mwangi", "--region", "east-africa", "--json"]).out).code;
    run(bin.cli, ["--data", path.join(dir, "device2"), "enroll", "--server", server.url, "--code", code2, "--name", "tablet-12"]);
    const code3 = JSON.parse(run(bin.server, ["admin", "--db", db, "enroll", "--officer", "Rosa Quispe", "--region", "latin-america", "--json"]).out).code;
    run(bin.cli, ["--data", path.join(dir, "device3"), "enroll", "--server", server.url, "--code", code3, "--name", "tablet-03"]);
    const lost = JSON.parse(run(bin.cli, ["--data", path.join(dir, "device3"), "status", "--json"]).out);
    run(bin.server, ["admin", "--db", db, "revoke", lost.device_id]);

    browser = await launchBrowser();
    const page = await browser.context.newPage();
    const shot = async (name, full) => {
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(outDir, `dashboard-${name}.png`), fullPage: !!full });
      console.log("wrote", path.join(outDir, `dashboard-${name}.png`));
    };

    await page.goto(server.url + "/");
    await page.waitForSelector("#user");
    await page.fill("#user", "ada");
    await page.fill("#password", "wrong password");
    await page.click("#signin");
    await page.waitForSelector("#login-error:not([hidden])");
    await shot("login");
    await page.fill("#password", "admin-pass-1");
    await page.click("#signin");
    await page.waitForSelector("#inbox tbody tr");

    // Return with comments, let the officer correct, then photograph.
    await page.goto(server.url + "/#/report/" + id);
    await page.waitForSelector("#return");
    await page.click('tr[data-field="women_farmers"] button');
    await page.fill('input[data-field="women_farmers"]', "Does this count the women of both associations?");
    await page.fill("#review-comment", "Please confirm the number of women trained.");
    await page.click("#return");
    await page.waitForSelector(".pagehead .badge.returned");
    run(bin.cli, ["--data", dev, "sync"]);
    run(bin.cli, ["--data", dev, "report", "set", id, "women_farmers=61"]);
    run(bin.cli, ["--data", dev, "report", "finalize", id]);
    run(bin.cli, ["--data", dev, "sync"]);

    await page.goto(server.url + "/#/inbox");
    await page.waitForSelector("#inbox tbody tr");
    await shot("inbox");
    await page.goto(server.url + "/#/inbox?sector=health&status=received&from=2026-01");
    await page.waitForSelector("#inbox tbody tr");
    await shot("inbox-filtered");
    await page.goto(server.url + "/#/report/" + id);
    await page.waitForSelector("#approve:not([disabled])");
    await page.click('tr[data-field="farmers_trained"] button');
    await page.fill('input[data-field="farmers_trained"]', "");
    await shot("report", true);
    await page.goto(server.url + "/#/charts");
    await page.waitForSelector("#c-points svg");
    await shot("charts", true);
    await page.goto(server.url + "/#/followup?measure=16");
    await page.waitForSelector("#followup table");
    await shot("followup", true);
    await page.goto(server.url + "/api/v1/hq/export?format=followup-html&sector=agriculture");
    await page.waitForSelector("h1");
    await shot("followup-print", true);
    await page.goto(server.url + "/#/devices");
    await page.waitForSelector("#device-list table");
    await page.fill("#enroll-officer", "Kofi Mensah");
    await page.fill("#enroll-region", "west-africa");
    await page.click('#main form button[type="submit"]');
    await page.waitForSelector("#enroll-code");
    await shot("devices");
    await page.goto(server.url + "/#/projects");
    await page.waitForSelector("#projects tbody tr");
    await shot("projects", true);
    await page.goto(server.url + "/no/such/page");
    await shot("not-found");
  } finally {
    if (browser) await browser.close();
    if (server) await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error("screenshots FAILED:", e && e.stack ? e.stack : e);
  process.exit(1);
});
