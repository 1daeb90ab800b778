// The reader's pages in a real browser (Debian's Chromium driven by Playwright) on the seed's
// site with every ad placement filled by a fixed-size iframe creative: axe-core finds no
// violation (WCAG 2.2 AA, target-size included) at 1280 and 390 px, light and dark; nothing
// shifts (CLS 0); print leaves out ads and rails and keeps the credit and the address; the
// newsroom's pages pass axe signed in. Screenshots land in target/browser-artifacts/.
//
// BYLINE_BROWSER_SHORT=1 checks one page at one width (CI's short mode).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifacts, byline, launchChromium, root, serve } from "./support.mjs";

const shared = join(root, "..", "shared");
const axeSource = readFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), "utf8");
const work = mkdtempSync(join(tmpdir(), "byline-reader-"));
const data = join(work, "data");
const short = process.env.BYLINE_BROWSER_SHORT === "1";
const PASSWORD = "reader test passphrase";
const LEAD = "Libya’s warlord Haftar rejects call for ceasefire";

// A creative of a fixed size, as ad servers send them: an iframe that does not shrink.
const creative = (w, h) =>
  `<iframe title="Sponsor" width="${w}" height="${h}" style="border:0;display:block;margin:auto" srcdoc="<p style='margin:0;font:14px sans-serif'>Sponsor ${w}x${h}</p>"></iframe>`;
const CONFIG = `
[site]
title = "The Test Review"

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

let server;
let base;
let browser;

function run(args, input) {
  const out = spawnSync(byline, [...args, "--data", data, "--config", join(work, "byline.toml")],
    { input, encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout;
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(work, "byline.toml"), CONFIG);
  const items = join(work, "items");
  const seeded = spawnSync("python3", [join(shared, "seed", "seed_to_ninjs.py"), items], { encoding: "utf8" });
  assert.equal(seeded.status, 0, seeded.stderr);
  run(["import", "ninjs", "--section", "world", items]);
  run(["user", "add", "--email", "editor@example.org", "--name", "Eddie Editor", "--role", "editor",
    "--password-stdin"], PASSWORD + "\n");
  ({ server, base } = await serve(["--data", data, "--config", join(work, "byline.toml")]));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
});

/// axe-core's violations of WCAG 2.0–2.2 A/AA and best practice on the page as it stands.
async function violations(page) {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      rules: { "target-size": { enabled: true } },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return found;
}

/// The page's cumulative layout shift once it has loaded and settled, creatives included.
async function layoutShift(page) {
  return page.evaluate(() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
    setTimeout(() => resolve(total), 500);
  }));
}

async function articleUrl(page) {
  await page.goto(base + "/");
  const href = await page.getByRole("link", { name: LEAD, exact: true }).first().getAttribute("href");
  return base + href;
}

test("public pages: no axe violation, no layout shift, light and dark, wide and narrow", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const article = await articleUrl(page);
  const pages = short
    ? [["article", article]]
    : [["home", base + "/"], ["article", article], ["latest", base + "/latest"],
      ["section", base + "/section/world"], ["search", base + "/search?q=ceasefire"]];
  const widths = short ? [390] : [1280, 390];
  for (const width of widths) {
    for (const scheme of short ? ["light"] : ["light", "dark"]) {
      const viewer = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      const tab = await viewer.newPage();
      for (const [name, url] of pages) {
        await tab.goto(url, { waitUntil: "load" });
        assert.deepEqual(await violations(tab), [], `${name} at ${width} px, ${scheme}`);
        assert.equal(await layoutShift(tab), 0, `${name} at ${width} px shifts`);
        if (scheme === "light") {
          await tab.screenshot({ path: join(artifacts, `${name}-${width}.png`), fullPage: true });
        }
      }
      await viewer.close();
    }
  }
  await context.close();
});

test("the article's layout: a sidebar on wide screens, the slots fit, print keeps the story", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const article = await articleUrl(page);
  await page.goto(article);
  const body = await page.locator(".article-body").boundingBox();
  const rails = await page.locator(".rails").boundingBox();
  assert.ok(rails.x > body.x + body.width, "the rails sit to the right of the body");
  assert.ok(rails.y < body.y + body.height, "beside the body, not below it");
  const top = await page.locator(".ad-article_top .ad-box").boundingBox();
  assert.equal(Math.round(top.width), 728, "the leaderboard's full width on a wide screen");
  assert.equal(Math.round(top.height), 90);
  const names = await page.locator("aside.ad").evaluateAll((slots) => slots.map((s) => s.getAttribute("aria-label")));
  assert.equal(names.length, 4);
  assert.equal(new Set(names).size, 4, `each slot named once: ${names}`);

  await page.setViewportSize({ width: 390, height: 900 });
  const narrow = await page.locator(".ad-article_top .ad-box").boundingBox();
  assert.equal(Math.round(narrow.width), 320, "the mobile size on a narrow screen");
  assert.equal(Math.round(narrow.height), 90, "the fixed-size creative keeps its own height");

  await page.emulateMedia({ media: "print" });
  const shown = async (selector) => page.locator(selector).first().isVisible();
  assert.equal(await shown("aside.ad"), false, "no ads on paper");
  assert.equal(await shown(".rails"), false, "no rails on paper");
  assert.equal(await shown(".newsletter"), false, "no sign-up form on paper");
  assert.equal(await shown(".lead-photo .credit"), true, "the credit is printed");
  assert.equal(await shown(".print-url"), true, "the story's address is printed");
  const printed = await page.locator(".print-url").innerText();
  assert.ok(printed.endsWith(new URL(article).pathname), `the address: ${printed}`);
  await context.close();
});

test("the newsroom's pages pass axe signed in", { skip: short }, async () => {
  // The admin's policy allows no inline script; axe is the test's, not the page's.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + "/admin/login");
  await page.getByLabel("Email address").fill("editor@example.org");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/admin");
  for (const path of ["/admin", "/admin/stories/new", "/admin/curation", "/admin/pages",
    "/admin/pages/new", "/admin/media", "/admin/redirects", "/admin/newsletter", "/admin/subscribers"]) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(base + path);
      assert.deepEqual(await violations(page), [], `${path} at ${width} px`);
    }
  }
  await context.close();
});
