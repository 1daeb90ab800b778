// Lighthouse's short mode, as CI runs it: the seed's article with every ad placement filled,
// the mobile preset, 100 in every category, CLS 0 and LCP at most 1.0 s (simulated). The full
// table (home, article, latest, section and tag pages, mobile and desktop) is
// `node scripts/lighthouse.mjs`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { audit, launchForLighthouse, lighthouseSite, shortfalls } from "./lighthouse.mjs";

test("the article scores 100 in every Lighthouse category on mobile", async () => {
  const site = await lighthouseSite();
  const chrome = await launchForLighthouse();
  try {
    const result = await audit(site.pages.article, "mobile", chrome.port);
    assert.deepEqual(shortfalls(result, "mobile"), [], JSON.stringify(result));
  } finally {
    await chrome.kill();
    site.stop();
  }
});
