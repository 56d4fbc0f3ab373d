// Pub/sub channels of chat events, shared by the engine and the WebSocket gateway.

// Lifecycle of a session's messages (message.created), for every subscriber of the session.
export function sessionChannel(sessionId: string): string {
  return `session:${sessionId}`;
}

// Stop requests, heard by every instance; the one generating the message acts.
export const STOP_CHANNEL = 'generation:stop';

// Live events of one reply's stream (the log's append publishes each batch here).
export function streamChannel(streamId: string): string {
  return `stream:${streamId}`;
}
