// 亲属联系级联（短信分批、回复或按键确认、语音呼叫）的时间线用语。
export const zhRelatives = {
  "event.relatives_wave_sent": "已短信通知一批亲属",
  "event.relative_call_placed": "已给亲属拨打语音电话",
  "event.relative_contact_failed": "联系亲属失败，转下一位",
  "event.relative_call_completed": "亲属电话已结束（未确认）",
  "event.relative_confirmed": "亲属已确认（短信回复或电话按1）",
  "event.relative_replied": "亲属回复（未确认）",
  "event.relatives_unreachable": "所有亲属均未能联系上",
  "event.relatives_cascade_stopped": "亲属联系已停止",
  "event.delivery_status": "短信/电话送达状态",
  "event.call_sent": "语音电话已发出",
  "event.call_failed": "语音电话失败",
  "event.relative_calls_cancelled": "已撤回或挂断给亲属的电话（联系已停止）",
  "event.call_hung_up": "系统已挂断语音电话",
  "event.call_hangup_failed": "无法挂断语音电话",
};
