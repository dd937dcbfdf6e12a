#!/usr/bin/env node
// lcore replay --rpc URL --application ADDRESS [--dapp CMD] [--shadow CMD] [--node URL] [--from-block N]
// lcore decode HEX... (or hex on stdin): an output, notice, voucher, report or inspect answer as JSON.
// lcore migrate --from MVP.db --gateway URL ...: the client side of the MVP migration.
// lcore verify BUNDLE --rpc URL ...: an evidence bundle checked against the chain alone;
// lcore evidence export ...: a bundle from the gateway (docs/EVIDENCE.md).
// lcore --help: this usage. Exit 0: done, no divergence; 1: a divergence (replay) or rows not reconciled (migrate);
// 2: bad usage or an error.

import { runDecodeCli } from "./decode.js";
import { runEvidenceCli } from "./evidence/exportCommand.js";
import { runVerifyCli } from "./evidence/verifyCommand.js";
import { runMigrateCli } from "./migrate/command.js";
import { LCORE_USAGE, runReplayCli } from "./replay/command.js";

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case "replay":
      return runReplayCli(argv.slice(1));
    case "decode":
      return runDecodeCli(argv.slice(1));
    case "migrate":
      return runMigrateCli(argv.slice(1));
    case "verify":
      return runVerifyCli(argv.slice(1));
    case "evidence":
      return runEvidenceCli(argv.slice(1));
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${LCORE_USAGE}\n`);
      return 0;
    default:
      if (argv[0] !== undefined) process.stderr.write(`lcore: unknown command ${JSON.stringify(argv[0])}\n`);
      process.stderr.write(`${LCORE_USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`lcore ${process.argv[2] ?? ""}: ${err.message}\n`);
    process.exitCode = 2;
  },
);
