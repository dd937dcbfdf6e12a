// The layout rule of gateway/src (README "Layout"), held by the imports themselves:
// no circles; the floors (outbox/, http/, util/) import no feature; the wiring is imported
// only by the entry points; the simulator stands alone.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** Every source file (relative to src/) with the src files it imports, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) files.push(relative(SRC, path));
    }
  };
  walk(SRC);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(SRC, file), "utf8");
    const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) => m[1]!);
    graph.set(
      file,
      specs.map((s) => relative(SRC, resolve(SRC, dirname(file), s)).replace(/\.js$/, ".ts")),
    );
  }
  return graph;
}

const folder = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : ".");

describe("gateway/src layout", () => {
  const graph = importGraph();

  it("reads every import of every file", () => {
    for (const [file, imports] of graph) for (const i of imports) expect(graph.has(i), `${file} -> ${i}`).toBe(true);
    expect(graph.get("app.ts")).toContain("pipeline.ts");
  });

  it("has no import circles", () => {
    const state = new Map<string, "open" | "done">();
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        circles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const i of graph.get(file) ?? []) visit(i, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });

  it("the floors import no feature: util/ nothing, http/ util/, outbox/ util/", () => {
    const allowed: Record<string, string[]> = { util: ["util"], http: ["http", "util"], outbox: ["outbox", "util"] };
    for (const [file, imports] of graph) {
      const floor = allowed[folder(file)];
      if (floor === undefined) continue;
      for (const i of imports) expect(floor, `${file} -> ${i}`).toContain(folder(i));
    }
  });

  it("the wiring is imported by the entry points only, the simulator by nothing but index.ts", () => {
    const importers: Record<string, string[]> = {
      // A fleet's front (fleet/) wires one app per shard from one configuration per shard.
      "app.ts": ["main.ts", "index.ts", "fleet/fleetApp.ts"],
      "config.ts": ["main.ts", "index.ts", "fleet/fleetConfig.ts"],
      "pipeline.ts": ["app.ts"],
      "main.ts": [],
      "index.ts": [],
    };
    for (const [file, imports] of graph) {
      for (const i of imports) {
        if (importers[i] !== undefined) expect(importers[i], `${file} -> ${i}`).toContain(file);
        if (folder(i) === "sim" && folder(file) !== "sim") expect(file, `${file} -> ${i}`).toBe("index.ts");
        if (folder(file) === "sim") expect(folder(i), `${file} -> ${i}`).toBe("sim");
      }
    }
  });
});
