import type { ContentPart, FinishReason, Usage } from '../../providers/provider.types.js';
import type { StreamEvent } from '../../streaming/stream-event.js';

// What a reply has said so far, as stored content parts: reasoning, then text, then tool calls.
export class ReplyAccumulator {
  text = '';
  reasoning = '';
  private readonly toolCalls: { id: string; name: string; arguments: string }[] = [];
  usage: Usage | null = null;
  finishReason: FinishReason | null = null;

  static from(parts: ContentPart[]): ReplyAccumulator {
    const reply = new ReplyAccumulator();
    for (const p of parts) {
      if (p.type === 'text') reply.text += p.text;
      else if (p.type === 'reasoning') reply.reasoning += p.text;
      else if (p.type === 'tool-call') reply.toolCalls.push({ id: p.toolCallId, name: p.name, arguments: p.arguments });
    }
    return reply;
  }

  applyEvent(e: StreamEvent): void {
    const d = e.data;
    if (e.event === 'message.delta') this.text += d.delta as string;
    else if (e.event === 'message.reasoning') this.reasoning += d.delta as string;
    else if (e.event === 'message.tool_call') {
      this.addToolCall(d.index as number, d.id as string | undefined, d.name as string | undefined, d.argumentsDelta as string);
    }
  }

  // Nothing but text so far: the stored parts are one text part (or none) made from `text`.
  get textOnly(): boolean {
    return this.reasoning === '' && this.toolCalls.length === 0;
  }

  // What a vendor counts as output besides reasoning: text and tool-call arguments.
  get output(): string {
    return this.text + this.toolCalls.map((c) => (c ? c.name + c.arguments : '')).join('');
  }

  get size(): number {
    return this.text.length + this.reasoning.length + this.toolCalls.reduce((n, c) => n + c.arguments.length, 0);
  }

  addToolCall(index: number, id: string | undefined, name: string | undefined, argumentsDelta: string): void {
    const call = (this.toolCalls[index] ??= { id: '', name: '', arguments: '' });
    if (id) call.id = id;
    if (name) call.name = name;
    call.arguments += argumentsDelta;
  }

  parts(): ContentPart[] {
    const parts: ContentPart[] = [];
    if (this.reasoning) parts.push({ type: 'reasoning', text: this.reasoning });
    if (this.text) parts.push({ type: 'text', text: this.text });
    for (const call of this.toolCalls) {
      if (call) parts.push({ type: 'tool-call', toolCallId: call.id, name: call.name, arguments: call.arguments });
    }
    return parts;
  }
}
