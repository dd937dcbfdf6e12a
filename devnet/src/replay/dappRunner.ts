// One fresh dApp in host mode: its own rollup HTTP server on a free port and its process.

import type { Address } from "viem";
import { type AdvanceResult, startRollupHttpServer } from "../rollupHttpServer.js";
import { spawnDapp } from "../spawnDapp.js";
import type { Hex } from "../hex.js";
import type { ChainInput } from "./chainHistory.js";
import { STATE_HASH_QUERY, stateHashFromInspect } from "./stateHashes.js";

export interface DappRunner {
  advance(input: ChainInput): Promise<AdvanceResult>;
  /** The dApp's current state hash (inspect `state-hash`); undefined if it does not answer that query as lcore does. */
  stateHash(): Promise<Hex | undefined>;
  stop(): Promise<void>;
}

/** Split a shell-like command line on whitespace ("node dapp/dist/main.js"). */
export function parseCommand(command: string): string[] {
  const parts = command.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) throw new Error("empty dApp command");
  return parts;
}

export async function startDappRunner(command: string[], application: Address, cwd?: string): Promise<DappRunner> {
  const rollup = await startRollupHttpServer({ port: 0 });
  const dapp = spawnDapp(command, cwd === undefined ? { rollupHttpUrl: rollup.url } : { rollupHttpUrl: rollup.url, cwd });
  let exitedEarly = false;
  const exited = dapp.exited.then((code) => {
    exitedEarly = true;
    return code;
  });
  return {
    async advance(input) {
      if (exitedEarly) throw new Error(`dApp ${command.join(" ")} has exited`);
      const pending = rollup.advance({
        chain_id: input.chainId, app_contract: application, msg_sender: input.msgSender, block_number: input.blockNumber,
        block_timestamp: input.blockTimestamp, prev_randao: input.prevRandao, input_index: input.index,
      }, input.payload);
      return Promise.race([pending, exited.then((code) => { throw new Error(`dApp ${command.join(" ")} exited (code ${code}) during input ${input.index}`); })]);
    },
    async stateHash() {
      if (exitedEarly) throw new Error(`dApp ${command.join(" ")} has exited`);
      const pending = rollup.inspect(STATE_HASH_QUERY);
      return stateHashFromInspect(await Promise.race([pending, exited.then((code) => { throw new Error(`dApp ${command.join(" ")} exited (code ${code}) during an inspect`); })]));
    },
    async stop() {
      await dapp.stop();
      await rollup.close();
    },
  };
}
