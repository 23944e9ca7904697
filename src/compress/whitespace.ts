const blockTags = /<\/?(?:p|div|br|li|tr|h[1-6]|ul|ol|table|section|article|header|footer|blockquote)\b[^>]*>[ \t]*/gi;
const inlineTags = /<\/?(?:span|b|i|u|em|strong|font|small|big|a|td|th|tbody|thead|abbr|mark|sup|sub)\b[^>]*>/gi;
const entities: Record<string, string> = {
  '&nbsp;': ' ',
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&apos;': "'",
};

/** Drop HTML comments and formatting tags (block tags become line breaks) and decode the common entities. */
export function stripMarkup(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(blockTags, '\n')
    .replace(inlineTags, '')
    .replace(/&(?:nbsp|amp|lt|gt|quot|#39|apos);/g, (entity) => entities[entity]!);
}

/**
 * Collapse what a tokenizer pays for and a model ignores: runs of spaces inside a line (indentation
 * is kept), trailing spaces, and more than one blank line in a row.
 */
export function normalizeWhitespace(text: string, markup: boolean): string {
  return (markup ? stripMarkup(text) : text)
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2000-\u200b\u202f\u3000]/g, ' ')
    .replace(/(?<=\S)[ \t]{2,}/g, ' ')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n');
}
