import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { UploadsService } from '../../src/uploads/uploads.service.js';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { type LocalS3, startLocalS3 } from '../support/s3-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  ELF_HEADER,
  multipartHead,
  MULTIPART_TAIL,
  PDF_BYTES,
  pngBytes,
  sendAborted,
  sendChunked,
  sha256,
} from '../support/uploads.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const KEY = /^users\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/;
const PROBLEM = /^application\/problem\+json/;
const MISSING_ID = '0190c3f0-0000-7000-8000-000000000000';
const KiB = 1024;
const MiB = 1024 * KiB;
const LIMITS = { UPLOAD_MAX_BYTES: String(256 * KiB), UPLOAD_QUOTA_BYTES: String(600 * KiB), UPLOAD_IMAGE_MAX_BYTES: String(100 * KiB) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

for (const driver of ['local', 's3'] as const) {
  describe(`uploads on ${driver} storage`, () => {
    let s3: LocalS3 | undefined;
    let t: TestApp;
    let alice: TestUser;
    let bob: TestUser;

    before(async () => {
      s3 = driver === 's3' ? await startLocalS3() : undefined;
      t = await startTestApp({ ...LIMITS, ...s3?.env });
      [alice, bob] = [await registerUser(t), await registerUser(t)];
    });
    after(async () => {
      await t.close();
      await s3?.close();
    });

    const api = () => request(t.url);
    const root = () => join(t.env.DATA_DIR, 'uploads');
    // Every stored object key (local: files under the root, outside the temp dir).
    const objectKeys = async (): Promise<string[]> => {
      if (s3) return s3.listKeys();
      const files = readdirSync(root(), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
      return files.map((d) => relative(root(), join(d.parentPath, d.name)).split('\\').join('/')).sort();
    };
    const tempFiles = () => (existsSync(join(root(), '.tmp')) ? readdirSync(join(root(), '.tmp')) : []);
    const upload = (user: TestUser, bytes: Buffer, filename: string, contentType: string) =>
      api().post('/api/v1/uploads').set(bearer(user.accessToken)).attach('file', bytes, { filename, contentType });
    const download = (user: TestUser, id: string) =>
      api().get(`/api/v1/uploads/${id}/content`).set(bearer(user.accessToken)).buffer(true).parse(binary);
    const quota = async (user: TestUser) => (await api().get('/api/v1/uploads/quota').set(bearer(user.accessToken)).expect(200)).body;
    // Refusals must leave nothing: no row, no object, no temp file.
    const expectNothingStored = async (user: TestUser, keysBefore: string[], usedBefore: number) => {
      await sleep(100);
      expect(await objectKeys()).toEqual(keysBefore);
      expect(tempFiles()).toEqual([]);
      expect((await quota(user)).usedBytes).toBe(usedBefore);
    };

    it('refuses every uploads route without credentials (401 problem)', async () => {
      for (const call of [
        api().post('/api/v1/uploads').attach('file', PDF_BYTES, 'a.pdf'),
        api().get('/api/v1/uploads'),
        api().get('/api/v1/uploads/quota'),
        api().get(`/api/v1/uploads/${MISSING_ID}`),
        api().get(`/api/v1/uploads/${MISSING_ID}/content`),
        api().delete(`/api/v1/uploads/${MISSING_ID}`),
      ]) {
        const res = await call.expect(401);
        expect(res.headers['content-type']).toMatch(PROBLEM);
      }
      expect(await objectKeys()).toEqual([]);
    });

    it('stores a PNG under a generated key; get, download (bytes, sha256, headers) and quota agree', async () => {
      const png = pngBytes(16, 16);
      const res = await upload(alice, png, 'Holiday photo.png', 'image/png').expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        filename: 'Holiday photo.png',
        contentType: 'image/png',
        sizeBytes: png.length,
        sha256: sha256(png),
        createdAt: expect.any(String),
      });
      expect(await objectKeys()).toEqual([expect.stringMatching(new RegExp(`^users/${alice.id}/`))]);
      expect((await api().get(`/api/v1/uploads/${res.body.id}`).set(bearer(alice.accessToken)).expect(200)).body).toEqual(res.body);
      const got = await download(alice, res.body.id).expect(200);
      expect(Buffer.compare(got.body as Buffer, png)).toBe(0);
      expect(sha256(got.body as Buffer)).toBe(res.body.sha256);
      expect(got.headers).toMatchObject({
        'content-type': 'image/png',
        'content-length': String(png.length),
        'content-disposition': `attachment; filename="Holiday photo.png"; filename*=UTF-8''Holiday%20photo.png`,
        'x-content-type-options': 'nosniff',
      });
      expect(await quota(alice)).toEqual({ usedBytes: png.length, quotaBytes: 600 * KiB });
    });

    it('accepts PDF and UTF-8 text by the rules, names with any characters, and lists with pagination', async () => {
      const pdf = await upload(alice, PDF_BYTES, 'report.pdf', 'application/octet-stream').expect(201);
      expect(pdf.body.contentType).toBe('application/pdf');
      const text = Buffer.from('# Notes\n\nÜnïcödé, emoji 🎉, and more.\n');
      const md = await upload(alice, text, 'Résumé «notes».md', 'text/markdown').expect(201);
      expect(md.body).toMatchObject({ contentType: 'text/markdown', filename: 'Résumé «notes».md', sizeBytes: text.length });
      const got = await download(alice, md.body.id).expect(200);
      expect((got.body as Buffer).toString('utf8')).toBe(text.toString('utf8'));
      expect(got.headers['content-type']).toBe('text/markdown; charset=utf-8');
      expect(got.headers['content-disposition']).toBe(
        `attachment; filename="R_sum_ _notes_.md"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%C2%ABnotes%C2%BB.md`,
      );

      const first = await api().get('/api/v1/uploads?limit=2').set(bearer(alice.accessToken)).expect(200);
      expect(first.body.data.map((u: { id: string }) => u.id)).toEqual([md.body.id, pdf.body.id]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api().get(`/api/v1/uploads?limit=2&cursor=${first.body.nextCursor}`).set(bearer(alice.accessToken)).expect(200);
      expect(second.body.data).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      await api().get('/api/v1/uploads?cursor=bogus').set(bearer(alice.accessToken)).expect(400);
      const used = (await quota(alice)).usedBytes;
      expect(used).toBe(first.body.data.concat(second.body.data).reduce((n: number, u: { sizeBytes: number }) => n + u.sizeBytes, 0));
    });

    it('refuses a disguised or unknown type (415) and stores nothing', async () => {
      const [keys, used] = [await objectKeys(), (await quota(alice)).usedBytes];
      const elf = await upload(alice, ELF_HEADER, 'x.png', 'image/png').expect(415);
      expect(elf.headers['content-type']).toMatch(PROBLEM);
      expect(elf.body).toMatchObject({ code: 'UPLOAD_UNSUPPORTED_TYPE', detail: expect.stringContaining('application/x-elf') });
      const pdfAsPng = await upload(alice, PDF_BYTES, 'x.png', 'image/png').expect(415);
      expect(pdfAsPng.body.code).toBe('UPLOAD_TYPE_MISMATCH');
      await upload(alice, PDF_BYTES, 'x.png', 'application/octet-stream').expect(415);
      await upload(alice, Buffer.from('plain words'), 'x.png', 'image/png').expect(415);
      await upload(alice, Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]), 'data.bin', 'application/octet-stream').expect(415);
      await upload(alice, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'x.svg', 'image/svg+xml').expect(415);
      await upload(alice, Buffer.from('no extension, no type'), 'README', 'application/octet-stream').expect(415);
      await upload(alice, Buffer.from('ok'), 'empty.txt', 'text/plain').expect(201).then((r) => api().delete(`/api/v1/uploads/${r.body.id}`).set(bearer(alice.accessToken)).expect(204));
      await upload(alice, Buffer.alloc(0), 'empty.txt', 'text/plain').expect(400);
      // Text whose invalid bytes come after the sniffed head is refused once seen.
      const late = Buffer.concat([Buffer.alloc(80 * KiB, 'a'), Buffer.from([0xc3, 0x28])]);
      expect((await upload(alice, late, 'big.txt', 'text/plain').expect(415)).body.code).toBe('UPLOAD_UNSUPPORTED_TYPE');
      await expectNothingStored(alice, keys, used);
    });

    it('stores a path-traversal filename under a generated key, shown sanitized', async () => {
      const res = await upload(alice, Buffer.from('root:x:0:0\n'), '../../etc/passwd', 'text/plain').expect(201);
      expect(res.body.filename).toBe('passwd');
      expect(await objectKeys()).toEqual(expect.arrayContaining([expect.stringMatching(KEY)]));
      expect((await objectKeys()).every((k) => KEY.test(k))).toBe(true);
      expect(existsSync(join(t.env.DATA_DIR, 'etc'))).toBe(false);
      expect(existsSync(join(root(), '..', '..', 'etc', 'passwd'))).toBe(false);
    });

    it('answers 413 past UPLOAD_MAX_BYTES, with a Content-Length and chunked, storing nothing', async () => {
      const [keys, used] = [await objectKeys(), (await quota(alice)).usedBytes];
      const tooBig = Buffer.alloc(256 * KiB + 1, 'a');
      const res = await upload(alice, tooBig, 'big.txt', 'text/plain').expect(413);
      expect(res.body).toMatchObject({ status: 413, code: 'UPLOAD_TOO_LARGE', detail: expect.stringContaining('256 KiB') });
      await upload(alice, Buffer.alloc(2 * MiB, 'a'), 'huge.txt', 'text/plain').expect(413);
      const head = multipartHead('chunked.txt', 'text/plain');
      const chunks = Array.from({ length: 40 }, () => Buffer.alloc(16 * KiB, 'b'));
      const chunked = await sendChunked(t.url, alice.accessToken, [head, ...chunks, MULTIPART_TAIL]);
      expect(chunked.status).toBe(413);
      expect(chunked.body.code).toBe('UPLOAD_TOO_LARGE');
      await expectNothingStored(alice, keys, used);
      // At the limit exactly is fine, chunked too.
      const ok = await sendChunked(t.url, alice.accessToken, [head, ...chunks.slice(0, 16), MULTIPART_TAIL]);
      expect(ok.status).toBe(201);
      expect(ok.body.sizeBytes).toBe(256 * KiB);
      await api().delete(`/api/v1/uploads/${ok.body.id}`).set(bearer(alice.accessToken)).expect(204);
    });

    it('answers 413 naming the quota, even for concurrent uploads, and stores nothing more', async () => {
      const carol = await registerUser(t);
      const file = () => Buffer.alloc(250 * KiB, 'c');
      await upload(carol, file(), 'one.txt', 'text/plain').expect(201);
      const [keys, used] = [await objectKeys(), (await quota(carol)).usedBytes];
      // 250 + 250 + 250 KiB > 600 KiB: of two racing uploads exactly one fits.
      const raced = await Promise.all([upload(carol, file(), 'two.txt', 'text/plain'), upload(carol, file(), 'three.txt', 'text/plain')]);
      expect(raced.map((r) => r.status).sort()).toEqual([201, 413]);
      const refused = raced.find((r) => r.status === 413)!;
      expect(refused.body).toMatchObject({ code: 'UPLOAD_QUOTA_EXCEEDED', detail: expect.stringContaining('quota of 600 KiB') });
      expect((await quota(carol)).usedBytes).toBe(500 * KiB);
      expect(await objectKeys()).toHaveLength(keys.length + 1);
      const again = await upload(carol, file(), 'four.txt', 'text/plain').expect(413);
      expect(again.body.detail).toContain('quota of 600 KiB');
      await expectNothingStored(carol, await objectKeys(), used + 250 * KiB);
    });

    it('leaves no row and no object when the client aborts mid-body', async () => {
      const [keys, used] = [await objectKeys(), (await quota(alice)).usedBytes];
      await sendAborted(t.url, alice.accessToken, multipartHead('aborted.txt', 'text/plain'), Buffer.alloc(100 * KiB, 'd'));
      await sleep(300);
      await expectNothingStored(alice, keys, used);
      expect((await api().get('/api/v1/uploads?limit=100').set(bearer(alice.accessToken)).expect(200)).body.data.map((u: any) => u.filename)).not.toContain('aborted.txt');
    });

    it("hides another user's upload (404 everywhere) and deletes row and object", async () => {
      const png = await upload(alice, pngBytes(4, 4), 'mine.png', 'image/png').expect(201);
      const id = png.body.id as string;
      for (const call of [
        api().get(`/api/v1/uploads/${id}`),
        api().get(`/api/v1/uploads/${id}/content`),
        api().delete(`/api/v1/uploads/${id}`),
        api().get(`/api/v1/uploads/${MISSING_ID}`),
      ]) {
        expect((await call.set(bearer(bob.accessToken)).expect(404)).body.code).toBe('NOT_FOUND');
      }
      expect((await api().get('/api/v1/uploads').set(bearer(bob.accessToken)).expect(200)).body.data).toEqual([]);
      expect(await quota(bob)).toEqual({ usedBytes: 0, quotaBytes: 600 * KiB });
      await api().get('/api/v1/uploads/not-a-uuid').set(bearer(alice.accessToken)).expect(400);

      const keys = await objectKeys();
      await api().delete(`/api/v1/uploads/${id}`).set(bearer(alice.accessToken)).expect(204);
      await api().get(`/api/v1/uploads/${id}`).set(bearer(alice.accessToken)).expect(404);
      await api().delete(`/api/v1/uploads/${id}`).set(bearer(alice.accessToken)).expect(404);
      expect(await objectKeys()).toHaveLength(keys.length - 1);
    });

    it('refuses a request without a file part (400)', async () => {
      await api().post('/api/v1/uploads').set(bearer(alice.accessToken)).send({ file: 'x' }).expect(400);
      const wrongField = await api().post('/api/v1/uploads').set(bearer(alice.accessToken)).attach('document', PDF_BYTES, 'a.pdf').expect(400);
      expect(wrongField.body.code).toBe('UPLOAD_NO_FILE');
    });

    it('hands images to the chat engine by id (loadImage), refusing non-images, big images and others\' uploads', async () => {
      const service = t.app.get(UploadsService);
      const png = pngBytes(8, 8);
      const image = await upload(alice, png, 'eye.png', 'image/png').expect(201);
      expect(await service.loadImage(alice.id, image.body.id)).toEqual({ mimeType: 'image/png', data: png.toString('base64') });
      await expect(service.loadImage(bob.id, image.body.id)).rejects.toMatchObject({ status: 404 });
      const pdf = await upload(alice, PDF_BYTES, 'doc.pdf', 'application/pdf').expect(201);
      await expect(service.loadImage(alice.id, pdf.body.id)).rejects.toMatchObject({ status: 400, code: 'UPLOAD_NOT_AN_IMAGE' });
      const big = await upload(alice, pngBytes(128, 300), 'big.png', 'image/png').expect(201);
      await expect(service.loadImage(alice.id, big.body.id)).rejects.toMatchObject({ status: 400, code: 'UPLOAD_IMAGE_TOO_LARGE' });
    });

    it('reports storage in readiness', async () => {
      const ready = await api().get('/health/ready').expect(200);
      expect(ready.body.checks.storage).toMatchObject({ status: 'up' });
    });

    it('round-trips a 12 MiB file (S3: a multipart upload of 5 MiB parts)', async () => {
      // Own app: the main one has small limits. With S3 its downloads are presigned redirects.
      const big = await startTestApp({ UPLOAD_MAX_BYTES: String(16 * MiB), ...s3?.env, ...(s3 ? { S3_PRESIGNED_DOWNLOADS: 'true' } : {}) });
      try {
        const dave = await registerUser(big);
        const bytes = Buffer.alloc(12 * MiB, 'e');
        const res = await request(big.url).post('/api/v1/uploads').set(bearer(dave.accessToken)).attach('file', bytes, { filename: 'big.log', contentType: 'text/plain' }).expect(201);
        expect(res.body).toMatchObject({ sizeBytes: 12 * MiB, sha256: sha256(bytes) });
        const got = await request(big.url).get(`/api/v1/uploads/${res.body.id}/content`).set(bearer(dave.accessToken)).buffer(true).parse(binary);
        let body = got.body as Buffer;
        if (s3) {
          expect(got.status).toBe(302);
          // Three parts (5 + 5 + 2 MiB) went up, as the endpoint saw it.
          const bucket = s3.bucket;
          const parts = s3.requests.filter((r) => r.startsWith(`PUT /${bucket}/users/${dave.id}/`) && r.includes('partNumber='));
          expect(parts).toHaveLength(3);
          expect(s3.requests.some((r) => r.startsWith('POST') && r.includes('uploads'))).toBe(true);
          const direct = await fetch(got.headers.location);
          expect(direct.status).toBe(200);
          expect(direct.headers.get('content-disposition')).toBe(`attachment; filename="big.log"; filename*=UTF-8''big.log`);
          body = Buffer.from(await direct.arrayBuffer());
        } else {
          expect(got.status).toBe(200);
        }
        expect(body.length).toBe(12 * MiB);
        expect(sha256(body)).toBe(res.body.sha256);
      } finally {
        await big.close();
      }
    });
  });
}
