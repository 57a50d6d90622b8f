// English strings for: Service requests (open → assigned → done) on the console.
export const serviceEn = {};
