/**
 * The broker's retained messages, kept in a tree of topic levels.
 *
 * Aedes' in-memory persistence keeps them in one flat map and answers every
 * subscription by testing every retained topic against it. The hub retains one
 * `feedback` per device, and each device subscribes to 4 topics whenever it
 * connects, so a fleet of N reconnecting buttons cost 4·N² topic tests: at
 * 5,000 buttons that was two thirds of the hub's CPU while they connected
 * (issue 12). In a tree, a subscription walks only the branches its filter can
 * match: a device's exact topic is one lookup per level, its own
 * `…/<deviceId>/#` is its own subtree, and only a monitor's `anxin/v1/#`
 * visits everything (it asked for everything).
 *
 * Matching follows MQTT 3.1.1 §4.7: `+` is exactly one level (possibly empty),
 * `#` is the level it stands at and everything below (`a/#` also matches `a`),
 * and a filter starting with a wildcard matches no topic starting with `$`.
 */

interface TopicNode<T> {
  value: T | undefined;
  children: Map<string, TopicNode<T>> | undefined;
}

function emptyNode<T>(): TopicNode<T> {
  return { value: undefined, children: undefined };
}

export class RetainedTopics<T> {
  private readonly root: TopicNode<T> = emptyNode();
  private count = 0;

  /** How many topics hold a retained message. */
  get size(): number {
    return this.count;
  }

  /** Retains `value` for `topic` (replacing what it held). */
  set(topic: string, value: T): void {
    let node = this.root;
    for (const level of topic.split("/")) {
      node.children ??= new Map();
      let child = node.children.get(level);
      if (!child) {
        child = emptyNode();
        node.children.set(level, child);
      }
      node = child;
    }
    if (node.value === undefined) this.count += 1;
    node.value = value;
  }

  /** Forgets `topic`'s retained message, and the branches that held nothing else. */
  delete(topic: string): boolean {
    const path: TopicNode<T>[] = [this.root];
    const levels = topic.split("/");
    for (const level of levels) {
      const next = path[path.length - 1]?.children?.get(level);
      if (!next) return false;
      path.push(next);
    }
    const leaf = path[path.length - 1] as TopicNode<T>;
    if (leaf.value === undefined) return false;
    leaf.value = undefined;
    this.count -= 1;
    for (let i = levels.length - 1; i >= 0; i--) {
      const node = path[i + 1] as TopicNode<T>;
      if (node.value !== undefined || (node.children?.size ?? 0) > 0) break;
      (path[i] as TopicNode<T>).children?.delete(levels[i] as string);
    }
    return true;
  }

  /** The value retained for exactly `topic`. */
  get(topic: string): T | undefined {
    let node: TopicNode<T> | undefined = this.root;
    for (const level of topic.split("/")) {
      node = node.children?.get(level);
      if (!node) return undefined;
    }
    return node.value;
  }

  /** Every retained value whose topic the subscription filter matches. */
  *match(filter: string): Generator<T> {
    if (!filter.includes("+") && !filter.includes("#")) {
      const value = this.get(filter);
      if (value !== undefined) yield value;
      return;
    }
    yield* this.walk(this.root, filter.split("/"), 0);
  }

  private *walk(node: TopicNode<T>, levels: readonly string[], depth: number): Generator<T> {
    if (depth === levels.length) {
      if (node.value !== undefined) yield node.value;
      return;
    }
    const level = levels[depth] as string;
    if (level === "#") {
      // `#` matches its parent level too ([MQTT-4.7.1-2]).
      if (node.value !== undefined && depth > 0) yield node.value;
      yield* this.everything(node, depth === 0);
      return;
    }
    if (!node.children) return;
    if (level === "+") {
      for (const [name, child] of node.children) {
        if (depth === 0 && name.startsWith("$")) continue; // [MQTT-4.7.2-1]
        yield* this.walk(child, levels, depth + 1);
      }
      return;
    }
    const child = node.children.get(level);
    if (child) yield* this.walk(child, levels, depth + 1);
  }

  /** Everything below `node` (not `node` itself). */
  private *everything(node: TopicNode<T>, skipSystemTopics: boolean): Generator<T> {
    if (!node.children) return;
    for (const [name, child] of node.children) {
      if (skipSystemTopics && name.startsWith("$")) continue;
      if (child.value !== undefined) yield child.value;
      yield* this.everything(child, false);
    }
  }
}
