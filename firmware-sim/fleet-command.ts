/** `npm run sim -- fleet`: many buttons pressing at once against a running hub, with ack latency. */
import { alarmKind, CliError, type CommandLineValues, positive } from "./cli-options.ts";
import { type CredentialsFile, deviceTls, mqttUrl } from "./credentials.ts";
import { SimulatedButton } from "./device.ts";

export async function fleet(credentials: CredentialsFile, values: CommandLineValues): Promise<number> {
  const count = positive(values, "count", 50);
  const rate = positive(values, "rate", 2);
  const durationMs = positive(values, "duration", 30) * 1000;
  const kind = alarmKind(values, "test");
  const url = mqttUrl(values, credentials);
  const tls = deviceTls(values);
  const devices = credentials.devices.slice(0, count);
  if (devices.length < count) console.error(`only ${devices.length} demo devices in the file; using all of them`);
  const buttons = devices.map(
    (d) => new SimulatedButton({ mqttUrl: url, deviceId: d.deviceId, secret: d.secret, tls }),
  );
  const stats = { connected: 0, pressed: 0, retries: 0, acked: 0, duplicates: 0, latencies: [] as number[] };
  for (const button of buttons) {
    button.on("connected", () => stats.connected++);
    button.on("disconnected", () => stats.connected--);
    button.on("sent", (alarm) => {
      if (alarm.attempt !== 1) stats.retries++;
    });
  }
  const about =
    kind === "test" ? "test presses: no SMS, no worker, closed by the hub as manual tests" : `${kind} presses`;
  console.log(`connecting ${buttons.length} devices to ${url}; they will send ${about} …`);
  const starts = await Promise.allSettled(buttons.map((b) => b.start({ timeoutMs: 10_000 })));
  const failures = starts.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
  if (failures.length > 0) console.error(`${failures.length} devices failed to connect, e.g. ${failures[0]}`);
  const live = buttons.filter((_, i) => starts[i]?.status === "fulfilled");
  if (live.length === 0) throw new CliError("no device could connect; is the hub running (npm start)?");

  const line = () => {
    const { connected, pressed, acked, retries, latencies } = stats;
    const latency = `ack p50 ${percentile(latencies, 0.5)} ms  p99 ${percentile(latencies, 0.99)} ms`;
    return `connected ${connected}/${buttons.length}  sent ${pressed}  acked ${acked}  pending ${pressed - acked}  retries ${retries}  ${latency}`;
  };
  // Erase-to-end-of-line after \r, so a shorter line leaves no tail of the previous one.
  const progress = setInterval(() => process.stdout.isTTY && process.stdout.write(`\r${line()}\u001b[K`), 250);
  const presses: Promise<unknown>[] = [];
  let next = 0;
  const pressing = setInterval(() => {
    const button = live[next++ % live.length];
    if (!button) return;
    const sentAt = performance.now();
    stats.pressed++;
    const acked = button.press(kind).then((ack) => {
      stats.acked++;
      if (ack.duplicate) stats.duplicates++;
      stats.latencies.push(performance.now() - sentAt);
    });
    presses.push(acked.catch(() => undefined));
  }, 1000 / rate);

  let interrupted = false;
  await new Promise<void>((resolve) => {
    const done = setTimeout(resolve, durationMs);
    process.once("SIGINT", () => {
      interrupted = true;
      clearTimeout(done);
      resolve();
    });
  });
  clearInterval(pressing);
  // Presses still in flight get one full retry cycle (the 30 s backoff cap) to be acked before we give up.
  const drained = await Promise.race([Promise.all(presses).then(() => true), sleep(interrupted ? 0 : 30_000)]);
  clearInterval(progress);
  console.log(process.stdout.isTTY ? `\r${line()}\u001b[K` : line());
  const lost = stats.pressed - stats.acked;
  console.log(
    `${drained ? "every press was acked" : `${lost} presses never acked`}; ${stats.duplicates} duplicate acks.`,
  );
  await Promise.all(buttons.map((b) => b.stop()));
  return lost > 0 ? 1 : 0;
}

/** Nearest-rank percentile, in whole milliseconds. */
function percentile(values: number[], q: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted.length === 0 ? "-" : Math.round(sorted[rank] ?? 0).toString();
}

function sleep(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms));
}
