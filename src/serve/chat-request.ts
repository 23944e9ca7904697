import type { CascadeRequest, ChatMessage, RequestParams } from '../spec/request.js';
import { ServeError } from './serve-error.js';

/** What the server reads of an OpenAI chat-completions body. */
export interface ChatRequest {
  model: string;
  request: CascadeRequest;
  stream: boolean;
  includeUsage: boolean;
}

const roles = new Set(['system', 'developer', 'user', 'assistant']);

/** Text of a message's content: a string, or an array of parts of which the text parts are kept. */
function contentText(content: unknown, index: number): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts = content.map((part, partIndex) => {
      const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
      if (type !== 'text' || typeof text !== 'string') {
        throw new ServeError(
          400,
          `messages[${index}].content[${partIndex}]: only text parts are supported`,
          'invalid_request_error',
          null,
          `messages[${index}].content`,
        );
      }
      return text;
    });
    return texts.join('');
  }
  throw new ServeError(
    400,
    `messages[${index}].content must be a string or an array of text parts`,
    'invalid_request_error',
    null,
    `messages[${index}].content`,
  );
}

/**
 * An OpenAI chat-completions body as a cascade request: messages (system and developer messages are
 * system messages), `response_format` json_schema as the output schema the json-schema gate checks,
 * temperature, top_p, max_tokens (or max_completion_tokens), stop, and `n: 1`.
 */
export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServeError(400, 'the body must be a JSON object');
  }
  const raw = body as Record<string, unknown>;
  if (typeof raw['model'] !== 'string' || raw['model'] === '') {
    throw new ServeError(
      400,
      'model: required, the name of a cascade this server serves',
      'invalid_request_error',
      null,
      'model',
    );
  }
  if (!Array.isArray(raw['messages']) || raw['messages'].length === 0) {
    throw new ServeError(400, 'messages: required, a non-empty array', 'invalid_request_error', null, 'messages');
  }
  const messages: ChatMessage[] = raw['messages'].map((message, index) => {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !roles.has(role)) {
      throw new ServeError(
        400,
        `messages[${index}].role must be system, developer, user or assistant`,
        'invalid_request_error',
        null,
        `messages[${index}].role`,
      );
    }
    return {
      role: role === 'developer' ? 'system' : (role as ChatMessage['role']),
      content: contentText(content, index),
    };
  });
  if (raw['n'] !== undefined && raw['n'] !== 1) {
    throw new ServeError(
      400,
      'n: a cascade returns one answer; only n = 1 is supported',
      'invalid_request_error',
      null,
      'n',
    );
  }
  const params: RequestParams = {};
  const number = (name: string) => {
    const value = raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ServeError(400, `${name} must be a number`, 'invalid_request_error', null, name);
    }
    return value;
  };
  const temperature = number('temperature');
  const topP = number('top_p');
  const maxTokens = number('max_completion_tokens') ?? number('max_tokens');
  if (temperature !== undefined) params.temperature = temperature;
  if (topP !== undefined) params.topP = topP;
  if (maxTokens !== undefined) params.maxTokens = maxTokens;
  const stop = raw['stop'];
  if (typeof stop === 'string') params.stop = [stop];
  else if (Array.isArray(stop) && stop.every((item) => typeof item === 'string')) params.stop = stop as string[];
  const request: CascadeRequest = { messages, ...(Object.keys(params).length > 0 && { params }) };
  const format = raw['response_format'] as { type?: unknown; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_schema') {
    const schema = format.json_schema?.schema;
    if (typeof schema !== 'object' || schema === null) {
      throw new ServeError(
        400,
        'response_format.json_schema.schema must be a JSON schema object',
        'invalid_request_error',
        null,
        'response_format',
      );
    }
    request.outputSchema = schema as Record<string, unknown>;
  }
  const options = raw['stream_options'] as { include_usage?: unknown } | undefined;
  return {
    model: raw['model'],
    request,
    stream: raw['stream'] === true,
    includeUsage: options?.include_usage === true,
  };
}
