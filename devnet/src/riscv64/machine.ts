// `--machine host|riscv64|riscv64-vm`: which Node runs the dApp. On riscv64 the dApp
// command's Node (`node`, or a path to a node binary) is replaced by riscv64 Node under
// qemu-user; on riscv64-vm by the same Node inside a whole riscv64 system under
// qemu-system (vm.ts). The rest of the command (the bundle and its arguments) is unchanged,
// and so is everything around it.

import { basename } from "node:path";
import { InvalidArgumentError } from "../errors.js";
import { fetchRiscv64Runtime, riscv64NodeCommand } from "./runtime.js";
import { fetchRiscv64Vm, riscv64VmCommand } from "./vm.js";

export const MACHINES = ["host", "riscv64", "riscv64-vm"] as const;
export type Machine = (typeof MACHINES)[number];

export function parseMachine(value: string | undefined): Machine {
  if (value === undefined) return "host";
  if ((MACHINES as readonly string[]).includes(value)) return value as Machine;
  throw new InvalidArgumentError(`--machine must be one of ${MACHINES.join(", ")}, got ${JSON.stringify(value)}`);
}

const isNode = (file: string) => /^node(js)?(\d+)?$/.test(basename(file)) || file === process.execPath;

/** The command for `machine`; fetches the riscv64 runtime (or reuses the cache) when needed. */
export async function commandOnMachine(
  machine: Machine,
  command: string[],
  log?: (line: string) => void,
): Promise<string[]> {
  if (machine === "host") return command;
  const [file, ...args] = command;
  if (file === undefined || !isNode(file)) {
    throw new InvalidArgumentError(
      `--machine ${machine} runs a Node dApp: the command must start with node, got ${JSON.stringify(command.join(" "))}`,
    );
  }
  if (machine === "riscv64-vm") return riscv64VmCommand(await fetchRiscv64Vm(log === undefined ? {} : { log }), args);
  const runtime = await fetchRiscv64Runtime(log === undefined ? {} : { log });
  return riscv64NodeCommand(runtime, args);
}
