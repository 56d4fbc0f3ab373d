import { marked, type Token, type Tokens } from 'marked';
import type { TextBudget } from './limits.js';
import { decodeText, normalizeLines } from './normalize.js';
import type { ParsedSection } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';

const FRONT_MATTER = /^---\n[\s\S]*?\n---[ \t]*(\n|$)/;

interface Heading {
  depth: number;
  text: string;
}

// Sections split at headings (marked's lexer, so headings inside code blocks are not headings).
// The Markdown source is kept as it is: it reads and embeds well. lines are source lines.
export function parseMarkdown(bytes: Buffer, budget: TextBudget): ParserOutput {
  let source = decodeText(bytes).replace(/\r\n?/g, '\n');
  const sections: ParsedSection[] = [];
  const headings: Heading[] = [];
  let parts: string[] = [];
  let hasBody = false;
  let line = 1;
  let firstLine = 1;

  const flush = (): void => {
    const text = normalizeLines(parts.join(''));
    if (hasBody && text) {
      budget.add(text);
      const headingPath = headings.map((h) => h.text);
      const lastLine = firstLine + countLines(parts.join('').trimEnd());
      sections.push({ text, location: { ...(headingPath.length > 0 ? { headingPath } : {}), lines: [firstLine, lastLine] } });
    }
    parts = [];
    hasBody = false;
  };

  // YAML front matter would lex as a rule and a setext heading; keep it as a section of its own.
  const frontMatter = FRONT_MATTER.exec(source)?.[0];
  if (frontMatter) {
    const text = normalizeLines(frontMatter);
    budget.add(text);
    sections.push({ text, location: { lines: [1, countLines(frontMatter)] } });
    source = source.slice(frontMatter.length);
    line = firstLine = countLines(frontMatter) + 1;
  }

  for (const token of marked.lexer(source)) {
    if (token.type === 'heading') {
      flush();
      // Token's union includes a generic token, so the narrowing needs spelling out.
      const { depth } = token as Tokens.Heading;
      const text = plainText(token).replace(/\s+/g, ' ').trim();
      while (headings.length > 0 && headings[headings.length - 1].depth >= depth) headings.pop();
      if (text) headings.push({ depth, text });
      firstLine = line;
    } else if (token.type !== 'space' && !hasBody) {
      hasBody = true;
    }
    if (parts.length === 0 && token.type === 'space') {
      firstLine = line + countLines(token.raw);
    } else {
      parts.push(token.raw);
    }
    line += countLines(token.raw);
  }
  flush();
  return { sections };
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function plainText(token: Token): string {
  if ('tokens' in token && Array.isArray(token.tokens)) return token.tokens.map(plainText).join('');
  return 'text' in token && typeof token.text === 'string' ? token.text : '';
}
