// What the browser tests share: the debug build's binary, the seed's site with its ads,
// starting it on a free port, signing in, and Debian's Chromium launched through Playwright.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const byline = join(root, "target", "debug", "byline");
export const artifacts = join(root, "target", "browser-artifacts");

/// `byline serve` on a free port with `args` (the data folder, a config); resolves to the
/// server process and its base URL once it says it is serving (at most 20 s).
export async function serve(args) {
  const server = spawn(byline, ["serve", "--addr", "127.0.0.1:0", ...args], {
    env: { ...process.env, BYLINE_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: server.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start within 20 s")), 20000);
    lines.on("line", (line) => {
      const found = line.match(/^Byline is serving (http:\/\/\S+?)\/?$/);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    });
  });
  return { server, base };
}

/// Debian's Chromium, headless, with nothing of its own going to the network.
export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

/// A creative of a fixed size, as ad servers send them: an iframe that does not shrink.
const creative = (w, h) =>
  `<iframe title="Sponsor" width="${w}" height="${h}" style="border:0;display:block;margin:auto" srcdoc="<p style='margin:0;font:14px sans-serif'>Sponsor ${w}x${h}</p>"></iframe>`;

/// Every ad placement filled by a fixed-size creative: the leaderboard with a mobile size, the
/// bottom and sidebar rectangles, and one in the story after its third paragraph.
export const ADS_CONFIG = `
[ads.article_top]
html = '''${creative(728, 90)}'''
sizes = [[728, 90], [320, 50]]

[ads.article_bottom]
html = '''${creative(300, 250)}'''
width = 300
height = 250

[ads.sidebar]
html = '''${creative(300, 250)}'''
width = 300
height = 250

[ads.in_article]
html = '''${creative(300, 250)}'''
width = 300
height = 250
after_paragraph = 3
`;

/// The seed's site (../shared/seed) in a new folder: `config` as its byline.toml, the seed's
/// stories imported into the section `world` (the first three tagged `tag`, when one is named)
/// and an editor, editor@example.org with `password`. Returns the arguments `serve` and the CLI
/// take for it.
export function seedSite(config, { password, tag } = {}) {
  const work = mkdtempSync(join(tmpdir(), "byline-site-"));
  const args = ["--data", join(work, "data"), "--config", join(work, "byline.toml")];
  const run = (command, input) => runCli(args, command, input);
  writeFileSync(join(work, "byline.toml"), config);
  const items = join(work, "items");
  const seeded = spawnSync("python3", [join(root, "..", "shared", "seed", "seed_to_ninjs.py"), items],
    { encoding: "utf8" });
  assert.equal(seeded.status, 0, seeded.stderr);
  if (tag) {
    for (const file of readdirSync(items).filter((f) => f.endsWith(".json")).sort().slice(0, 3)) {
      const item = JSON.parse(readFileSync(join(items, file), "utf8"));
      item.subject = [...(item.subject ?? []), { name: tag }];
      writeFileSync(join(items, file), JSON.stringify(item));
    }
  }
  run(["import", "ninjs", "--section", "world", items]);
  if (password) {
    run(["user", "add", "--email", "editor@example.org", "--name", "Eddie Editor", "--role", "editor",
      "--password-stdin"], password + "\n");
  }
  return args;
}

/// Runs the CLI's `command` on the site of `args` (a data folder, a config), `input` on its
/// standard input; fails the test, with what it said, unless it succeeds.
export function runCli(args, command, input) {
  const out = spawnSync(byline, [...command, ...args], { input, encoding: "utf8" });
  assert.equal(out.status, 0, `byline ${command.join(" ")}: ${out.stderr}`);
  return out.stdout;
}

/// Signs `page` in to the admin at `base` as `email`; resolves once the dashboard shows.
export async function signIn(page, base, email, password) {
  await page.goto(base + "/admin/login");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/admin");
}
