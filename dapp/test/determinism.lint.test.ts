import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without declarations
import { lintDirectory, lintSource } from "../scripts/determinism-lint.mjs";

type Finding = { file: string; line: number; rule: string };
const lint = (src: string, file = "x.ts") => (lintSource(src, file) as Finding[]).map((f) => f.rule.split(": ")[0]);

describe("determinism lint", () => {
  it("dapp/src has no forbidden API", () => {
    expect(lintDirectory() as Finding[]).toEqual([]);
  });

  it("catches clocks, randomness, locale, time zone and floats", () => {
    expect(lint("const t = Date.now();")).toEqual(["Date.now"]);
    expect(lint("const d = new Date();")).toEqual(["new Date()"]);
    expect(lint("const s = Date();")).toEqual(["Date()"]);
    expect(lint("const d = new Date(0); const e = new Date(x * 1000);")).toEqual([]);
    expect(lint("const r = Math.random();")).toEqual(["Math.random"]);
    expect(lint("const r = Math.sqrt(2); const m = Math.max(1, 2);")).toEqual(["Math.sqrt"]);
    expect(lint('import { randomBytes } from "node:crypto";')).toEqual(['import "node:crypto"']);
    expect(lint("globalThis.crypto.getRandomValues(b); crypto.randomUUID();")).toEqual([
      ".getRandomValues",
      ".randomUUID",
    ]);
    expect(lint("performance.now(); process.hrtime.bigint();")).toEqual(["performance.now", "process.hrtime"]);
    expect(lint("n.toLocaleString(); a.localeCompare(b); new Intl.NumberFormat();")).toEqual([
      ".toLocaleString",
      ".localeCompare",
      "Intl",
    ]);
    expect(lint("d.getHours(); d.getUTCHours(); d.getTimezoneOffset();")).toEqual([".getHours", ".getTimezoneOffset"]);
    expect(lint("const x = 1.5; const y = 1e3; const z = 0xe1; const w = 10n;")).toEqual([
      "float literal",
      "float literal",
    ]);
    expect(lint("parseFloat(s); v.toFixed(2); new Float64Array(1);")).toEqual([
      "parseFloat",
      ".toFixed",
      "Float64Array",
    ]);
    expect(lint("const k = process.env.KEY;")).toEqual(["process.env"]);
    expect(lint("const k = process.env.KEY;", "main.ts")).toEqual([]);
    expect(lint("setTimeout(f, 1); new WeakRef(o);")).toEqual(["setTimeout", "WeakRef"]);
  });

  it("catches multi-row SELECTs whose order SQLite would choose", () => {
    expect(lint('this.all("SELECT id FROM records WHERE device_id = ?", [], f);')).toHaveLength(1);
    expect(lint('this.all("SELECT id FROM records WHERE device_id = ? ORDER BY id", [], f);')).toEqual([]);
  });

  it("catches SQLite's clock, randomness and floats in SQL text", () => {
    expect(lint('db.run("INSERT INTO t VALUES (random())");')).toEqual(["SQL random()"]);
    expect(lint('db.run("UPDATE t SET at = CURRENT_TIMESTAMP");')).toEqual(["SQL CURRENT_TIMESTAMP"]);
    expect(lint("db.exec(`CREATE TABLE t (x REAL)`);")).toEqual(["SQL REAL"]);
    expect(lint('this.all("SELECT avg(v) FROM t ORDER BY 1", [], f);')).toEqual(["SQL avg()"]);
    expect(lint('db.run("SELECT seq FROM records WHERE timestamp > ? ORDER BY seq");')).toEqual([]);
  });

  it("ignores comments and strings, and honours a stated exception", () => {
    expect(lint('// Date.now() is forbidden\nconst s = "Math.random()";')).toEqual([]);
    expect(lint("const t = process.hrtime.bigint(); // determinism-ok: benchmark only")).toEqual([]);
    expect(lint("// determinism-ok: benchmark only\nconst t = process.hrtime.bigint();")).toEqual([]);
    expect(lint("const t = process.hrtime.bigint(); // determinism-ok:")).toEqual(["process.hrtime"]);
  });
});
