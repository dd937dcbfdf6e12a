// One fresh dApp in host mode: its own rollup HTTP server on a free port and its process.

import type { Address } from "viem";
import type { Hex } from "../hex.js";
import { type AdvanceResult, type InspectResult, startRollupHttpServer } from "../rollupHttpServer.js";
import { spawnDapp } from "../spawnDapp.js";
import type { ChainInput } from "./chainHistory.js";

export interface DappRunner {
  advance(input: ChainInput): Promise<AdvanceResult>;
  inspect(payload: Hex): Promise<InspectResult>;
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
  const dapp = spawnDapp(
    command,
    cwd === undefined ? { rollupHttpUrl: rollup.url } : { rollupHttpUrl: rollup.url, cwd },
  );
  let exitedEarly = false;
  const exited = dapp.exited.then((code) => {
    exitedEarly = true;
    return code;
  });
  /** Send a request; its answer, or an error if the dApp has exited or exits first. */
  const unlessExited = <T>(send: () => Promise<T>, during: string): Promise<T> => {
    if (exitedEarly) return Promise.reject(new Error(`dApp ${command.join(" ")} has exited`));
    return Promise.race([
      send(),
      exited.then((code): never => {
        throw new Error(`dApp ${command.join(" ")} exited (code ${code}) during ${during}`);
      }),
    ]);
  };
  return {
    advance(input) {
      return unlessExited(
        () =>
          rollup.advance(
            {
              chain_id: input.chainId,
              app_contract: application,
              msg_sender: input.msgSender,
              block_number: input.blockNumber,
              block_timestamp: input.blockTimestamp,
              prev_randao: input.prevRandao,
              input_index: input.index,
            },
            input.payload,
          ),
        `input ${input.index}`,
      );
    },
    inspect(payload) {
      return unlessExited(() => rollup.inspect(payload), "an inspect");
    },
    async stop() {
      await dapp.stop();
      await rollup.close();
    },
  };
}
