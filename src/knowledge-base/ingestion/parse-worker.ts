import { parentPort } from 'node:worker_threads';
import { chunkDocument } from '../chunking/chunker.js';
import { countTokens } from '../chunking/tokenizer.js';
import { parseDocument } from '../parsing/parse-document.js';
import { DocumentParseError } from '../parsing/parsed-document.js';
import type { ParseOutcome, ParseTask } from './parser-pool.js';

// A parser thread of the pool: parses and chunks one document per message, and stays up so
// the parsers and the tokenizer are loaded once.
parentPort!.on('message', (task: ParseTask) => {
  void run(task).then((outcome) => parentPort!.postMessage(outcome));
});
// The tokenizer's ranks take a few hundred ms to build: done before the pool starts a task's
// clock, which happens on this message.
countTokens('ready');
parentPort!.postMessage('ready');

async function run(task: ParseTask): Promise<ParseOutcome> {
  try {
    const parsed = await parseDocument({ bytes: Buffer.from(task.bytes), contentType: task.contentType, filename: task.filename }, task.limits);
    return { ok: true, characters: parsed.characters, chunks: chunkDocument(parsed, task.chunking) };
  } catch (err) {
    return { ok: false, parseError: err instanceof DocumentParseError, message: err instanceof Error ? err.message : String(err) };
  }
}
