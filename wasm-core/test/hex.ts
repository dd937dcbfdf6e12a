// Test helpers: hex and Wycheproof vector files.
import fc from "fast-check";
import { readFileSync } from "node:fs";

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export interface WycheproofFile<T> {
  algorithm: string;
  numberOfTests: number;
  testGroups: ({ tests: T[] } & Record<string, unknown>)[];
}

export function wycheproof<T>(name: string): WycheproofFile<T> {
  return JSON.parse(readFileSync(new URL(`./vectors/${name}.json`, import.meta.url), "utf8")) as WycheproofFile<T>;
}

/**
 * Byte strings whose length is spread over 0..max. fast-check's own `maxLength` only
 * bounds the length; by default it generates short arrays, which would leave the
 * multi-block and multi-chunk paths untested. Half of the values are short, half
 * have a length drawn uniformly from the whole range.
 */
export function bytesUpTo(max: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: Math.min(max, 300) }),
    fc.integer({ min: 0, max }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  );
}
