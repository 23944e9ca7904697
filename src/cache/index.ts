// `frugal-cascade/cache`: the response cache, its store, index, guards and embedders. Apart from the main
// entry so that `import 'frugal-cascade'` does not load the native store and index.
export { ResponseCache, type ResponseCacheOptions, type CacheLookup } from './response-cache.js';
export { CacheStore, type CacheEntry, type CachedAnswer } from './cache-store.js';
export { defaultGuards, refusingGuard, type Guard } from './guards.js';
export { VectorIndex, type Neighbour } from './vector-index.js';
export { createLocalEmbedder, type LocalEmbedderOptions } from '../embed/local-embedder.js';
export { createLexicalEmbedder } from '../embed/lexical-embedder.js';
export { createOpenAIEmbedder, type OpenAIEmbedderOptions } from '../embed/openai-embedder.js';
export { createOllamaEmbedder, type OllamaEmbedderOptions } from '../embed/ollama-embedder.js';
