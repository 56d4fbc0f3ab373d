import { Parser } from 'htmlparser2';
import type { TextBudget } from './limits.js';
import { normalizeProse } from './normalize.js';
import type { ParsedSection } from './parsed-document.js';

const SKIPPED = new Set(['script', 'style', 'nav', 'noscript', 'template', 'svg', 'math', 'head', 'iframe', 'object', 'canvas', 'button', 'select']);
const PARAGRAPH = new Set([
  'p', 'div', 'section', 'article', 'main', 'aside', 'header', 'footer', 'blockquote', 'pre', 'ul', 'ol',
  'table', 'dl', 'figure', 'figcaption', 'form', 'fieldset', 'address', 'hr', 'details', 'summary', 'body',
]);
const MAX_HEADING_LENGTH = 200;
const LINE = new Set(['br', 'dt', 'dd', 'caption']);

export interface HtmlSections {
  sections: ParsedSection[];
  title?: string;
  firstHeading?: string;
}

interface Heading {
  level: number;
  text: string;
}

// Splits HTML into sections at h1-h6; each section starts with its heading and carries the
// enclosing headings as headingPath. Shared by the HTML, DOCX (via mammoth) and EPUB parsers.
export function parseHtmlSections(html: string, budget: TextBudget): HtmlSections {
  const result: HtmlSections = { sections: [] };
  const headings: Heading[] = [];
  let parts: string[] = [];
  let hasBody = false;
  let skipDepth = 0;
  let heading: { level: number; parts: string[] } | null = null;
  let title: string[] | null = null;
  // Inside table cells, paragraphs are joined with spaces and cells with ' | ', one row per line.
  let cellDepth = 0;
  let cellIndex = 0;

  const flush = (): void => {
    if (hasBody) {
      const text = normalizeProse(parts.join(''));
      budget.add(text);
      const headingPath = headings.map((h) => h.text);
      result.sections.push({ text, location: headingPath.length > 0 ? { headingPath } : {} });
    }
    parts = [];
    hasBody = false;
  };

  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'title' && result.title === undefined) title = [];
        if (SKIPPED.has(name)) skipDepth++;
        if (skipDepth > 0) return;
        const level = headingLevel(name);
        if (level > 0) {
          flush();
          heading = { level, parts: [] };
        } else if (name === 'li') {
          parts.push('\n- ');
        } else if (name === 'td' || name === 'th') {
          if (cellIndex++ > 0) parts.push(' | ');
          cellDepth++;
        } else if (name === 'tr') {
          cellIndex = 0;
          parts.push('\n');
        } else if (PARAGRAPH.has(name)) {
          parts.push(cellDepth > 0 ? ' ' : '\n\n');
        } else if (LINE.has(name)) {
          parts.push('\n');
        }
      },
      ontext(text) {
        if (title) title.push(text);
        if (skipDepth > 0) return;
        if (heading) {
          heading.parts.push(text);
        } else {
          parts.push(text);
          if (!hasBody && /\S/.test(text)) hasBody = true;
        }
      },
      onclosetag(name) {
        if (name === 'title' && title) {
          result.title = oneLine(title.join('')) || undefined;
          title = null;
        }
        if (SKIPPED.has(name)) {
          skipDepth = Math.max(0, skipDepth - 1);
          return;
        }
        if (skipDepth > 0) return;
        if (heading && headingLevel(name) === heading.level) {
          const text = oneLine(heading.parts.join(''));
          const level = heading.level;
          heading = null;
          if (!text) return;
          // An overlong "heading" is broken markup (say, an unclosed <h1>): keep it as body text.
          if (text.length > MAX_HEADING_LENGTH) {
            parts.push('\n\n', text, '\n\n');
            hasBody = true;
            return;
          }
          while (headings.length > 0 && headings[headings.length - 1].level >= level) headings.pop();
          headings.push({ level, text });
          result.firstHeading ??= text;
          parts.push(text, '\n\n');
        } else if (name === 'td' || name === 'th') {
          cellDepth = Math.max(0, cellDepth - 1);
        } else if (PARAGRAPH.has(name)) {
          parts.push(cellDepth > 0 ? ' ' : '\n\n');
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  flush();
  return result;
}

function headingLevel(name: string): number {
  return /^h[1-6]$/.test(name) ? Number(name[1]) : 0;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
