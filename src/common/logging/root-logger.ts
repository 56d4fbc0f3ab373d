import pino, { type Logger } from 'pino';
import type { AppConfig } from '../../config/app-config.js';

// Structured JSON logs (pino) on stdout. Credentials and failed queries' parameters (TypeORM puts
// them on its errors; they carry user content and secrets) are redacted.
export function createRootLogger(config: AppConfig): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'err.parameters',
        'err.driverError.parameters',
      ],
      censor: '[redacted]',
    },
  });
}
