import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import yazl from 'yazl';
import type { DocumentFormat } from '../../src/knowledge-base/parsing/parsed-document.js';

// Fixture documents for knowledge-base ingestion, built in memory. Each holds a planted sentence
// at a known place (the spec in src/knowledge-base/parsing checks the locations).
// Keep planted sentences to plain Latin-1 text: the PDF uses a standard font.

export interface Fixture {
  bytes: Buffer;
  filename: string;
  contentType: string;
}

export const KB_CONTENT_TYPES = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
} as const;

type ZipInput = [name: string, content: string | Buffer, options?: { compress?: boolean }];

export function buildZip(entries: ZipInput[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content, options] of entries) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), name, options);
  }
  zip.end();
  return streamToBuffer(zip.outputStream);
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

function relationships(items: [id: string, type: string, target: string][]): string {
  const rels = items.map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`);
  return `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`;
}

function contentTypes(overrides: [part: string, type: string][]): string {
  const items = overrides.map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`).join('');
  return `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${items}</Types>`;
}

function wordParagraph(text: string, style?: string): string {
  const properties = style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : '';
  return `<w:p>${properties}<w:r><w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r></w:p>`;
}

// A DOCX whose document.xml body is `body` (WordprocessingML paragraphs), with heading styles.
export function buildDocx(body: string, prolog = XML): Promise<Buffer> {
  const styles = [1, 2, 3]
    .map((n) => `<w:style w:type="paragraph" w:styleId="Heading${n}"><w:name w:val="heading ${n}"/></w:style>`)
    .join('');
  return buildZip([
    ['[Content_Types].xml', contentTypes([
      ['/word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'],
      ['/word/styles.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml'],
    ])],
    ['_rels/.rels', relationships([['rId1', 'officeDocument', 'word/document.xml']])],
    ['word/_rels/document.xml.rels', relationships([['rId1', 'styles', 'styles.xml']])],
    ['word/styles.xml', `${XML}<w:styles ${W}>${styles}</w:styles>`],
    ['word/document.xml', `${prolog}<w:document ${W}><w:body>${body}</w:body></w:document>`],
  ]);
}

function slideXml(paragraphs: string[]): string {
  const body = paragraphs.map((text) => `<a:p><a:r><a:t>${xmlEscape(text)}</a:t></a:r></a:p>`).join('');
  return `${XML}<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>${body}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>`;
}

function notesXml(text: string, slideNumber: number): string {
  return `${XML}<p:notes xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>${xmlEscape(text)}</a:t></a:r></a:p></p:txBody></p:sp><p:sp><p:txBody><a:p><a:fld type="slidenum"><a:t>${slideNumber}</a:t></a:fld></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>`;
}

// A PPTX with one slide per entry of `slides` (paragraph texts); notes[i] become slide i's notes.
export function buildPptx(slides: string[][], notes: Record<number, string> = {}): Promise<Buffer> {
  const ids = slides.map((_, i) => `<p:sldId id="${256 + i}" r:id="rId${i + 1}"/>`).join('');
  const entries: ZipInput[] = [
    ['[Content_Types].xml', contentTypes([
      ['/ppt/presentation.xml', 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'],
      ...slides.map((_, i): [string, string] => [`/ppt/slides/slide${i + 1}.xml`, 'application/vnd.openxmlformats-officedocument.presentationml.slide+xml']),
    ])],
    ['_rels/.rels', relationships([['rId1', 'officeDocument', 'ppt/presentation.xml']])],
    ['ppt/presentation.xml', `${XML}<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="${REL}"><p:sldIdLst>${ids}</p:sldIdLst></p:presentation>`],
    ['ppt/_rels/presentation.xml.rels', relationships(slides.map((_, i) => [`rId${i + 1}`, 'slide', `slides/slide${i + 1}.xml`]))],
  ];
  slides.forEach((paragraphs, i) => {
    entries.push([`ppt/slides/slide${i + 1}.xml`, slideXml(paragraphs)]);
    const note = notes[i + 1];
    if (note) {
      entries.push([`ppt/slides/_rels/slide${i + 1}.xml.rels`, relationships([['rId1', 'notesSlide', `../notesSlides/notesSlide${i + 1}.xml`]])]);
      entries.push([`ppt/notesSlides/notesSlide${i + 1}.xml`, notesXml(note, i + 1)]);
    }
  });
  return buildZip(entries);
}

// An EPUB with one XHTML chapter per entry: [title, paragraphs].
export function buildEpub(chapters: [title: string, paragraphs: string[]][]): Promise<Buffer> {
  const manifest = chapters.map((_, i) => `<item id="c${i + 1}" href="text/chapter${i + 1}.xhtml" media-type="application/xhtml+xml"/>`).join('');
  const spine = chapters.map((_, i) => `<itemref idref="c${i + 1}"/>`).join('');
  const entries: ZipInput[] = [
    ['mimetype', 'application/epub+zip', { compress: false }],
    ['META-INF/container.xml', `${XML}<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`],
    ['OEBPS/content.opf', `${XML}<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:kb-fixture</dc:identifier><dc:title>Fixture Book</dc:title><dc:language>en</dc:language></metadata><manifest>${manifest}</manifest><spine>${spine}</spine></package>`],
  ];
  chapters.forEach(([title, paragraphs], i) => {
    const body = paragraphs.map((text) => `<p>${xmlEscape(text)}</p>`).join('\n');
    entries.push([`OEBPS/text/chapter${i + 1}.xhtml`, `${XML}<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>${xmlEscape(title)}</title></head><body><h1>${xmlEscape(title)}</h1>\n${body}</body></html>`]);
  });
  return buildZip(entries);
}

// A PDF with one page per entry; each page's text is drawn one line per string.
export async function buildPdf(pages: string[][]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([612, 792]);
    lines.forEach((line, i) => {
      // Shrink long lines to fit the page so each stays one line of extracted text.
      const size = Math.min(12, 500 / Math.max(1, font.widthOfTextAtSize(line, 1)));
      page.drawText(line, { x: 50, y: 740 - i * 20, size, font });
    });
  }
  return Buffer.from(await pdf.save());
}

