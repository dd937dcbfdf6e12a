#!/usr/bin/env node
// The determinism lint over dapp/src: validators replay the dApp and must reach the
// same state and outputs byte for byte, so the code that runs in the machine must not
// read clocks, randomness, the locale or the time zone, nor compute with floats, nor
// let unordered SQL results reach an output. The only clock is block_timestamp.
//
// It walks the TypeScript AST (not regexes, so comments and strings do not confuse it).
// A line may opt out with `// determinism-ok: <why>` on it or on the line above; the
// reason is for the reviewer. `node scripts/determinism-lint.mjs` exits 1 on findings.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Member names that are wrong on any object (clocks, randomness, locale, time zone, floats). */
const FORBIDDEN_MEMBERS = new Map([
  ...["getRandomValues", "randomBytes", "randomUUID", "randomInt", "randomFill", "randomFillSync"].map((m) => [
    m,
    "randomness",
  ]),
  ...[
    "toLocaleString",
    "toLocaleDateString",
    "toLocaleTimeString",
    "localeCompare",
    "toLocaleUpperCase",
    "toLocaleLowerCase",
  ].map((m) => [m, "locale-dependent"]),
  ...[
    "getTimezoneOffset",
    "getFullYear",
    "getMonth",
    "getDate",
    "getDay",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
    "setFullYear",
    "setMonth",
    "setDate",
    "setHours",
    "setMinutes",
    "setSeconds",
    "setMilliseconds",
    "toTimeString",
    "toDateString",
  ].map((m) => [m, "time-zone-dependent"]),
  ...["toFixed", "toPrecision", "toExponential", "getFloat32", "getFloat64", "setFloat32", "setFloat64"].map((m) => [
    m,
    "floating point",
  ]),
]);

/** Qualified names: object.member. */
const FORBIDDEN_QUALIFIED = new Map([
  ["Date.now", "wall clock"],
  ["Date.parse", "time-zone-dependent"],
  ["Math.random", "randomness"],
  ["performance.now", "clock"],
  ["process.hrtime", "clock"],
  ["process.uptime", "clock"],
  ["process.cpuUsage", "clock"],
  ["process.memoryUsage", "host-dependent"],
  ["process.resourceUsage", "host-dependent"],
  ["process.env", "configuration must not change behaviour (read it in main.ts only)"],
  ["Number.parseFloat", "floating point"],
]);

/** Math functions that are exact on integers; the rest compute floats. */
const EXACT_MATH = new Set(["floor", "ceil", "min", "max", "abs", "trunc", "sign"]);

const FORBIDDEN_IDENTIFIERS = new Map([
  ["Intl", "locale-dependent"],
  ["parseFloat", "floating point"],
  ["Float32Array", "floating point"],
  ["Float64Array", "floating point"],
  ["WeakRef", "depends on garbage-collection timing"],
  ["FinalizationRegistry", "depends on garbage-collection timing"],
  ["setTimeout", "timer"],
  ["setInterval", "timer"],
  ["setImmediate", "timer"],
]);

const FORBIDDEN_MODULES = new Map([
  ["crypto", "randomness (hash with @lcore/wasm-core)"],
  ["node:crypto", "randomness (hash with @lcore/wasm-core)"],
  ["os", "host-dependent"],
  ["node:os", "host-dependent"],
  ["worker_threads", "scheduling-dependent"],
  ["node:worker_threads", "scheduling-dependent"],
]);

