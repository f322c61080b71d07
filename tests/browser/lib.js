// tests/browser/lib.js — what the browser test and the screenshot script
// share: running fieldsync-server and fieldsync-cli, a server on a free
// loopback port, and headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core, fresh profile, no network beyond the server).
"use strict";

const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

function binaries(buildDir) {
  const server = path.join(buildDir, "server", "fieldsync-server");
  const cli = path.join(buildDir, "client", "cli", "fieldsync-cli");
  for (const b of [server, cli]) {
    if (!fs.existsSync(b)) throw new Error(`missing ${b}; build fieldsync-server and fieldsync-cli first`);
  }
  return { server, cli };
}

// Runs a command to completion; throws with its stderr unless it exits 0
// (or `allowFail`). Returns {code, out, err}.
function run(cmd, args, { input, allowFail, cwd } = {}) {
  const r = spawnSync(cmd, args, { input: input ?? "", encoding: "utf8", cwd, timeout: 120000 });
  const res = { code: r.status, out: r.stdout || "", err: r.stderr || "" };
  if (!allowFail && res.code !== 0) {
    throw new Error(`${path.basename(cmd)} ${args.join(" ")} exited ${res.code}: ${res.err.trim()}`);
  }
  return res;
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Starts `fieldsync-server serve` on a free port; resolves {url, stop()}.
function startServer(serverBin, db) {
  return new Promise((resolve, reject) => {
    const child = spawn(serverBin, ["serve", "--db", db, "--listen", "127.0.0.1:0", "--quiet"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "", err = "";
    const timer = setTimeout(() => reject(new Error("fieldsync-server did not start: " + err)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.on("exit", (code) => done(code));
            child.kill("SIGTERM");
          }),
        });
      }
    });
    child.stderr.on("data", (d) => { err += d; });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`fieldsync-server exited ${code}: ${err}`));
    });
  });
}

async function launchBrowser() {
  const { chromium } = require("playwright-core");
  const profile = tempDir("fieldsync-chromium-");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// A project registry in the CSV the server imports.
const REGISTRY_HEADER =
  "code,title,sector,measures,modality,providers,beneficiaries,funding_partner,agency,region,ldc,lldc,sids";

module.exports = { binaries, run, tempDir, startServer, launchBrowser, REGISTRY_HEADER };
