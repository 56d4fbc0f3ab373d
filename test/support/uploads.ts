import { createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import http from 'node:http';

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// A real, decodable PNG of w×h random RGB pixels (so its size is predictable and large).
export function pngBytes(width = 8, height = 8): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.concat(Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), randomBytes(width * 3)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const ELF_HEADER = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), randomBytes(256)]);
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

const BOUNDARY = '----cbxTestBoundary7MA4YWxkTrZu0gW';

export function multipartHead(filename: string, contentType: string, field = 'file'): Buffer {
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
}
export const MULTIPART_TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

// Sends a multipart upload by hand: in chunks with Transfer-Encoding: chunked (no
// Content-Length), so the server cannot know the size up front.
export function sendChunked(url: string, token: string, parts: Buffer[]): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': MULTIPART_TYPE, 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    const write = (i: number) => {
      if (i === parts.length) return req.end();
      req.write(parts[i], () => setImmediate(() => write(i + 1)));
    };
    write(0);
  });
}

// Starts an upload, sends part of the body, then drops the connection.
export function sendAborted(url: string, token: string, head: Buffer, partial: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(`${url}/api/v1/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': MULTIPART_TYPE,
        'content-length': String(head.length + partial.length * 4 + MULTIPART_TAIL.length),
      },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(Buffer.concat([head, partial]), () => {
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 150);
    });
  });
}
