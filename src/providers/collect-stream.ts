/** What one streamed chunk carries, in any provider's shape. */
export interface StreamPiece {
  text?: string | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
}

/**
 * Reads a provider's stream of chunks to its end, handing each piece of text on as it comes, and
 * returns the whole text with the token counts the stream reported (the last count given wins).
 */
export async function collectStream<T>(
  chunks: AsyncIterable<T>,
  onDelta: (text: string) => void,
  read: (chunk: T) => StreamPiece,
): Promise<{ text: string; inputTokens: number | undefined; outputTokens: number | undefined }> {
  let text = '';
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  for await (const chunk of chunks) {
    const piece = read(chunk);
    if (piece.text) {
      text += piece.text;
      onDelta(piece.text);
    }
    if (piece.inputTokens !== undefined) inputTokens = piece.inputTokens;
    if (piece.outputTokens !== undefined) outputTokens = piece.outputTokens;
  }
  return { text, inputTokens, outputTokens };
}
