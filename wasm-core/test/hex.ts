// Test helpers: hex and Wycheproof vector files.
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
