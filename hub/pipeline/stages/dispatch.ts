import type { AlarmStage } from "../types.ts";

/**
 * Ranks the on-duty workers, chooses the clinic that is open and can take the
 * case, and (for an SOS) makes the first offer — all inside this stage's
 * transaction; see hub/dispatch/dispatch-planner.ts. What must wait for the
 * commit (console pushes, device feedback, an OSRM refinement) is handed on.
 */
export const dispatchStage: AlarmStage = {
  name: "dispatch",
  run(alarm, deps, afterCommit) {
    afterCommit(deps.dispatch.planInStage(alarm));
  },
};
