/**
 * The hub's certificate, its private key and the devices' client CA, read from
 * the PEM files the config names (ANXIN_TLS_CERT, ANXIN_TLS_KEY,
 * ANXIN_MQTT_CLIENT_CA). MQTT over TLS and HTTPS serve the same certificate.
 *
 * Read at start, where a broken file stops the hub with TLS_CERT_INVALID (a hub
 * that cannot serve TLS must not start as if it could), and again on SIGHUP
 * (`reload`), where a broken file is logged with the same code and the
 * certificate in service stays: a renewal copied half-way, or a key that does
 * not match its certificate, never takes the hub's TLS down. Every file is
 * checked as the TLS stack will use it (a secure context is built from them)
 * before anything changes. Nothing here logs a key's content.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import fs from "node:fs";
import tls from "node:tls";
import type { Logger } from "pino";
import { AnxinError } from "../errors.ts";

/** A certificate that expires within this is logged as expiring at each load. */
const EXPIRY_WARNING_MS = 30 * 24 * 3600 * 1000;

export interface TlsFiles {
  cert: string;
  key: string;
  /** Devices' client CA; null: client certificates are not asked for. */
  clientCa: string | null;
}

/** What identifies a certificate in logs and tests. */
export interface CertificateIdentity {
  subject: string;
  serialNumber: string;
  fingerprint256: string;
  validTo: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer | null;
  identity: CertificateIdentity;
}

export type TlsReload = { ok: true; identity: CertificateIdentity } | { ok: false; reason: string };

/** Reads and checks the files; throws TLS_CERT_INVALID naming the variable and the reason. */
export function readTlsMaterial(files: TlsFiles): TlsMaterial {
  const cert = readFile(files.cert, "ANXIN_TLS_CERT");
  const key = readFile(files.key, "ANXIN_TLS_KEY");
  const clientCa = files.clientCa === null ? null : readFile(files.clientCa, "ANXIN_MQTT_CLIENT_CA");
  const leaf = parse("ANXIN_TLS_CERT", files.cert, () => new X509Certificate(cert));
  parse("ANXIN_TLS_KEY", files.key, () => createPrivateKey(key));
  if (clientCa !== null) parse("ANXIN_MQTT_CLIENT_CA", files.clientCa ?? "", () => new X509Certificate(clientCa));
  // As the servers will use them: a key that does not belong to the certificate is refused here ("key values mismatch").
  parse("ANXIN_TLS_CERT and ANXIN_TLS_KEY", files.cert, () =>
    tls.createSecureContext({ cert, key, ...(clientCa === null ? {} : { ca: clientCa }) }),
  );
  return {
    cert,
    key,
    clientCa,
    identity: {
      subject: leaf.subject.replaceAll("\n", ", "),
      serialNumber: leaf.serialNumber,
      fingerprint256: leaf.fingerprint256,
      validTo: new Date(leaf.validTo).toISOString(),
    },
  };
}

/** The files in service, and their re-reading on SIGHUP. */
export class TlsCredentials {
  private readonly files: TlsFiles;
  private readonly logger: Logger;
  private material: TlsMaterial | null = null;

  constructor(files: TlsFiles, logger: Logger) {
    this.files = files;
    this.logger = logger;
  }

  /** Whether client certificates are asked for (ANXIN_MQTT_CLIENT_CA is set). */
  get asksClientCertificates(): boolean {
    return this.files.clientCa !== null;
  }

  get current(): TlsMaterial {
    if (!this.material) throw new Error("TLS material not loaded");
    return this.material;
  }

  /** At start: reads the files; throws TLS_CERT_INVALID. */
  load(): TlsMaterial {
    this.material = readTlsMaterial(this.files);
    this.announce("TLS certificate loaded");
    return this.material;
  }

  /** On SIGHUP: the new files in service, or (logged) the old ones kept. Never throws. */
  reload(): TlsReload {
    try {
      this.material = readTlsMaterial(this.files);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const kept = this.material?.identity ?? null;
      this.logger.error(
        { code: "TLS_CERT_INVALID", reason, keptSerialNumber: kept?.serialNumber ?? null },
        "TLS reload refused: the certificate in service stays",
      );
      return { ok: false, reason };
    }
    this.announce("TLS certificate reloaded");
    return { ok: true, identity: this.material.identity };
  }

  private announce(message: string): void {
    const { identity } = this.current;
    this.logger.info({ ...identity, clientCa: this.files.clientCa !== null }, message);
    const left = Date.parse(identity.validTo) - Date.now();
    if (left < EXPIRY_WARNING_MS) {
      this.logger.warn(
        { code: "TLS_CERT_EXPIRING", validTo: identity.validTo, daysLeft: Math.floor(left / 86_400_000) },
        left < 0 ? "the hub's TLS certificate has expired" : "the hub's TLS certificate expires soon",
      );
    }
  }
}

function readFile(file: string, variable: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new AnxinError("TLS_CERT_INVALID", `${variable}: cannot read ${file} (${reason})`, { variable, file });
  }
}

function parse<T>(variable: string, file: string, use: () => T): T {
  try {
    return use();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AnxinError("TLS_CERT_INVALID", `${variable}: ${file} cannot be used (${reason})`, { variable, file });
  }
}
