// The gateway's console in a real headless browser (Debian's Chromium driven by
// playwright-core), against the whole stack as `npm start` runs it: one simulated reading is
// followed through its lifecycle on the page (queued/submitted → accepted → settled), its
// proof is checked on chain with one click, owner plaintext shows only with the token, and
// a notice pasted into the decode panel reads as JSON, an lcore-device-sdk registration is
// approved from the page, and the page asks nothing of any host but the gateway.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rpcResult } from "../devnet/test/helpers.js";
import { simulate } from "../gateway/src/sim/run.js";
import { toHex } from "@lcore/protocol/bytes";
import { p256DeviceAddress } from "@lcore/protocol/deviceFormats";
import { sdkAdvanceBody, sdkDevice, sdkDidDocument } from "../protocol/test/firmware.js";
// @ts-expect-error: a plain ESM script without type declarations
import { CHROMIUM_ARGS, ensureChromium } from "../scripts/ensure-chromium.mjs";
// @ts-expect-error: a plain ESM script without type declarations
import { DEV_SECRETS, startStack } from "../scripts/stack.mjs";

const stateDir = mkdtempSync(join(tmpdir(), "lcore-console-"));
const profile = mkdtempSync(join(tmpdir(), "lcore-chromium-"));
let running: { stack: Record<string, string>; stop(): Promise<void> } | undefined;
let browser: BrowserContext | undefined;
let page: Page;
let reading: { device: string; seq: string };
const requested: string[] = [];

beforeAll(async () => {
  const executablePath = ensureChromium();
  running = await startStack({ stateDir, apiPort: 0, rollupPort: 0, anvilPort: 0, gatewayPort: 0, onLog: () => {} });
  const summary = await simulate({
    gateway: running.stack.gatewayUrl!,
    token: DEV_SECRETS.ownerToken,
    devices: 1,
    rate: 10,
    durationS: 0.1,
    seed: "console test",
    followS: 0,
    payloadBytes: 4,
  });
  const taken = summary.readings.find((r) => r.status === 202)!.reading;
  reading = { device: taken.device.toLowerCase(), seq: taken.seq.toString() };
  browser = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("request", (r) => requested.push(r.url()));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

const row = () =>
  page.locator("#readings tr", { has: page.locator(`[data-reading="${reading.device}/${reading.seq}"]`) });

describe("the console at the gateway's /", () => {
  it("shows the device and follows the reading to accepted", async () => {
    await page.goto(`${running!.stack.gatewayUrl}/`);
    expect(await page.title()).toBe("lcore console");
    await page.locator(`#devices code`, { hasText: reading.device }).waitFor({ timeout: 30_000 });
    await row().locator('.lifecycle[data-status="accepted"]').waitFor({ timeout: 60_000 });
    expect(await row().locator(".step.on").allTextContents()).toEqual(["queued", "submitted", "accepted"]);
    expect(await page.locator("#chart canvas").count()).toBeGreaterThan(0);
    expect(await page.locator("#per-device .bar-row").count()).toBe(1);
  });

  it("keeps plaintext behind the owner token", async () => {
    expect(await page.locator("[data-records]").count()).toBe(0);
    await page.fill("#token", "not-the-token");
    await page.click("#unlock");
    await page.locator(`[data-records="${reading.device}"]`).click();
    await page.locator("#records", { hasText: "LCORE_GW_UNAUTHORIZED" }).waitFor();
    await page.fill("#token", DEV_SECRETS.ownerToken);
    await page.click("#unlock");
    await page.locator(`[data-records="${reading.device}"]`).click();
    await page.locator("#records-table .value").first().waitFor();
    expect(await page.locator("#records-table tbody tr").count()).toBe(1);
  });

  it("shows the reading settled with its period's transaction, and checks its proof on chain in one click", async () => {
    await rpcResult(running!.stack.chainRpcUrl!, "evm_increaseTime", [3600]);
    await rpcResult(running!.stack.chainRpcUrl!, "evm_mine", []);
    await row().locator('.lifecycle[data-status="settled"]').waitFor({ timeout: 90_000 });
    await page.locator("#periods [data-tx]").first().waitFor();
    expect(await page.locator("#periods [data-tx]").first().textContent()).toMatch(/^0x[0-9a-f]{64}$/);
    await row().locator("[data-proof]").click();
    await row().locator(".proof.ok", { hasText: "verified on chain" }).waitFor({ timeout: 30_000 });
    // The verdict outlives the page's 2-second redraws until dismissed.
    await page.waitForTimeout(2500);
    expect(await row().locator(".proof.ok").count()).toBe(1);
    if (process.env.LCORE_CONSOLE_SCREENSHOT)
      await page.screenshot({ path: process.env.LCORE_CONSOLE_SCREENSHOT, fullPage: true });
  });

  it("decodes a notice the node serves into the protocol's fields, in the page", async () => {
    const res = await fetch(running!.stack.graphqlUrl!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ notices(last: 1) { edges { node { payload } } } }" }),
    });
    const payload: string = (await res.json()).data.notices.edges[0].node.payload;
    await page.fill("#decode-input", payload);
    await page.click("#decode-run");
    const shown = JSON.parse((await page.locator("#decode-output").textContent())!);
    expect(shown.type).toBe("notice");
    expect(shown.notice.kind).toMatch(/^[a-z_]+$/);
    expect(shown.notice.stateHash).toMatch(/^0x[0-9a-f]{64}$/);
    await page.fill("#decode-input", "0xzz");
    await page.click("#decode-run");
    expect(await page.locator("#decode-output.bad").textContent()).toMatch(/expected hex bytes/);
  });

  it("lets the owner approve an lcore-device-sdk registration waiting at /advance (PROTOCOL §12.6)", async () => {
    const dev = sdkDevice("console");
    const res = await fetch(`${running!.stack.gatewayUrl}/advance`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: sdkAdvanceBody({ type: "register_device", device_id: dev.did, did_document: sdkDidDocument(dev) }),
    });
    expect(res.status).toBe(202);
    const waiting = page.locator("#pending tr", { hasText: dev.did });
    await waiting.waitFor({ timeout: 30_000 });
    await waiting.locator("input").first().fill("temperature");
    await waiting.locator("button", { hasText: "Approve" }).click();
    await page
      .locator("#devices code", { hasText: toHex(p256DeviceAddress(dev.publicKey)) })
      .waitFor({ timeout: 30_000 });
    await page.locator("#pending-section").waitFor({ state: "hidden", timeout: 30_000 });
  });

  it("asked nothing of any host but the gateway", () => {
    const origin = new URL(running!.stack.gatewayUrl!).origin;
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual(
      [],
    );
  });
});
