// The gateway's secrets: the owner master key, the owner token and the submitter's
// private key. Each is read from a file (preferred: `NAME_FILE`) or from the
// environment (`NAME`), and held in a `Secret` whose string, JSON and inspect forms
// are "[redacted]", so a secret passed to a logger or serialised by mistake prints
// nothing. Only `reveal()` gives the value, and only the code that needs it calls it.

import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { fromHex } from "@lcore/protocol/bytes";

const REDACTED = "[redacted]";

export class Secret<T> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export class SecretConfigError extends Error {
  override name = "SecretConfigError";
}

/** The raw text of secret `name`: `${name}_FILE` (a path) wins over `${name}` (the value). */
export function readSecretText(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== "") {
    try {
      return readFileSync(file, "utf8").trim();
    } catch (error) {
      // The path is configuration, not a secret; the file's content never appears here.
      throw new SecretConfigError(
        `${name}_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
  }
  const value = env[name];
  return value === undefined || value === "" ? undefined : value.trim();
}

/** A 32-byte key given as 64 hex digits (an optional 0x prefix allowed). */
export function parseKey32(text: string, name: string): Secret<Uint8Array> {
  const body = text.startsWith("0x") ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(body)) throw new SecretConfigError(`${name} must be 32 bytes as 64 hex digits`);
  return new Secret(fromHex(`0x${body}`));
}

/** An account private key, as viem takes it: 0x + 64 hex digits. */
export function parsePrivateKey(text: string, name: string): Secret<`0x${string}`> {
  const body = text.startsWith("0x") ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(body)) throw new SecretConfigError(`${name} must be 32 bytes as 64 hex digits`);
  return new Secret<`0x${string}`>(`0x${body.toLowerCase()}`);
}

/** Owner tokens are compared as SHA-256 digests in constant time; too short a token is refused. */
export const OWNER_TOKEN_MIN_LENGTH = 16;

export function parseOwnerToken(text: string, name: string): Secret<string> {
  if (text.length < OWNER_TOKEN_MIN_LENGTH) {
    throw new SecretConfigError(`${name} must be at least ${OWNER_TOKEN_MIN_LENGTH} characters`);
  }
  return new Secret(text);
}
