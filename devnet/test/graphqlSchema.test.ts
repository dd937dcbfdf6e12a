// The served GraphQL schema is the rollups-graphql reader schema: same types, fields, arguments,
// nullability and deprecations (descriptions are the devnet's own words). The spec lives in
// the project's shared specs folder (LCORE_SPECS_DIR, default ../shared/specs from the repo);
// where it is not present the comparison cannot run and says so.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, lexicographicSortSchema, parse, print, printSchema, visit } from "graphql";
import { describe, expect, it } from "vitest";
import { READER_SCHEMA } from "../src/graphqlSchema.js";

const specsDir = process.env.LCORE_SPECS_DIR ?? fileURLToPath(new URL("../../../shared/specs", import.meta.url));
const specPath = `${specsDir}/rollups-graphql-reader.graphql`;

/** The schema without descriptions, sorted, printed: equal strings mean equal schemas. */
function canonical(sdl: string): string {
  const bare = visit(parse(sdl), {
    enter(node) {
      if ("description" in node && node.description) return { ...node, description: undefined };
      return undefined;
    },
  });
  return printSchema(lexicographicSortSchema(buildSchema(print(bare))));
}

describe("READER_SCHEMA", () => {
  it("builds", () => {
    expect(() => buildSchema(READER_SCHEMA)).not.toThrow();
  });

  it.skipIf(!existsSync(specPath))("matches specs/rollups-graphql-reader.graphql", () => {
    expect(canonical(READER_SCHEMA)).toBe(canonical(readFileSync(specPath, "utf8")));
  });
});
