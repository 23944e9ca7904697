/** A tool the model may call: its name, what it is for, and a JSON schema for its arguments. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments object. */
  parameters: Record<string, unknown>;
}

/** Whether the model may, must, or must not call a tool, or which one it must call. */
export type ToolChoice = 'auto' | 'required' | 'none' | { name: string };

/**
 * A tool call in an answer, the same whichever provider made it: OpenAI's JSON-string arguments are
 * parsed, Anthropic's `tool_use` input and Ollama's objects are taken as they are. Arguments that did
 * not parse are kept as their text, so a gate can refuse them.
 */
export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}
