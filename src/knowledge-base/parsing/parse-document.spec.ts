import { describe, it } from 'node:test';
import { expect } from 'expect';
import {
  buildDocx,
  buildEntityBomb,
  buildFixture,
  buildPdf,
  buildPptx,
  buildZip,
  buildZipBomb,
  KB_CONTENT_TYPES,
} from '../../../test/support/kb-fixtures.js';
import { detectFormat, parseDocument } from './parse-document.js';
import { DocumentParseError, type DocumentFormat, type ParseLimits, type ParsedDocument, type SourceLocation } from './parsed-document.js';

const LIMITS: ParseLimits = { maxPages: 500, maxCharacters: 1_000_000, maxArchiveEntries: 1000, maxExpandedBytes: 50 * 1024 * 1024 };
const PLANTED = 'The lighthouse keeper stores spare lenses in the blue cabinet.';

async function parseFixture(format: DocumentFormat, limits = LIMITS): Promise<ParsedDocument> {
  return parseDocument(await buildFixture(format, PLANTED), limits);
}

function plantedLocation(document: ParsedDocument): SourceLocation {
  const section = document.sections.find((s) => s.text.includes(PLANTED));
  expect(section).toBeDefined();
  return section!.location;
}

async function expectFailure(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DocumentParseError);
  expect((error as Error).message).toMatch(message);
}

const text = (value: string): Buffer => Buffer.from(value, 'utf8');

describe('detectFormat', () => {
  it('maps the content types the app assigns', () => {
    expect(detectFormat('application/pdf', 'a.pdf')).toBe('pdf');
    expect(detectFormat(KB_CONTENT_TYPES.docx, 'a.docx')).toBe('docx');
    expect(detectFormat(KB_CONTENT_TYPES.xlsx, undefined)).toBe('xlsx');
    expect(detectFormat(KB_CONTENT_TYPES.pptx, undefined)).toBe('pptx');
    expect(detectFormat('application/epub+zip', undefined)).toBe('epub');
    expect(detectFormat('text/html; charset=utf-8', undefined)).toBe('html');
    expect(detectFormat('text/markdown', 'a.md')).toBe('markdown');
    expect(detectFormat('text/csv', 'a.csv')).toBe('csv');
    expect(detectFormat('text/tab-separated-values', 'a.tsv')).toBe('csv');
    expect(detectFormat('application/json', 'a.json')).toBe('json');
    expect(detectFormat('application/jsonl', 'a.jsonl')).toBe('json');
    expect(detectFormat('application/xml', 'a.xml')).toBe('text');
    expect(detectFormat('application/yaml', 'a.yaml')).toBe('text');
  });

  it('tells source code from plain text by extension', () => {
    for (const name of ['a.ts', 'b.py', 'c.go', 'd.java', 'e.c', 'f.rs', 'g.rb', 'h.js', 'i.sql', 'j.sh']) {
      expect(detectFormat('text/plain', name)).toBe('code');
    }
    expect(detectFormat('text/plain', 'notes.txt')).toBe('text');
    expect(detectFormat('text/plain', undefined)).toBe('text');
  });

  it('returns null for unsupported types', () => {
    expect(detectFormat('image/png', 'a.png')).toBeNull();
    expect(detectFormat('application/octet-stream', 'a.bin')).toBeNull();
  });
});

