import type { StreamEventName } from '../../streaming/stream-event.js';

export interface PendingEvent {
  event: StreamEventName;
  data: Record<string, unknown>;
}

// Events of one reply waiting for the end of this event-loop turn. Consecutive text or reasoning
// deltas merge into one event (tool-call deltas stay apart: each carries its call's index), so a
// vendor sending several tokens in one turn costs one bus event, one frame per client.
export class PendingEvents {
  private events: PendingEvent[] = [];

  get size(): number {
    return this.events.length;
  }

  push(event: StreamEventName, data: Record<string, unknown>): void {
    const last = this.events[this.events.length - 1];
    if (last && last.event === event && event !== 'message.tool_call' && typeof data.delta === 'string') {
      last.data.delta = (last.data.delta as string) + data.delta;
    } else {
      this.events.push({ event, data });
    }
  }

  take(): PendingEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}
