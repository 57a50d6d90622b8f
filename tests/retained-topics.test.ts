/**
 * The broker's retained-message tree (hub/broker/retained-topics.ts) matches
 * subscription filters as MQTT 3.1.1 §4.7 says, and as Aedes' own scan did.
 */
import { describe, expect, it } from "vitest";
import { RetainedTopics } from "../hub/broker/retained-topics.ts";

const TOPICS = [
  "anxin/v1/devices/KL-1/feedback",
  "anxin/v1/devices/KL-2/feedback",
  "anxin/v1/devices/KL-2/ack",
  "anxin/v1/devices/KL-22/feedback",
  "anxin/v1",
  "anxin//x",
  "other/topic",
  "$SYS/broker/uptime",
];

function filled(): RetainedTopics<string> {
  const tree = new RetainedTopics<string>();
  for (const topic of TOPICS) tree.set(topic, `value of ${topic}`);
  return tree;
}

const matches = (tree: RetainedTopics<string>, filter: string) =>
  [...tree.match(filter)].map((value) => value.replace("value of ", "")).sort();

describe("RetainedTopics", () => {
  it("finds an exact topic and nothing else", () => {
    const tree = filled();
    expect(matches(tree, "anxin/v1/devices/KL-2/feedback")).toEqual(["anxin/v1/devices/KL-2/feedback"]);
    expect(matches(tree, "anxin/v1/devices/KL-3/feedback")).toEqual([]);
    expect(matches(tree, "anxin/v1/devices/KL-2")).toEqual([]);
  });

  it("matches `+` as exactly one level, empty levels included", () => {
    const tree = filled();
    expect(matches(tree, "anxin/v1/devices/+/feedback")).toEqual([
      "anxin/v1/devices/KL-1/feedback",
      "anxin/v1/devices/KL-2/feedback",
      "anxin/v1/devices/KL-22/feedback",
    ]);
    expect(matches(tree, "anxin/+/x")).toEqual(["anxin//x"]);
    expect(matches(tree, "+/+")).toEqual(["anxin/v1", "other/topic"]);
  });

  it("matches `#` as its own level and everything below, the parent included", () => {
    const tree = filled();
    expect(matches(tree, "anxin/v1/devices/KL-2/#")).toEqual([
      "anxin/v1/devices/KL-2/ack",
      "anxin/v1/devices/KL-2/feedback",
    ]);
    expect(matches(tree, "anxin/v1/#")).toEqual([
      "anxin/v1",
      "anxin/v1/devices/KL-1/feedback",
      "anxin/v1/devices/KL-2/ack",
      "anxin/v1/devices/KL-2/feedback",
      "anxin/v1/devices/KL-22/feedback",
    ]);
    expect(matches(tree, "anxin/v1/devices/+/#")).toHaveLength(4);
  });

  it("keeps `$` topics from filters that start with a wildcard, and gives them to filters that name them", () => {
    const tree = filled();
    expect(matches(tree, "#")).toEqual(TOPICS.filter((t) => !t.startsWith("$")).sort());
    expect(matches(tree, "+/broker/uptime")).toEqual([]);
    expect(matches(tree, "$SYS/#")).toEqual(["$SYS/broker/uptime"]);
  });

  it("replaces a topic's value, deletes it, and prunes branches left empty", () => {
    const tree = filled();
    expect(tree.size).toBe(TOPICS.length);
    tree.set("anxin/v1/devices/KL-1/feedback", "newer");
    expect([...tree.match("anxin/v1/devices/KL-1/feedback")]).toEqual(["newer"]);
    expect(tree.size).toBe(TOPICS.length);

    expect(tree.delete("anxin/v1/devices/KL-1/feedback")).toBe(true);
    expect(tree.delete("anxin/v1/devices/KL-1/feedback")).toBe(false);
    expect(tree.delete("anxin/v1/devices")).toBe(false); // a branch, never a retained topic
    expect(tree.size).toBe(TOPICS.length - 1);
    expect(matches(tree, "anxin/v1/devices/+/#")).toHaveLength(3);
    // Deleting a parent's value keeps its children.
    expect(tree.delete("anxin/v1")).toBe(true);
    expect(matches(tree, "anxin/v1/#")).toHaveLength(3);
    for (const topic of TOPICS) tree.delete(topic);
    expect(tree.size).toBe(0);
    expect([...tree.match("#")]).toEqual([]);
  });
});
