import type { ChatMessage, CascadeRequest } from '../spec/request.js';
import type { ToolCall } from '../spec/tools.js';

// Ids are made with the global `crypto.randomUUID()`, not an import of node:crypto, which would load it
// (about 10 ms) with the library rather than at the first tool call without an id.

/** OpenAI's arguments are a JSON string: parsed here; text that is not JSON is kept for a gate to refuse. */
export function parseArguments(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const argumentsText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? {}));

// ---- OpenAI chat completions (and Ollama, which speaks the same shapes with parsed arguments) ----

export function openAIMessages(messages: readonly ChatMessage[]): unknown[] {
  return messages.map((message) => {
    if (message.role === 'tool')
      return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
    if (message.role === 'assistant' && message.toolCalls?.length) {
      return {
        role: 'assistant',
        content: message.content === '' ? null : message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: argumentsText(call.arguments) },
        })),
      };
    }
    return { role: message.role, content: message.content };
  });
}

export function openAITools(request: CascadeRequest): Record<string, unknown> {
  if (!request.tools?.length) return {};
  const choice = request.toolChoice;
  return {
    tools: request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description && { description: tool.description }),
        parameters: tool.parameters,
      },
    })),
    ...(choice !== undefined && {
      tool_choice: typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } },
    }),
  };
}

export function openAIToolCalls(calls: unknown): ToolCall[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((call) => {
    const { id, function: fn } = (call ?? {}) as { id?: string; function?: { name?: string; arguments?: unknown } };
    return { id: id ?? crypto.randomUUID(), name: fn?.name ?? '', arguments: parseArguments(fn?.arguments) };
  });
}

// ---- Ollama: OpenAI's shapes, arguments as objects, no call ids ----

export function ollamaMessages(messages: readonly ChatMessage[]): unknown[] {
  return messages.map((message) => {
    if (message.role === 'assistant' && message.toolCalls?.length) {
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: message.toolCalls.map((call) => ({ function: { name: call.name, arguments: call.arguments } })),
      };
    }
    return { role: message.role, content: message.content };
  });
}

export function ollamaToolCalls(calls: unknown): ToolCall[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((call) => {
    const fn = (call as { function?: { name?: string; arguments?: unknown } })?.function;
    return { id: crypto.randomUUID(), name: fn?.name ?? '', arguments: parseArguments(fn?.arguments) };
  });
}

// ---- Anthropic Messages: tool_use blocks out, tool_result blocks in ----

export function anthropicMessages(messages: readonly ChatMessage[]): unknown[] {
  const out: { role: 'user' | 'assistant'; content: unknown }[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    if (message.role === 'tool') {
      const block = { type: 'tool_result', tool_use_id: message.toolCallId ?? '', content: message.content };
      // Consecutive tool results belong in one user turn.
      const last = out[out.length - 1];
      if (last?.role === 'user' && Array.isArray(last.content)) (last.content as unknown[]).push(block);
      else out.push({ role: 'user', content: [block] });
      continue;
    }
    if (message.role === 'assistant' && message.toolCalls?.length) {
      out.push({
        role: 'assistant',
        content: [
          ...(message.content ? [{ type: 'text', text: message.content }] : []),
          ...message.toolCalls.map((call) => ({
            type: 'tool_use',
            id: call.id,
            name: call.name,
            input: call.arguments ?? {},
          })),
        ],
      });
      continue;
    }
    out.push({ role: message.role, content: message.content });
  }
  return out;
}

export function anthropicTools(request: CascadeRequest): Record<string, unknown> {
  if (!request.tools?.length) return {};
  const choice = request.toolChoice;
  const toolChoice =
    choice === undefined
      ? undefined
      : choice === 'auto'
        ? { type: 'auto' }
        : choice === 'required'
          ? { type: 'any' }
          : choice === 'none'
            ? { type: 'none' }
            : { type: 'tool', name: choice.name };
  return {
    tools: request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description && { description: tool.description }),
      input_schema: tool.parameters,
    })),
    ...(toolChoice && { tool_choice: toolChoice }),
  };
}

export function anthropicToolCalls(content: readonly unknown[]): ToolCall[] | undefined {
  const calls = content
    .filter((block) => (block as { type?: string }).type === 'tool_use')
    .map((block) => {
      const { id, name, input } = block as { id?: string; name?: string; input?: unknown };
      return { id: id ?? crypto.randomUUID(), name: name ?? '', arguments: input };
    });
  return calls.length > 0 ? calls : undefined;
}