export async function buildXlsx(sheets: [name: string, rows: (string | number)[][]][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const [name, rows] of sheets) {
    workbook.addWorksheet(name).addRows(rows);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function codeFile(planted: string): string {
  const lines = ['// Inventory helpers for the fixture warehouse.', '', 'export interface Item {', '  name: string;', '  quantity: number;', '}', ''];
  for (let i = 0; lines.length < 95; i++) {
    lines.push(`export function restock${i}(item: Item): Item {`, `  return { ...item, quantity: item.quantity + ${i} };`, '}', '');
  }
  lines.push(`// ${planted}`, 'export const PLANTED = true;', '');
  return lines.join('\n');
}

const text = (value: string): Buffer => Buffer.from(value, 'utf8');

export async function buildFixture(format: DocumentFormat, planted: string): Promise<Fixture> {
  const filler = 'The archive keeps records of every shipment received at the northern depot.';
  switch (format) {
    case 'pdf':
      return { bytes: await buildPdf([['Fixture report', filler], ['Second page', planted]]), filename: 'report.pdf', contentType: 'application/pdf' };
    case 'docx': {
      const body = [
        wordParagraph('Quarterly report', 'Heading1'),
        wordParagraph(filler),
        wordParagraph('Findings', 'Heading2'),
        wordParagraph(planted),
      ].join('');
      return { bytes: await buildDocx(body), filename: 'report.docx', contentType: KB_CONTENT_TYPES.docx };
    }
    case 'xlsx': {
      const bytes = await buildXlsx([
        ['Summary', [['Metric', 'Value'], ['Shipments', 42]]],
        ['Inventory', [['Item', 'Quantity', 'Note'], ['Bolts', 120, 'Restocked'], ['Nuts', 80, ''], ['Washers', 15, planted]]],
      ]);
      return { bytes, filename: 'inventory.xlsx', contentType: KB_CONTENT_TYPES.xlsx };
    }
    case 'csv': {
      const quoted = `"${planted.replace(/"/g, '""')}"`;
      return { bytes: text(`item,quantity,note\nbolts,120,restocked\nwashers,15,${quoted}\n`), filename: 'inventory.csv', contentType: 'text/csv' };
    }
    case 'pptx':
      return {
        bytes: await buildPptx([['Fixture deck', filler], ['Results', planted]], { 2: 'Mention the results slowly.' }),
        filename: 'deck.pptx',
        contentType: KB_CONTENT_TYPES.pptx,
      };
    case 'epub':
      return { bytes: await buildEpub([['The Depot', [filler]], ['The Harbour', [planted]]]), filename: 'book.epub', contentType: 'application/epub+zip' };
    case 'html': {
      const html = `<!doctype html><html><head><title>Guide</title><script>var hidden = "script text";</script></head><body><nav><a href="/">Home</a></nav><h1>Guide</h1><p>${filler}</p><h2>Details</h2><p>${xmlEscape(planted)}</p></body></html>`;
      return { bytes: text(html), filename: 'guide.html', contentType: 'text/html' };
    }
    case 'markdown':
      return { bytes: text(`# Guide\n\n${filler}\n\n## Details\n\n${planted}\n`), filename: 'guide.md', contentType: 'text/markdown' };
    case 'text':
      return { bytes: text(`Notes\n\n${filler}\n\n${planted}\n`), filename: 'notes.txt', contentType: 'text/plain' };
    case 'json':
      return { bytes: text(JSON.stringify({ title: 'Fixture', notes: { summary: planted } })), filename: 'data.json', contentType: 'application/json' };
    case 'code':
      return { bytes: text(codeFile(planted)), filename: 'inventory.ts', contentType: 'text/plain' };
  }
}

let zipBomb: Buffer | undefined;

// A DOCX whose document.xml inflates to 110 MB of zeros from about 110 KB. With
// `lieAboutSize`, the central directory claims the entry is 4 KB.
export async function buildZipBomb(options: { lieAboutSize?: boolean } = {}): Promise<Buffer> {
  zipBomb ??= await buildHonestZipBomb();
  if (!options.lieAboutSize) return zipBomb;
  const lying = Buffer.from(zipBomb);
  const directory = lying.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  lying.writeUInt32LE(4096, directory + 24);
  return lying;
}

async function buildHonestZipBomb(): Promise<Buffer> {
  const megabyte = Buffer.alloc(1024 * 1024);
  const zeros = Readable.from((function* () {
    for (let i = 0; i < 110; i++) yield megabyte;
  })());
  const zip = new yazl.ZipFile();
  // The parts that make it sniff as a DOCX come first; the bomb is the last entry.
  zip.addBuffer(Buffer.from(contentTypes([['/word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml']])), '[Content_Types].xml');
  zip.addBuffer(Buffer.from(relationships([['rId1', 'officeDocument', 'word/document.xml']])), '_rels/.rels');
  zip.addReadStream(zeros, 'word/document.xml', { size: 110 * megabyte.length });
  zip.end();
  return streamToBuffer(zip.outputStream);
}

// A DOCX whose document.xml declares a billion-laughs entity chain.
export function buildEntityBomb(): Promise<Buffer> {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  const prolog = `${XML}<!DOCTYPE lolz [${entities.join('')}]>`;
  return buildDocx('<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>', prolog);
}
