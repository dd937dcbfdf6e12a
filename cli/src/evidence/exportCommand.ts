// `lcore evidence export --gateway URL --device ADDRESS... --from T --to T [--seq N...] [--out FILE]`:
// asks the gateway's owner route POST /v1/evidence for a bundle (docs/EVIDENCE.md) and
// writes it (stdout by default). --from/--to are device time: seconds, or an ISO date
// (YYYY-MM-DD: the whole UTC day). --seq picks a subset for one party (selective delivery).
// The owner token comes from --owner-token-file or LCORE_GW_OWNER_TOKEN, never an argument.
// Exit 0: written; 2: bad usage or the gateway refused (its code on stderr).

import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { GatewayClient, MigrateError } from "../migrate/gatewayClient.js";

export const EVIDENCE_USAGE = `usage: lcore evidence export --gateway URL --device ADDRESS [--device ADDRESS...] --from T --to T
                             [--seq N...] [--out FILE] [--owner-token-file FILE | LCORE_GW_OWNER_TOKEN]
  T: seconds of device time, or YYYY-MM-DD (--from: the day's start, --to: its end, UTC)
  --seq: only these readings (a subset for one party); without it every reading of the settlement periods touched
Then: lcore verify FILE --rpc URL (docs/EVIDENCE.md)`;

const OPTIONS = {
  gateway: { type: "string" },
  device: { type: "string", multiple: true },
  from: { type: "string" },
  to: { type: "string" },
  seq: { type: "string", multiple: true },
  out: { type: "string" },
  "owner-token-file": { type: "string" },
  help: { type: "boolean" },
} as const;

/** Seconds of device time from `--from`/`--to`: decimal seconds, or a UTC day's first or last second. */
export function parseTime(text: string, end: boolean): bigint | undefined {
  if (/^(0|[1-9][0-9]{0,18})$/.test(text)) return BigInt(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000;
  if (!Number.isFinite(day)) return undefined;
  return BigInt(day) + (end ? 86_399n : 0n);
}

export async function runEvidenceCli(argv: string[]): Promise<number> {
  if (argv[0] !== "export") {
    process.stderr.write(`${EVIDENCE_USAGE}\n`);
    return argv[0] === "--help" ? 0 : 2;
  }
  const { values } = parseArgs({ args: argv.slice(1), options: OPTIONS });
  const from = values.from === undefined ? undefined : parseTime(values.from, false);
  const to = values.to === undefined ? undefined : parseTime(values.to, true);
  if (values.help || !values.gateway || !values.device || from === undefined || to === undefined || from > to) {
    process.stderr.write(`${EVIDENCE_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const token =
    values["owner-token-file"] !== undefined
      ? readFileSync(values["owner-token-file"], "utf8").trim()
      : process.env.LCORE_GW_OWNER_TOKEN;
  if (token === undefined || token === "") {
    process.stderr.write(
      "lcore evidence export: the owner token is needed (--owner-token-file or LCORE_GW_OWNER_TOKEN)\n",
    );
    return 2;
  }
  const client = new GatewayClient({ url: values.gateway, token, retryForMs: 30_000 });
  let bundle: unknown;
  try {
    bundle = await client.post("/v1/evidence", {
      devices: values.device,
      from: from.toString(),
      to: to.toString(),
      ...(values.seq === undefined ? {} : { seqs: values.seq }),
    });
  } catch (e) {
    if (!(e instanceof MigrateError)) throw e;
    process.stderr.write(`lcore evidence export: ${e.message}\n`);
    return 2;
  }
  const text = `${JSON.stringify(bundle, null, 1)}\n`;
  if (values.out === undefined) process.stdout.write(text);
  else writeFileSync(values.out, text);
  return 0;
}
