import { CascadeError, errorMarker } from './cascade-error.js';

const marker = errorMarker('MissingApiKeyError');

/**
 * A variable name that is more likely a key pasted into `apiKeyEnv`: long, with lower-case letters and
 * digits mixed, where variable names are conventionally upper case with underscores.
 */
export function looksLikePastedKey(name: string): boolean {
  return name.length >= 24 && /[a-z]/.test(name) && /\d/.test(name) && !/_/.test(name);
}

function describeOne(variable: string, tier: string): string {
  return looksLikePastedKey(variable)
    ? `The environment variable that apiKeyEnv of ${tier} names is not set, and the name looks like a key itself, so it is not shown. apiKeyEnv takes the NAME of a variable, such as OPENAI_API_KEY; export the key in it.`
    : `The environment variable ${variable} is not set; ${tier} reads its API key from it. Export it before running, or point apiKeyEnv at another variable.`;
}

function describeAll(missing: { variable: string; tier: string }[]): string {
  const named = missing.map(({ variable, tier }) =>
    looksLikePastedKey(variable) ? `(a name that looks like a key, not shown) for ${tier}` : `${variable} for ${tier}`,
  );
  return `${missing.length} environment variables with API keys are not set: ${named.join('; ')}. Export them before running, or point apiKeyEnv at other variables.`;
}

/** An environment variable named by `apiKeyEnv` is not set. Only the variable's name is ever shown. */
export class MissingApiKeyError extends CascadeError {
  override name = 'MissingApiKeyError' as const;
  private readonly [marker] = true;
  readonly variable: string;
  /** Who reads the key: a tier, a judge, the embedder. */
  readonly tier: string;

  /** Every variable that is missing, when several are (the first is `variable`). */
  readonly missing: { variable: string; tier: string }[];

  constructor(options: { variable: string; tier: string; others?: { variable: string; tier: string }[] }) {
    const missing = [{ variable: options.variable, tier: options.tier }, ...(options.others ?? [])];
    super(missing.length === 1 ? describeOne(options.variable, options.tier) : describeAll(missing));
    this.variable = options.variable;
    this.tier = options.tier;
    this.missing = missing;
  }

  static override isInstance(error: unknown): error is MissingApiKeyError {
    return CascadeError.hasMarker(error, marker);
  }
}
