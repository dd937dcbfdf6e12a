// The walkthrough's clock, as a user moves it (issue 26): step 5 pushes the chain's clock an
// hour ahead so a period settles; `npm start` is stopped and started again on the same state
// (the chain reloads its saved state); step 5 again. Before, the restarted chain's clock went
// back to wall time, new readings fell into a settled period, and an hour of chain time later
// every input was rejected (`internal_error: UNIQUE constraint failed`). Now every reading of
// every round is accepted, a period settles after each push, and no input fails inside the dApp.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { DEV_SECRETS, ROOT, startStack } from "../scripts/stack.mjs";

const run = promisify(execFile);
const stateDir = mkdtempSync(join(tmpdir(), "lcore-walkthrough-clock-"));
type Running = { stack: Record<string, string>; stop(): Promise<void> };
let running: Running | undefined;
afterAll(async () => {
  await running?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const start = async (): Promise<Running> =>
  startStack({ stateDir, apiPort: 0, rollupPort: 0, anvilPort: 0, gatewayPort: 0, onLog: () => {} });

async function rpc(url: string, method: string, params: unknown = []): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Step 2 of the walkthrough: simulated devices (the same keys every round) send readings; all must be accepted on chain. */
async function sendReadings(stack: Record<string, string>) {
  const { stdout } = await run(
    process.execPath,
    [
      "gateway/dist/sim/cli.js",
      ...["--gateway", stack.gatewayUrl!, "--token", DEV_SECRETS.ownerToken, "--seed", "walkthrough-clock"],
      ...["--devices", "2", "--rate", "4", "--duration", "2", "--follow", "90", "--json"],
    ],
    { cwd: ROOT, timeout: 150_000 },
  );
  const summary = JSON.parse(stdout);
  expect(summary.sent).toBeGreaterThanOrEqual(4);
  expect(summary.onChain).toEqual({ accepted: summary.sent, rejected: {} });
}

async function settledPeriods(stack: Record<string, string>): Promise<string[]> {
  const res = await fetch(`${stack.gatewayUrl}/v1/overview`, {
    headers: { authorization: `Bearer ${DEV_SECRETS.ownerToken}` },
  });
  const { periods } = (await res.json()) as { periods: { period: string; executedTx: string | null }[] };
  return periods.filter((p) => p.executedTx !== null).map((p) => p.period);
}

/** Step 5: the chain's clock an hour ahead; then the period the readings were in settles on chain. */
async function pushClockAndSettle(stack: Record<string, string>) {
  const before = new Set(await settledPeriods(stack));
  await rpc(stack.chainRpcUrl!, "evm_increaseTime", [3600]);
  await rpc(stack.chainRpcUrl!, "evm_mine");
  const deadline = Date.now() + 120_000;
  for (;;) {
    const now = await settledPeriods(stack);
    if (now.some((p) => !before.has(p))) return;
    if (Date.now() > deadline) throw new Error(`no new period settled; settled: ${now.join(", ")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** How many of the dApp's reports say an input failed inside it (internal_error). */
async function internalErrors(stack: Record<string, string>): Promise<number> {
  const { data } = await rpc(stack.jsonRpcUrl!, "cartesi_listReports", {
    application: stack.application,
    limit: 10_000,
  });
  const texts = (data as { raw_data: string }[]).map((r) => Buffer.from(r.raw_data.slice(2), "hex").toString("utf8"));
  return texts.filter((t) => t.includes("internal_error")).length;
}

describe("the walkthrough's clock across a restart of npm start", () => {
  it("keeps every later input accepted: step 5, restart, step 5 again", async () => {
    running = await start();
    await sendReadings(running.stack);
    await pushClockAndSettle(running.stack);

    await running.stop();
    running = await start();
    await sendReadings(running.stack);
    await pushClockAndSettle(running.stack);
    await sendReadings(running.stack);
    expect(await internalErrors(running.stack)).toBe(0);
  });
});