/** In SQL text: SQLite's clock, randomness and floating-point functions and types. */
const FORBIDDEN_SQL =
  /\b(random|randomblob|datetime|date|time|julianday|strftime|unixepoch|avg|total)\s*\(|\b(current_timestamp|current_date|current_time|REAL|FLOAT|DOUBLE)\b/i;
const SQL_TEXT = /\b(SELECT|INSERT|UPDATE|DELETE|CREATE)\b/;

/** Files allowed to read process.env: the process entry point. */
const ENV_FILES = new Set(["main.ts"]);

/**
 * @param {string} text TypeScript source
 * @param {string} file path relative to src/ (for messages and per-file rules)
 * @returns {{ file: string, line: number, rule: string, text: string }[]}
 */
export function lintSource(text, file) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const lines = text.split("\n");
  const findings = [];
  const allowed = (line) =>
    /determinism-ok:\s*\S/.test(lines[line] ?? "") || /^\s*\/\/\s*determinism-ok:\s*\S/.test(lines[line - 1] ?? "");
  const report = (node, rule) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
    if (!allowed(line)) findings.push({ file, line: line + 1, rule, text: node.getText(sf).slice(0, 80) });
  };

  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const why = FORBIDDEN_MODULES.get(node.moduleSpecifier.text);
      if (why) report(node, `import "${node.moduleSpecifier.text}": ${why}`);
    } else if (ts.isPropertyAccessExpression(node)) {
      const member = node.name.text;
      const qualified = ts.isIdentifier(node.expression) ? `${node.expression.text}.${member}` : null;
      if (qualified === "process.env" && ENV_FILES.has(file)) {
        // allowed
      } else if (qualified !== null && FORBIDDEN_QUALIFIED.has(qualified)) {
        report(node, `${qualified}: ${FORBIDDEN_QUALIFIED.get(qualified)}`);
      } else if (qualified?.startsWith("Math.") && !EXACT_MATH.has(member)) {
        report(node, `${qualified}: floating point`);
      } else if (FORBIDDEN_MEMBERS.has(member)) {
        report(node, `.${member}: ${FORBIDDEN_MEMBERS.get(member)}`);
      }
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "Date" &&
      (node.arguments === undefined || node.arguments.length === 0)
    ) {
      report(node, "new Date(): wall clock");
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Date") {
      report(node, "Date(): wall clock");
    } else if (
      ts.isIdentifier(node) &&
      FORBIDDEN_IDENTIFIERS.has(node.text) &&
      !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) &&
      !(ts.isPropertyAssignment(node.parent) && node.parent.name === node)
    ) {
      report(node, `${node.text}: ${FORBIDDEN_IDENTIFIERS.get(node.text)}`);
    } else if (ts.isNumericLiteral(node) && /[.eE]/.test(node.getText(sf)) && !/^0[xXbBoO]/.test(node.getText(sf))) {
      report(node, "float literal");
    } else if (
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) &&
      SQL_TEXT.test(node.getText(sf)) &&
      FORBIDDEN_SQL.test(node.getText(sf))
    ) {
      report(
        node,
        `SQL ${FORBIDDEN_SQL.exec(node.getText(sf))[0].replace(/\s*\($/, "()")}: clock, randomness or floating point in SQL`,
      );
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "all"
    ) {
      // Store.all runs multi-row queries: their order must be stated.
      const sql = node.arguments[0];
      if (
        sql &&
        (ts.isStringLiteral(sql) || ts.isNoSubstitutionTemplateLiteral(sql) || ts.isTemplateExpression(sql)) &&
        /\bSELECT\b/i.test(sql.getText(sf)) &&
        !/\bORDER\s+BY\b/i.test(sql.getText(sf))
      ) {
        report(node, "multi-row SELECT without ORDER BY: row order would be SQLite's choice");
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

function* tsFiles(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) yield p;
  }
}

/** Lint every .ts file under `dir` (default: dapp/src). */
export function lintDirectory(dir = fileURLToPath(new URL("../src", import.meta.url))) {
  const findings = [];
  for (const p of tsFiles(dir)) findings.push(...lintSource(readFileSync(p, "utf8"), relative(dir, p)));
  return findings;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const findings = lintDirectory();
  for (const f of findings) console.log(`src/${f.file}:${f.line}  ${f.rule}  ${f.text}`);
  console.log(findings.length === 0 ? "determinism lint: clean" : `determinism lint: ${findings.length} finding(s)`);
  process.exit(findings.length === 0 ? 0 : 1);
}
