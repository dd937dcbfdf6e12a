// One vitest run over every package. Each package is a project named after its folder;
// workspace imports resolve to the packages' TypeScript sources, so tests never run
// against a stale dist/ (child processes that need built JS get it from `pretest`).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Exact names are anchored, so "@lcore/dapp" never catches "@lcore/dapp-something"; the
// protocol is imported per module (`@lcore/protocol/sealing`), one source file each.
const sourceAliases = [
  { find: /^@lcore\/contracts$/, replacement: here("./contracts/ts/index.ts") },
  { find: /^@lcore\/wasm-core$/, replacement: here("./wasm-core/src/index.ts") },
  { find: /^@lcore\/protocol\/(\w+)$/, replacement: here("./protocol/src/$1.ts") },
  { find: /^@lcore\/dapp$/, replacement: here("./dapp/src/index.ts") },
  { find: /^@lcore\/gateway$/, replacement: here("./gateway/src/index.ts") },
  { find: /^@lcore\/devnet$/, replacement: here("./devnet/src/index.ts") },
  { find: /^@lcore\/devnet\/replay$/, replacement: here("./devnet/src/replay/index.ts") },
];

const packages = ["wasm-core", "devnet", "contracts", "protocol", "dapp", "gateway", "cli", "test"];

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      resolve: { alias: sourceAliases },
      test: {
        name,
        root: here(`./${name}`),
        include: ["test/**/*.test.ts", "**/*.test.ts"],
        exclude: ["**/node_modules/**", "**/dist/**"],
        // End-to-end tests start anvil and child processes: give them room, but
        // keep the 2-core machine from running too many heavy files at once.
        testTimeout: 120_000,
        hookTimeout: 120_000,
        passWithNoTests: true,
      },
    })),
    pool: "forks",
    maxWorkers: 2,
  },
});
