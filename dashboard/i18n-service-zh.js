// 简体中文: Service requests (open → assigned → done) on the console.
export const serviceZh = {};
