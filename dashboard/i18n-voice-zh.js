// 来电（拨打中心号码）在时间线上的文字（issue 14）：谁打来，谁接听。
export const voiceZh = {
  "event.pressed_again": "再次呼叫（按键或来电）",
  "event.call_answered": "中心来电已接听",
  "event.call_unanswered": "中心来电无人接听",
  "event.caller": "来电 {number}",
  "event.callerWithheld": "来电（号码未显示）",
  "event.phone": "电话 {number}",
  "ev.byPhone": "电话呼入",
  "ev.pressCount": "第 {n} 次呼叫",
  "ev.callStage.operators": "值班员",
  "ev.callStage.supervisors": "主管",
  "ev.callWhy.nobody_to_ring": "没有登记电话的值班员或主管；来电者已听到救助正在安排",
  "ev.callWhy.nobody_answered": "无人接听；来电者已听到救助正在安排",
  "ev.callWhy.caller_hung_up": "中心电话振铃时来电者已挂机",
};
