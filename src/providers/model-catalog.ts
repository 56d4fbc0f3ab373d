export interface ModelFacts {
  contextWindow: number;
  vision: boolean;
}

// Well-known model families, first match wins. Ids are matched without a vendor prefix
// ("openai/gpt-4o" on OpenRouter matches "gpt-4o"). Unknown models get the conservative default.
const KNOWN: [RegExp, ModelFacts][] = [
  [/^gpt-5/, { contextWindow: 400_000, vision: true }],
  [/^gpt-4\.1/, { contextWindow: 1_047_576, vision: true }],
  [/^gpt-4o/, { contextWindow: 128_000, vision: true }],
  [/^gpt-4-turbo/, { contextWindow: 128_000, vision: true }],
  [/^gpt-4/, { contextWindow: 8_192, vision: false }],
  [/^gpt-3\.5/, { contextWindow: 16_385, vision: false }],
  // The small reasoning models of the o1 and o3 generations read text only.
  [/^o1-mini/, { contextWindow: 128_000, vision: false }],
  [/^o3-mini/, { contextWindow: 200_000, vision: false }],
  [/^o[134](-|$)/, { contextWindow: 200_000, vision: true }],
  [/^claude-(opus|sonnet)-4|^claude-(sonnet|opus)-4/, { contextWindow: 200_000, vision: true }],
  [/^claude-3/, { contextWindow: 200_000, vision: true }],
  [/^claude/, { contextWindow: 200_000, vision: true }],
  [/^gemini-(2|3)/, { contextWindow: 1_048_576, vision: true }],
  [/^gemini-1\.5-pro/, { contextWindow: 2_097_152, vision: true }],
  [/^gemini/, { contextWindow: 1_048_576, vision: true }],
  [/^(pixtral|mistral-medium|mistral-small-(2503|2506|latest)|mistral-large-2411)/, { contextWindow: 128_000, vision: true }],
  [/^(mistral|magistral|codestral|ministral|open-mistral)/, { contextWindow: 128_000, vision: false }],
  [/^llama-?3\.2.*vision|^llava|^qwen.*vl/, { contextWindow: 128_000, vision: true }],
  [/^(llama|qwen|deepseek|phi|gemma)/, { contextWindow: 128_000, vision: false }],
];

// What a model that takes no images is sent in an image's place.
export const IMAGE_OMITTED = '[image omitted: this model does not take images]';

export const DEFAULT_MODEL_FACTS: ModelFacts = { contextWindow: 8_192, vision: false };

export function modelFacts(model: string): ModelFacts {
  const id = model.toLowerCase().split('/').at(-1) ?? model;
  return KNOWN.find(([pattern]) => pattern.test(id))?.[1] ?? DEFAULT_MODEL_FACTS;
}

// Entries of vendors' model lists that are not chat models (OpenAI's, Mistral's, Gemini's, and
// what OpenAI-compatible servers list).
const NOT_CHAT = /embed|tts|whisper|dall-e|davinci|babbage|moderation|transcribe|realtime|audio|image|search|computer-use|\bocr\b|-ocr|rerank|aqa/;

export function isChatModel(id: string): boolean {
  return !NOT_CHAT.test(id.toLowerCase());
}
