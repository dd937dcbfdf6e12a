// The browser tests drive Debian's Chromium with playwright-core (never a browser download:
// this machine's network reaches the npm registry and Debian only). A fresh machine lacks
// it, so this installs the `chromium` package with apt when /usr/bin/chromium is missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.LCORE_CHROMIUM ?? "/usr/bin/chromium";

/** The flags a root, offline, headless run needs (no sandbox as root; no background traffic). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function ensureChromium(log = (m) => process.stderr.write(`${m}\n`)) {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${CHROMIUM} is missing; install Debian's chromium (apt-get install chromium) or set LCORE_CHROMIUM`,
    );
  }
  log("browser tests: installing Debian's chromium with apt-get (once per machine, ~100 MB)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], {
    stdio: ["ignore", "ignore", "inherit"],
    env,
  });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
  return CHROMIUM;
}
