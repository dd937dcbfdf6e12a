// One vitest run over every package. Each package is a project named after its folder;
// workspace imports resolve to the packages' TypeScript sources, so tests never run
// against a stale dist/ (child processes that need built JS get it from `pretest`).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// More specific keys first: "@lcore/dapp/protocol" (and /decode) must win over "@lcore/dapp".
export const sourceAliases = {
  "@lcore/contracts": here("./contracts/ts/index.ts"),
  "@lcore/wasm-core": here("./wasm-core/src/index.ts"),
  "@lcore/dapp/protocol": here("./dapp/src/protocol/index.ts"),
  "@lcore/dapp/decode": here("./dapp/src/decode/index.ts"),
  "@lcore/dapp": here("./dapp/src/index.ts"),
  "@lcore/gateway": here("./gateway/src/index.ts"),
  "@lcore/devnet": here("./devnet/src/index.ts"),
};

const packages = ["wasm-core", "dapp", "gateway", "contracts", "devnet", "test"];

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
