/** Word lists for the demo district: plausible names and streets of Kenli, Dongying. */
export const SURNAMES = [
  "王",
  "李",
  "张",
  "刘",
  "陈",
  "杨",
  "赵",
  "黄",
  "周",
  "吴",
  "徐",
  "孙",
  "马",
  "朱",
  "胡",
  "郭",
  "何",
  "高",
  "林",
  "崔",
];
export const ELDER_FEMALE = ["秀英", "桂英", "玉兰", "秀兰", "凤英", "淑珍", "玉珍", "兰英", "桂兰", "素芳"];
export const ELDER_MALE = ["建国", "德明", "保国", "志强", "长林", "福海", "振华", "国良", "广田", "树森"];
export const YOUNGER = ["伟", "静", "磊", "丽", "军", "敏", "强", "艳", "鹏", "婷", "浩", "雪"];
export const RELATIONS = ["儿子", "女儿", "儿媳", "女婿", "孙子", "孙女", "侄子"];
export const STREETS = [
  "胜兴路",
  "黄河路",
  "西城路",
  "垦利街",
  "民丰路",
  "新兴路",
  "振兴路",
  "利河路",
  "育才路",
  "永安路",
];
export const COMMUNITIES = ["胜兴社区", "黄河社区", "西城社区", "民丰社区"];
export const CLINIC_NAMES = [
  "垦利区人民医院",
  "垦利街道社区卫生服务中心",
  "胜坨镇卫生院",
  "黄河口镇卫生院",
  "垦利区中医医院",
  "兴隆街道社区卫生服务站",
];