describe('parseDocument: planted sentence and location', () => {
  it('PDF: one section per page, planted on page 2', async () => {
    const document = await parseFixture('pdf');
    expect(document.format).toBe('pdf');
    expect(document.pages).toBe(2);
    expect(plantedLocation(document)).toEqual({ page: 2 });
    expect(document.characters).toBe(document.sections.reduce((n, s) => n + s.text.length, 0));
  });

  it('DOCX: sections at headings with headingPath', async () => {
    const document = await parseFixture('docx');
    expect(plantedLocation(document)).toEqual({ headingPath: ['Quarterly report', 'Findings'] });
  });

  it('XLSX: rows rendered as Header: value, located by sheet and rows', async () => {
    const document = await parseFixture('xlsx');
    const location = plantedLocation(document);
    expect(location.sheet).toBe('Inventory');
    expect(location.rows![0]).toBeLessThanOrEqual(4);
    expect(location.rows![1]).toBeGreaterThanOrEqual(4);
    const section = document.sections.find((s) => s.text.includes(PLANTED))!;
    expect(section.text).toContain(`Item: Washers; Quantity: 15; Note: ${PLANTED}`);
    expect(document.sections.find((s) => s.location.sheet === 'Summary')?.text).toBe('Metric: Shipments; Value: 42');
  });

  it('CSV: located by rows', async () => {
    const document = await parseFixture('csv');
    expect(plantedLocation(document)).toEqual({ rows: [2, 3] });
    expect(document.sections[0].text).toBe(`item: bolts; quantity: 120; note: restocked\n\nitem: washers; quantity: 15; note: ${PLANTED}`);
  });

  it('TSV and semicolon CSV', async () => {
    const tsv = await parseDocument({ bytes: text(`a\tb\nx\t${PLANTED}\n`), contentType: 'text/tab-separated-values' }, LIMITS);
    expect(tsv.sections[0].text).toBe(`a: x; b: ${PLANTED}`);
    const semicolons = await parseDocument({ bytes: text(`a;b\nx;${PLANTED}\n`), contentType: 'text/csv' }, LIMITS);
    expect(semicolons.sections[0].text).toBe(`a: x; b: ${PLANTED}`);
  });

  it('PPTX: one section per slide, with notes', async () => {
    const document = await parseFixture('pptx');
    expect(plantedLocation(document)).toEqual({ slide: 2 });
    expect(document.sections[1].text).toBe(`Results\n${PLANTED}\n\nNotes: Mention the results slowly.`);
  });

  it('EPUB: chapter title and headingPath', async () => {
    const document = await parseFixture('epub');
    expect(plantedLocation(document)).toEqual({ chapter: 'The Harbour', headingPath: ['The Harbour'] });
    expect(document.sections[0].location.chapter).toBe('The Depot');
  });

  it('HTML: headingPath, without script and nav', async () => {
    const document = await parseFixture('html');
    expect(plantedLocation(document)).toEqual({ headingPath: ['Guide', 'Details'] });
    const all = document.sections.map((s) => s.text).join('\n');
    expect(all).not.toContain('script text');
    expect(all).not.toContain('Home');
  });

  it('Markdown: headingPath and source lines', async () => {
    const document = await parseFixture('markdown');
    expect(plantedLocation(document)).toEqual({ headingPath: ['Guide', 'Details'], lines: [5, 7] });
    expect(document.sections[1].text).toBe(`## Details\n\n${PLANTED}`);
  });

  it('Markdown: a heading inside a code block is not a heading', async () => {
    const source = '# Top\n\n```\n# not a heading\n```\n\n## Sub\n\ntext\n';
    const document = await parseDocument({ bytes: text(source), contentType: 'text/markdown' }, LIMITS);
    expect(document.sections.map((s) => s.location.headingPath)).toEqual([['Top'], ['Top', 'Sub']]);
  });

  it('Markdown: YAML front matter is a section of its own', async () => {
    const source = '---\ntitle: Guide\n---\n\nIntro.\n\n# Top\n\nBody.\n';
    const document = await parseDocument({ bytes: text(source), contentType: 'text/markdown' }, LIMITS);
    expect(document.sections.map((s) => s.location)).toEqual([{ lines: [1, 3] }, { lines: [5, 5] }, { headingPath: ['Top'], lines: [7, 9] }]);
  });

  it('plain text: lines', async () => {
    const document = await parseFixture('text');
    expect(plantedLocation(document)).toEqual({ lines: [1, 5] });
  });

  it('code: sections of about 80 lines, planted comment found by line', async () => {
    const document = await parseFixture('code');
    expect(document.format).toBe('code');
    const location = plantedLocation(document);
    const lines = (await buildFixture('code', PLANTED)).bytes.toString('utf8').split('\n');
    const plantedLine = lines.findIndex((line) => line.includes(PLANTED)) + 1;
    expect(location.lines![0]).toBeLessThanOrEqual(plantedLine);
    expect(location.lines![1]).toBeGreaterThanOrEqual(plantedLine);
    expect(document.sections.length).toBeGreaterThan(1);
    for (const section of document.sections) expect(section.location.lines![1] - section.location.lines![0]).toBeLessThan(80);
    // Indentation survives.
    expect(document.sections[0].text).toContain('\n  name: string;');
  });

  it('JSON: pretty-printed, split by top-level key, with lines', async () => {
    const document = await parseFixture('json');
    expect(plantedLocation(document)).toEqual({ lines: [2, 5] });
    const array = Array.from({ length: 60 }, (_, i) => ({ id: i, note: i === 50 ? PLANTED : 'filler' }));
    const grouped = await parseDocument({ bytes: text(JSON.stringify(array)), contentType: 'application/json' }, LIMITS);
    expect(grouped.sections.length).toBeGreaterThan(1);
    const section = grouped.sections.find((s) => s.text.includes(PLANTED))!;
    expect(section.text).toContain('"id": 50');
  });

  it('JSON Lines: source lines', async () => {
    const bytes = text(`{"a":1}\n\n{"note":"${PLANTED}"}\n`);
    const document = await parseDocument({ bytes, contentType: 'application/jsonl', filename: 'x.jsonl' }, LIMITS);
    expect(plantedLocation(document)).toEqual({ lines: [1, 3] });
  });

  it('HTML: table rows on one line each, cells joined with |', async () => {
    const html = '<h1>Prices</h1><table><tr><th>Item</th><th>Price</th></tr><tr><td><p>Bolt</p></td><td><p>2 EUR</p></td></tr></table>';
    const document = await parseDocument({ bytes: text(html), contentType: 'text/html' }, LIMITS);
    expect(document.sections[0].text).toBe('Prices\n\nItem | Price\nBolt | 2 EUR');
  });

  it('HTML: text swallowed by an unclosed heading is kept', async () => {
    const body = `${PLANTED} `.repeat(5);
    const document = await parseDocument({ bytes: text(`<h2>Broken<p>${body}</p>`), contentType: 'text/html' }, LIMITS);
    expect(document.sections[0].text).toContain(PLANTED);
  });

  it('normalises whitespace and keeps paragraph breaks', async () => {
    const html = '<p>one   two\t three</p>\n\n\n<p>four</p><ul><li>five</li><li>six</li></ul>';
    const document = await parseDocument({ bytes: text(html), contentType: 'text/html' }, LIMITS);
    expect(document.sections[0].text).toBe('one two three\n\nfour\n\n- five\n- six');
  });
});

