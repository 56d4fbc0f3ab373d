import type { ChatTurnMessage, ContentPart, ToolChoice, ToolDefinition } from '../providers/provider.types.js';
import { OpenAICompatError } from './openai-compat.errors.js';

// OpenAI chat messages → our turn (system prompt + messages). The body is checked here rather
// than by class-validator: message shapes depend on the role.

type Json = Record<string, unknown>;

export interface MappedTurn {
  system?: string;
  messages: ChatTurnMessage[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+)$/i;

// Text of a content that may only hold text (system, developer, tool, assistant).
function textContent(content: unknown, param: string, allowNull = false): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) {
    if (allowNull) return '';
    throw OpenAICompatError.invalid(param, `${param} is required`);
  }
  if (!Array.isArray(content)) throw OpenAICompatError.invalid(param, `${param} must be a string or an array of content parts`);
  return content
    .map((part, i) => {
      if (isObject(part) && (part.type === 'text' || part.type === 'refusal')) {
        const text = part.type === 'text' ? part.text : part.refusal;
        if (typeof text === 'string') return text;
      }
      throw OpenAICompatError.invalid(`${param}[${i}]`, `${param}[${i}] must be a text part`);
    })
    .join('');
}

function userParts(content: unknown, param: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content) || content.length === 0) {
    throw OpenAICompatError.invalid(param, `${param} must be a string or a non-empty array of content parts`);
  }
  return content.map((part, i): ContentPart => {
    const where = `${param}[${i}]`;
    if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (isObject(part) && part.type === 'image_url') {
      const url = isObject(part.image_url) ? part.image_url.url : undefined;
      const match = typeof url === 'string' ? DATA_URL.exec(url) : null;
      // Remote URLs are not fetched (the server would become a proxy into any network).
      if (!match) throw OpenAICompatError.invalid(`${where}.image_url.url`, 'Images must be base64 data: URLs (data:image/png;base64,...)');
      return { type: 'image', mimeType: match[1].toLowerCase(), data: match[2].replace(/\s+/g, '') };
    }
    const type = isObject(part) && typeof part.type === 'string' ? part.type : typeof part;
    throw OpenAICompatError.invalid(where, `Unsupported content part type "${type}"`);
  });
}

function toolCallParts(calls: unknown, param: string): ContentPart[] {
  if (calls === undefined || calls === null) return [];
  if (!Array.isArray(calls)) throw OpenAICompatError.invalid(param, `${param} must be an array`);
  return calls.map((call, i): ContentPart => {
    const fn = isObject(call) ? call.function : undefined;
    if (!isObject(call) || typeof call.id !== 'string' || !isObject(fn) || typeof fn.name !== 'string') {
      throw OpenAICompatError.invalid(`${param}[${i}]`, `${param}[${i}] must be {id, type: "function", function: {name, arguments}}`);
    }
    const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    return { type: 'tool-call', toolCallId: call.id, name: fn.name, arguments: args };
  });
}

export function toChatTurn(messages: readonly unknown[]): MappedTurn {
  const system: string[] = [];
  const out: ChatTurnMessage[] = [];
  const toolNames = new Map<string, string>();
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    if (!isObject(message)) throw OpenAICompatError.invalid(param, `${param} must be an object`);
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(textContent(message.content, `${param}.content`));
        return;
      case 'user':
        out.push({ role: 'user', parts: userParts(message.content, `${param}.content`) });
        return;
      case 'assistant': {
        const text = textContent(message.content, `${param}.content`, true);
        const calls = toolCallParts(message.tool_calls, `${param}.tool_calls`);
        for (const c of calls) if (c.type === 'tool-call') toolNames.set(c.toolCallId, c.name);
        if (!text && calls.length === 0) throw OpenAICompatError.invalid(`${param}.content`, `${param} needs content or tool_calls`);
        out.push({ role: 'assistant', parts: [...(text ? [{ type: 'text' as const, text }] : []), ...calls] });
        return;
      }
      case 'tool': {
        if (typeof message.tool_call_id !== 'string' || !message.tool_call_id) {
          throw OpenAICompatError.invalid(`${param}.tool_call_id`, `${param}.tool_call_id is required`);
        }
        const name = toolNames.get(message.tool_call_id);
        const result = textContent(message.content, `${param}.content`);
        out.push({ role: 'tool', parts: [{ type: 'tool-result', toolCallId: message.tool_call_id, ...(name ? { name } : {}), result }] });
        return;
      }
      default:
        throw OpenAICompatError.invalid(`${param}.role`, `Unsupported role ${JSON.stringify(message.role)}: use system, developer, user, assistant or tool`);
    }
  });
  if (out.length === 0) throw OpenAICompatError.invalid('messages', 'messages must contain at least one user, assistant or tool message');
  const prompt = system.filter(Boolean).join('\n\n');
  return { ...(prompt ? { system: prompt } : {}), messages: out };
}

export interface OpenAITool {
  type: string;
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export function toToolDefinitions(tools: readonly OpenAITool[] | undefined): ToolDefinition[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({
    name: t.function.name,
    ...(t.function.description !== undefined ? { description: t.function.description } : {}),
    parameters: t.function.parameters ?? { type: 'object', properties: {} },
  }));
}

export type OpenAIToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export function toToolChoice(choice: OpenAIToolChoice | undefined, tools: readonly ToolDefinition[] | undefined): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return choice;
  const { name } = choice.function;
  if (!tools?.some((t) => t.name === name)) throw OpenAICompatError.invalid('tool_choice', `tool_choice names "${name}", which is not in tools`);
  return { name };
}

export function toStop(stop: string | string[] | null | undefined): string[] | undefined {
  if (stop === null || stop === undefined) return undefined;
  const list = typeof stop === 'string' ? [stop] : stop;
  return list.length ? list : undefined;
}
