// What the browser tests share: the debug build's binary, starting it on a free port, and
// Debian's Chromium launched through Playwright.
import { spawn } from "node:child_process";
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
