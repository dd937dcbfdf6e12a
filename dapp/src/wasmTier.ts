// Imported first by main.ts, before any WebAssembly is compiled. On riscv64, V8's optimizing
// WebAssembly compiler (TurboFan) in the Node the machine runs (Debian's 20.19) miscompiles
// sql.js: the riscv64 replay of a chain found a committed `INSERT OR REPLACE` lost after a few
// dozen inputs, so the state hash in a notice differed from the state after it, and from every
// x86 replay (cli/test/riscv64.test.ts). With the baseline compiler (Liftoff) alone the same
// replay agrees byte for byte, so on riscv64 the dApp runs its WebAssembly on Liftoff only.
// x86 keeps both tiers. Node leaves V8's flags writable after start (--no-freeze-flags-after-init).

import { setFlagsFromString } from "node:v8";

if (process.arch === "riscv64") setFlagsFromString("--liftoff-only");
