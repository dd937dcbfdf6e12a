#!/usr/bin/env node
// The `cartesi-devnet` command. This file is committed, not built: npm links a workspace's bins
// during `npm install`, before `prepare` builds dist/, and skips a bin whose file is missing.
import { existsSync } from "node:fs";

const entry = new URL("../dist/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("cartesi-devnet: not built yet; run `npm run build` at the repository's root\n");
  process.exit(2);
}
await import(entry.href);