describe('parseDocument: refusals', () => {
  it('refuses unsupported types', async () => {
    await expectFailure(
      parseDocument({ bytes: text('x'), contentType: 'image/png', filename: 'a.png' }, LIMITS),
      /^Files of type image\/png cannot be added to a knowledge base$/,
    );
  });

  it('refuses a zip bomb without inflating it', async () => {
    const bomb = await buildZipBomb();
    expect(bomb.length).toBeLessThan(500 * 1024);
    await expectFailure(
      parseDocument({ bytes: bomb, contentType: KB_CONTENT_TYPES.docx, filename: 'bomb.docx' }, LIMITS),
      /^The DOCX file expands to more than 50 MB when unpacked$/,
    );
  });

  it('refuses a zip bomb that lies about its size', async () => {
    const bomb = await buildZipBomb({ lieAboutSize: true });
    await expectFailure(
      parseDocument({ bytes: bomb, contentType: KB_CONTENT_TYPES.docx, filename: 'bomb.docx' }, LIMITS),
      /DOCX file is corrupt: a part inflates to a different size than declared/,
    );
  });

  it('counts inflated bytes across entries', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    const bytes = await buildZip([['a.bin', big], ['b.bin', big], ['c.bin', big]]);
    const limits = { ...LIMITS, maxExpandedBytes: 5 * 1024 * 1024 };
    await expectFailure(parseDocument({ bytes, contentType: KB_CONTENT_TYPES.pptx }, limits), /^The PPTX file expands to more than 5 MB/);
  });

  it('refuses too many archive entries', async () => {
    const bytes = await buildZip(Array.from({ length: 30 }, (_, i): [string, string] => [`part${i}.xml`, '<a/>']));
    await expectFailure(
      parseDocument({ bytes, contentType: KB_CONTENT_TYPES.xlsx }, { ...LIMITS, maxArchiveEntries: 20 }),
      /^The XLSX file has 30 parts; the limit is 20$/,
    );
  });

  it('refuses a billion-laughs entity bomb', async () => {
    await expectFailure(
      parseDocument({ bytes: await buildEntityBomb(), contentType: KB_CONTENT_TYPES.docx }, LIMITS),
      /^The DOCX file declares XML entities, which are not allowed$/,
    );
  });

  it('refuses a zip-based document that is not a zip', async () => {
    await expectFailure(parseDocument({ bytes: text('not a zip'), contentType: KB_CONTENT_TYPES.docx }, LIMITS), /not a valid DOCX document/);
  });

  it('refuses a PDF with too many pages', async () => {
    const bytes = await buildPdf([['one'], ['two'], ['three']]);
    await expectFailure(parseDocument({ bytes, contentType: 'application/pdf' }, { ...LIMITS, maxPages: 2 }), /^The PDF has 3 pages; the limit is 2$/);
  });

  it('refuses a presentation with too many slides', async () => {
    const bytes = await buildPptx([['one'], ['two'], ['three']]);
    await expectFailure(
      parseDocument({ bytes, contentType: KB_CONTENT_TYPES.pptx }, { ...LIMITS, maxPages: 2 }),
      /^The presentation has 3 slides; the limit is 2$/,
    );
  });

  it('refuses a corrupt PDF', async () => {
    await expectFailure(parseDocument({ bytes: text('%PDF-1.7 garbage'), contentType: 'application/pdf' }, LIMITS), /PDF/);
  });

  it('refuses too many characters, in every format', async () => {
    const limits = { ...LIMITS, maxCharacters: 20 };
    for (const format of ['pdf', 'docx', 'xlsx', 'csv', 'pptx', 'epub', 'html', 'markdown', 'text', 'json', 'code'] as const) {
      await expectFailure(parseFixture(format, limits), /^The document has more than 20 characters of text$/);
    }
  });

  it('refuses text that is not UTF-8', async () => {
    const bytes = Buffer.from([0x48, 0x69, 0xff, 0xfe, 0x20, 0xc3]);
    await expectFailure(parseDocument({ bytes, contentType: 'text/plain', filename: 'a.txt' }, LIMITS), /^The file is not valid UTF-8 text$/);
  });

  it('refuses invalid JSON', async () => {
    await expectFailure(parseDocument({ bytes: text('{"a": 1,'), contentType: 'application/json' }, LIMITS), /^The file is not valid JSON/);
    await expectFailure(
      parseDocument({ bytes: text('{"a":1}\n{oops}\n'), contentType: 'application/jsonl' }, LIMITS),
      /^Line 2 of the file is not valid JSON$/,
    );
  });

  it('refuses documents with no text', async () => {
    await expectFailure(parseDocument({ bytes: text('  \n\n '), contentType: 'text/plain' }, LIMITS), /^No text could be extracted/);
    await expectFailure(parseDocument({ bytes: await buildDocx(''), contentType: KB_CONTENT_TYPES.docx }, LIMITS), /^No text could be extracted/);
    await expectFailure(parseDocument({ bytes: await buildPdf([[], []]), contentType: 'application/pdf' }, LIMITS), /^No text could be extracted from the PDF/);
    await expectFailure(parseDocument({ bytes: text('<html><script>x()</script></html>'), contentType: 'text/html' }, LIMITS), /^No text/);
  });
});
