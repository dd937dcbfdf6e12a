// Loading sql.js (SQLite compiled to WASM: the same engine, hence the same behaviour,
// on x86 and riscv64). Its .wasm is read from beside this module when it runs as the
// esbuild bundle, else from node_modules; it is passed as bytes so the loader never
// needs __dirname, which an ES module bundle does not have.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import initSqlJs from "sql.js";
import type { Database, SqlJsStatic } from "sql.js";

let engine: Promise<SqlJsStatic> | undefined;

export function sqlWasmPath(): string {
  const beside = fileURLToPath(new URL("./sql-wasm.wasm", import.meta.url));
  if (existsSync(beside)) return beside;
  return createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm");
}

export function loadSqlJs(): Promise<SqlJsStatic> {
  engine ??= initSqlJs({ wasmBinary: toArrayBuffer(readFileSync(sqlWasmPath())) });
  return engine;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** A fresh in-memory database. */
export async function openDatabase(): Promise<Database> {
  const SQL = await loadSqlJs();
  return new SQL.Database();
}
