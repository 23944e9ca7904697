export type { ChatMessage, RequestParams, CascadeRequest } from './request.js';
export type { Usage, Completion, ConfidenceSource } from './completion.js';
export type { Provider, ProviderCallOptions } from './provider.js';
export type { Gate, GateInput, GateVerdict, GateCheckOptions, EarlierAnswer } from './gate.js';
export type { StopReason, GateRecord, TraceEntry, CascadeResult, CacheOutcome } from './result.js';
export type { Embedder } from './embedder.js';
export type { CascadeEvent, EventListener, EventState } from './events.js';
export type { ToolCall, ToolChoice, ToolDefinition } from './tools.js';
export type { SharedBudget } from './budget.js';
