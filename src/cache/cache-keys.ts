import { canonicalJson, sha256 } from '../common/canonical-json.js';
import type { CascadeRequest } from '../spec/request.js';

/** The parameters that change an answer; an item's id does not. */
function answerShaping(request: CascadeRequest) {
  const { temperature, topP, maxTokens, stop } = request.params ?? {};
  return { outputSchema: request.outputSchema, params: { temperature, topP, maxTokens, stop } };
}

/**
 * The keys of a request. `exact`: everything that changes the answer (the cascade, every message,
 * the output schema, the parameters). `context`: the same without the last user message, which a
 * semantic hit must share exactly. `query`: that last user message, the text compared by meaning.
 */
export function cacheKeys(
  request: CascadeRequest,
  cascadeFingerprint: string,
): { exact: string; context: string; query: string } {
  const lastUser = request.messages.findLastIndex((message) => message.role === 'user');
  const query = lastUser === -1 ? '' : request.messages[lastUser]!.content;
  const shaping = answerShaping(request);
  const messages = request.messages.map((message) => [message.role, message.content]);
  return {
    exact: sha256(canonicalJson({ cascade: cascadeFingerprint, messages, ...shaping })),
    context: sha256(
      canonicalJson({
        cascade: cascadeFingerprint,
        messages: messages.filter((_, index) => index !== lastUser),
        lastUser,
        ...shaping,
      }),
    ),
    query,
  };
}
