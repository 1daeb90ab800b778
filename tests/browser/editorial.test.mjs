// Byline's newsroom in a real browser: Debian's Chromium driven by Playwright. A reporter writes
// and submits a story with a photo, an editor schedules it two seconds ahead and it appears on
// the public site; two editors saving the same story get the conflict page. Screenshots land
// in target/browser-artifacts/.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifacts, byline, launchChromium, root, serve, signIn as signInAt } from "./support.mjs";

const photo = join(root, "..", "shared", "seed", "lead-photo.jpg");
const data = mkdtempSync(join(tmpdir(), "byline-browser-"));
const PASSWORD = "browser test passphrase";
let server;
let base;
let browser;

function addUser(email, name, role) {
  const out = spawnSync(byline, ["user", "add", "--email", email, "--name", name, "--role", role,
    "--password-stdin", "--data", data], { input: PASSWORD + "\n", encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  addUser("reporter@example.org", "Rita Reporter", "contributor");
  addUser("editor@example.org", "Eddie Editor", "editor");
  addUser("second@example.org", "Sam Second", "editor");
  ({ server, base } = await serve(["--data", data]));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
});

async function signIn(email) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInAt(page, base, email, PASSWORD);
  return page;
}

/// A UTC time N seconds ahead, as the schedule field takes it.
function utcInSeconds(seconds) {
  return new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19);
}

test("a story goes from a reporter through an editor's schedule to the site", async () => {
  const reporter = await signIn("reporter@example.org");
  await reporter.goto(base + "/admin/stories/new");
  await reporter.getByLabel("Headline").fill("Lighthouse keeper retires after forty years");
  await reporter.getByLabel("Body", { exact: true }).fill("The keeper lit the lamp for the **last** time on Sunday.\n\nShe plans to stay on the island.");
  await reporter.getByRole("button", { name: "Save", exact: true }).click();
  await reporter.waitForURL(/\/admin\/stories\/\d+$/);
  const editorUrl = reporter.url();
  await reporter.locator("#preview strong").filter({ hasText: "last" }).waitFor();
  await reporter.getByLabel(/^Photo/).setInputFiles(photo);
  await reporter.getByLabel("Credit").fill("BYLINE/TEST PHOTO");
  await reporter.getByLabel("Caption").fill("The lighthouse at dusk.");
  await reporter.getByLabel(/^Alt text/).fill("A white lighthouse on a rocky point");
  await reporter.getByRole("button", { name: "Save photo" }).click();
  await reporter.getByRole("button", { name: "Submit for review" }).click();
  await reporter.locator("tr", { hasText: "Lighthouse keeper retires" }).locator(".status", { hasText: "In review" }).waitFor();

  const editor = await signIn("editor@example.org");
  await editor.getByRole("link", { name: "Lighthouse keeper retires after forty years" }).click();
  assert.equal(editor.url(), editorUrl);
  await editor.screenshot({ path: join(artifacts, "editor.png"), fullPage: true });
  await editor.getByLabel("Publish at (UTC)").fill(utcInSeconds(2));
  await editor.getByRole("button", { name: "Schedule" }).click();
  await editor.locator(".story-state .status", { hasText: "Scheduled" }).waitFor();

  // Nobody visits the site until the job runner has had its time.
  await new Promise((resolve) => setTimeout(resolve, 3500));
  const reader = await browser.newPage();
  await reader.goto(base + "/");
  await reader.getByRole("link", { name: "Lighthouse keeper retires after forty years" }).first().click();
  await reader.getByRole("heading", { level: 1, name: "Lighthouse keeper retires after forty years" }).waitFor();
  assert.ok(await reader.getByText("BYLINE/TEST PHOTO").isVisible());
  assert.ok(await reader.getByText("The lighthouse at dusk.").isVisible());
  await reader.screenshot({ path: join(artifacts, "article.png"), fullPage: true });

  // It is in "Latest" beside every other article.
  const other = await editor.context().newPage();
  await other.goto(base + "/admin/stories/new");
  await other.getByLabel("Headline").fill("An older note");
  await other.getByRole("button", { name: "Save", exact: true }).click();
  await other.getByRole("button", { name: "Publish now" }).click();
  await reader.goto(base + "/story/an-older-note");
  const latest = reader.locator("section", { has: reader.getByRole("heading", { name: "Latest" }) });
  assert.ok(await latest.getByRole("link", { name: "Lighthouse keeper retires after forty years" }).isVisible());
});

