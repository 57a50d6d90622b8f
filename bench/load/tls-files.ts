/**
 * `--tls`: a throwaway CA and a server certificate for 127.0.0.1 and
 * localhost, made with openssl in the bench's work directory (as
 * tests/support/tls-certs.ts does), which the hub, the bare Aedes and
 * Mosquitto all serve, and which the buttons trust. EC P-256, as a county's
 * hub would most likely be given; a few milliseconds to make.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export interface BenchTls {
  /** The CA's certificate (PEM file) and its text, which the buttons trust. */
  caFile: string;
  caPem: string;
  /** The server's certificate and key (PEM files). */
  certFile: string;
  keyFile: string;
}

export function makeBenchTls(workDir: string): BenchTls {
  const dir = path.join(workDir, "tls");
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const newKey = (name: string) =>
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file(name)]);
  newKey("ca.key");
  openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    file("ca.key"),
    "-out",
    file("ca.pem"),
    "-days",
    "90",
    "-subj",
    "/CN=Anxin load bench CA",
  ]);
  newKey("server.key");
  openssl(["req", "-new", "-key", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=localhost"]);
  fs.writeFileSync(
    file("server.ext"),
    "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  openssl([
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-set_serial",
    "0x1001",
    "-days",
    "90",
    "-extfile",
    file("server.ext"),
    "-out",
    file("server.pem"),
  ]);
  // 90 days: the hub warns of a certificate that expires within 30 (TLS_CERT_EXPIRING), noise in its log.
  // The hub wants its key readable by its own user alone (docs/operations.md, ## TLS).
  fs.chmodSync(file("server.key"), 0o600);
  return {
    caFile: file("ca.pem"),
    caPem: fs.readFileSync(file("ca.pem"), "utf8"),
    certFile: file("server.pem"),
    keyFile: file("server.key"),
  };
}
