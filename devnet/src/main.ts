#!/usr/bin/env node
// cartesi-devnet: the generic devnet, any dApp's local Cartesi Rollups v2 stack (cli.ts).

import { runDevnetCli } from "./cli.js";

await runDevnetCli(process.argv.slice(2), { name: "cartesi-devnet" });
