const baseMarker = Symbol.for('frugal-cascade.error');

/**
 * Base of every error this library throws. `name` is a literal so callers can switch on it. Each class
 * carries a marker made with `Symbol.for`, so `isInstance` holds across two copies of the library (two
 * versions in one dependency tree) where `instanceof` does not (after vercel/ai's `AISDKError`).
 */
export class CascadeError extends Error {
  override name = 'CascadeError';
  private readonly [baseMarker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** Whether `error` is a CascadeError of any kind, from any copy of the library. */
  static isInstance(error: unknown): error is CascadeError {
    return CascadeError.hasMarker(error, baseMarker);
  }

  protected static hasMarker(error: unknown, marker: symbol): boolean {
    return (
      typeof error === 'object' &&
      error !== null &&
      marker in error &&
      (error as Record<symbol, unknown>)[marker] === true
    );
  }
}

/** The marker of one error class: `Symbol.for('frugal-cascade.error.<Name>')`. */
export function errorMarker(name: string): symbol {
  return Symbol.for(`frugal-cascade.error.${name}`);
}
