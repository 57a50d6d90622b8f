// 简体中文: Device faults, maintenance and device health.
export const devicesZh = {};
