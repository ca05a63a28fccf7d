/**
 * mulberry32: a tiny seedable PRNG. Math.random cannot be seeded, and the
 * stand-in's injected failures must replay identically for a given seed so a
 * flaky-looking test can be reproduced.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A fresh 32-bit seed for callers that did not ask for reproducibility. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4_294_967_296);
}
