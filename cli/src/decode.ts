// `lcore decode HEX...` (or one hex string per line on stdin): what a node serves as hex (a v2
// output, a notice's payload, a report, an inspect answer) as JSON with the protocol's names.
// Exit 0: every one decoded; 2: one at least is none of these (the reason on stderr).

import { DecodeInputError, decodeHex } from "@lcore/protocol/decode";

export const DECODE_USAGE =
  "usage: lcore decode HEX...   (no HEX: one per line on stdin)\n" +
  "A v2 output (Notice/Voucher call), a notice's payload, a report or an inspect answer, as JSON.\n";

export async function runDecodeCli(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(DECODE_USAGE);
    return 0;
  }
  let inputs = args;
  if (inputs.length === 0) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    inputs = Buffer.concat(chunks)
      .toString("utf8")
      .split(/\s+/)
      .filter((s) => s !== "");
  }
  let failed = 0;
  for (const hex of inputs) {
    try {
      process.stdout.write(`${JSON.stringify(decodeHex(hex), null, 2)}\n`);
    } catch (error) {
      if (!(error instanceof DecodeInputError)) throw error;
      process.stderr.write(`lcore decode: ${error.message}: ${hex.length > 24 ? `${hex.slice(0, 24)}…` : hex}\n`);
      failed++;
    }
  }
  return failed === 0 ? 0 : 2;
}
