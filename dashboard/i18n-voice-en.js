// Timeline wording for calls to the center's number (issue 14): who called, who took the call.
export const voiceEn = {
  "event.pressed_again": "Pressed again (or called again)",
  "event.call_answered": "Call to the center taken",
  "event.call_unanswered": "Call to the center not taken",
  "event.caller": "caller {number}",
  "event.callerWithheld": "caller (number withheld)",
  "event.phone": "phone {number}",
  "ev.byPhone": "by phone",
  "ev.pressCount": "call or press no. {n}",
  "ev.callStage.operators": "operators on duty",
  "ev.callStage.supervisors": "supervisors",
  "ev.callWhy.nobody_to_ring": "no operator or supervisor with a phone on record; the caller heard help is on the way",
  "ev.callWhy.nobody_answered": "nobody answered; the caller heard help is on the way",
  "ev.callWhy.caller_hung_up": "the caller hung up while the center's phones rang",
};
