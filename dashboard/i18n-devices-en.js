// English strings for: Device faults, maintenance and device health.
export const devicesEn = {};
