// `lcore migrate` on the devnet with the real dApp: a generated 10,000-row MVP database is
// migrated by the CLI as a child process, SIGKILLed halfway, and run again. Then every row is
// accounted for (migrated, or skipped with exactly the reason it deserves), every migrated row
// is on chain once and accepted by the dApp with the MVP row as its provenance, and a replay
// of the chain through a fresh dApp finds no divergence.

import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeInput } from "@lcore/protocol/input";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProvenance } from "@lcore/protocol/mvpMigration";
import type { MigrationReport } from "../src/migrate/report.js";
import { lcoreReplay as replay } from "../src/replay/lcoreReplay.js";
import { OWNER_TOKEN, type TestGateway, auth, testGateway } from "../../gateway/test/helpers/gateway.js";
import { type GeneratedRow, generateMvpDatabase } from "../../gateway/test/helpers/mvpDatabase.js";
import { DAPP_MAIN, type TestStack, eventually, startTestStack } from "../../gateway/test/helpers/stack.js";
import { type Cleanup, runCleanups, tempDir } from "../../gateway/test/helpers/tempDir.js";

const LCORE = fileURLToPath(new URL("../dist/lcore.js", import.meta.url));
const ROWS = 10_000;
const DEVICES = 5;

const cleanups: Cleanup[] = [];
let stack: TestStack;
let app: TestGateway["app"];
let url: string;

