import mqttPacket from "mqtt-packet";
const id = "A".repeat(64);
const connect = mqttPacket.generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 60, clientId: id, username: id, password: Buffer.from("x".repeat(32)), will: { topic: `anxin/v1/devices/${id}/status`, payload: Buffer.from(JSON.stringify({ state: "offline", firmware: "f".repeat(64) })), qos: 1, retain: false } });
const alarm = mqttPacket.generate({ cmd: "publish", topic: `anxin/v1/devices/${id}/alarm`, payload: Buffer.from(JSON.stringify({ pressId: "p".repeat(64), kind: "service", deviceTime: "2026-11-23T16:00:00.250+08:00", seq: 9007199254740991, battery: 100, attempt: 9007199254740991 })), qos: 1, messageId: 1, retain: false, dup: false });
const hb = mqttPacket.generate({ cmd: "publish", topic: `anxin/v1/devices/${id}/heartbeat`, payload: Buffer.from(JSON.stringify({ deviceTime: "2026-11-23T16:00:00.250+08:00", battery: 100, rssi: -150, firmware: "f".repeat(64) })), qos: 0, retain: false, dup: false });
const st = mqttPacket.generate({ cmd: "publish", topic: `anxin/v1/devices/${id}/status`, payload: Buffer.from(JSON.stringify({ state: "offline", firmware: "f".repeat(64) })), qos: 1, messageId: 1, retain: false, dup: false });
console.log({ connect: connect.length, alarm: alarm.length, heartbeat: hb.length, status: st.length });
