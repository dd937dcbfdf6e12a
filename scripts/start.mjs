#!/usr/bin/env node
// `npm start`: bring up the whole local stack. Until the devnet and gateway land,
// say plainly what exists instead of failing.
import { existsSync } from "node:fs";

const parts = [
  ["wasm-core", "wasm-core/dist/index.js"],
  ["devnet (anvil, Cartesi v2 contracts, host-mode node)", "devnet/dist/cli.js"],
  ["dapp", "dapp/dist/main.js"],
  ["gateway", "gateway/dist/main.js"],
];
console.log("lcore local stack");
for (const [name, file] of parts) {
  console.log(`  ${existsSync(file) ? "built    " : "not built"}  ${name}`);
}
console.log("\nThe local stack is not assembled yet; `npm test` exercises what is built.");
