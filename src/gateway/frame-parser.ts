import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { RequestValidationError } from '../common/errors/validation.error.js';
import { checkInput } from '../common/http/input-text.js';
import { CLIENT_FRAME_TYPES, type ClientFrameType, FRAME_CLASSES, type FrameEnvelope } from './frames.js';

export class FrameError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errors?: { field: string; message: string }[],
    // The id of the frame that failed, when it had one.
    readonly frameId?: string,
  ) {
    super(message);
  }
}

// Parses and validates a client frame with the same rules as the HTTP API's DTOs.
export function parseFrame(raw: string): FrameEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new FrameError('INVALID_FRAME', 'Frames are JSON objects');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FrameError('INVALID_FRAME', 'Frames are JSON objects');
  const { type, id } = json as { type?: unknown; id?: unknown };
  const frameId = typeof id === 'string' ? id.slice(0, 100) : undefined;
  if (typeof type !== 'string' || !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)) {
    throw new FrameError('UNKNOWN_FRAME', `type must be one of ${CLIENT_FRAME_TYPES.join(', ')}`, undefined, frameId);
  }
  try {
    checkInput(json, '');
  } catch (err) {
    if (!(err instanceof RequestValidationError)) throw err;
    throw new FrameError('VALIDATION_FAILED', 'The frame is not valid', err.errors, frameId);
  }
  const frame = plainToInstance(FRAME_CLASSES[type as ClientFrameType] as new () => FrameEnvelope, json);
  const errors = validateSync(frame, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const fields = errors.flatMap((e) =>
      Object.values(e.constraints ?? { nested: 'is not valid' }).map((message) => ({ field: e.property, message })),
    );
    throw new FrameError('VALIDATION_FAILED', 'The frame is not valid', fields, frameId);
  }
  return frame;
}
