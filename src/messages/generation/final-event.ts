import type { StreamEvent } from '../../streaming/stream-event.js';
import { MessageResponseDto } from '../dto/message.dto.js';
import type { Message } from '../entities/message.entity.js';
import type { MessagesRepository } from '../messages.repository.js';

// The last event of a reply's stream. Its seq is the message's lastSeq, recorded by the same
// update that ended the message. Cancelled replies complete (their partial text is the reply);
// failed and interrupted ones end with message.error, carrying the problem and the message.
export function finalEvent(message: MessageResponseDto, s: number): StreamEvent {
  if (message.status === 'error' || message.status === 'interrupted') {
    return { seq: s, event: 'message.error', data: { messageId: message.id, seq: s, error: message.error, message } };
  }
  return { seq: s, event: 'message.completed', data: { messageId: message.id, seq: s, message } };
}

// The final event of a message as it was saved ended, with its siblings.
export async function savedFinalEvent(messages: Pick<MessagesRepository, 'childrenOf'>, message: Message): Promise<StreamEvent> {
  const siblings = await messages.childrenOf(message.sessionId, [message.parentId]);
  return finalEvent(MessageResponseDto.from(message, siblings.get(message.parentId) ?? [message.id]), message.lastSeq);
}
