// Events of one generated message, as they travel over the stream bus to SSE and WebSocket
// clients. `seq` increases by one per event within a message's stream, starting at 1.
export type StreamEventName =
  | 'message.delta'
  | 'message.reasoning'
  | 'message.tool_call'
  | 'message.route'
  | 'message.citations'
  | 'message.completed'
  | 'message.error';

// The largest seq a client may name when resuming (Last-Event-ID is at most nine digits): far
// beyond any reply, and a valid Redis stream id.
export const MAX_SEQ = 999_999_999;

export interface StreamEvent {
  seq: number;
  event: StreamEventName;
  data: Record<string, unknown>;
}

export function isFinalEvent(event: StreamEvent): boolean {
  return event.event === 'message.completed' || event.event === 'message.error';
}
