// `lcore migrate` (also the `lcore-migrate` bin): argument parsing and output. Progress and
// the human summary on stderr; the report alone, as JSON, on stdout. Exit 0: every row
// accounted for (and, with --wait, accepted by the dApp); 1: not reconciled; 2: bad usage or
// an error (the journal keeps what was done; run it again to resume).

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type MigrateProgress, migrate } from "./run.js";
import { formatReport, reconciled } from "./report.js";
import { DEFAULT_LIMITS } from "@lcore/gateway";

export const MIGRATE_USAGE = `usage: lcore migrate --from MVP.db --gateway URL (--owner-token-file FILE | LCORE_GW_OWNER_TOKEN)
                     [--journal FILE] [--batch N] [--wait SECONDS] [--retry-for SECONDS]`;

function progressLine(p: MigrateProgress): string {
  if (p.phase === "waiting") return `lcore migrate: waiting for the dApp, ${p.decided ?? 0}/${p.migrated} verdicts`;
  return `lcore migrate: ${p.phase} ${p.done}/${p.total} rows, ${p.migrated} migrated, ${p.skipped} skipped, ${Math.round(p.rowsPerSecond)} rows/s`;
}

export async function runMigrateCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      gateway: { type: "string" },
      "owner-token-file": { type: "string" },
      journal: { type: "string" },
      batch: { type: "string" },
      wait: { type: "string" },
      "retry-for": { type: "string" },
      help: { type: "boolean" },
    },
  });
  const fail = (message: string) => {
    process.stderr.write(`lcore migrate: ${message}\n${MIGRATE_USAGE}\n`);
    return 2;
  };
  if (values.help === true) {
    process.stderr.write(`${MIGRATE_USAGE}\n`);
    return 0;
  }
  if (values.from === undefined || values.gateway === undefined) return fail("--from and --gateway are required");
  const token =
    values["owner-token-file"] !== undefined
      ? readFileSync(values["owner-token-file"], "utf8").trim()
      : env.LCORE_GW_OWNER_TOKEN;
  if (token === undefined || token === "")
    return fail("the owner token is needed (--owner-token-file or LCORE_GW_OWNER_TOKEN)");
  const num = (
    _name: string,
    v: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number | undefined => {
    const n = v === undefined ? fallback : Number(v);
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  };
  const batchRows = num("batch", values.batch, 500, 1, DEFAULT_LIMITS.migrationRows);
  const waitS = num("wait", values.wait, 0, 0, 86_400);
  const retryForS = num("retry-for", values["retry-for"], 300, 0, 86_400);
  if (batchRows === undefined || waitS === undefined || retryForS === undefined)
    return fail(`--batch takes 1..${DEFAULT_LIMITS.migrationRows}; --wait and --retry-for take whole seconds`);

  const tty = process.stderr.isTTY === true;
  const report = await migrate({
    from: values.from,
    gateway: values.gateway,
    token,
    batchRows,
    waitS,
    retryForS,
    ...(values.journal === undefined ? {} : { journal: values.journal }),
    onProgress: (p) => process.stderr.write(tty ? `\r${progressLine(p)}   ` : `${progressLine(p)}\n`),
  });
  if (tty) process.stderr.write("\n");
  process.stderr.write(`${formatReport(report)}\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return reconciled(report) ? 0 : 1;
}
