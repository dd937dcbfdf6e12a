// Creation bytecode of the Rollups v2 contracts, read from the pinned @cartesi/rollups 2.2.0
// package (its forge `out/` folder: `<Name>.sol/<Name>.json`).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Abi } from "viem";
import { DeploymentError } from "./errors.js";
import type { Hex } from "./hex.js";

export interface Artifact {
  abi: Abi;
  bytecode: Hex;
  methodIdentifiers: Record<string, string>;
}

const require = createRequire(import.meta.url);
let outDir: string | undefined;

export function loadArtifact(name: string): Artifact {
  outDir ??= join(dirname(require.resolve("@cartesi/rollups/package.json")), "out");
  const file = join(outDir, `${name}.sol`, `${name}.json`);
  let json: {
    abi: Abi;
    bytecode: { object: Hex; linkReferences?: Record<string, unknown> };
    methodIdentifiers: Record<string, string>;
  };
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new DeploymentError(`cannot read the ${name} artifact at ${file}`, { cause });
  }
  if (json.bytecode.linkReferences && Object.keys(json.bytecode.linkReferences).length > 0) {
    // The canonical addresses assume unlinked bytecode; a library link would change them.
    throw new DeploymentError(`${name} needs library linking, which the canonical deployment does not use`);
  }
  return { abi: json.abi, bytecode: json.bytecode.object, methodIdentifiers: json.methodIdentifiers };
}
