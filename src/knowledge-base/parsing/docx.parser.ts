import mammoth from 'mammoth';
import { parseHtmlSections } from './html-sections.js';
import type { TextBudget } from './limits.js';
import { DocumentParseError, type ParseLimits } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';
import { readZipSafely } from './zip-guard.js';

// mammoth turns Word heading styles into h1-h6, so the HTML parser yields sections with headingPath.
export async function parseDocx(bytes: Buffer, limits: ParseLimits, budget: TextBudget): Promise<ParserOutput> {
  await readZipSafely(bytes, limits, 'DOCX');
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: bytes },
      // Images are dropped instead of being inlined as base64.
      { convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })) },
    );
    html = result.value;
  } catch {
    throw new DocumentParseError('The DOCX file could not be read (it may be corrupt)');
  }
  return { sections: parseHtmlSections(html, budget).sections };
}
