import { describe, it } from 'node:test';
import { expect } from 'expect';
import { attachmentDisposition, sanitizeFilename } from './content-disposition.js';
import { detectType, Utf8TextCheck } from './content-types.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077', 'hex');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(64)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(256)]);
const code = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { code?: string }) => e.code);

describe('type rules', () => {
  it('trusts magic numbers, not names or declared types', async () => {
    expect(await detectType(PNG, true, 'a.png', 'image/png')).toEqual({ mimeType: 'image/png', text: false });
    expect(await detectType(PNG, true, 'photo', 'application/octet-stream')).toEqual({ mimeType: 'image/png', text: false });
    expect(await detectType(PNG, true, 'a.jpg.png', 'image/png; charset=binary')).toEqual({ mimeType: 'image/png', text: false });
    expect(await detectType(PDF, true, 'doc.pdf', '')).toEqual({ mimeType: 'application/pdf', text: false });
  });

  it('refuses formats outside the allow-list, and contradictions (415 codes)', async () => {
    expect(await code(detectType(ELF, true, 'x.png', 'image/png'))).toBe('UPLOAD_UNSUPPORTED_TYPE');
    expect(await code(detectType(EXE, true, 'setup.exe', 'application/octet-stream'))).toBe('UPLOAD_UNSUPPORTED_TYPE');
    expect(await code(detectType(PDF, true, 'x.pdf', 'image/png'))).toBe('UPLOAD_TYPE_MISMATCH');
    expect(await code(detectType(PDF, true, 'x.png', 'application/octet-stream'))).toBe('UPLOAD_TYPE_MISMATCH');
    expect(await code(detectType(PNG, true, 'x.jpeg', 'image/jpg'))).toBe('UPLOAD_TYPE_MISMATCH');
  });

  it('accepts text without a magic number by extension, else by declared type', async () => {
    const text = Buffer.from('héllo, wörld\n');
    expect(await detectType(text, true, 'notes.md', 'application/octet-stream')).toEqual({ mimeType: 'text/markdown', text: true });
    expect(await detectType(text, true, 'data.csv', 'text/plain')).toEqual({ mimeType: 'text/csv', text: true });
    expect(await detectType(text, true, 'main.py', 'text/x-python')).toEqual({ mimeType: 'text/plain', text: true });
    expect(await detectType(text, true, 'pasted', 'application/json')).toEqual({ mimeType: 'application/json', text: true });
    expect(await detectType(Buffer.from('<a>x</a>'), true, 'data.xml', 'application/xml')).toEqual({ mimeType: 'application/xml', text: true });
    expect(await code(detectType(text, true, 'pasted', 'application/octet-stream'))).toBe('UPLOAD_UNSUPPORTED_TYPE');
    expect(await code(detectType(text, true, 'x.png', 'image/png'))).toBe('UPLOAD_TYPE_MISMATCH');
    expect(await code(detectType(text, true, 'notes.txt', 'image/png'))).toBe('UPLOAD_TYPE_MISMATCH');
    expect(await code(detectType(Buffer.from('a\0b'), true, 'a.txt', 'text/plain'))).toBe('UPLOAD_UNSUPPORTED_TYPE');
    expect(await code(detectType(Buffer.from([0x61, 0xff, 0x62]), true, 'a.txt', 'text/plain'))).toBe('UPLOAD_UNSUPPORTED_TYPE');
    // SVG (scriptable) is not on the list: its declared type is not a text type.
    expect(await code(detectType(Buffer.from('<svg/>'), true, 'x.svg', 'image/svg+xml'))).toBe('UPLOAD_TYPE_MISMATCH');
    expect(await code(detectType(Buffer.from('<svg/>'), true, 'x.svg', ''))).toBe('UPLOAD_UNSUPPORTED_TYPE');
  });

  it('checks UTF-8 across chunk boundaries', async () => {
    const euro = Buffer.from('€'); // 3 bytes
    const check = new Utf8TextCheck();
    expect(check.accepts(euro.subarray(0, 1), false)).toBe(true);
    expect(check.accepts(euro.subarray(1), true)).toBe(true);
    expect(new Utf8TextCheck().accepts(euro.subarray(0, 2), true)).toBe(false);
    // A head cut mid-character is fine while more is to come.
    await expect(detectType(Buffer.concat([Buffer.from('abc'), euro.subarray(0, 2)]), false, 'a.txt', 'text/plain')).resolves.toMatchObject({ text: true });
  });
});

describe('filenames', () => {
  it('keep only a safe display name', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(sanitizeFilename('..')).toBe('file');
    expect(sanitizeFilename('.env')).toBe('env');
    expect(sanitizeFilename('a\u0000b\u202Egnp.exe')).toBe('abgnp.exe');
    expect(sanitizeFilename(undefined)).toBe('file');
    expect([...sanitizeFilename('é'.repeat(400))]).toHaveLength(255);
  });

  it('are sent as RFC 6266 attachments', () => {
    expect(attachmentDisposition('a b.txt')).toBe(`attachment; filename="a b.txt"; filename*=UTF-8''a%20b.txt`);
    expect(attachmentDisposition('naïve "quote";\\.md')).toBe(
      `attachment; filename="na_ve _quote___.md"; filename*=UTF-8''na%C3%AFve%20%22quote%22%3B%5C.md`,
    );
    expect(attachmentDisposition("it's (1)*.txt")).toBe(`attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`);
  });
});
