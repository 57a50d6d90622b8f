/**
 * Who may log in to the broker (Aedes' `authenticate` hook). Devices log in as
 * their device id with their secret. Of the hub's people, only administrators
 * and `monitor` accounts may log in, to watch device traffic; operators,
 * supervisors and community workers use the console and are refused here.
 * Nothing is anonymous. What each identity may then publish and subscribe to
 * is broker-acl.ts.
 *
 * Failed logins are counted per address and per username (login-throttle.ts):
 * past the free failures, a person's login is refused unchecked until the wait
 * is over. A device's secret is always checked: a correct one is never
 * throttled (a 192-bit secret cannot be guessed at any rate, and refusing it
 * would let anyone lock a resident's button out by failing in its name).
 *
 * Over TLS with ANXIN_MQTT_CLIENT_CA set, a client certificate is checked too,
 * once the credentials hold (client-certificate.ts): it must come from that CA
 * and name the username.
 */
import { timingSafeEqual } from "node:crypto";
import type { Client } from "aedes";
import type { Logger } from "pino";
import { clientIdBelongsTo } from "../../protocol/index.ts";
import { hashDeviceSecret } from "../accounts/device-secret.ts";
import { hashPassword, verifyPassword } from "../accounts/passwords.ts";
import type { RefusalLog } from "../net/refusal-log.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { Role, UserRepository } from "../storage/user-repo.ts";
import { type ClientCertificateRules, clientCertificateProblem } from "./client-certificate.ts";
import type { ConnectionGate } from "./connection-gate.ts";
import type { DeviceConnections } from "./device-connections.ts";
import { logged } from "./logged.ts";
import type { LoginAudit } from "./login-audit.ts";
import type { LoginThrottle } from "./login-throttle.ts";

/**
 * A device remembers the secret hash it logged in with: a rotation makes its session stale (broker-acl.ts);
 * and its connection's epoch, so that presence can tell this connection from a later one (device-connections.ts).
 */
export type BrokerIdentity =
  | { type: "device"; deviceId: string; secretHash: string; connection: number }
  | { type: "user"; userId: number; username: string; role: Role; passwordChangedAt: string | null };

/** Hub roles that may log in to MQTT and read device traffic. */
export const MQTT_ROLES: readonly Role[] = ["admin", "monitor"];

