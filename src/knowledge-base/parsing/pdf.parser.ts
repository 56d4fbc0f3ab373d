import { getDocumentProxy } from 'unpdf';
import { assertPageCount, type TextBudget } from './limits.js';
import { normalizeProse } from './normalize.js';
import { DocumentParseError, type ParseLimits, type ParsedSection } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

// One section per non-empty page. Pages are read one at a time so the character limit
// stops a huge PDF early.
export async function parsePdf(bytes: Buffer, limits: ParseLimits, budget: TextBudget): Promise<ParserOutput> {
  const pdf = await openPdf(bytes);
  try {
    assertPageCount(pdf.numPages, limits.maxPages, 'PDF', 'pages');
    const sections: ParsedSection[] = [];
    for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber++) {
      const text = normalizeProse(await pageText(pdf, pageNumber));
      if (!text) continue;
      budget.add(text);
      sections.push({ text, location: { page: pageNumber } });
    }
    return { sections, pages: pdf.numPages };
  } finally {
    await pdf.destroy();
  }
}

async function openPdf(bytes: Buffer): Promise<PdfDocument> {
  try {
    // A copy: pdf.js may transfer (detach) the array it is given.
    return await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, verbosity: 0 });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'PasswordException') {
      throw new DocumentParseError('The PDF is password-protected');
    }
    throw new DocumentParseError('The file is not a valid PDF (it may be corrupt)');
  }
}

async function pageText(pdf: PdfDocument, pageNumber: number): Promise<string> {
  try {
    const page = await pdf.getPage(pageNumber);
    const content = await page.getTextContent();
    page.cleanup();
    // Same joining as unpdf's extractText: a line break where pdf.js marks the end of a line.
    return content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join('');
  } catch {
    throw new DocumentParseError(`Page ${pageNumber} of the PDF could not be read (the file may be corrupt)`);
  }
}
