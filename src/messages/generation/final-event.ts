import type { StreamEvent } from '../../streaming/stream-event.js';
import type { MessageResponseDto } from '../dto/message.dto.js';

// The last event of a reply's stream. Its seq is the message's lastSeq, recorded by the same
// update that ended the message. Cancelled replies complete (their partial text is the reply);
// failed and interrupted ones end with message.error, carrying the problem and the message.
export function finalEvent(message: MessageResponseDto, s: number): StreamEvent {
  if (message.status === 'error' || message.status === 'interrupted') {
    return { seq: s, event: 'message.error', data: { messageId: message.id, seq: s, error: message.error, message } };
  }
  return { seq: s, event: 'message.completed', data: { messageId: message.id, seq: s, message } };
}
