// `lcore-migrate` (and `lcore migrate`, the same command) as a person runs it, the built
// dist/migrate/cli.js, against a gateway built in the test: every MVP row reported, nothing
// sent again on a rerun, and a journal of another application refused.

import Database from "better-sqlite3";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { OWNER_TOKEN, testGateway } from "../../gateway/test/helpers/gateway.js";
import { generateMvpDatabase } from "../../gateway/test/helpers/mvpDatabase.js";
import { type Cleanup, runCleanups, tempDir } from "../../gateway/test/helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const NOW = Math.floor(Date.now() / 1000);

describe("lcore-migrate", () => {
  const CLI = fileURLToPath(new URL("../dist/migrate/cli.js", import.meta.url));
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, LCORE_GW_OWNER_TOKEN: OWNER_TOKEN },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it("reports every row, sends nothing again on a rerun, and refuses a journal of another application", async () => {
    const gw = await testGateway(cleanups);
    const url = await gw.app.listen({ host: "127.0.0.1", port: 0 });
    const dir = tempDir(cleanups);
    const rows = generateMvpDatabase(`${dir}/mvp.db`, 120, 2, NOW - 7 * 86_400);
    // Values SQLite's dynamic typing lets an MVP file hold, and ids past the routes' field bounds.
    const db = new Database(`${dir}/mvp.db`);
    db.prepare("INSERT INTO devices (id, public_key, registration_date) VALUES (?, 'k', 0)").run("d".repeat(2000));
    const insert = db.prepare(
      "INSERT INTO data_submissions (id, device_id, data, submission_date, transaction_hash) VALUES (?, ?, ?, ?, ?)",
    );
    insert.run(121, "d".repeat(2000), "1", NOW - 100, null);
    insert.run(122, "sensor-0", "1", NOW - 100, "h".repeat(2000));
    insert.run(123, "sensor-0", "1", "yesterday", null);
    insert.run(124, "sensor-1", 42, NOW - 100, null);
    db.close();
    const args = ["--from", `${dir}/mvp.db`, "--gateway", url, "--batch", "50"];

    const first = await run(args);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout);
    const skipped = rows.filter((r) => r.skip !== undefined);
    expect(skipped.map((r) => r.id)).toEqual([17]);
    expect(report).toMatchObject({ rows: 124, migrated: 120, skipped: 4, unaccounted: 0, resent: 0 });
    expect(report.skippedRows).toEqual([
      { row_id: "17", device_id: "ghost", reason: "device_not_in_mvp" },
      { row_id: "121", device_id: "d".repeat(2000), reason: "device_id_invalid" },
      { row_id: "122", device_id: "sensor-0", reason: "bad_transaction_hash" },
      { row_id: "123", device_id: "sensor-0", reason: "bad_submission_date" },
    ]);
    expect(first.stderr).toMatch(/^reconciled: 124 MVP rows/m);
    const integerData = gw.app.gateway.outbox.readings.get(
      Buffer.from(gw.app.gateway.registry.byMvpId("sensor-1")!.address),
      124n,
    );
    expect(integerData?.timestamp).toBe(BigInt(NOW - 100));

    const second = await run(args);
    expect(JSON.parse(second.stdout)).toMatchObject({
      rows: 124,
      migrated: report.migrated,
      resent: 0,
      skippedRows: report.skippedRows,
    });
    expect(second.stderr).not.toMatch(/rows \d+\/124/); // nothing left to send
    expect(gw.app.gateway.outbox.readings.countQueued()).toBe(report.migrated);

    const other = await testGateway(cleanups);
    const third = await run([
      ...args.slice(0, 2),
      "--gateway",
      await other.app.listen({ host: "127.0.0.1", port: 0 }),
      "--journal",
      `${dir}/mvp.db.lcore-migrate.db`,
    ]);
    expect(third).toMatchObject({ code: 2 });
    expect(third.stderr).toMatch(/the journal belongs to app/);
  });
});
