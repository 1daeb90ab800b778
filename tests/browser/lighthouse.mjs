// Lighthouse (npm, pinned in package.json) on the seed's site with every ad placement filled:
// the site, its public pages, one audit of a page with a preset, and what falls short of
// issue 20's targets (100 in every category, CLS 0, LCP at most 1.0 s on mobile).
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import * as chromeLauncher from "chrome-launcher";
import { ADS_CONFIG, seedSite, serve } from "./support.mjs";

export const TAG = "Libya";
const LEAD = "Libya’s warlord Haftar rejects call for ceasefire";
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

/// The seed's site served with its ads and a tag on three stories; resolves to its base URL,
/// its public pages by name and a way to stop it.
export async function lighthouseSite() {
  const config = `[site]\ntitle = "The Test Review"\n${ADS_CONFIG}`;
  const { server, base } = await serve(seedSite(config, { tag: TAG }));
  const home = await (await fetch(base + "/")).text();
  const escaped = LEAD.replace(/’/g, "&#8217;");
  const link = [...home.matchAll(/<a href="(\/story\/[^"]+)"[^>]*>([^<]+)<\/a>/g)]
    .find(([, , text]) => text === LEAD || text === escaped);
  if (!link) throw new Error("the home page links no lead story");
  const pages = {
    home: base + "/",
    article: base + link[1],
    latest: base + "/latest",
    section: base + "/section/world",
    tag: base + "/tag/" + TAG.toLowerCase(),
  };
  return { base, pages, stop: () => server.kill("SIGTERM") };
}

/// Debian's Chromium for Lighthouse, headless.
export function launchForLighthouse() {
  return chromeLauncher.launch({
    chromePath: "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    logLevel: "silent",
  });
}

/// One Lighthouse run of `url` with the `mobile` (Lighthouse's default) or `desktop` preset in
/// the Chromium listening on `port`: the four scores (0–100), LCP (ms), CLS and bytes sent.
export async function audit(url, preset, port) {
  const flags = { port, logLevel: "error", output: "json", onlyCategories: CATEGORIES };
  const { lhr } = await lighthouse(url, flags, preset === "desktop" ? desktopConfig : undefined);
  if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.message}`);
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(lhr.categories[c].score * 100)]));
  const missed = Object.values(lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
    .map((a) => a.id);
  return {
    scores,
    lcp: lhr.audits["largest-contentful-paint"].numericValue,
    cls: lhr.audits["cumulative-layout-shift"].numericValue,
    bytes: lhr.audits["total-byte-weight"].numericValue,
    missed,
  };
}

/// What of `result` misses the targets, in words; empty when it meets them all.
export function shortfalls(result, preset) {
  const found = CATEGORIES.filter((c) => result.scores[c] !== 100).map((c) => `${c} ${result.scores[c]}`);
  if (result.cls !== 0) found.push(`CLS ${result.cls}`);
  if (preset === "mobile" && result.lcp > 1000) found.push(`LCP ${Math.round(result.lcp)} ms`);
  if (result.missed.length) found.push(`failed audits: ${result.missed.join(", ")}`);
  return found;
}
