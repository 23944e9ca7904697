// Exact (Clopper-Pearson) one-sided bounds of a binomial rate, for guarantees that must hold at small n.

/** log P(X <= successes) for X ~ Binomial(trials, p), summed in log space (no underflow at large n). */
function logLowerTail(successes: number, trials: number, p: number): number {
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logTerm = trials * logQ;
  let logSum = logTerm;
  for (let k = 1; k <= successes; k++) {
    logTerm += Math.log((trials - k + 1) / k) + logP - logQ;
    const high = Math.max(logSum, logTerm);
    logSum = high + Math.log(Math.exp(logSum - high) + Math.exp(logTerm - high));
  }
  return logSum;
}

/** The one-sided (1 - delta) Clopper-Pearson upper bound of a binomial rate: the p at which P(X <= successes) = delta. */
export function clopperPearsonUpper(successes: number, trials: number, delta: number): number {
  if (trials === 0 || successes >= trials) return 1;
  const target = Math.log(delta);
  let low = successes / trials;
  let high = 1;
  // The tail falls as p rises: bisect on it.
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (logLowerTail(successes, trials, middle) > target) low = middle;
    else high = middle;
  }
  return high;
}

/** The one-sided (1 - delta) Clopper-Pearson lower bound. */
export function clopperPearsonLower(successes: number, trials: number, delta: number): number {
  return trials === 0 ? 0 : 1 - clopperPearsonUpper(trials - successes, trials, delta);
}
