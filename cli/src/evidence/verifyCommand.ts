// `lcore verify BUNDLE --rpc URL [--application ADDRESS] [--input-box ADDRESS] [--allow-subset] [--json]`:
// checks an evidence bundle (docs/EVIDENCE.md) against the chain alone, with the protocol's
// verifier (@lcore/protocol/evidenceVerify), the same a buyer's code or a browser calls.
// One line per reading and per device-period, then a summary; --json prints the report as
// JSON instead. Exit 0: every link holds and nothing committed is missing (or a subset is
// accepted); 1: a link is broken or readings are missing; 2: bad usage, an unreadable
// bundle or the chain unreachable.

import { readFileSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseHex } from "@lcore/protocol/bytes";
import { EvidenceFormatError, readEvidenceBundle } from "@lcore/protocol/evidenceBundle";
import { viemEvidenceChain } from "@lcore/protocol/evidenceChain";
import { evidencePasses, formatEvidenceReport } from "@lcore/protocol/evidenceReport";
import { verifyEvidence } from "@lcore/protocol/evidenceVerify";
import { type Hex, createPublicClient, http } from "viem";

export const VERIFY_USAGE = `usage: lcore verify BUNDLE --rpc URL [--application ADDRESS] [--input-box ADDRESS] [--allow-subset] [--json]
  BUNDLE       an evidence bundle (lcore evidence export; docs/EVIDENCE.md), or - for stdin
  --rpc        the chain's JSON-RPC: everything is checked against it, nothing against the bundle's word
  --application the Application you expect (default: the bundle's, checked against the chain's inputs)
  --input-box  the InputBox (default: Cartesi Rollups v2.2.0's canonical address)
  --allow-subset  pass a bundle that proves only some of the committed readings (selective delivery)
Exit 0: verified; 1: a broken link or missing readings; 2: bad usage or error.`;

/** Bundles larger than this are refused before parsing (a bundle of MAX_EVIDENCE_READINGS is ~100 MiB of JSON). */
export const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;

const OPTIONS = {
  rpc: { type: "string" },
  application: { type: "string" },
  "input-box": { type: "string" },
  "allow-subset": { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const;

function readBundleText(path: string): string {
  if (path !== "-" && statSync(path).size > MAX_BUNDLE_BYTES) throw new Error(`bundle over ${MAX_BUNDLE_BYTES} bytes`);
  const text = readFileSync(path === "-" ? 0 : path, "utf8");
  if (text.length > MAX_BUNDLE_BYTES) throw new Error(`bundle over ${MAX_BUNDLE_BYTES} bytes`);
  return text;
}

const jsonReplacer = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

export async function runVerifyCli(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const application = values.application === undefined ? undefined : parseHex(values.application);
  const inputBox = values["input-box"];
  if (
    values.help ||
    positionals.length !== 1 ||
    !values.rpc ||
    (application !== undefined && application?.length !== 20) ||
    (inputBox !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(inputBox))
  ) {
    process.stderr.write(`${VERIFY_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  let bundle: ReturnType<typeof readEvidenceBundle>;
  try {
    bundle = readEvidenceBundle(JSON.parse(readBundleText(positionals[0]!)));
  } catch (e) {
    const why = e instanceof EvidenceFormatError ? `not an evidence bundle: ${e.message}` : (e as Error).message;
    process.stderr.write(`lcore verify: ${why}\n`);
    return 2;
  }
  const client = createPublicClient({ transport: http(values.rpc, { retryCount: 2, timeout: 30_000 }) });
  const chain = viemEvidenceChain(client, inputBox === undefined ? {} : { inputBox: inputBox as Hex });
  const report = await verifyEvidence(bundle, chain, application === undefined ? {} : { application });
  const allowSubset = values["allow-subset"] === true;
  if (values.json) process.stdout.write(`${JSON.stringify(report, jsonReplacer, 2)}\n`);
  else process.stdout.write(`${formatEvidenceReport(report, allowSubset).join("\n")}\n`);
  return evidencePasses(report, allowSubset) ? 0 : 1;
}
