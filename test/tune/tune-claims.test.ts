import { describe, expect, it } from 'vitest';
import { claimSlots, claimTask } from '../../src/tune/tune-claims.js';

describe('tune task claims', () => {
  it('gives each task to the first thread that claims it, and a task past the slots to the caller', () => {
    const claims = claimSlots(3);
    expect(claimTask(claims, 1)).toBe(true);
    expect(claimTask(claims, 1)).toBe(false);
    expect(claimTask(claims, 0)).toBe(true);
    expect(claimTask(claims, 2)).toBe(true);
    expect(claimTask(claims, 2)).toBe(false);
    expect(claimTask(claims, 3)).toBe(true);
    // Shared, not copied: a view of the same memory (as a worker receives it) sees the claims.
    const elsewhere = new Int32Array(claims.buffer as SharedArrayBuffer);
    expect(claimTask(elsewhere, 0)).toBe(false);
  });
});
