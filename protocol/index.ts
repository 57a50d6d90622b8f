export * from "./decode.ts";
export * from "./messages.ts";
export * from "./reconnect.ts";
export * from "./topics.ts";
