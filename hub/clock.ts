/** Injected everywhere a deadline is computed, so deadlines can be tested without waiting. */
export type Clock = () => Date;
