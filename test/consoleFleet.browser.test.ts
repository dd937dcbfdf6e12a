// The console at fleet scale in a real headless browser (Debian's Chromium, playwright-core),
// against the whole stack as `npm start` runs it, whose gateway already holds 3,000 devices
// registered long ago (outbox fixture rows: gateway/bench/seedFleet.mjs, offChain) beside one
// device that sends for real: the operator searches that device among the thousands, opens
// its page, sees its values over time with their unit, discloses a past day of it and
// watches the disclosure complete with its aggregate recorded on chain, exports the readings table, and sees
// the health strip turn to an alarm while the Cartesi path is paused; and last revokes the
// device from its page and sees it refused once the chain says so. Screenshots of the
// device page and the health strip go to docs/ when LCORE_CONSOLE_SCREENSHOTS=1.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { lcoreSettlementAbi } from "@lcore/contracts";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openOutboxDb } from "../gateway/src/outbox/database.js";
import { Sealer } from "../gateway/src/readings/sealer.js";
import { SimDevice } from "../gateway/src/sim/device.js";
import { Secret } from "../gateway/src/util/secrets.js";
// @ts-expect-error: a plain ESM script without type declarations
import { seedFleet } from "../gateway/bench/seedFleet.mjs";
// @ts-expect-error: a plain ESM script without type declarations
import { CHROMIUM_ARGS, ensureChromium } from "../scripts/ensure-chromium.mjs";
// @ts-expect-error: a plain ESM script without type declarations
import { DEV_SECRETS, ROOT, startStack } from "../scripts/stack.mjs";

const FLEET = 3_000;
const DAY = Number(DISCLOSURE_PERIOD_SECONDS);
/** Two days ago: over on every clock, within the dApp's disclosure window. */
const PAST_DAY = Math.floor(Date.now() / 1000 / DAY) - 2;
/** Tenths of a degree (metadata decimals 1). */
const VALUES = [215n, 198n, 231n, 204n];
const EXPLORER = "https://explorer.invalid/tx/{tx}";
const screenshots = process.env.LCORE_CONSOLE_SCREENSHOTS === "1";

const stateDir = mkdtempSync(join(tmpdir(), "lcore-console-fleet-"));
const profile = mkdtempSync(join(tmpdir(), "lcore-chromium-"));
const downloads = mkdtempSync(join(tmpdir(), "lcore-downloads-"));
let running: { stack: Record<string, string>; stop(): Promise<void> } | undefined;
let browser: BrowserContext | undefined;
let page: Page;
let device: SimDevice;
let gatewayUrl: string;
const owner = { authorization: `Bearer ${DEV_SECRETS.ownerToken}` };

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gatewayUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  const executablePath = ensureChromium();
  // The thousands, before the gateway starts: it loads its devices from the outbox.
  mkdirSync(join(stateDir, "gateway"), { recursive: true });
  seedFleet({
    path: join(stateDir, "gateway", "outbox.db"),
    devices: FLEET,
    readings: 0,
    offChain: true,
    gateway: { openOutboxDb, Sealer, Secret },
  });
  running = await startStack({
    stateDir,
    apiPort: 0,
    rollupPort: 0,
    anvilPort: 0,
    gatewayPort: 0,
    onLog: () => {},
    gatewayEnv: { LCORE_GW_EXPLORER_TX_URL: EXPLORER },
  });
  gatewayUrl = running.stack.gatewayUrl!;
  const info = await (await fetch(`${gatewayUrl}/v1/info`)).json();
  device = SimDevice.fromSeed("console fleet test", 0);
  const registered = await post(
    "/v1/devices",
    device.registration(info, JSON.stringify({ type: "thermometer", unit: "°C", decimals: 1 })),
    owner,
  );
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  for (const [i, value] of VALUES.entries()) {
    const sent = await post("/v1/readings", device.reading({ value, timestamp: PAST_DAY * DAY + 3600 * (i + 1) }));
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  }
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    downloadsPath: downloads,
    viewport: { width: 1300, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  for (const dir of [stateDir, profile, downloads]) rmSync(dir, { recursive: true, force: true });
});

