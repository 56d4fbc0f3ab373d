// The servers under test, in a process of their own so the load generator does not share
// their event loop: the full app, and a bare Fastify endpoint doing one primary-key SELECT
// through pg (the baseline every app figure is divided by).
import 'reflect-metadata';
import Fastify from 'fastify';
import pg from 'pg';
import { createApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';

const config = new AppConfig(process.env);
const app = await createApp(config);
await app.listen(0, '127.0.0.1');

const pool = new pg.Pool({ connectionString: config.database.url, max: config.database.poolMax });
const bare = Fastify();
bare.get<{ Params: { id: string } }>('/users/:id', async (request) => {
  const { rows } = await pool.query('SELECT id, email, role, active FROM users WHERE id = $1', [request.params.id]);
  return rows[0] as unknown;
});
await bare.listen({ port: 0, host: '127.0.0.1' });

const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;
process.send?.({ appUrl: `http://127.0.0.1:${port(app.getHttpServer())}`, bareUrl: `http://127.0.0.1:${port(bare.server)}` });

process.on('message', (message) => {
  if (message === 'stop') {
    void Promise.all([app.close(), bare.close(), pool.end()]).then(() => process.exit(0));
  }
});
