// Loads lcore's native secp256k1 verifier (secp256k1_addon.c over libsecp256k1, a Node-API
// addon) or says why it cannot. The WASM verifier (tiny-secp256k1, dapp/src/crypto) is the
// reference and the fallback; the two apply one rule (PROTOCOL §1) and
// test/secp256k1Agreement.test.ts proves they agree.
//
// Where the .node is looked for, first found wins:
//   $LCORE_NATIVE_SECP256K1       an explicit file
//   beside this module            lcore_secp256k1-<platform>-<arch>.node (an esbuild bundle: copy it beside the bundle)
//   build/ beside this module     where build.mjs and build-riscv64.mjs put it
// Switches: LCORE_REQUIRE_NATIVE=1 throws instead of falling back (the machine image must never
// fall back silently); LCORE_DISABLE_NATIVE=1 never loads it (a WASM run to compare against).
//
// Plain ESM with createRequire and a path computed at run time, so esbuild bundles it as is.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REQUIRE_NATIVE_ENV = "LCORE_REQUIRE_NATIVE";
export const DISABLE_NATIVE_ENV = "LCORE_DISABLE_NATIVE";
export const NATIVE_PATH_ENV = "LCORE_NATIVE_SECP256K1";

/** The addon's file name for a platform and architecture. */
export function addonFileName(platform = process.platform, arch = process.arch) {
  return `lcore_secp256k1-${platform}-${arch}.node`;
}

/** The folders searched by default: beside this module, then its build/. */
export function defaultSearchDirs() {
  const here = dirname(fileURLToPath(import.meta.url));
  return [here, join(here, "build")];
}

const hex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16));
// One signature made with @noble/curves (RFC 6979, low s), its high-s twin (n - s) and its key:
// the loaded binary must accept the first and refuse the rest before the dApp trusts it.
const SELF_TEST = {
  digest: hex("185299464aa563867f91ae42931d641a23e41e2edc8f7a6414ac7d4fd466e7eb"),
  key: hex(
    "04974ce69e3303dd986eee139d8ee157c1c73a1b068ccbaa2e615fe9d21ac8239b5518c1bda79610602ae7d7b2de68001de555870fdc7a87e157f6fc45019044f7",
  ),
  signature: hex(
    "db925c91122c1874ff9e16e342f69156f0b7723d7de174dff79ac59b5f2b61ed3cb893a37785f3ba731ed4427088057fe963a8d9808e45656259cff61743dba2",
  ),
  highS: hex(
    "db925c91122c1874ff9e16e342f69156f0b7723d7de174dff79ac59b5f2b61edc3476c5c887a0c458ce12bbd8f77fa7ed14b340d2eba5ad65d788e96b8f2659f",
  ),
};

function selfTest(addon) {
  const { digest, key, signature, highS } = SELF_TEST;
  const otherDigest = digest.slice();
  otherDigest[0] ^= 1;
  const offCurve = key.slice();
  offCurve[64] ^= 1;
  const compressed = Uint8Array.of(2 + (key[64] & 1), ...key.subarray(1, 33));
  const checks = [
    ["a valid signature is accepted", addon.verify(digest, key, signature) === true],
    ["the same under the compressed key", addon.verify(digest, compressed, signature) === true],
    ["its high-s twin is refused", addon.verify(digest, key, highS) === false],
    ["another digest is refused", addon.verify(otherDigest, key, signature) === false],
    ["a 63-byte signature is refused", addon.verify(digest, key, signature.subarray(0, 63)) === false],
    ["the key is a point", addon.isPoint(key) === true],
    ["a key off the curve is not", addon.isPoint(offCurve) === false],
  ];
  const failed = checks.find(([, ok]) => !ok);
  return failed === undefined ? undefined : `its self-test failed (${failed[0]}: no)`;
}

function attempt(env, dirs) {
  if (env[DISABLE_NATIVE_ENV] === "1") return { reason: `disabled by ${DISABLE_NATIVE_ENV}=1` };
  const name = addonFileName();
  const candidates = env[NATIVE_PATH_ENV] ? [env[NATIVE_PATH_ENV]] : dirs.map((d) => join(d, name));
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) {
    return {
      reason: env[NATIVE_PATH_ENV]
        ? `${NATIVE_PATH_ENV}=${env[NATIVE_PATH_ENV]} does not exist`
        : `${name} is not built (looked in ${dirs.join(", ")}; \`npm run build-native -w dapp\` says why)`,
    };
  }
  let addon;
  try {
    addon = createRequire(import.meta.url)(file);
  } catch (err) {
    return { reason: `${file} does not load: ${String(err?.message).split("\n")[0]}` };
  }
  if (typeof addon?.verify !== "function" || typeof addon?.isPoint !== "function")
    return { reason: `${file} is not lcore's secp256k1 addon` };
  const failed = selfTest(addon);
  if (failed !== undefined) return { reason: `${file}: ${failed}` };
  const verify = addon.verify;
  const isPoint = addon.isPoint;
  return {
    verifier: {
      path: file,
      source: String(addon.source),
      verifyDigest: (digest, publicKey, signature) => verify(digest, publicKey, signature),
      isPoint: (publicKey) => isPoint(publicKey),
    },
  };
}

/**
 * The native verifier, or `verifier: undefined` and the reason. Throws only when
 * LCORE_REQUIRE_NATIVE=1 and it cannot be had (or both switches are set).
 */
export function loadNativeSecp256k1({ env = process.env, dirs = defaultSearchDirs() } = {}) {
  if (env[REQUIRE_NATIVE_ENV] === "1" && env[DISABLE_NATIVE_ENV] === "1") {
    throw new Error(`${REQUIRE_NATIVE_ENV}=1 and ${DISABLE_NATIVE_ENV}=1 contradict each other`);
  }
  const { verifier, reason } = attempt(env, dirs);
  if (verifier !== undefined) return { verifier, reason: undefined };
  if (env[REQUIRE_NATIVE_ENV] === "1")
    throw new Error(`the native secp256k1 verifier is required (${REQUIRE_NATIVE_ENV}=1) but ${reason}`);
  return { verifier: undefined, reason };
}

/** The one line the dApp prints at start when it falls back. */
export function fallbackNotice(reason) {
  return `secp256k1: native verifier unavailable (${reason}); using the WASM verifier (tiny-secp256k1), same rule, several times slower`;
}
