import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expect } from 'expect';
import request from 'supertest';
import { bearer, registerUser, type TestUser } from '../factories/users.js';
import { until, vendorEnv } from '../support/chat.js';
import { type FakeVendor, startFakeVendor } from '../support/fake-vendor.js';
import { createTestStorage, TEST_ENV, type TestApp } from '../support/test-app.js';
import { connectWs, deltaText, isFinalFrame } from '../support/ws-client.js';
import { childPids, freePort } from '../support/processes.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startMain(env: Record<string, string | undefined>): Started {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

describe('CLUSTER_WORKERS', () => {
  it('refuses more than one worker without DATABASE_URL and REDIS_URL, before starting any', async () => {
    const { DATABASE_URL: _db, REDIS_URL: _redis, ...env } = process.env;
    const started = startMain({ ...env, ...TEST_ENV, CLUSTER_WORKERS: '2', PORT: '0' });
    expect(await started.exited).toBe(78);
    expect(started.stderr()).toContain('CLUSTER_WORKERS: more than one worker needs DATABASE_URL and REDIS_URL');
  });

  describe('two workers on one port', { skip: !shared && 'needs DATABASE_URL and REDIS_URL' }, () => {
    let vendor: FakeVendor;
    let storage: Awaited<ReturnType<typeof createTestStorage>>;
    let primary: Started;
    let app: TestApp;
    let alice: TestUser;

    before(async () => {
      vendor = await startFakeVendor();
      storage = await createTestStorage();
      const port = await freePort();
      primary = startMain({ ...process.env, ...TEST_ENV, ...storage.env, ...vendorEnv(vendor), CLUSTER_WORKERS: '2', PORT: String(port), HOST: '127.0.0.1' });
      app = { url: `http://127.0.0.1:${port}` } as TestApp;
      await until(async () => childPids(primary.child.pid!).length === 2 && (await fetch(`${app.url}/health/live`).then((r) => r.ok, () => false)), 60_000);
      await until(() => fetch(`${app.url}/health/ready`).then((r) => r.ok, () => false), 60_000);
      alice = await registerUser(app);
    });
    after(async () => {
      if (primary.child.exitCode === null) {
        primary.child.kill('SIGKILL');
        for (const pid of childPids(primary.child.pid!)) process.kill(pid, 'SIGKILL');
      }
      await storage.drop();
      await vendor.close();
    });

    it('serves a session subscriber on one connection a reply sent on others, whichever worker runs it', async () => {
      const session = (await request(app.url).post('/api/v1/sessions').set(bearer(alice.accessToken)).send({ settings: { model: 'cluster-a' } }).expect(201)).body;
      const watcher = await connectWs(app.url, `?access_token=${alice.accessToken}`);
      watcher.send({ type: 'subscribe', id: 's1', sessionId: session.id });
      await watcher.waitFor((fs) => fs.some((f) => f.type === 'subscribed'));
      vendor.script('cluster-a', { tokens: ['One', ' reply', ' across', ' workers.'], delayMs: 5 });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        // A new connection each time: the primary hands connections to the workers in turn.
        const sent = await request(app.url).post(`/api/v1/sessions/${session.id}/messages`).set(bearer(alice.accessToken)).set('connection', 'close').send({ content: `go ${i}` }).expect(202);
        ids.push(sent.body.assistantMessage.id);
        await watcher.waitFor((fs) => fs.some((f) => isFinalFrame(f) && f.message?.id === sent.body.assistantMessage.id));
      }
      for (const id of ids) expect(deltaText(watcher.frames, id)).toBe('One reply across workers.');
      watcher.close();
    });

    it('replaces a worker that dies, and keeps serving meanwhile', async () => {
      const before = childPids(primary.child.pid!);
      expect(before).toHaveLength(2);
      process.kill(before[0], 'SIGKILL');
      await until(() => {
        const now = childPids(primary.child.pid!);
        return now.length === 2 && !now.includes(before[0]);
      }, 60_000);
      await until(async () => {
        const results = await Promise.all(
          Array.from({ length: 6 }, () => fetch(`${app.url}/api/v1/auth/me`, { headers: { ...bearer(alice.accessToken), connection: 'close' } }).then((r) => r.status, () => 0)),
        );
        return results.every((s) => s === 200);
      }, 60_000);
    });

    it('stops every worker on SIGTERM and exits 0', async () => {
      const workers = childPids(primary.child.pid!);
      primary.child.kill('SIGTERM');
      expect(await primary.exited).toBe(0);
      for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
    });
  });
});
