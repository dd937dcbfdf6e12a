// Prepared statements cached by their SQL text, and the three ways the stores run them.
// Every statement of the state goes through the Store's one instance (state/store.ts, and
// each feature's store.ts over it), so reads always come back with bigint integers and
// statements are prepared once.

import type { Database, Statement } from "sql.js";

export type Param = number | bigint | Uint8Array | string | null;
export type Value = bigint | Uint8Array | string | null;

/** sql.js's get(params, { useBigInt }) — the option is missing from @types/sql.js. */
function getRow(s: Statement): Value[] {
  return (s as unknown as { get(p: null, c: { useBigInt: boolean }): Value[] }).get(null, { useBigInt: true });
}

/** An integer parameter: int32 as a number (sqlite3_bind_int), larger as a bigint (bound exactly, as text, and stored as INTEGER by the column's affinity). Never a double. */
export function int(v: bigint): number | bigint {
  return v >= -2147483648n && v <= 2147483647n ? Number(v) : v;
}

export class Statements {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  /** Rows of a query, in the query's ORDER BY, at most `limit` of them. */
  all(sql: string, params: Param[], each: (v: Value[]) => void, limit = Number.MAX_SAFE_INTEGER): void {
    const s = this.prepared(sql);
    try {
      s.bind(params as never);
      let n = 0;
      while (n < limit && s.step()) {
        each(getRow(s));
        n++;
      }
    } finally {
      s.reset();
    }
  }

  one(sql: string, params: Param[]): Value[] | null {
    let row: Value[] | null = null;
    this.all(
      sql,
      params,
      (v) => {
        row = v;
      },
      1,
    );
    return row;
  }

  run(sql: string, params: Param[]): void {
    const s = this.prepared(sql);
    try {
      s.run(params as never);
    } finally {
      s.reset();
    }
  }

  private prepared(sql: string): Statement {
    let s = this.cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
}
