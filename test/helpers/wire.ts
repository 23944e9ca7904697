/** Response bodies in each provider's real wire format. */

export function openAIChat(
  text: string,
  options: { promptTokens?: number; completionTokens?: number; logprobs?: number[]; model?: string } = {},
) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: options.model ?? 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null },
        logprobs: options.logprobs
          ? {
              content: options.logprobs.map((logprob, index) => ({
                token: `t${index}`,
                logprob,
                bytes: null,
                top_logprobs: [],
              })),
            }
          : null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: options.promptTokens ?? 20,
      completion_tokens: options.completionTokens ?? 5,
      total_tokens: (options.promptTokens ?? 20) + (options.completionTokens ?? 5),
    },
  };
}

export function openAIError(message: string, type = 'server_error') {
  return { error: { message, type, param: null, code: null } };
}

export function anthropicMessage(
  text: string,
  options: { inputTokens?: number; outputTokens?: number; model?: string } = {},
) {
  return {
    id: 'msg_test',
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'claude-haiku-4-5',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: options.inputTokens ?? 30, output_tokens: options.outputTokens ?? 8 },
  };
}

export function anthropicError(message: string, type = 'api_error') {
  return { type: 'error', error: { type, message } };
}

export function ollamaChat(
  text: string,
  options: { promptEvalCount?: number; evalCount?: number; model?: string; logprobs?: number[] } = {},
) {
  return {
    model: options.model ?? 'llama3.2:3b',
    created_at: '2026-11-22T10:00:00Z',
    message: { role: 'assistant', content: text },
    done: true,
    done_reason: 'stop',
    total_duration: 1000,
    load_duration: 10,
    prompt_eval_count: options.promptEvalCount ?? 25,
    prompt_eval_duration: 100,
    eval_count: options.evalCount ?? 7,
    eval_duration: 200,
    ...(options.logprobs && { logprobs: options.logprobs.map((logprob, index) => ({ token: `t${index}`, logprob })) }),
  };
}
