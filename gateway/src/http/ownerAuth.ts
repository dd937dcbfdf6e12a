// The owner token: the credential for owner actions (registering devices, reading
// plaintext). Compared as SHA-256 digests with timingSafeEqual, so neither the length
// nor a prefix of the token leaks through timing.

import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { GatewayError } from "./errors.js";
import type { Secret } from "../util/secrets.js";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function ownerAuth(token: Secret<string>): (request: FastifyRequest) => Promise<void> {
  const expected = digest(token.reveal());
  return async (request) => {
    const header = request.headers.authorization;
    const given = header?.startsWith("Bearer ") === true ? header.slice(7) : undefined;
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new GatewayError("LCORE_GW_UNAUTHORIZED");
    }
  };
}
