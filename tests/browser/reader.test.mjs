// The reader's pages in a real browser (Debian's Chromium driven by Playwright) on the seed's
// site with every ad placement filled by a fixed-size iframe creative: axe-core finds no
// violation (WCAG 2.2 AA, target-size included) at 1280 and 390 px, light and dark; nothing
// shifts (CLS 0); print leaves out ads and rails and keeps the credit and the address; the
// newsroom's pages pass axe signed in; a story link prefetched on hover opens from the prefetch
// and still counts as one view. Screenshots land in target/browser-artifacts/.
//
// BYLINE_BROWSER_SHORT=1 checks one page at one width (CI's short mode).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADS_CONFIG, artifacts, launchChromium, root, runCli, seedSite, serve, signIn } from "./support.mjs";

const axeSource = readFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), "utf8");
const short = process.env.BYLINE_BROWSER_SHORT === "1";
const PASSWORD = "reader test passphrase";
const LEAD = "Libya’s warlord Haftar rejects call for ceasefire";
// Views reach the store a second after they are counted, so the test can read them; mail goes
// to a real SMTP server that keeps nothing (aiosmtpd's Sink), so an issue can be sent.
const config = (smtpPort) => `
[site]
title = "The Test Review"

[views]
flush_seconds = 1

[mail]
host = "127.0.0.1"
port = ${smtpPort}
tls = "none"
from = "The Test Review <news@example.org>"
${ADS_CONFIG}`;

let site;
let server;
let base;
let browser;
let smtp;

/// A free port of 127.0.0.1.
function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/// Resolves once something listens on `port` of 127.0.0.1 (at most 15 s).
async function listening(port) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on port ${port} after 15 s`);
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  const smtpPort = await freePort();
  smtp = spawn("python3", ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${smtpPort}`, "-c", "aiosmtpd.handlers.Sink"],
    { stdio: "ignore" });
  await listening(smtpPort);
  site = seedSite(config(smtpPort), { password: PASSWORD });
  // Something in every list of the newsroom's pages: an administrator, a redirect, an API
  // token and a webhook (its deliveries fail: nothing listens there).
  runCli(site, ["user", "add", "--email", "admin@example.org", "--name", "Ada Admin", "--role",
    "admin", "--password-stdin"], PASSWORD + "\n");
  const redirects = join(tmpdir(), `byline-redirects-${process.pid}.csv`);
  writeFileSync(redirects, "from,to\n/old/world-news,/section/world\n");
  runCli(site, ["redirects", "import", redirects]);
  runCli(site, ["token", "add", "--name", "Wire desk", "--role", "editor"]);
  runCli(site, ["webhook", "add", "--url", "http://127.0.0.1:9/hook", "--secret", "a webhook test secret",
    "--allow-private", "--events", "subscriber.confirmed"]);
  ({ server, base } = await serve(site));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  smtp?.kill("SIGTERM");
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

test("an article joined from its cached parts after a publication decodes in Chromium", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tab = await context.newPage();
  const article = await articleUrl(tab);
  // Read twice: the second answer comes from the cache, which keeps the article as parts.
  await tab.goto(article, { waitUntil: "load" });
  await tab.goto(article, { waitUntil: "load" });
  const headline = "Polls close across the region";
  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const folder = mkdtempSync(join(tmpdir(), "byline-night-"));
  const item = join(folder, "polls.json");
  writeFileSync(item, JSON.stringify({
    uri: "urn:test:night:polls", type: "text", version: "1", language: "en", firstcreated: when,
    versioncreated: when, by: "Night Desk", headlines: [{ role: "main", value: headline }],
    bodies: [{ role: "richtext", contenttype: "text/html", value: "<p>The count begins.</p>" }],
  }));
  runCli(site, ["import", "ninjs", "--section", "world", item]);
  // The server follows the change log; the article is then joined with the new rails.
  let response;
  const deadline = Date.now() + 10000;
  do {
    response = await tab.goto(article, { waitUntil: "load" });
    if ((await tab.locator(".rails").innerText()).includes(headline)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);
  assert.equal(response.status(), 200);
  const coding = (await response.allHeaders())["content-encoding"];
  assert.equal(coding, "br", "Chromium was sent the joined Brotli");
  assert.match(await tab.locator(".rails").innerText(), new RegExp(headline), "Latest shows it");
  assert.equal(await tab.locator("h1").first().innerText(), LEAD, "the story's own part");
  assert.equal(await tab.locator("footer").count(), 1, "the part after the rails");
  const served = await tab.evaluate(() => document.documentElement.outerHTML.length);
  assert.ok(served > 10000, `the whole page decoded (${served} characters)`);
  await context.close();
});

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

