/** The relatives' cascade as an alarm's detail shows it (hub/relatives/cascade-views.ts builds it). */
import Type, { type Static } from "typebox";
import { Nullable } from "./schema-kit.ts";

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
export type ContactView = Static<typeof ContactSchema>;