test("two editors saving the same story: the second gets the conflict page", async () => {
  const first = await signIn("editor@example.org");
  await first.goto(base + "/admin/stories/new");
  await first.getByLabel("Headline").fill("Harbour budget agreed");
  await first.getByRole("button", { name: "Save", exact: true }).click();
  await first.waitForURL(/\/admin\/stories\/\d+$/);
  const url = first.url();

  const second = await signIn("second@example.org");
  await second.goto(url);
  await second.getByText("Also in this story now: Eddie Editor.").waitFor();
  await first.getByLabel("Headline").fill("Harbour budget agreed after long night");
  await first.getByRole("button", { name: "Save", exact: true }).click();
  await first.getByText("Saved.").waitFor();

  await second.getByLabel("Body", { exact: true }).fill("Councillors voted at two in the morning.");
  const response = second.waitForResponse((r) => r.url() === url && r.request().method() === "POST");
  await second.getByRole("button", { name: "Save", exact: true }).click();
  assert.equal((await response).status(), 409);
  await second.getByRole("heading", { name: "Someone else saved this story" }).waitFor();
  assert.ok(await second.getByText("Harbour budget agreed after long night").first().isVisible());
  assert.equal(await second.getByLabel("Body").inputValue(), "Councillors voted at two in the morning.");
  await second.screenshot({ path: join(artifacts, "conflict.png"), fullPage: true });
});

test("the photo desk: a library picture's focus is set by a click and a story reuses it without layout shift", async () => {
  const editor = await signIn("editor@example.org");
  await editor.goto(base + "/admin/media");
  await editor.getByLabel(/^Photo/).setInputFiles(photo);
  await editor.getByLabel("Credit", { exact: true }).fill("BYLINE/LIBRARY");
  await editor.getByLabel("Caption", { exact: true }).fill("The harbour wall from the library.");
  await editor.getByRole("button", { name: "Add to the library" }).click();
  await editor.getByText("The picture is in the library").waitFor();
  const pictureUrl = editor.url().split("?")[0];

  // A click at 80 % across and 20 % down sets the focus fields.
  // The focus script is deferred: the notice can show before it runs, so wait for the load.
  await editor.waitForLoadState("load");
  const image = editor.locator(".library-picture img");
  await image.evaluate((img) => img.decode());
  const box = await image.boundingBox();
  await editor.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.2);
  assert.ok(Math.abs(Number(await editor.getByLabel("Across").inputValue()) - 80) <= 1);
  assert.ok(Math.abs(Number(await editor.getByLabel("Down").inputValue()) - 20) <= 1);
  await editor.getByLabel("Across").fill("80");
  await editor.getByLabel("Down").fill("20");
  await editor.getByRole("button", { name: "Save picture" }).click();
  await editor.getByText("Saved.").waitFor();
  const crop = editor.locator(".library-crops img").first();
  assert.ok((await crop.getAttribute("src")).includes("-at800x200-"));
  await crop.evaluate((img) => img.decode());
  assert.equal(await editor.getByLabel(/^Caption for new uses/).inputValue(), "The harbour wall from the library.");
  await editor.screenshot({ path: join(artifacts, "library-picture.png"), fullPage: true });

  // A new story takes it from the library, with a caption of its own.
  await editor.goto(base + "/admin/stories/new");
  await editor.getByLabel("Headline").fill("Harbour wall repaired");
  await editor.getByRole("button", { name: "Save", exact: true }).click();
  await editor.waitForURL(/\/admin\/stories\/\d+$/);
  await editor.getByRole("link", { name: "choose a picture from the library" }).click();
  const tile = editor.locator(".library-tile", { hasText: "BYLINE/LIBRARY" });
  await tile.getByLabel("Caption in this story").fill("The repaired wall at low tide.");
  await tile.getByRole("button", { name: "Use as lead photo" }).click();
  await editor.getByRole("button", { name: "Publish now" }).click();

  // The page reserves the picture's box before it arrives: even a picture that never comes
  // takes its place, so nothing below it moves when it does.
  const story = base + "/story/harbour-wall-repaired";
  const slow = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await slow.route(/\/media\//, (route) => route.abort());
  await slow.goto(story);
  const reserved = await slow.locator(".lead-photo img").boundingBox();
  assert.ok(reserved.height > 100 && Math.abs(reserved.height - (reserved.width * 675) / 1200) < 1, JSON.stringify(reserved));

  // Readers get WebP, the lead photo loads at once, and the page does not shift.
  const reader = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await reader.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await reader.goto(story);
  const lead = reader.locator(".lead-photo img");
  await lead.evaluate((img) => img.decode());
  assert.ok((await lead.evaluate((img) => img.currentSrc)).endsWith(".webp"));
  assert.equal(await lead.getAttribute("loading"), null, "the lead photo is not lazy");
  assert.deepEqual(await lead.boundingBox(), reserved, "the loaded picture fills exactly the reserved box");
  assert.ok(await reader.getByText("The repaired wall at low tide.").isVisible());
  assert.ok(await reader.getByText("BYLINE/LIBRARY").isVisible());
  assert.ok(await reader.evaluate(() => window.__shift) < 0.001);
  await reader.screenshot({ path: join(artifacts, "library-article.png"), fullPage: true });
  assert.ok(pictureUrl.includes("/admin/media/"));
});

