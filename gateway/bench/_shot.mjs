import { chromium } from "playwright-core";
import { buildApp } from "../dist/app.js";
import { Secret } from "../dist/util/secrets.js";
import { fleetKeys } from "./seedFleet.mjs";
const k = fleetKeys(10000);
const app = await buildApp({
  outboxPath: "/tmp/cseed/full.db",
  ownerKey: new Secret(k.ownerKey),
  ownerToken: new Secret("console-bench-owner-token"),
  submitterKey: new Secret(`0x${"11".repeat(32)}`),
  app: `0x${Buffer.from(k.app).toString("hex")}`,
  chainId: 31337n,
  console: { explorerTxUrl: "https://explorer.example/tx/{tx}" },
});
const url = await app.listen({ host: "127.0.0.1", port: 0 });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
page.on("console", (m) => console.log("console:", m.text()));
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(url + "/");
await page.locator("#devices a[data-device]").first().waitFor();
await page.screenshot({ path: "/tmp/cseed/fleet.png" });
await page.fill("#token", "console-bench-owner-token");
await page.click("#unlock");
await page.goto(url + `/#/device/${k.addresses[7]}`);
await page.locator("#device-readings .value").first().waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: "/tmp/cseed/device.png", fullPage: true });
await browser.close();
await app.close();
