#!/usr/bin/env node
// lcore-devnet: @lcore/devnet's command (cartesi-devnet) with lcore's contracts deployed beside
// the rollup by its afterDeploy hook (@lcore/contracts), their addresses under `lcore` in
// deployment.json. The same options, ready line and exit codes.

import { afterDeployLcore } from "@lcore/contracts";
import { runDevnetCli } from "@lcore/devnet/cli";

await runDevnetCli(process.argv.slice(2), {
  name: "lcore-devnet",
  about:
    "Beside the rollup it deploys lcore's contracts (LcoreSettlement, the MVP anchor and, on its own\nanvil, TestToken); their addresses are under `lcore` in deployment.json.",
  afterDeploy: afterDeployLcore,
});
