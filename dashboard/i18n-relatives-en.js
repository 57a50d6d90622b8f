// Timeline wording for the relatives' cascade (SMS waves, confirmation by reply or keypad, voice calls).
export const enRelatives = {
  "event.relatives_wave_sent": "Relatives texted (one wave)",
  "event.relative_call_placed": "Relative called by voice",
  "event.relative_contact_failed": "Could not reach a relative; trying the next",
  "event.relative_call_completed": "Call to a relative ended (not confirmed)",
  "event.relative_confirmed": "A relative confirmed (SMS reply or key 1 on the call)",
  "event.relative_replied": "A relative replied (not a confirmation)",
  "event.relatives_unreachable": "No relative could be reached",
  "event.relatives_cascade_stopped": "Relatives' cascade stopped",
  "event.delivery_status": "Delivery status",
  "event.call_sent": "Voice call placed",
  "event.call_failed": "Voice call failed",
  "event.relative_calls_cancelled": "Calls to relatives withdrawn or hung up (cascade stopped)",
  "event.call_hung_up": "Voice call ended by the hub",
  "event.call_hangup_failed": "Could not end a voice call",
};
