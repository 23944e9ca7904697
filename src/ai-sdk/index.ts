// `frugal-cascade/ai-sdk`: a cascade as a Vercel AI SDK language model. `ai` (6) is a peer dependency of
// this entry only.
export { cascadeModel } from './cascade-model.js';
