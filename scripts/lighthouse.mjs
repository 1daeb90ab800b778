// The full Lighthouse table of issue 20: the seed's site with every ad placement filled by a
// fixed-size creative, its home, article, latest, section and tag pages, each with the mobile
// and the desktop preset. Prints one Markdown row per run and exits 1 when any misses a
// target (100 in every category, CLS 0, mobile LCP at most 1.0 s).
//   node scripts/lighthouse.mjs        (after `cargo build -p byline`; `bash scripts/setup` first)
import { audit, launchForLighthouse, lighthouseSite, shortfalls } from "../tests/browser/lighthouse.mjs";

const site = await lighthouseSite();
const chrome = await launchForLighthouse();
let failed = false;
console.log("| page | preset | performance | accessibility | best practices | SEO | LCP | CLS | bytes | misses |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
try {
  for (const [name, url] of Object.entries(site.pages)) {
    for (const preset of ["mobile", "desktop"]) {
      const r = await audit(url, preset, chrome.port);
      const misses = shortfalls(r, preset);
      failed ||= misses.length > 0;
      const s = r.scores;
      console.log(`| ${name} | ${preset} | ${s.performance} | ${s.accessibility} | ${s["best-practices"]} | ${s.seo} | ` +
        `${(r.lcp / 1000).toFixed(2)} s | ${r.cls} | ${Math.round(r.bytes)} | ${misses.join("; ") || "none"} |`);
    }
  }
} finally {
  await chrome.kill();
  site.stop();
}
process.exit(failed ? 1 : 0);
