import { describe, it } from 'node:test';
import { expect } from 'expect';
import { PendingEvents } from './pending-events.js';

describe('PendingEvents', () => {
  it('merges consecutive deltas of one kind, keeping the order of kinds', () => {
    const pending = new PendingEvents();
    pending.push('message.reasoning', { delta: 'think' });
    pending.push('message.reasoning', { delta: 'ing' });
    pending.push('message.delta', { delta: 'Hel' });
    pending.push('message.delta', { delta: 'lo' });
    pending.push('message.reasoning', { delta: 'more' });
    expect(pending.take()).toEqual([
      { event: 'message.reasoning', data: { delta: 'thinking' } },
      { event: 'message.delta', data: { delta: 'Hello' } },
      { event: 'message.reasoning', data: { delta: 'more' } },
    ]);
  });

  it('keeps tool-call deltas and other events apart', () => {
    const pending = new PendingEvents();
    pending.push('message.tool_call', { index: 0, argumentsDelta: '{"a"' });
    pending.push('message.tool_call', { index: 0, argumentsDelta: ':1}' });
    pending.push('message.citations', { citations: [] });
    pending.push('message.citations', { citations: [] });
    expect(pending.take().map((e) => e.event)).toEqual(['message.tool_call', 'message.tool_call', 'message.citations', 'message.citations']);
  });

  it('starts empty again after take', () => {
    const pending = new PendingEvents();
    pending.push('message.delta', { delta: 'a' });
    expect(pending.take()).toHaveLength(1);
    expect(pending.size).toBe(0);
    pending.push('message.delta', { delta: 'b' });
    expect(pending.take()).toEqual([{ event: 'message.delta', data: { delta: 'b' } }]);
  });
});
