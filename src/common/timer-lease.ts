/** What a leased timer calls when it runs out. */
export interface Expiring {
  expire(): void;
}

/** A timer lent to one wait: it calls `target.expire()` unless released first. */
export interface TimerLease {
  readonly timer: NodeJS.Timeout;
  /** The timer's duration, under which it is kept when released (a refresh re-arms it for this long). */
  readonly ms: number;
  target: Expiring | undefined;
}

/** Idle timers kept per duration, at most: more than this many waits of one duration at once are rare. */
const idleLimit = 1024;

/** The `setTimeout` the idle timers were made with: fake timers (tests) swap it, and their timers with it. */
let madeWith: typeof setTimeout | undefined;
let idle = new Map<number, TimerLease[]>();

function fire(lease: TimerLease): void {
  lease.target?.expire();
}

/**
 * A timer that calls `target.expire()` in `ms`, until `releaseTimer`. Per-try timeouts come and go by
 * the thousand: a setTimeout and clearTimeout of their own each made a Timeout to collect, and with
 * tries one after another (an in-process provider) Node dropped and remade its list of timers of that
 * duration every time (1.5 of the engine's 7.3 µs per item in bench/engine-overhead). A released timer
 * is kept instead, unreferenced and still scheduled (it keeps no process alive and fires into nothing),
 * and the next wait of the same duration re-arms it with `refresh()`.
 */
export function leaseTimer(ms: number, target: Expiring): TimerLease {
  if (madeWith !== setTimeout) {
    madeWith = setTimeout;
    idle = new Map();
  }
  const lease = idle.get(ms)?.pop();
  if (lease) {
    lease.target = target;
    // Referenced before it is re-armed: `refresh` keeps the timer's reference as it finds it.
    lease.timer.ref();
    lease.timer.refresh();
    return lease;
  }
  const made = { ms, target } as { timer: NodeJS.Timeout; ms: number; target: Expiring | undefined };
  made.timer = setTimeout(fire, ms, made);
  return made;
}

/** The wait is over: the timer no longer calls its target, and waits for the next lease of its duration. */
export function releaseTimer(lease: TimerLease): void {
  lease.target = undefined;
  const timer = lease.timer;
  if (madeWith !== setTimeout || typeof timer.refresh !== 'function') {
    // Made with timer functions no longer installed (or ones without `refresh`): not kept.
    timer.unref?.();
    clearTimeout(timer);
    return;
  }
  let leases = idle.get(lease.ms);
  if (!leases) {
    leases = [];
    idle.set(lease.ms, leases);
  }
  if (leases.length >= idleLimit) {
    clearTimeout(timer);
    return;
  }
  timer.unref();
  leases.push(lease);
}
