import { CascadeError, errorMarker } from './cascade-error.js';

const marker = errorMarker('MissingApiKeyError');

/**
 * A variable name that is more likely a key pasted into `apiKeyEnv`: long, with lower-case letters and
 * digits mixed, where variable names are conventionally upper case with underscores.
 */
export function looksLikePastedKey(name: string): boolean {
  return name.length >= 24 && /[a-z]/.test(name) && /\d/.test(name) && !/_/.test(name);
}

/** An environment variable named by `apiKeyEnv` is not set. Only the variable's name is ever shown. */
export class MissingApiKeyError extends CascadeError {
  override name = 'MissingApiKeyError' as const;
  private readonly [marker] = true;
  readonly variable: string;
  /** Who reads the key: a tier, a judge, the embedder. */
  readonly tier: string;

  constructor(options: { variable: string; tier: string }) {
    super(
      looksLikePastedKey(options.variable)
        ? `The environment variable that apiKeyEnv of ${options.tier} names is not set, and the name looks like a key itself, so it is not shown. apiKeyEnv takes the NAME of a variable, such as OPENAI_API_KEY; export the key in it.`
        : `The environment variable ${options.variable} is not set; ${options.tier} reads its API key from it. Export it before running, or point apiKeyEnv at another variable.`,
    );
    this.variable = options.variable;
    this.tier = options.tier;
  }

  static override isInstance(error: unknown): error is MissingApiKeyError {
    return CascadeError.hasMarker(error, marker);
  }
}
