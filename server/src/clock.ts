/** The current time, injected so tests can move it (token expiry, signature windows, states). */
export type Clock = { now(): number };

export const systemClock: Clock = { now: () => Date.now() };
