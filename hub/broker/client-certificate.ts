/**
 * Devices' client certificates (mutual TLS), checked in the broker's
 * authenticate hook (broker-auth.ts) beside the secret, never instead of it.
 *
 * When ANXIN_MQTT_CLIENT_CA is set, the TLS listener asks every client for a
 * certificate. One that is presented must chain to that CA (OpenSSL's own
 * verification, done during the handshake) and its subject CN must be the
 * login's username: the device id, or a person's username (administrators
 * and monitors). A client that presents none logs in with its secret alone,
 * unless ANXIN_MQTT_REQUIRE_CLIENT_CERT is set: a fleet gets its certificates
 * button by button, at a service visit or a firmware update, and refusing
 * every button without one on the day the CA is configured would shut
 * residents out (docs/operations.md, TLS).
 *
 * The secret is still checked in every case: revoking or rotating a device in
 * the registry takes effect at once, while a certificate has no revocation
 * here (no CRL or OCSP is consulted).
 */
import { TLSSocket } from "node:tls";

export interface ClientCertificateRules {
  /** ANXIN_MQTT_CLIENT_CA is set: certificates are asked for, and one presented is checked. */
  asked: boolean;
  /** ANXIN_MQTT_REQUIRE_CLIENT_CERT: a login without one is refused. */
  required: boolean;
}

/**
 * Why the client certificate on `connection` does not let `username` in, in words for the log and the audit;
 * null when it does, or when none is asked for.
 */
export function clientCertificateProblem(
  connection: unknown,
  username: string,
  rules: ClientCertificateRules,
): string | null {
  if (!(connection instanceof TLSSocket)) {
    // Plain MQTT is off whenever certificates are required (config-tls.ts); this holds should it ever not be.
    return rules.required ? "a client certificate is required, and plain MQTT carries none" : null;
  }
  if (!rules.asked) return null;
  const certificate = connection.getPeerCertificate();
  if (!certificate || Object.keys(certificate).length === 0) {
    return rules.required ? "no client certificate (ANXIN_MQTT_REQUIRE_CLIENT_CERT requires one)" : null;
  }
  if (!connection.authorized) {
    return `client certificate not issued by ANXIN_MQTT_CLIENT_CA (${String(connection.authorizationError)})`;
  }
  const name: unknown = certificate.subject?.CN;
  if (name !== username) {
    const shown = typeof name === "string" ? JSON.stringify(name.slice(0, 80)) : "no single CN";
    return `client certificate is for ${shown}, not ${JSON.stringify(username)}`;
  }
  return null;
}