describe("the console with thousands of devices", () => {
  it("finds the device among thousands and opens its page", async () => {
    await page.goto(`${gatewayUrl}/`);
    await page.locator("#fleet-count", { hasText: `${FLEET + 1} registered` }).waitFor({ timeout: 30_000 });
    expect(await page.locator("#devices tbody tr").count()).toBe(50);
    await page.fill("#fleet-search", device.hex);
    await page.click("#fleet-search-run");
    await page.locator(`#devices a[data-device="${device.hex}"]`).waitFor();
    expect(await page.locator("#devices tbody tr").count()).toBe(1);
    await page.click(`#devices a[data-device="${device.hex}"]`);
    await page.locator("#device-address", { hasText: device.hex }).waitFor();
    expect(page.url()).toContain(`#/device/${device.hex}`);
  });

  it("shows its values over time with their unit, once the owner unlocks them", async () => {
    expect(await page.locator("#device-readings .value", { hasText: "°C" }).count()).toBe(0);
    await page.fill("#token", DEV_SECRETS.ownerToken);
    await page.click("#unlock");
    await page.locator("#device-readings .value", { hasText: "21.5 °C" }).waitFor({ timeout: 30_000 });
    const shown = await page.locator("#device-readings .value").allTextContents();
    expect(shown).toEqual(["20.4 °C", "23.1 °C", "19.8 °C", "21.5 °C"]);
    expect(await page.locator("#device-chart canvas").count()).toBeGreaterThan(0);
    // Accepted by the dApp, and the state says so (green only then).
    await page.locator('#device-info [data-state="ok"]').waitFor({ timeout: 90_000 });
  });

  it("discloses a past day and watches it complete with its aggregate, recorded on chain", async () => {
    const date = new Date(PAST_DAY * DAY * 1000).toISOString().slice(0, 10);
    await page.locator(`[data-disclose="${date}"]`).click({ timeout: 30_000 });
    await page.locator("#device-notice .ok", { hasText: "queued" }).waitFor();
    const done = page.locator('#device-days [data-disclosure="accepted"]');
    await done.waitFor({ timeout: 120_000 });
    // count 4, sum 84.8 °C, min 19.8 °C, max 23.1 °C: the dApp's aggregate of the day's readings.
    expect(await done.textContent()).toBe("accepted: count 4, sum 84.8 °C, min 19.8 °C, max 23.1 °C");
    // The aggregate voucher, executed by the gateway once its epoch's claim is accepted: recorded on chain.
    await page.locator('#device-days [data-aggregate-on-chain="recorded"]').waitFor({ timeout: 120_000 });
    const recorded = await createPublicClient({ transport: http(running!.stack.chainRpcUrl!) }).readContract({
      address: running!.stack.settlement as `0x${string}`,
      abi: lcoreSettlementAbi,
      functionName: "aggregate",
      args: [device.hex, BigInt(PAST_DAY)],
    });
    expect(recorded).toMatchObject({ count: 4n, min: 198n, max: 231n });
    // It stays until dismissed, through the 2-second redraws.
    await page.waitForTimeout(2500);
    expect(await page.locator("#device-notice .ok").count()).toBe(1);
    await page.click("#device-notice .dismiss");
    expect(await page.locator("#device-notice .ok").count()).toBe(0);
  });

  it("links the transactions to the configured explorer, and exports the readings table as CSV and JSON", async () => {
    const link = page.locator("#device-readings a[data-tx]").first();
    const tx = await link.getAttribute("data-tx");
    expect(await link.getAttribute("href")).toBe(EXPLORER.replace("{tx}", tx!));
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#readings-export-csv")]);
    expect(csv.suggestedFilename()).toBe(`readings-${device.hex}.csv`);
    const lines = readFileSync((await csv.path())!, "utf8")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("seq,timestamp,value,unit,status,reason,inputIndex,txHash");
    expect(lines).toHaveLength(VALUES.length + 1);
    expect(lines[lines.length - 1]).toMatch(/^1,[0-9T:-]+Z,21\.5,°C,(accepted|settled),,\d+,0x[0-9a-f]{64}$/);
    const [json] = await Promise.all([page.waitForEvent("download"), page.click("#readings-export-json")]);
    const rows = JSON.parse(readFileSync((await json.path())!, "utf8"));
    expect(rows.map((r: { value: string }) => r.value)).toEqual(["20.4", "23.1", "19.8", "21.5"]);
    if (screenshots) await page.screenshot({ path: join(ROOT, "docs", "console-device.png"), fullPage: true });
  });

  it("turns the health strip to an alarm while the Cartesi path is paused", async () => {
    await page.locator('#health-strip[data-level="ok"]').waitFor({ timeout: 30_000 });
    expect((await post("/v1/cartesi/pause", {}, owner)).status).toBe(200);
    await page.locator('#health-strip[data-level="alarm"]').waitFor({ timeout: 10_000 });
    await page.locator('#health-strip [data-code="cartesi_paused"]').waitFor();
    expect(await page.locator("#cartesi-state").textContent()).toBe("PAUSED");
    if (screenshots) await page.locator("#health-strip").screenshot({ path: join(ROOT, "docs", "console-health.png") });
    expect((await post("/v1/cartesi/resume", {}, owner)).status).toBe(200);
    await page.locator('#health-strip[data-level="ok"]').waitFor({ timeout: 10_000 });
  });

  it("revokes the device as an owner action, and shows it refused once the chain says so", async () => {
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("#device-revoke");
    await page.locator("#device-notice .ok", { hasText: "revoke queued" }).waitFor();
    await page.locator('#device-actions [data-action-status="accepted"]').waitFor({ timeout: 90_000 });
    await page.locator('#device-info [data-state="refused"]').waitFor({ timeout: 60_000 });
    expect(await page.locator("#device-info").textContent()).toContain("revoked: device_revoked");
    // Its readings are refused from then on.
    const refused = await post("/v1/readings", device.reading({ value: 1n, timestamp: PAST_DAY * DAY + 7200 * 10 }));
    expect(refused.body.code).toBe("LCORE_GW_DEVICE_REVOKED");
  });
});
