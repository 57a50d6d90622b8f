/** The relatives' cascade as the alarm detail shows it (see alarm-views.ts). */
import Type, { type Static } from "typebox";
import type { CascadeRepository, ContactRow } from "./cascade-repo.ts";

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const RelativeCascadeSchema = Nullable(
  Type.Object({
    status: Type.Union([
      Type.Literal("texting"),
      Type.Literal("calling"),
      Type.Literal("confirmed"),
      Type.Literal("unreachable"),
      Type.Literal("stopped"),
    ]),
    /** SMS waves sent so far. */
    wave: Type.Integer(),
    /** When the current step moves on if nobody confirms; null once the cascade has ended. */
    deadlineAt: Nullable(Type.String()),
    startedAt: Type.String(),
    finishedAt: Nullable(Type.String()),
    confirmedBy: Nullable(
      Type.Object({ priority: Type.Integer(), name: Type.String(), phone: Type.String(), at: Type.String() }),
    ),
  }),
);
export type RelativeCascadeView = Static<typeof RelativeCascadeSchema>;

/** Per outbox row: which relative it reached and how that contact ended. */
export const ContactSchema = Nullable(
  Type.Object({
    priority: Type.Integer(),
    name: Type.String(),
    /**
     * `waiting`: no confirmation (yet); `failed`: not delivered / not reached; `answered`: a call ended
     * unconfirmed; `cancelled`: the cascade stopped, so the hub withdrew the call or hung it up.
     */
    outcome: Type.Union([
      Type.Literal("waiting"),
      Type.Literal("failed"),
      Type.Literal("answered"),
      Type.Literal("confirmed"),
      Type.Literal("cancelled"),
    ]),
  }),
);

export class CascadeViews {
  private readonly repo: CascadeRepository;

  constructor(repo: CascadeRepository) {
    this.repo = repo;
  }

  async cascade(alarmId: number): Promise<RelativeCascadeView> {
    const row = await this.repo.cascade(alarmId);
    if (!row) return null;
    const confirmed = row.confirmed_contact_id ? await this.repo.contact(row.confirmed_contact_id) : undefined;
    return {
      status: row.status,
      wave: row.wave,
      deadlineAt: row.deadline_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      confirmedBy: confirmed
        ? {
            priority: confirmed.priority,
            name: confirmed.name,
            phone: confirmed.phone,
            at: confirmed.settled_at ?? row.finished_at ?? "",
          }
        : null,
    };
  }

  /** The alarm's contacts keyed by their outbox row. */
  async contactsByOutbox(alarmId: number): Promise<Map<number, ContactRow>> {
    const byOutbox = new Map<number, ContactRow>();
    for (const contact of await this.repo.contacts(alarmId)) {
      if (contact.outbox_id !== null) byOutbox.set(contact.outbox_id, contact);
    }
    return byOutbox;
  }
}
