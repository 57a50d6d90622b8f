/** What a simulated button reports to its owner, and the small typed emitter that delivers it. */
import type {
  AckMessage,
  AlarmMessage,
  CommandMessage,
  DecodeErrorCode,
  ErrorMessage,
  FeedbackMessage,
} from "../protocol/index.ts";

/** A hub → device message the button ignored because it broke the contract. */
export interface InvalidHubMessage {
  topic: string;
  code: "UNEXPECTED_TOPIC" | DecodeErrorCode;
  /** Bounded by the protocol's decoder (LIMITS.errorMessageLength), whatever the hub sent. */
  message: string;
}

export interface SimulatedButtonEvents {
  /** Connected, subscribed and `online` published; pending presses were just re-sent. */
  connected: [];
  /** The connection dropped (the button reconnects by itself unless stopped or killed). */
  disconnected: [cause: Error | null];
  /** One alarm publish: `attempt` 1 is the press itself, 2+ are retries. */
  sent: [alarm: AlarmMessage];
  ack: [ack: AckMessage];
  feedback: [feedback: FeedbackMessage];
  hubError: [error: ErrorMessage];
  /** A request from the hub, reported whether or not the button acts on it. */
  command: [command: CommandMessage];
  invalidMessage: [report: InvalidHubMessage];
}

export type Listener<E extends keyof SimulatedButtonEvents> = (...args: SimulatedButtonEvents[E]) => void;

export class ButtonEventEmitter {
  private readonly listeners: { [E in keyof SimulatedButtonEvents]: Set<Listener<E>> } = {
    connected: new Set(),
    disconnected: new Set(),
    sent: new Set(),
    ack: new Set(),
    feedback: new Set(),
    hubError: new Set(),
    command: new Set(),
    invalidMessage: new Set(),
  };

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof SimulatedButtonEvents>(event: E, listener: Listener<E>): () => void {
    const listeners: Set<Listener<E>> = this.listeners[event];
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }

  emit<E extends keyof SimulatedButtonEvents>(event: E, ...args: SimulatedButtonEvents[E]): void {
    for (const listener of this.listeners[event]) listener(...args);
  }
}
