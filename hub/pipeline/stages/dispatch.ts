import type { AlarmStage } from "../types.ts";
import { skippedAsClosed } from "./closed-alarm.ts";

/**
 * Ranks the on-duty workers, chooses the clinic that is open and can take the
 * case, and (for an SOS) makes the first offer — all inside this stage's
 * transaction; see hub/dispatch/dispatch-planner.ts. A service press becomes a
 * service request routed to the household's grid worker, in the same
 * transaction (hub/service/). What must wait for the commit (console pushes,
 * device feedback, an OSRM refinement) is handed on.
 */
export const dispatchStage: AlarmStage = {
  name: "dispatch",
  async run(alarm, deps, afterCommit) {
    if (await skippedAsClosed(alarm, "dispatch", deps)) return;
    afterCommit(await deps.dispatch.planInStage(alarm));
    if (alarm.kind === "service") afterCommit(await deps.serviceRequests.openInStage(alarm));
  },
};
