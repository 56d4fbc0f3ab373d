import { encodedOnce } from '../streaming/encoded-once.js';

// The WebSocket text frame of a reply event.
export const eventFrame = encodedOnce((e) => JSON.stringify({ type: e.event, ...e.data, seq: e.seq }));
