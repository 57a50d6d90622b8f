/**
 * A session is a started system with a connected fleet. Normally every
 * scenario opens its own (a fresh hub and database, so one scenario's backlog
 * never slows the next); under `--smoke` one session per system is shared by
 * every scenario, so the whole smoke starts each system once.
 */
import type { BenchContext } from "./context.ts";
import type { TargetKind } from "./options.ts";
import { type ConnectResult, connectFleet } from "./phases.ts";
import { type BenchTwilio, twilioEnv } from "./sms-env.ts";
import { startBroker, startHub, type Target } from "./targets.ts";

export interface Session {
  target: Target;
  connected: ConnectResult | null;
  shared: boolean;
}

const shared = new Map<TargetKind, Session>();

export interface SessionNeeds {
  /** Directory label of a fresh hub. */
  label: string;
  /** Buttons to connect now; 0 leaves the fleet to the caller (the storm times its own). */
  buttons: number;
  /** The Twilio stand-in the hub sends SMS to (P6; every shared hub under --smoke). */
  twilio?: BenchTwilio;
  env?: Record<string, string>;
}

async function startTarget(ctx: BenchContext, kind: TargetKind, needs: SessionNeeds): Promise<Target> {
  if (kind !== "hub") return startBroker(ctx, kind);
  const twilio = needs.twilio ?? (ctx.options.smoke ? ctx.twilio : undefined);
  return startHub(ctx, needs.label, { env: { ...(twilio ? twilioEnv(twilio) : {}), ...needs.env } });
}

export async function openSession(ctx: BenchContext, kind: TargetKind, needs: SessionNeeds): Promise<Session> {
  const existing = shared.get(kind);
  if (existing) {
    if (needs.buttons > 0 && !existing.connected) {
      existing.connected = await connectFleet(ctx, existing.target, needs.buttons, `${needs.label}: connecting`);
    }
    return existing;
  }
  const target = await startTarget(ctx, kind, needs);
  const session: Session = { target, connected: null, shared: ctx.options.smoke };
  try {
    if (needs.buttons > 0)
      session.connected = await connectFleet(ctx, target, needs.buttons, `${needs.label}: connecting`);
  } catch (error) {
    await target.stop();
    throw error;
  }
  if (session.shared) shared.set(kind, session);
  return session;
}

async function close(session: Session): Promise<void> {
  // Stop pressing and reconnecting first, so the stopping system is not hammered by a reconnecting fleet.
  session.connected?.fleet.halt();
  await session.target.stop();
  await session.connected?.fleet.close();
}

/** Ends a session, unless it is shared (then closeSharedSessions does at the end). */
export async function closeSession(session: Session): Promise<void> {
  if (!session.shared) await close(session);
}

/** A shared session that failed must not be reused. */
export async function discardSession(session: Session): Promise<void> {
  if (shared.get(session.target.kind) === session) shared.delete(session.target.kind);
  await close(session);
}

export async function closeSharedSessions(): Promise<void> {
  for (const session of shared.values()) await close(session);
  shared.clear();
}
