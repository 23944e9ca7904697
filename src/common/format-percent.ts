/** A share as a percentage with one decimal, rounded first so that a tiny negative prints as 0.0%, not -0.0%. */
export function percent(value: number): string {
  return `${(Math.round(1000 * value) / 10).toFixed(1)}%`;
}
