// @ts-check
// 中文：报警详情的居民卡片（照片占位、健康信息、入户信息）。
export const residentZh = {
  "resident.photo": "暂无照片（占位）",
  "resident.conditions": "疾病史",
  "resident.medications": "用药",
  "resident.allergies": "过敏",
  "resident.mobility": "行动能力",
  "resident.keyHolder": "钥匙保管人",
  "resident.accessNotes": "入户说明",
  "resident.none": "无记录",
  "resident.loading": "正在加载健康信息…",
  "resident.redacted": "您的角色无权查看健康信息。",
  "resident.error": "健康信息加载失败",
};
