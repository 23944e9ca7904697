/** USD per million tokens. */
export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
}
