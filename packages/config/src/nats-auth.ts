// How a service proves itself to NATS: its NKey seed (the server config holds only the public key and the
// permissions that go with it) and the TLS files for the connection. Production mode requires the seed.
import { existsSync, readFileSync } from "node:fs";
import type { Environment } from "./environment.js";

export interface NatsTlsConfig {
  /** PEM file of the CA that signed the NATS servers' certificates. */
  caFile: string | undefined;
  /** PEM client certificate and its key, for servers that verify clients (`verify: true`). */
  certFile: string | undefined;
  keyFile: string | undefined;
}

export interface NatsAuthConfig {
  /** The service's NKey seed (`SU…`). A secret: never logged. Undefined: connect without credentials. */
  nkeySeed: string | undefined;
  /** Undefined: plain connection, unless the URL says `tls://`. */
  tls: NatsTlsConfig | undefined;
}

const SEED = /^SU[A-Z2-7]{56}$/;

/** `fail` builds the ConfigError naming the variable (passed in so this module needs nothing from index). */
export function readNatsAuth(env: Environment, mode: "development" | "production", fail: (variable: string, problem: string) => Error): NatsAuthConfig {
  return { nkeySeed: readSeed(env, mode, fail), tls: readTls(env, fail) };
}

function readSeed(env: Environment, mode: "development" | "production", fail: (variable: string, problem: string) => Error): string | undefined {
  const inline = (env["LAMBENT_NATS_NKEY_SEED"] ?? "").trim();
  const file = (env["LAMBENT_NATS_NKEY_SEED_FILE"] ?? "").trim();
  if (inline !== "" && file !== "") throw fail("LAMBENT_NATS_NKEY_SEED_FILE", "set either LAMBENT_NATS_NKEY_SEED or LAMBENT_NATS_NKEY_SEED_FILE, not both");
  let seed = inline;
  let variable = "LAMBENT_NATS_NKEY_SEED";
  if (file !== "") {
    variable = "LAMBENT_NATS_NKEY_SEED_FILE";
    if (!existsSync(file)) throw fail(variable, `no such file: "${file}"`);
    seed = readFileSync(file, "utf8").trim();
  }
  if (seed === "") {
    if (mode === "production") {
      throw fail(
        "LAMBENT_NATS_NKEY_SEED",
        "NATS credentials are required when LAMBENT_MODE is production: set LAMBENT_NATS_NKEY_SEED or LAMBENT_NATS_NKEY_SEED_FILE to this service's NKey seed (`node scripts/dist/nats-credentials.js` generates them, see deploy/README.md)",
      );
    }
    return undefined;
  }
  // The value is a secret: the message describes it, never repeats it.
  if (!SEED.test(seed)) throw fail(variable, "expected a NATS user NKey seed (58 characters starting with SU)");
  return seed;
}

function readTls(env: Environment, fail: (variable: string, problem: string) => Error): NatsTlsConfig | undefined {
  const file = (variable: string): string | undefined => {
    const path = (env[variable] ?? "").trim();
    if (path === "") return undefined;
    if (!existsSync(path)) throw fail(variable, `no such file: "${path}"`);
    return path;
  };
  const tls = { caFile: file("LAMBENT_NATS_CA"), certFile: file("LAMBENT_NATS_CERT"), keyFile: file("LAMBENT_NATS_KEY") };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw fail(tls.certFile ? "LAMBENT_NATS_KEY" : "LAMBENT_NATS_CERT", "LAMBENT_NATS_CERT and LAMBENT_NATS_KEY go together");
  }
  return tls.caFile || tls.certFile ? tls : undefined;
}
