#!/usr/bin/env node
// lcore-migrate --from MVP.db --gateway URL ...: the same as `lcore migrate` (command.ts).

import { runMigrateCli } from "./command.js";

runMigrateCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`lcore migrate: ${err.message}\n`);
    process.exitCode = 2;
  },
);
