import { posix } from 'node:path';
import { parseHtmlSections } from './html-sections.js';
import { assertPageCount, type TextBudget } from './limits.js';
import { DocumentParseError, type ParseLimits, type ParsedSection } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';
import { resolvePart, xmlElements } from './xml.js';
import { readZipSafely, type ZipEntries } from './zip-guard.js';

const CONTAINER = 'META-INF/container.xml';
const CHAPTER_TYPES = new Set(['application/xhtml+xml', 'text/html']);

// Chapters in spine order; each is split at its headings. chapter = the chapter's first heading,
// else its <title>, else its file name.
export async function parseEpub(bytes: Buffer, limits: ParseLimits, budget: TextBudget): Promise<ParserOutput> {
  const entries = await readZipSafely(bytes, limits, 'EPUB', (name) => /\.(xml|opf|x?html?|ncx)$/i.test(name));
  const chapters = spine(entries);
  assertPageCount(chapters.length, limits.maxPages, 'book', 'chapters');
  const sections: ParsedSection[] = [];
  for (const part of chapters) {
    const html = entries.get(part)?.toString('utf8');
    if (!html) continue;
    const parsed = parseHtmlSections(html, budget);
    const chapter = parsed.firstHeading ?? parsed.title ?? posix.basename(part);
    for (const section of parsed.sections) {
      sections.push({ text: section.text, location: { chapter, ...section.location } });
    }
  }
  return { sections };
}

function spine(entries: ZipEntries): string[] {
  const container = entries.get(CONTAINER)?.toString('utf8');
  const opfPath = container ? xmlElements(container, 'rootfile')[0]?.['full-path'] : undefined;
  const opf = opfPath ? entries.get(opfPath)?.toString('utf8') : undefined;
  if (!opfPath || !opf) {
    throw new DocumentParseError('The file is not a valid EPUB book (its package document is missing)');
  }
  const manifest = new Map<string, string>();
  for (const item of xmlElements(opf, 'item')) {
    if (item.id && item.href && CHAPTER_TYPES.has(item['media-type'] ?? '')) manifest.set(item.id, resolvePart(opfPath, item.href));
  }
  const parts = xmlElements(opf, 'itemref')
    .map((itemref) => manifest.get(itemref.idref ?? ''))
    .filter((part): part is string => part !== undefined);
  return [...new Set(parts)];
}
