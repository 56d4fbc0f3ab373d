import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { startChatApp } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import type { TestApp } from '../support/test-app.js';

const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

// Production layout: API instances that only queue jobs (JOBS_WORKER=false) and a separate
// `npm run start:worker` process that runs them through BullMQ.
describe('ingestion in a separate worker process', { skip: !shared && 'needs DATABASE_URL and REDIS_URL' }, () => {
  let vendor: FakeVendor;
  let t: TestApp;
  let alice: TestUser;
  let worker: ChildProcess | undefined;

  before(async () => {
    vendor = await startFakeVendor();
    t = await startChatApp(vendor, { JOBS_WORKER: 'false' });
    alice = await registerUser(t);
  });
  after(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await t.close();
    await vendor.close();
  });

  it('leaves documents queued in the API and ingests them once a worker process starts', async () => {
    const api = () => request(t.url);
    const kb = (await api().post('/api/v1/knowledge-bases').set(bearer(alice.accessToken)).send({ name: 'Queued' }).expect(201)).body;
    const doc = (await api().post(`/api/v1/knowledge-bases/${kb.id}/documents`).set(bearer(alice.accessToken)).send({ text: 'Lighthouse keepers log the tides.' }).expect(202))
      .body;
    await new Promise((r) => setTimeout(r, 300));
    const waiting = await api().get(`/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(waiting.body.status).toBe('queued');

    worker = spawn(process.execPath, [fileURLToPath(new URL('../../src/worker.js', import.meta.url))], {
      env: { ...process.env, ...t.env, JOBS_WORKER: 'true' },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 60_000;
    let status = 'queued';
    while (status !== 'ready' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await api().get(`/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`).set(bearer(alice.accessToken)).expect(200)).body.status;
    }
    expect(status).toBe('ready');
    const hits = await api().post(`/api/v1/knowledge-bases/${kb.id}/search`).set(bearer(alice.accessToken)).send({ query: 'lighthouse tides' }).expect(200);
    expect(hits.body.data[0].documentId).toBe(doc.id);
  });
});