/** Aedes' CONNACK return codes for a refused login. */
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function secretMatches(secret: string, storedHash: string): boolean {
  const candidate = Buffer.from(hashDeviceSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

/** How a refusal is logged: a refused certificate has a code of its own, everything else is a refused login. */
type RefusalCode = "MQTT_AUTH_REFUSED" | "MQTT_CLIENT_CERT_REFUSED";

type Refusal = Error & { returnCode: number; target: string | null; throttled: boolean; logCode: RefusalCode };

function refusal(
  message: string,
  returnCode: number,
  target: string | null = null,
  throttled = false,
  logCode: RefusalCode = "MQTT_AUTH_REFUSED",
): Refusal {
  return Object.assign(new Error(message), { returnCode, target, throttled, logCode });
}

export class BrokerAuth {
  private readonly registry: RegistryRepository;
  private readonly users: UserRepository;
  private readonly logger: Logger;
  private readonly throttle: LoginThrottle;
  private readonly audit: LoginAudit;
  private readonly gate: ConnectionGate;
  private readonly refusals: RefusalLog;
  private readonly connections: DeviceConnections;
  private readonly certificates: ClientCertificateRules;
  private readonly identities = new WeakMap<Client, BrokerIdentity>();
  /** Verified against when the username is unknown, so timing does not tell which people exist. */
  private dummyHash: Promise<string> | null = null;

  constructor(deps: {
    registry: RegistryRepository;
    users: UserRepository;
    logger: Logger;
    throttle: LoginThrottle;
    audit: LoginAudit;
    gate: ConnectionGate;
    refusals: RefusalLog;
    connections: DeviceConnections;
    /** Devices' client certificates over TLS (ANXIN_MQTT_CLIENT_CA); default: none asked for. */
    certificates?: ClientCertificateRules;
  }) {
    this.registry = deps.registry;
    this.users = deps.users;
    this.logger = deps.logger;
    this.throttle = deps.throttle;
    this.audit = deps.audit;
    this.gate = deps.gate;
    this.refusals = deps.refusals;
    this.connections = deps.connections;
    this.certificates = deps.certificates ?? { asked: false, required: false };
  }

  identity(client: Client): BrokerIdentity | undefined {
    return this.identities.get(client);
  }

  readonly authenticate = (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: (Error & { returnCode: number }) | null, success: boolean | null) => void,
  ): void => {
    const address = this.gate.addressOf(client.conn);
    this.resolveIdentity(client, address, username, password?.toString("utf8"))
      .then((identity) => {
        this.identities.set(client, identity);
        this.gate.loggedIn(client.conn);
        if (identity.type === "user") {
          this.throttle.succeeded(identity.username);
          this.recordSafely(() => this.audit.loggedIn(identity.username, address, identity.role));
        }
        done(null, true);
      })
      .catch((error: Partial<Refusal> & Error) => {
        if (error.returnCode === undefined) return this.unavailable(client, address, username, error, done);
        const returnCode = error.returnCode ?? BAD_USERNAME_OR_PASSWORD;
        const throttled = error.throttled === true;
        const now = new Date();
        // A throttled attempt counts as well: hammering through the wait only makes it longer.
        this.throttle.failed(address, username, now.getTime());
        const login = { address, username, target: error.target ?? null, reason: error.message, throttled };
        this.recordSafely(() => this.audit.failed(login, now));
        const code = throttled ? "MQTT_LOGIN_THROTTLED" : (error.logCode ?? "MQTT_AUTH_REFUSED");
        const details = {
          clientId: logged(client.id),
          username: logged(username),
          reason: error.message,
        };
        if (throttled) this.refusals.refused(code, address, details, "MQTT login refused: too many failures");
        else this.logger.warn({ code, address, ...details }, "MQTT login refused");
        done(refusal(error.message, returnCode), null);
      });
  };

  /**
   * The login could not be checked (the registry or Redis did not answer): CONNACK 3, which the device
   * retries like a lost connection (docs/protocol.md). Not a failed login: nothing is throttled or audited.
   */
  private unavailable(
    client: Client,
    address: string,
    username: string | undefined,
    error: Error,
    done: (error: (Error & { returnCode: number }) | null, success: boolean | null) => void,
  ): void {
    this.refusals.refused(
      "MQTT_LOGIN_UNAVAILABLE",
      address,
      { clientId: logged(client.id), username: logged(username), reason: error.message },
      "MQTT login could not be checked; the client was told to retry",
    );
    done(refusal(`the hub cannot check logins now: ${error.message}`, SERVER_UNAVAILABLE), null);
  }

  /** The audit row is a record of the login, not part of it: failing to write it must not leave the client unanswered. */
  private recordSafely(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.logger.error({ err: error }, "could not write an MQTT login to the audit log");
    }
  }

  private async resolveIdentity(
    client: Client,
    address: string,
    username?: string,
    password?: string,
  ): Promise<BrokerIdentity> {
    if (!username || !password) throw refusal("anonymous access is not allowed", NOT_AUTHORIZED);
    const device = await this.registry.deviceCredentials(username);
    if (device) {
      // The registry's key matched exactly: the username is the device's id.
      const target = `device:${username}`;
      if (!secretMatches(password, device.secret_hash)) {
        throw refusal("wrong device secret", BAD_USERNAME_OR_PASSWORD, target);
      }
      if (device.status !== "active") throw refusal("device is revoked", NOT_AUTHORIZED, target);
      if (!clientIdBelongsTo(client.id, username)) {
        throw refusal(`client id must be "${username}" or start with "${username}:"`, NOT_AUTHORIZED, target);
      }
      this.checkCertificate(client, username, target);
      // Counted only once the login holds; with Redis away it fails, and the device retries (redis-backplane.ts).
      const connection = await this.connections.opened(username);
      return { type: "device", deviceId: username, secretHash: device.secret_hash, connection };
    }
    const waitMs = this.throttle.waitMs(address, username, Date.now());
    if (waitMs > 0) {
      throw refusal(`too many failed logins; try again in ${Math.ceil(waitMs / 1000)} s`, NOT_AUTHORIZED, null, true);
    }
    const user = await this.users.byUsername(username);
    this.dummyHash ??= hashPassword("not-a-password-anyone-has");
    const valid = await verifyPassword(user?.password_hash ?? (await this.dummyHash), password);
    if (!user || !valid || user.disabled !== 0)
      throw refusal("unknown user or wrong password", BAD_USERNAME_OR_PASSWORD);
    const target = `user:${user.username}`;
    if (!MQTT_ROLES.includes(user.role)) {
      throw refusal(
        `role ${user.role} may not use MQTT (administrators and monitor accounts may)`,
        NOT_AUTHORIZED,
        target,
      );
    }
    if (!clientIdBelongsTo(client.id, user.username)) {
      throw refusal(`client id must be "${user.username}" or start with "${user.username}:"`, NOT_AUTHORIZED, target);
    }
    // A one-time password opens only the password change (console), never a monitoring session.
    if (user.must_change_password !== 0)
      throw refusal("change the password in the console first", NOT_AUTHORIZED, target);
    this.checkCertificate(client, user.username, target);
    return {
      type: "user",
      userId: user.id,
      username: user.username,
      role: user.role,
      passwordChangedAt: user.password_changed_at,
    };
  }

  /** A client certificate that does not let `username` in is a refusal of its own (CONNACK 5). */
  private checkCertificate(client: Client, username: string, target: string): void {
    const problem = clientCertificateProblem(client.conn, username, this.certificates);
    if (problem !== null) throw refusal(problem, NOT_AUTHORIZED, target, false, "MQTT_CLIENT_CERT_REFUSED");
  }

  /**
   * Whether a person's session still rests on what it logged in with: the account
   * enabled, its role still one for MQTT, its password not changed or reset since.
   * The broker asks every few seconds, for changes made where no event reaches it
   * (`npm run users` is another process).
   */
  async personStillValid(identity: BrokerIdentity & { type: "user" }): Promise<boolean> {
    const user = await this.users.byId(identity.userId);
    return (
      user !== undefined &&
      user.disabled === 0 &&
      MQTT_ROLES.includes(user.role) &&
      user.must_change_password === 0 &&
      user.password_changed_at === identity.passwordChangedAt
    );
  }
}
