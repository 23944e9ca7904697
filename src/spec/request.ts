import type { ToolCall, ToolChoice, ToolDefinition } from './tools.js';

/**
 * One chat turn. Roles follow the fixture format: system, user, assistant, and tool (the result of a
 * tool call, naming the call it answers). An assistant turn may carry the tool calls it made.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** An assistant turn's tool calls. */
  toolCalls?: ToolCall[] | undefined;
  /** A tool turn: the id of the call it answers. */
  toolCallId?: string | undefined;
}

/** Sampling parameters that reach the provider. Names are provider-neutral; each provider maps them. */
export interface RequestParams {
  temperature?: number;
  topP?: number;
  /** Upper bound on answer tokens. The budget check relies on it being enforced by the provider. */
  maxTokens?: number;
  stop?: string[];
  /** Ask the provider for token log-probabilities (set by a `confidence` gate that needs them). */
  logprobs?: boolean;
}

/** A request to a cascade: the messages, an optional JSON schema for the answer, and parameters. */
export interface CascadeRequest {
  /** The item's id, when it has one; the replay provider looks recorded answers up by it. */
  id?: string;
  messages: ChatMessage[];
  /** JSON schema the answer must satisfy; providers that support structured output receive it. */
  outputSchema?: Record<string, unknown>;
  params?: RequestParams;
  /** Tools the model may call (an agent step); the answer may then be tool calls rather than text. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /**
   * The messages before gates adjusted them (a confidence instruction, say). Set by the engine;
   * the replay provider finds recordings by them, since a recording is keyed by the item's input.
   */
  sourceMessages?: ChatMessage[];
}
