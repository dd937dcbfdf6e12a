// The console's evidence check in a real headless browser (Debian's Chromium driven by
// playwright-core), against the whole stack as `npm start` runs it: a simulated device's
// readings settle; the owner exports them (POST /v1/evidence); the file picked on the page
// is checked in the browser by the protocol's verifier against the chain's JSON-RPC —
// verified — and the same bundle with one signature byte changed is not.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rpcResult } from "../devnet/test/helpers.js";
import { simulate } from "../gateway/src/sim/run.js";
// @ts-expect-error: a plain ESM script without type declarations
import { CHROMIUM_ARGS, ensureChromium } from "../scripts/ensure-chromium.mjs";
// @ts-expect-error: a plain ESM script without type declarations
import { DEV_SECRETS, startStack } from "../scripts/stack.mjs";

const stateDir = mkdtempSync(join(tmpdir(), "lcore-evidence-console-"));
const profile = mkdtempSync(join(tmpdir(), "lcore-chromium-"));
let running: { stack: Record<string, string>; stop(): Promise<void> } | undefined;
let browser: BrowserContext | undefined;
let page: Page;
let bundle: { devices: { readings: { signature: string }[] }[] };

const owner = { authorization: `Bearer ${DEV_SECRETS.ownerToken}`, "content-type": "application/json" };

beforeAll(async () => {
  const executablePath = ensureChromium();
  running = await startStack({ stateDir, apiPort: 0, rollupPort: 0, anvilPort: 0, gatewayPort: 0, onLog: () => {} });
  const gateway = running.stack.gatewayUrl!;
  const summary = await simulate({
    gateway,
    token: DEV_SECRETS.ownerToken,
    devices: 1,
    rate: 10,
    durationS: 0.3,
    seed: "evidence console test",
    followS: 0,
    payloadBytes: 4,
  });
  const taken = summary.readings.filter((r) => r.status === 202).map((r) => r.reading);
  const device = taken[0]!.device.toLowerCase();
  const last = taken[taken.length - 1]!.seq.toString();
  const status = async () =>
    ((await (await fetch(`${gateway}/v1/readings/${device}/${last}`)).json()) as { status: string }).status;
  const until = async (want: string[]) => {
    for (let i = 0; i < 300 && !want.includes(await status()); i++) await new Promise((r) => setTimeout(r, 500));
    expect(want).toContain(await status());
  };
  await until(["accepted", "settled"]);
  await rpcResult(running.stack.chainRpcUrl!, "evm_increaseTime", [3600]);
  await rpcResult(running.stack.chainRpcUrl!, "evm_mine", []);
  await until(["settled"]);
  const now = Math.floor(Date.now() / 1000);
  const res = await fetch(`${gateway}/v1/evidence`, {
    method: "POST",
    headers: owner,
    body: JSON.stringify({ devices: [device], from: String(now - 86_400), to: String(now + 86_400) }),
  });
  expect(res.status).toBe(200);
  bundle = await res.json();
  browser = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

async function check(name: string, body: unknown): Promise<{ verdict: string | null; text: string }> {
  const file = join(stateDir, name);
  writeFileSync(file, JSON.stringify(body));
  await page.setInputFiles("#evidence-file", file);
  const out = page.locator('#evidence-output:not([data-verdict="checking"])[data-verdict]');
  await out.waitFor({ timeout: 60_000 });
  return { verdict: await out.getAttribute("data-verdict"), text: (await out.textContent()) ?? "" };
}

describe("the console's evidence check", () => {
  it("verifies an exported bundle in the page against the chain, and fails a changed byte naming its link", async () => {
    await page.goto(`${running!.stack.gatewayUrl}/`);
    await page.fill("#evidence-rpc", running!.stack.chainRpcUrl!);
    const good = await check("good.json", bundle);
    expect(good.text).toMatch(/^VERIFIED: (\d+) of \1 readings hold/m);
    expect(good.verdict).toBe("verified");

    const tampered = structuredClone(bundle);
    const sig = tampered.devices[0]!.readings[0]!.signature;
    tampered.devices[0]!.readings[0]!.signature = `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`;
    await page.evaluate(() => document.querySelector("#evidence-output")!.removeAttribute("data-verdict"));
    const bad = await check("bad.json", tampered);
    expect(bad.verdict).toBe("not-verified");
    expect(bad.text).toContain("signature: devices[0].readings[0].signature expected");
  });
});
