import 'reflect-metadata';
import cluster from 'node:cluster';
import { createApp } from './bootstrap.js';
import { CONFIG_ERROR_EXIT, runClusterPrimary } from './cluster.js';
import { createRootLogger } from './common/logging/root-logger.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError } from './config/environment.js';

try {
  // Validated in the primary too: a bad variable fails once, and generated secrets are written
  // before any worker reads them.
  const config = new AppConfig();
  if (config.cluster.workers > 1 && cluster.isPrimary) {
    runClusterPrimary(config.cluster, createRootLogger(config));
  } else {
    const app = await createApp(config);
    await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
  }
} catch (err) {
  // A bad configuration is the operator's to fix: say which variable, without a stack trace.
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(CONFIG_ERROR_EXIT);
  }
  throw err;
}
