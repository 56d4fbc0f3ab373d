import 'reflect-metadata';
import { createApp } from './bootstrap.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError } from './config/environment.js';

try {
  const config = new AppConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
} catch (err) {
  // A bad configuration is the operator's to fix: say which variable, without a stack trace.
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  throw err;
}
