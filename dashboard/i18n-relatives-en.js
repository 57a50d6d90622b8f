// Timeline wording for the relatives' cascade (SMS waves, confirmation by reply, voice calls).
export const enRelatives = {
  "event.relatives_wave_sent": "Relatives texted (one wave)",
  "event.relative_call_placed": "Relative called by voice",
  "event.relative_contact_failed": "Could not reach a relative; trying the next",
  "event.relative_call_completed": "Call to a relative ended (not confirmed)",
  "event.relative_confirmed": "A relative confirmed by reply",
  "event.relative_replied": "A relative replied (not a confirmation)",
  "event.relatives_unreachable": "No relative could be reached",
  "event.relatives_cascade_stopped": "Relatives' cascade stopped",
  "event.delivery_status": "Delivery status",
  "event.call_sent": "Voice call placed",
  "event.call_failed": "Voice call failed",
};