test("the newsroom's pages pass axe signed in, with something in every list", { skip: short }, async () => {
  // The admin's policy allows no inline script; axe is the test's, not the page's.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  const article = await articleUrl(page);
  // A reader signs up (a subscriber to list), then the sign-in page is checked signed out.
  await page.goto(article);
  await page.getByLabel("Email address").fill("reader@example.org");
  await page.getByRole("button", { name: "Subscribe" }).click();
  await page.goto(base + "/admin/login");
  assert.deepEqual(await violations(page), [], "/admin/login");
  await signIn(page, base, "admin@example.org", PASSWORD);
  // A page and a newsletter issue, made as the newsroom makes them.
  await page.goto(base + "/admin/pages/new");
  await page.getByLabel("Title", { exact: true }).fill("About us");
  await page.getByLabel("Body").fill("Who we are and how we work.");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForURL(/\/admin\/stories\/\d+$/);
  const pageEditor = new URL(page.url()).pathname;
  await page.goto(base + "/admin/newsletter");
  await page.getByLabel("Subject").fill("The week in review");
  await page.getByRole("button", { name: "Start the issue" }).click();
  await page.waitForURL(/\/admin\/newsletter\/drafts\/\d+$/);
  const draft = new URL(page.url()).pathname;
  await page.goto(base + "/admin/newsletter");
  await page.getByLabel("Subject").fill("The issue that went out");
  await page.getByRole("button", { name: "Start the issue" }).click();
  await page.waitForURL(/\/admin\/newsletter\/drafts\/\d+$/);
  await page.getByLabel("Intro").fill("What happened this week.");
  await page.getByRole("button", { name: "Save and preview" }).click();
  await page.getByRole("button", { name: "Send now to every active subscriber" }).click();
  await page.waitForURL(/\/admin\/newsletter\/issues\/\d+\?done=queued$/);
  const issue = new URL(page.url()).pathname;
  await page.goto(base + "/admin?q=" + encodeURIComponent("warlord Haftar"));
  const editor = await page.getByRole("link", { name: LEAD, exact: true }).getAttribute("href");
  await page.goto(base + "/admin/media");
  const picture = await page.locator('a[href^="/admin/media/"]').first().getAttribute("href");
  for (const [path, row] of [["/admin/subscribers", "reader@example.org"], ["/admin/redirects", "/old/world-news"],
    ["/admin/integrations", "Wire desk"], ["/admin/pages", "About us"], ["/admin/newsletter", "The week in review"]]) {
    await page.goto(base + path);
    assert.ok((await page.content()).includes(row), `${path} lists ${row}`);
  }
  for (const path of ["/admin", "/admin/stories/new", editor, editor + "/revisions", pageEditor,
    "/admin/curation", "/admin/pages", "/admin/pages/new", "/admin/media", picture, "/admin/redirects",
    "/admin/newsletter", draft, issue, "/admin/subscribers", "/admin/members", "/admin/tokens",
    "/admin/integrations", "/admin/api"]) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const answer = await page.goto(base + path);
      assert.equal(answer.status(), 200, path);
      assert.deepEqual(await violations(page), [], `${path} at ${width} px`);
    }
  }
  await context.close();
});

test("a story link prefetched on hover opens at once and counts as one view", { skip: short }, async () => {
  const desk = await (await browser.newContext()).newPage();
  await signIn(desk, base, "editor@example.org", PASSWORD);
  const views = async () => {
    await desk.goto(base + "/admin?q=" + encodeURIComponent("warlord Haftar"));
    const row = desk.locator("tr", { has: desk.getByRole("link", { name: LEAD, exact: true }) });
    return Number((await row.locator("td.number").innerText()).replace(/\D/g, "") || "0");
  };
  // Earlier tests' views reach the store within a second.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const before = await views();

  // A reader's browser: a headless one is a machine, whose views never count.
  const userAgent = (await browser.newBrowserCDPSession().then((s) => s.send("Browser.getVersion")))
    .userAgent.replace("HeadlessChrome", "Chrome");
  const reader = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent });
  const page = await reader.newPage();
  await page.goto(base + "/");
  const link = page.getByRole("link", { name: LEAD, exact: true }).first();
  await link.hover();
  await page.waitForTimeout(1000);
  await link.click();
  await page.waitForURL(/\/story\//);
  const delivery = await page.evaluate(() => performance.getEntriesByType("navigation")[0].deliveryType);
  assert.equal(delivery, "navigational-prefetch", "the article came from the prefetch");
  // The beacon's view reaches the store within a flush or two; then nothing more comes.
  const deadline = Date.now() + 10000;
  while (await views() === before && Date.now() < deadline) await page.waitForTimeout(250);
  await page.waitForTimeout(2500);
  assert.equal(await views(), before + 1, "the prefetch is not a view; the reader's visit is, once");
  await reader.close();
});
