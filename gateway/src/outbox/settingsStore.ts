// The settings table: small durable values, each written in the transaction that changes
// what it describes (the Cartesi pause flag, the mirror's cursor and running totals).

import type { OutboxDb } from "./database.js";
import type { Statement } from "./writer.js";

export class SettingsStore {
  readonly #get;

  constructor(db: OutboxDb) {
    this.#get = db.prepare<[string], { value: number | string }>("SELECT value FROM settings WHERE name = ?");
  }

  /** The integer stored under `name`, or `fallback` when there is none. */
  int(name: string, fallback = 0): number {
    const v = this.#get.get(name)?.value;
    return typeof v === "number" ? v : fallback;
  }

  has(name: string): boolean {
    return this.#get.get(name) !== undefined;
  }

  setStatement(name: string, value: number): Statement {
    return {
      sql: "INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
      params: { name, value },
    };
  }

  /** Adds `n` to the integer under `name` (created at n). */
  addStatement(name: string, n: number): Statement {
    return {
      sql: "INSERT INTO settings (name, value) VALUES (@name, @n) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
      params: { name, n },
    };
  }
}