beforeAll(async () => {
  stack = await startTestStack(cleanups);
  ({ app } = await testGateway(cleanups, stack.gatewayOptions(5)));
  url = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => runCleanups(cleanups));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function lcoreMigrate(args: string[]): Run {
  const child = spawn(process.execPath, [LCORE, "migrate", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c) => (out += String(c)));
  child.stderr!.on("data", (c) => (err += String(c)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** One inspect query to the dApp through the node; the answer's first report as JSON. */
async function inspect<T>(path: string): Promise<T> {
  const res = await fetch(stack.devnet.inspectUrl, { method: "POST", body: path });
  const body = (await res.json()) as { reports: { payload: string }[] };
  return JSON.parse(Buffer.from(body.reports[0]!.payload.slice(2), "hex").toString("utf8")) as T;
}

describe("lcore migrate", () => {
  it("migrates 10,000 MVP rows through an interruption: every row accounted for, accepted once, replayed cleanly", async () => {
    const dir = tempDir(cleanups);
    const from = `${dir}/mvp.db`;
    const baseDate = Math.floor(Date.now() / 1000) - 7 * 86_400;
    const rows = generateMvpDatabase(from, ROWS, DEVICES, baseDate);
    writeFileSync(`${dir}/owner.token`, `${OWNER_TOKEN}\n`);
    const args = ["--from", from, "--gateway", url, "--owner-token-file", `${dir}/owner.token`, "--batch", "500"];

    // Run 1: SIGKILL once half the rows are journaled.
    const first = lcoreMigrate(args);
    await eventually(
      () => {
        if (first.child.exitCode !== null) throw new Error(`lcore migrate exited early: ${first.stderr()}`);
        const done = [...first.stderr().matchAll(/rows (\d+)\/10000/g)].map((m) => Number(m[1]));
        return done.some((n) => n >= ROWS / 2) ? true : undefined;
      },
      90_000,
      "half the rows",
    );
    first.child.kill("SIGKILL");
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
    const firstRate = [...first.stderr().matchAll(/(\d+) rows\/s/g)].map((m) => Number(m[1])).at(-1);

    // Run 2: resumes from the journal and waits for the dApp's verdicts.
    const second = lcoreMigrate([...args, "--wait", "120"]);
    const exit = await second.exited;
    expect(exit, second.stderr()).toEqual({ code: 0, signal: null });
    const report = JSON.parse(second.stdout()) as MigrationReport;
    expect(second.stderr()).toMatch(/^reconciled: 10000 MVP rows/m);

    // Every row accounted for, each skipped one with its reason.
    const skipped = rows.filter((r) => r.skip !== undefined);
    const migrated = rows.filter((r) => r.skip === undefined);
    expect(report).toMatchObject({
      rows: ROWS,
      migrated: migrated.length,
      skipped: skipped.length,
      unaccounted: 0,
      unaccountedRows: [],
    });
    expect(report.skippedRows).toEqual(
      skipped.map((r) => ({ row_id: String(r.id), device_id: r.deviceId, reason: r.skip })),
    );
    expect(report.dapp).toEqual({ accepted: migrated.length, rejected: {}, undecided: 0 });
    expect(report.resent).toBeLessThanOrEqual(500); // at most the batch in flight at the kill
    console.log(
      `lcore migrate: ${ROWS} rows; run 1 ${firstRate} rows/s, run 2 ${report.rowsPerSecond} rows/s over ${report.seconds} s including the wait for verdicts; ${report.resent} resent`,
    );

    // The dApp: per device exactly its rows, each seq once; nothing else.
    const byDevice = new Map<string, GeneratedRow[]>();
    for (const r of migrated) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
    expect(report.devices.filter((d) => d.migrated > 0).map((d) => [d.device_id, d.migrated, d.accepted])).toEqual(
      [...byDevice].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, list]) => [id, list.length, list.length]),
    );
    const counters = await inspect<{ records: string; devices: string }>("counters");
    expect(counters).toMatchObject({ records: String(migrated.length), devices: String(DEVICES) });
    for (const [id, list] of byDevice) {
      const address = report.devices.find((d) => d.device_id === id)!.device!;
      const d = await inspect<{ records: string; lastSeq: string }>(`device/${address}`);
      expect(d).toMatchObject({ records: String(list.length), lastSeq: String(list.at(-1)!.id) });
    }

    // The chain: each migrated row in exactly one record batch.
    const seen = new Map<string, number>();
    for (const input of await stack.inputs()) {
      const decoded = decodeInput(Buffer.from(input.payload.slice(2), "hex"));
      if (decoded.kind !== "record_batch") continue;
      for (const rec of decoded.records) {
        const key = `0x${Buffer.from(rec.device).toString("hex")}/${rec.seq}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(migrated.length);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);

    // The owner's plaintext: each reading carries its MVP row, data byte for byte.
    const expected = new Map(migrated.map((r) => [String(r.id), r]));
    let checked = 0;
    for (const d of report.devices.filter((x) => x.migrated > 0)) {
      let fromSeq: string | null = "0";
      while (fromSeq !== null) {
        const page = (
          await app.inject({ method: "GET", url: `/v1/devices/${d.device}/records?fromSeq=${fromSeq}`, headers: auth })
        ).json() as {
          records: { seq: string; timestamp: string; payload: string; status: string }[];
          nextSeq: string | null;
        };
        for (const rec of page.records) {
          const row = expected.get(rec.seq)!;
          const p = decodeProvenance(Buffer.from(rec.payload.slice(2), "hex"))!;
          expect([
            p.rowId,
            p.submissionDate,
            p.transactionHash,
            Buffer.from(p.data).equals(Buffer.from(row.data)),
            rec.timestamp,
            rec.status,
          ]).toEqual([
            BigInt(row.id),
            BigInt(row.submissionDate),
            row.transactionHash,
            true,
            String(row.submissionDate),
            "accepted",
          ]);
          checked++;
        }
        fromSeq = page.nextSeq;
      }
    }
    expect(checked).toBe(migrated.length);

    // Replay: every input through a fresh dApp, against every claim accepted on chain and the node's outputs.
    const inputs = (await stack.inputs()).length;
    await eventually(
      async () => {
        const res = await fetch(stack.devnet.jsonRpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "cartesi_listEpochs",
            params: { application: stack.app, limit: 10_000 },
          }),
        });
        const epochs = (
          (await res.json()) as { result: { data: { status: string; input_index_upper_bound: string }[] } }
        ).result.data;
        const claimed = epochs
          .filter((e) => e.status === "CLAIM_ACCEPTED")
          .map((e) => parseInt(e.input_index_upper_bound, 16));
        return Math.max(0, ...claimed) >= inputs ? true : undefined;
      },
      60_000,
      "every input in an accepted claim",
    );
    const replayed = await replay({
      rpcUrl: stack.devnet.chainRpcUrl,
      application: stack.app,
      dapp: [process.execPath, DAPP_MAIN],
      nodeUrl: stack.devnet.jsonRpcUrl,
      progress: () => {},
    });
    expect(replayed.inputs).toBe(inputs);
    expect(replayed.claimsChecked).toBeGreaterThan(0);
    expect(replayed.divergences).toEqual([]);
  });
});
