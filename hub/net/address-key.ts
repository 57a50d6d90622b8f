/**
 * Per-address limits (MQTT logins, HTTP connections) count by this key.
 */
import { isIPv6 } from "node:net";

/**
 * The unit an attacker pays for: an IPv4 address, or an IPv6 /64 (one
 * customer's prefix; a host can pick any of its 2^64 addresses).
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is the IPv4 address.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address.split("%")[0] ?? "")) return address;
  const groups = expandIPv6((address.split("%")[0] ?? "").toLowerCase());
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail counts as two). */
function expandIPv6(address: string): string[] {
  const withoutV4 = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_all, a, b, c, d) => {
    const hi = ((Number(a) << 8) | Number(b)).toString(16);
    const lo = ((Number(c) << 8) | Number(d)).toString(16);
    return `${hi}:${lo}`;
  });
  const [head = "", tail] = withoutV4.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill("0");
  return [...headGroups, ...zeros, ...tailGroups].map((g) => Number.parseInt(g, 16).toString(16));
}
