/**
 * Throwaway certificates for the TLS tests, made with Debian's `openssl` (run
 * with execFile, no shell) in a temp dir of their own: a CA, a second CA that
 * has nothing to do with the hub, server certificates for localhost and
 * 127.0.0.1 signed by the first, and devices' client certificates signed by
 * either. EC P-256 keys, so making them costs a few milliseconds each.
 */
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** The CA the hub's certificates chain to, and the devices' client CA. */
  ca: KeyPair;
  /** A CA that signed nothing the hub trusts or serves. */
  otherCa: KeyPair;
  /** A server certificate for localhost and 127.0.0.1, signed by `ca`, with the given serial (hex), valid `days` (2). */
  server(serial: string, days?: number): Promise<KeyPair>;
  /** A client certificate whose CN is `cn`, signed by `ca` (or `otherCa`). */
  client(cn: string, signer?: "ca" | "otherCa"): Promise<KeyPair>;
  remove(): void;
}

/** A hub's settings for MQTT over TLS on an ephemeral port, serving `pair`. */
export function mqttTlsEnv(pair: KeyPair): Record<string, string> {
  return { ANXIN_MQTT_TLS_PORT: "0", ANXIN_TLS_CERT: pair.cert, ANXIN_TLS_KEY: pair.key };
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-pki-"));
  const file = (name: string) => path.join(dir, name);
  let made = 0;
  const newKey = async (name: string) => {
    await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file(name)]);
    return file(name);
  };
  const selfSigned = async (name: string, subject: string): Promise<KeyPair> => {
    const key = await newKey(`${name}.key`);
    const cert = file(`${name}.pem`);
    await run("openssl", ["req", "-x509", "-new", "-key", key, "-out", cert, "-days", "2", "-subj", subject]);
    return { cert, key };
  };
  const signed = async (
    signer: KeyPair,
    cn: string,
    extensions: string,
    serial: string,
    days = 2,
  ): Promise<KeyPair> => {
    made += 1;
    const name = `leaf-${made}`;
    const key = await newKey(`${name}.key`);
    const csr = file(`${name}.csr`);
    const ext = file(`${name}.ext`);
    const cert = file(`${name}.pem`);
    fs.writeFileSync(ext, extensions);
    await run("openssl", ["req", "-new", "-key", key, "-out", csr, "-subj", `/CN=${cn}`]);
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      signer.cert,
      "-CAkey",
      signer.key,
      "-set_serial",
      `0x${serial}`,
      "-days",
      String(days),
      "-extfile",
      ext,
      "-out",
      cert,
    ]);
    return { cert, key };
  };
  const ca = await selfSigned("ca", "/CN=Anxin test CA");
  const otherCa = await selfSigned("other-ca", "/CN=Someone else's CA");
  return {
    dir,
    ca,
    otherCa,
    server: (serial, days) =>
      signed(
        ca,
        "localhost",
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        serial,
        days,
      ),
    client: (cn, signer = "ca") =>
      signed(
        signer === "ca" ? ca : otherCa,
        cn,
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
        (0x5000 + made).toString(16),
      ),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The serial number of a PEM certificate file, as Node's TLS reports it (upper-case hex). */
export function serialOf(certFile: string): string {
  return new X509Certificate(fs.readFileSync(certFile)).serialNumber;
}

/** Copies a key pair over the files the hub was told to read (what an operator's renewal does). */
export function install(pair: KeyPair, to: KeyPair): void {
  fs.copyFileSync(pair.cert, to.cert);
  fs.copyFileSync(pair.key, to.key);
}
