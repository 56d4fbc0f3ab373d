import { parseHtmlSections } from './html-sections.js';
import type { TextBudget } from './limits.js';
import { decodeText } from './normalize.js';
import type { ParserOutput } from './parser-output.js';

export function parseHtml(bytes: Buffer, budget: TextBudget): ParserOutput {
  return { sections: parseHtmlSections(decodeText(bytes), budget).sections };
}
