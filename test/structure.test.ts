// The workspace graph is one-way (issue 25): wasm-core, contracts → protocol → dapp, gateway →
// cli, and devnet alone. Read from every workspace's package.json (dependencies and
// devDependencies, in the order of the root's "workspaces", the order `npm run build` builds in),
// the graph must have no cycle, every workspace must be listed after those it depends on,
// devnet (a generic Cartesi node) must depend on no @lcore package, and the gateway must not
// depend on the dApp (the wire is @lcore/protocol's). The checker is tested on small graphs too,
// so that a rule that never fires is seen.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Workspace {
  /** The package name (@lcore/devnet). */
  name: string;
  /** Everything it depends on, dependencies and devDependencies, by package name. */
  dependsOn: string[];
}

/** A dependency no workspace may have: `from` on any package whose name matches `to`. */
interface ForbiddenDependency {
  from: string;
  to: RegExp;
  why: string;
}

const FORBIDDEN: ForbiddenDependency[] = [
  {
    from: "@lcore/devnet",
    to: /^@lcore\//,
    why: "devnet is a generic Cartesi Rollups node: it depends on no @lcore package",
  },
  {
    from: "@lcore/gateway",
    to: /^@lcore\/dapp$/,
    why: "the gateway shares the wire with the dApp through @lcore/protocol",
  },
];

/** The workspaces of the repository at `root`, in the order its package.json lists them. */
function readWorkspaces(root: string): Workspace[] {
  const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces: string[] };
  return rootPackage.workspaces.map((folder) => {
    const pkg = JSON.parse(readFileSync(join(root, folder, "package.json"), "utf8")) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    return {
      name: pkg.name,
      dependsOn: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
    };
  });
}

/** Every way `workspaces` breaks the rules, one sentence each; none for a one-way graph. */
function structureProblems(workspaces: Workspace[], forbidden: ForbiddenDependency[] = FORBIDDEN): string[] {
  const position = new Map(workspaces.map((w, i) => [w.name, i]));
  const edges = new Map(workspaces.map((w) => [w.name, w.dependsOn.filter((d) => position.has(d))]));
  const problems = findCycles(edges).map((cycle) => `dependency cycle: ${cycle.join(" → ")}`);
  for (const w of workspaces) {
    for (const d of edges.get(w.name)!) {
      if (position.get(d)! > position.get(w.name)!)
        problems.push(`${w.name} is listed before ${d}, which it depends on`);
    }
    for (const rule of forbidden) {
      if (rule.from !== w.name) continue;
      for (const d of w.dependsOn.filter((name) => rule.to.test(name)))
        problems.push(`${w.name} depends on ${d}: ${rule.why}`);
    }
  }
  return problems;
}

/** Each cycle of the graph once, as the path that closes it (a → b → a), starting from its first node in `edges`' order. */
function findCycles(edges: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const cycles = new Map<string, string[]>();
  const visit = (node: string) => {
    state.set(node, "open");
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") {
        const cycle = path.slice(path.indexOf(next));
        // One key per cycle whatever node the walk entered it by.
        const key = [...cycle].sort().join(" ");
        if (!cycles.has(key)) cycles.set(key, [...cycle, next]);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    path.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

describe("the workspace graph", () => {
  it("is one-way, listed in build order, with devnet alone and the gateway apart from the dApp", () => {
    const workspaces = readWorkspaces(ROOT);
    expect(workspaces.map((w) => w.name)).toContain("@lcore/devnet");
    expect(structureProblems(workspaces)).toEqual([]);
  });
});

describe("structureProblems", () => {
  const graph = (spec: Record<string, string[]>): Workspace[] =>
    Object.entries(spec).map(([name, dependsOn]) => ({ name, dependsOn }));

  it("finds nothing wrong in a one-way graph listed in order", () => {
    expect(
      structureProblems(
        graph({ "@lcore/a": ["viem"], "@lcore/b": ["@lcore/a"], "@lcore/c": ["@lcore/a", "@lcore/b"] }),
      ),
    ).toEqual([]);
  });

  it("finds a cycle, once, with the path that closes it", () => {
    const problems = structureProblems(
      graph({ "@lcore/a": ["@lcore/c"], "@lcore/b": ["@lcore/a"], "@lcore/c": ["@lcore/b"], "@lcore/d": ["@lcore/d"] }),
    );
    expect(problems.filter((p) => p.startsWith("dependency cycle"))).toEqual([
      "dependency cycle: @lcore/a → @lcore/c → @lcore/b → @lcore/a",
      "dependency cycle: @lcore/d → @lcore/d",
    ]);
  });

  it("finds a workspace listed before one it depends on", () => {
    expect(structureProblems(graph({ "@lcore/b": ["@lcore/a"], "@lcore/a": [] }))).toEqual([
      "@lcore/b is listed before @lcore/a, which it depends on",
    ]);
  });

  it("finds devnet depending on any @lcore package, listed or not, and the gateway depending on the dApp", () => {
    const problems = structureProblems(
      graph({
        "@lcore/protocol": [],
        "@lcore/dapp": ["@lcore/protocol"],
        "@lcore/devnet": ["@lcore/protocol", "@lcore/elsewhere", "viem"],
        "@lcore/gateway": ["@lcore/protocol", "@lcore/dapp"],
      }),
    );
    expect(problems).toEqual([
      "@lcore/devnet depends on @lcore/protocol: devnet is a generic Cartesi Rollups node: it depends on no @lcore package",
      "@lcore/devnet depends on @lcore/elsewhere: devnet is a generic Cartesi Rollups node: it depends on no @lcore package",
      "@lcore/gateway depends on @lcore/dapp: the gateway shares the wire with the dApp through @lcore/protocol",
    ]);
  });

  it("finds what was wrong before issue 25: devnet and the dApp, devnet and contracts, in cycles", () => {
    const before = graph({
      "@lcore/wasm-core": [],
      "@lcore/contracts": ["@lcore/devnet"],
      "@lcore/protocol": ["@lcore/contracts", "@lcore/wasm-core"],
      "@lcore/dapp": ["@lcore/protocol", "@lcore/devnet"],
      "@lcore/gateway": ["@lcore/protocol", "@lcore/devnet"],
      "@lcore/devnet": ["@lcore/contracts", "@lcore/protocol"],
    });
    const problems = structureProblems(before);
    expect(problems).toContain("dependency cycle: @lcore/contracts → @lcore/devnet → @lcore/contracts");
    expect(problems).toContain(
      "dependency cycle: @lcore/contracts → @lcore/devnet → @lcore/protocol → @lcore/contracts",
    );
    expect(problems).toContain("@lcore/dapp is listed before @lcore/devnet, which it depends on");
  });
});