test("the newsletter desk: an issue is written from ticked stories and previewed as the email", async () => {
  const editor = await signIn("editor@example.org");
  await editor.goto(base + "/admin/stories/new");
  await editor.getByLabel("Headline").fill("Ferry returns to the island");
  await editor.getByRole("button", { name: "Save", exact: true }).click();
  await editor.getByRole("button", { name: "Publish now" }).click();

  await editor.getByRole("link", { name: "Newsletter" }).click();
  await editor.getByLabel("Subject").fill("Island briefing");
  await editor.getByRole("button", { name: "Start the issue" }).click();
  await editor.waitForURL(/\/admin\/newsletter\/drafts\/\d+$/);
  await editor.getByLabel("Intro").fill("Good morning from the harbour desk.");
  await editor.getByLabel("Ferry returns to the island").check();
  await editor.getByRole("button", { name: "Save and preview" }).click();
  await editor.getByText("Saved. The preview below").waitFor();
  // No [mail] on this server: the test button says so by being off.
  assert.ok(await editor.getByRole("button", { name: /^Send a test to/ }).isDisabled());

  // The email's HTML in its frame, with its own inline styles applied (the admin's policy
  // forbids them; the frame's allows them and nothing else).
  const email = editor.frameLocator("iframe.email-preview");
  const headline = email.getByRole("link", { name: "Ferry returns to the island" });
  await headline.waitFor();
  assert.equal(await email.locator("h1").evaluate((h) => getComputedStyle(h).fontSize), "25.6px");
  assert.ok(await email.getByText("Good morning from the harbour desk.").isVisible());
  const text = await editor.locator("pre.email-text").innerText();
  assert.match(text, /Ferry returns to the island/);
  assert.match(text, /\/story\/ferry-returns-to-the-island/);
  await editor.screenshot({ path: join(artifacts, "newsletter-draft.png"), fullPage: true });
  await editor.locator("iframe.email-preview").screenshot({ path: join(artifacts, "newsletter-email.png") });
});
