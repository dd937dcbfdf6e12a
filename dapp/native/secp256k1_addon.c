/*
 * lcore's native secp256k1 verifier: a Node-API (C, ABI-stable) wrapper over libsecp256k1
 * exposing exactly what the dApp needs, with the same rule as its WASM verifier
 * (tiny-secp256k1's verify(h, Q, sig, strict = true) and isPoint, which call the same three
 * libsecp256k1 functions):
 *
 *   verify(digest, publicKey, signature) -> boolean
 *     digest     32 bytes
 *     publicKey  33 or 65 bytes of SEC1, parsed by secp256k1_ec_pubkey_parse (a point on the
 *                curve, never the point at infinity)
 *     signature  64 bytes r || s, parsed by secp256k1_ecdsa_signature_parse_compact (r < n and
 *                s < n), then secp256k1_ecdsa_verify: r and s nonzero, s <= n/2 (high-s is
 *                refused, PROTOCOL §1), and the ECDSA equation
 *     Anything else (not a Uint8Array, a wrong length, a bad key or signature) is false, never a
 *     throw.
 *
 *   isPoint(publicKey) -> boolean      33 or 65 bytes that secp256k1_ec_pubkey_parse accepts
 *
 *   source                             string: which libsecp256k1 this was built from
 *
 * Built by build.mjs (host, at npm install) and build-riscv64.mjs (Debian's riscv64
 * libsecp256k1, cross-compiled); loaded by index.js.
 */

#define NAPI_VERSION 6
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include "secp256k1.h"

#ifndef LCORE_SECP256K1_SOURCE
#define LCORE_SECP256K1_SOURCE "libsecp256k1"
#endif

/* The bytes of a Uint8Array argument, or NULL when the value is not one (or is detached). */
static const unsigned char *bytes_of(napi_env env, napi_value value, size_t *length) {
  bool is_typed = false;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok) return NULL;
  if (type != napi_uint8_array || data == NULL) return NULL;
  return (const unsigned char *)data;
}

static napi_value boolean(napi_env env, int truth) {
  napi_value out;
  napi_get_boolean(env, truth != 0, &out);
  return out;
}

static const secp256k1_context *context_of(napi_env env) {
  void *ctx = NULL;
  napi_get_instance_data(env, &ctx);
  return (const secp256k1_context *)ctx;
}

static int parse_key(const secp256k1_context *ctx, secp256k1_pubkey *key, const unsigned char *bytes, size_t length) {
  if (bytes == NULL || (length != 33 && length != 65)) return 0;
  return secp256k1_ec_pubkey_parse(ctx, key, bytes, length);
}

static napi_value verify(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  size_t digest_len = 0, key_len = 0, sig_len = 0;
  const unsigned char *digest, *key_bytes, *sig_bytes;
  const secp256k1_context *ctx = context_of(env);
  secp256k1_pubkey key;
  secp256k1_ecdsa_signature sig;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || ctx == NULL) return boolean(env, 0);
  digest = bytes_of(env, argv[0], &digest_len);
  key_bytes = bytes_of(env, argv[1], &key_len);
  sig_bytes = bytes_of(env, argv[2], &sig_len);
  if (digest == NULL || digest_len != 32 || sig_bytes == NULL || sig_len != 64) return boolean(env, 0);
  if (!parse_key(ctx, &key, key_bytes, key_len)) return boolean(env, 0);
  if (!secp256k1_ecdsa_signature_parse_compact(ctx, &sig, sig_bytes)) return boolean(env, 0);
  /* No normalisation: secp256k1_ecdsa_verify refuses a high-s signature, as the rule wants. */
  return boolean(env, secp256k1_ecdsa_verify(ctx, &sig, digest, &key));
}

static napi_value is_point(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  size_t key_len = 0;
  const unsigned char *key_bytes;
  const secp256k1_context *ctx = context_of(env);
  secp256k1_pubkey key;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || ctx == NULL) return boolean(env, 0);
  key_bytes = bytes_of(env, argv[0], &key_len);
  return boolean(env, parse_key(ctx, &key, key_bytes, key_len));
}

static void destroy_context(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  secp256k1_context_destroy((secp256k1_context *)data);
}

NAPI_MODULE_INIT() {
  napi_value fn, source;
  secp256k1_context *ctx;
  /* Versions before 0.2 build their verification tables here (once per Node environment)
     and abort in secp256k1_ecdsa_verify without this flag; 0.2 and later take their tables
     from static data and treat the flag as SECP256K1_CONTEXT_NONE. */
  ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
  if (ctx == NULL) {
    napi_throw_error(env, NULL, "secp256k1_context_create failed");
    return NULL;
  }
  if (napi_set_instance_data(env, ctx, destroy_context, NULL) != napi_ok) {
    secp256k1_context_destroy(ctx);
    napi_throw_error(env, NULL, "napi_set_instance_data failed");
    return NULL;
  }
  napi_create_function(env, "verify", NAPI_AUTO_LENGTH, verify, NULL, &fn);
  napi_set_named_property(env, exports, "verify", fn);
  napi_create_function(env, "isPoint", NAPI_AUTO_LENGTH, is_point, NULL, &fn);
  napi_set_named_property(env, exports, "isPoint", fn);
  napi_create_string_utf8(env, LCORE_SECP256K1_SOURCE, NAPI_AUTO_LENGTH, &source);
  napi_set_named_property(env, exports, "source", source);
  return exports;
}
