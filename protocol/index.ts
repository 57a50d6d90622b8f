export * from "./decode.ts";
export * from "./messages.ts";
export * from "./topics.ts";
