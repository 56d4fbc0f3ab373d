export interface BatchLimits {
  maxInputs: number;
  maxTokens: number;
}

// Splits texts, in order, into batches of indexes for embedding requests: at most `maxInputs`
// texts and `maxTokens` tokens per batch. A text over `maxTokens` on its own goes alone in its
// batch (the vendor then truncates or rejects it; the batching cannot help). Each text is counted once.
export function batchTexts(texts: string[], limits: BatchLimits, countTokens: (text: string) => number): number[][] {
  const { maxInputs, maxTokens } = limits;
  if (!Number.isInteger(maxInputs) || maxInputs < 1 || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new RangeError('Batch limits must be positive integers');
  }
  const batches: number[][] = [];
  let batch: number[] = [];
  let tokens = 0;
  for (const [index, text] of texts.entries()) {
    const count = countTokens(text);
    if (batch.length > 0 && (batch.length === maxInputs || tokens + count > maxTokens)) {
      batches.push(batch);
      batch = [];
      tokens = 0;
    }
    batch.push(index);
    tokens += count;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
