// Knowledge-base benchmark: scenario `kb` of run.ts, or standalone:
//   DATABASE_URL=postgres://... node --expose-gc dist/test/bench/knowledge.js
//  1. ingestion through the app with the local embedder (POST documents → ready): a Markdown
//     corpus and a PDF corpus, plus the parse / chunk / embed split measured in-process;
//  2. search at BENCH_KB_CHUNKS chunks (default 100k of real text from node_modules, or made-up
//     text with BENCH_KB_CORPUS=synthetic; bulk-loaded with SQL) through the HTTP API
//     per mode (p50/p95/p99, against an authenticated GET as the HTTP floor), HNSW recall@10
//     against exact search, and the SQL behind the latencies (targets: hybrid p95 < 30 ms,
//     recall@10 >= 0.95).
// Runs the app in this process on a database of its own, dropped at the end.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import pgvector from 'pgvector';
import { EnvironmentVariables } from '../../src/config/environment.js';
import { chunkDocument } from '../../src/knowledge-base/chunking/chunker.js';
import { countTokens } from '../../src/knowledge-base/chunking/tokenizer.js';
import { chunkId } from '../../src/knowledge-base/chunks.repository.js';
import { embedLocal } from '../../src/knowledge-base/embeddings/local-embedder.js';
import { chunkPartition, HNSW_BUILD_OPTIONS, hnswIndex, hnswIndexDdl } from '../../src/knowledge-base/knowledge-bases.repository.js';
import { DEFAULT_CHUNKING } from '../../src/knowledge-base/knowledge-bases.service.js';
import { parseDocument } from '../../src/knowledge-base/parsing/parse-document.js';
import type { ParseLimits } from '../../src/knowledge-base/parsing/parsed-document.js';
import { registerUser } from '../factories/users.js';
import { buildPdf } from '../support/kb-fixtures.js';
import { createTestStorage, startTestApp, type TestApp } from '../support/test-app.js';
import { f1, percentile, sortedOf } from './stats.js';

type Write = (text?: string) => void;

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SIZES = {
  chunks: num('BENCH_KB_CHUNKS', 100_000),
  mdDocs: num('BENCH_KB_MD_DOCS', 20),
  mdKb: num('BENCH_KB_MD_KB', 250),
  pdfDocs: num('BENCH_KB_PDF_DOCS', 10),
  pdfPages: num('BENCH_KB_PDF_PAGES', 50),
  queries: num('BENCH_KB_QUERIES', 300),
  recallQueries: num('BENCH_KB_RECALL_QUERIES', 200),
  sqlQueries: num('BENCH_KB_SQL_QUERIES', 100),
};
const DIMENSIONS = 384;
const K = 10;
// The app's default (KB_HNSW_EF_SEARCH unset).
const APP_EF_SEARCH = new EnvironmentVariables().KB_HNSW_EF_SEARCH;
const EF_SEARCH_VALUES = [...new Set([40, 100, 200, APP_EF_SEARCH, 400, 1000])].sort((a, b) => a - b);
const HYBRID_CANDIDATES = 40; // kb-search.service.ts: each side of a hybrid search
const DOCS_FOR_CHUNKS = 1000;
const INSERT_BATCH = 500;
const WARM_UP = 20;
const TARGET_HYBRID_P95_MS = 30;
const TARGET_RECALL = 0.95;
// The search corpus: node_modules' documentation and declarations (real) or made-up words.
const CORPUS_KIND = corpusKind(process.env.BENCH_KB_CORPUS ?? 'real');
// Other HNSW build parameters to compare, `;`-separated ("m = 24, ef_construction = 128; …").
const HNSW_ALTERNATIVES = (process.env.BENCH_KB_HNSW_WITH ?? '').split(';').map((o) => o.trim()).filter(Boolean);

function corpusKind(value: string): 'real' | 'synthetic' {
  if (value !== 'real' && value !== 'synthetic') throw new Error(`BENCH_KB_CORPUS must be real or synthetic, not ${value}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Synthetic text: pseudo-words with a Zipf-like frequency (English function words on top), and
// per-document topic words, so full-text matching and the lexical embeddings see realistic
// overlap: frequent words everywhere, rarer words concentrated in some documents.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUNCTION_WORDS = (
  'the of and to a in is that for it as with was on be by this are or from at an which not have has but can ' +
  'will its their these more also when into than other such some may all one been were they there would about'
).split(' ');
const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cl', 'dr', 'fl', 'gr', 'pl', 'st', 'tr', 'ch', 'sh', 'th'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou', 'io'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ck'];
const VOCABULARY_SIZE = 30_000;
const TOPIC_WORDS = 60;
const TOPIC_SHARE = 0.25;

class TextGenerator {
  readonly random: () => number;
  readonly words: string[];
  private readonly cdf: Float64Array;

  constructor(seed: number) {
    this.random = mulberry32(seed);
    this.words = [...FUNCTION_WORDS, ...this.pseudoWords(VOCABULARY_SIZE - FUNCTION_WORDS.length)];
    // Zipf–Mandelbrot weights 1 / (rank + 2.7).
    this.cdf = new Float64Array(this.words.length);
    let sum = 0;
    for (let r = 0; r < this.words.length; r++) this.cdf[r] = sum += 1 / (r + 1 + 2.7);
    for (let r = 0; r < this.words.length; r++) this.cdf[r] /= sum;
  }

  // Shorter words get the frequent ranks, as in natural language.
  private pseudoWords(count: number): string[] {
    const seen = new Set<string>(FUNCTION_WORDS);
    const pick = <T>(items: T[]) => items[Math.floor(this.random() * items.length)];
    while (seen.size < count + FUNCTION_WORDS.length) {
      const syllables = 1 + Math.floor(this.random() * this.random() * 4);
      let word = '';
      for (let s = 0; s < syllables; s++) word += pick(ONSETS) + pick(VOWELS) + (s === syllables - 1 ? pick(CODAS) : '');
      seen.add(word);
    }
    return [...seen].slice(FUNCTION_WORDS.length).sort((a, b) => a.length - b.length);
  }

  zipfWord(): string {
    const u = this.random();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo];
  }

  // A document's topic: mid-frequency and rare words it uses far more than the corpus does.
  topic(): string[] {
    return Array.from({ length: TOPIC_WORDS }, () => this.words[200 + Math.floor(this.random() * (this.words.length - 200))]);
  }

  sentence(topic: string[]): string {
    const length = 8 + Math.floor(this.random() * 18);
    const words: string[] = [];
    for (let i = 0; i < length; i++) {
      // Squaring skews the topic's own words towards its first ones.
      words.push(this.random() < TOPIC_SHARE ? topic[Math.floor(this.random() ** 2 * topic.length)] : this.zipfWord());
    }
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    return `${words.join(' ')}.`;
  }

  paragraph(topic: string[]): string {
    const count = 3 + Math.floor(this.random() * 4);
    return Array.from({ length: count }, () => this.sentence(topic)).join(' ');
  }

  // A chunk of about `tokens` cl100k tokens (whole sentences).
  chunk(topic: string[], tokens: number): { text: string; tokenCount: number } {
    const sentences: string[] = [];
    let count = 0;
    while (count < tokens) {
      const s = this.sentence(topic);
      sentences.push(s);
      count += countTokens(` ${s}`);
    }
    const text = sentences.join(' ');
    return { text, tokenCount: countTokens(text) };
  }

  markdown(bytes: number): string {
    const topic = this.topic();
    const parts = [`# ${this.title(topic)}`];
    let size = parts[0].length;
    while (size < bytes) {
      const part = this.random() < 0.15 ? `## ${this.title(topic)}` : this.paragraph(topic);
      parts.push(part);
      size += part.length + 2;
    }
    return parts.join('\n\n');
  }

  // Lines of up to `width` characters (whole words), for PDF pages.
  lines(topic: string[], count: number, width: number): string[] {
    const words = Array.from({ length: count * 14 }, () => this.sentence(topic)).join(' ').split(' ');
    const lines: string[] = [];
    let line = '';
    for (const word of words) {
      if (line.length + word.length + 1 > width) {
        lines.push(line);
        if (lines.length === count) break;
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    return lines;
  }

  title(topic: string[]): string {
    return Array.from({ length: 2 + Math.floor(this.random() * 3) }, () => topic[Math.floor(this.random() * topic.length)]).join(' ');
  }

  // A 5-12 word question drawn from a chunk's words.
  question(text: string): string {
    const words = text.toLowerCase().replace(/[^a-z ]/g, '').split(' ');
    const lead = ['what is', 'how does', 'why do', 'which', 'when did', 'where is'][Math.floor(this.random() * 6)];
    const count = 5 + Math.floor(this.random() * 8) - lead.split(' ').length;
    const picked = Array.from({ length: count }, () => words[Math.floor(this.random() * words.length)]);
    return `${lead} ${picked.join(' ')}?`;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const mb = (bytes: number) => bytes / 1024 / 1024;
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const pct = (n: number) => `${(100 * n).toFixed(1)}%`;
const met = (ok: boolean) => (ok ? 'met' : '**not met**');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

function table(out: Write, header: string[], rows: (string | number)[][]): void {
  out(`| ${header.join(' | ')} |`);
  out(`|${header.map((_h, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) out(`| ${row.join(' | ')} |`);
}

class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${this.token}` } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, init);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}

interface DocumentStatus {
  id: string;
  status: 'queued' | 'processing' | 'ready' | 'failed';
  error: string | null;
  chunkCount: number;
}

// ---------------------------------------------------------------------------------------------
// 1. Ingestion

interface Corpus {
  name: string;
  files: { bytes: Buffer; filename: string; contentType: string }[];
  pages?: number;
}

async function buildCorpora(gen: TextGenerator): Promise<{ markdown: Corpus; pdf: Corpus }> {
  const markdown: Corpus = {
    name: `Markdown, ${SIZES.mdDocs} × ${SIZES.mdKb} KB (JSON {text})`,
    files: Array.from({ length: SIZES.mdDocs }, (_x, i) => ({
      bytes: Buffer.from(gen.markdown(SIZES.mdKb * 1024), 'utf8'),
      filename: `notes-${i}.md`,
      contentType: 'text/markdown',
    })),
  };
  const pdfFiles: Corpus['files'] = [];
  for (let i = 0; i < SIZES.pdfDocs; i++) {
    const topic = gen.topic();
    const pages = Array.from({ length: SIZES.pdfPages }, () => gen.lines(topic, 34, 85));
    pdfFiles.push({ bytes: await buildPdf(pages), filename: `report-${i}.pdf`, contentType: 'application/pdf' });
  }
  const pdf: Corpus = { name: `PDF, ${SIZES.pdfDocs} × ${SIZES.pdfPages} pages (multipart upload)`, files: pdfFiles, pages: SIZES.pdfDocs * SIZES.pdfPages };
  return { markdown, pdf };
}

interface IngestResult {
  corpus: Corpus;
  ms: number;
  chunks: number;
}

// Posts every document, then waits until all are ready: wall time of parse → chunk → embed →
// index at the app's job concurrency.
async function ingestThroughApi(api: Api, corpus: Corpus): Promise<IngestResult> {
  const kb = await api.call<{ id: string }>('POST', '/knowledge-bases', { name: `bench ${corpus.name}` });
  const started = performance.now();
  const ids: string[] = [];
  for (const file of corpus.files) {
    const body = file.contentType === 'text/markdown' ? { text: file.bytes.toString('utf8'), title: file.filename } : multipart(file);
    ids.push((await api.call<DocumentStatus>('POST', `/knowledge-bases/${kb.id}/documents`, body)).id);
  }
  let chunks = 0;
  // Oldest first: the queue works roughly in order, so one GET at a time is enough.
  for (const id of ids) {
    for (;;) {
      const doc = await api.call<DocumentStatus>('GET', `/knowledge-bases/${kb.id}/documents/${id}`);
      if (doc.status === 'failed') throw new Error(`${corpus.name}: document failed: ${doc.error}`);
      if (doc.status === 'ready') {
        chunks += doc.chunkCount;
        break;
      }
      await sleep(50);
    }
  }
  return { corpus, ms: performance.now() - started, chunks };
}

function multipart(file: Corpus['files'][number]): FormData {
  const form = new FormData();
  form.append('file', new Blob([file.bytes], { type: file.contentType }), file.filename);
  return form;
}

interface ComponentResult {
  corpus: Corpus;
  parseMs: number;
  chunkMs: number;
  embedMs: number;
  textBytes: number;
  chunks: number;
}

// The same steps called directly, one document at a time on this thread.
async function measureComponents(corpus: Corpus, limits: TestApp['config']['knowledge']['parseLimits']): Promise<ComponentResult> {
  const result: ComponentResult = { corpus, parseMs: 0, chunkMs: 0, embedMs: 0, textBytes: 0, chunks: 0 };
  for (const file of corpus.files) {
    const parsed = await timed(() => parseDocument(file, limits));
    const chunks = await timed(() => chunkDocument(parsed.value, DEFAULT_CHUNKING));
    const texts = chunks.value.map((c) => c.text);
    const embedded = await timed(() => embedLocal(texts, DIMENSIONS));
    result.parseMs += parsed.ms;
    result.chunkMs += chunks.ms;
    result.embedMs += embedded.ms;
    result.textBytes += texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
    result.chunks += texts.length;
  }
  return result;
}

function corpusBytes(corpus: Corpus): number {
  return corpus.files.reduce((n, f) => n + f.bytes.length, 0);
}

async function ingestionSection(out: Write, log: (text: string) => void, t: TestApp, api: Api, gen: TextGenerator): Promise<void> {
  log('kb: building the ingestion corpora');
  const { markdown, pdf } = await buildCorpora(gen);
  const results: IngestResult[] = [];
  for (const corpus of [markdown, pdf]) {
    log(`kb: ingesting ${corpus.name} through the API`);
    results.push(await ingestThroughApi(api, corpus));
  }
  log('kb: parse / chunk / embed in-process');
  const components: ComponentResult[] = [];
  for (const corpus of [markdown, pdf]) components.push(await measureComponents(corpus, t.config.knowledge.parseLimits));

  out();
  out(`### Ingestion through the API with the local embedder (JOBS_CONCURRENCY=${t.config.jobs.concurrency})`);
  out();
  out(`Wall time from the first POST /knowledge-bases/:id/documents to the last document \`ready\` (parse and chunk in a worker thread, embed, insert chunks with the HNSW index maintained). Chunking: the default ${DEFAULT_CHUNKING.size} tokens, overlap ${DEFAULT_CHUNKING.overlap}.`);
  out();
  table(
    out,
    ['corpus', 'input MB', 'pages', 'chunks', 'wall s', 'MB/s', 'pages/s', 'chunks/s'],
    results.map(({ corpus, ms, chunks }) => [
      corpus.name,
      f2(mb(corpusBytes(corpus))),
      corpus.pages ?? '',
      chunks,
      seconds(ms),
      f2(mb(corpusBytes(corpus)) / (ms / 1000)),
      corpus.pages ? f1(corpus.pages / (ms / 1000)) : '',
      Math.round(chunks / (ms / 1000)),
    ]),
  );
  out();
  out('In-process split (same files, called directly one after another on one thread; MB/s of the input file for parse, of the chunk text for chunk and embed):');
  out();
  table(
    out,
    ['corpus', 'parse s', 'parse MB/s', 'chunk s', 'chunk MB/s', 'embed s', 'embed MB/s', 'embed chunks/s'],
    components.map((c) => [
      c.corpus.name,
      seconds(c.parseMs),
      f2(mb(corpusBytes(c.corpus)) / (c.parseMs / 1000)),
      seconds(c.chunkMs),
      f2(mb(c.textBytes) / (c.chunkMs / 1000)),
      seconds(c.embedMs),
      f2(mb(c.textBytes) / (c.embedMs / 1000)),
      Math.round(c.chunks / (c.embedMs / 1000)),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// 2. The search corpus and its bulk load

// A chunk of the search corpus; `document` indexes the corpus's documents.
interface CorpusChunk {
  document: number;
  ordinal: number;
  text: string;
  tokenCount: number;
}

interface SearchCorpus {
  description: string;
  // What the questions are, for the latency table's caption.
  questions: string;
  documents: number;
  chunks: CorpusChunk[];
  queries: string[];
  // Index in `chunks` of the chunk each query was drawn from.
  sources: number[];
}

// One question every chunks / wanted chunks (or the next chunk that yields one).
function drawQueries(chunks: CorpusChunk[], question: (text: string) => string | null): { queries: string[]; sources: number[] } {
  const wanted = WARM_UP + SIZES.queries + SIZES.recallQueries;
  const every = Math.max(1, Math.floor(chunks.length / wanted));
  const queries: string[] = [];
  const sources: number[] = [];
  for (let i = 0, next = 0; i < chunks.length && queries.length < wanted; i++) {
    const q = i >= next ? question(chunks[i].text) : null;
    if (q === null) continue;
    queries.push(q);
    sources.push(i);
    next = i + every;
  }
  return { queries, sources };
}

function syntheticCorpus(gen: TextGenerator): SearchCorpus {
  const perDocument = Math.ceil(SIZES.chunks / DOCS_FOR_CHUNKS);
  const chunks: CorpusChunk[] = [];
  let topic = gen.topic();
  for (let i = 0; i < SIZES.chunks; i++) {
    const ordinal = i % perDocument;
    if (ordinal === 0) topic = gen.topic();
    chunks.push({ document: Math.floor(i / perDocument), ordinal, ...gen.chunk(topic, 100 + Math.floor(gen.random() * 100)) });
  }
  return {
    description: `${DOCS_FOR_CHUNKS} synthetic documents, chunks of 100-200 tokens generated from a Zipf-distributed 30k-word made-up vocabulary with per-document topic words (BENCH_KB_CORPUS=synthetic)`,
    questions: '5-12 words drawn at random from a chunk',
    documents: DOCS_FOR_CHUNKS,
    chunks,
    ...drawQueries(chunks, (text) => gen.question(text)),
  };
}

// Real text: documentation and type declarations under node_modules (then JavaScript sources if
// short of chunks), in path order, identical files once, chunked as the app does.
const REAL_ROOT = process.env.BENCH_KB_CORPUS_DIR ?? nearestNodeModules(dirname(fileURLToPath(import.meta.url)));
const REAL_GROUPS = [['.md', '.markdown', '.txt', '.d.ts'], ['.js']];
const REAL_CHUNKING = { size: 128, overlap: 16 };
const MIN_FILE_BYTES = 1024;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

function listFiles(extensions: string[]): string[] {
  const names = readdirSync(REAL_ROOT, { recursive: true, encoding: 'utf8' }).filter((n) => extensions.some((e) => n.endsWith(e)));
  return names
    .map((n) => join(REAL_ROOT, n))
    .filter((path) => {
      const stat = lstatSync(path);
      return stat.isFile() && stat.size >= MIN_FILE_BYTES && stat.size <= MAX_FILE_BYTES;
    })
    .sort();
}

function nearestNodeModules(dir: string): string {
  const candidate = join(dir, 'node_modules');
  if (existsSync(candidate) || dirname(dir) === dir) return candidate;
  return nearestNodeModules(dirname(dir));
}

const contentTypeOf = (path: string) => (path.endsWith('.md') || path.endsWith('.markdown') ? 'text/markdown' : 'text/plain');

async function realCorpus(limits: ParseLimits, random: () => number): Promise<SearchCorpus> {
  const chunks: CorpusChunk[] = [];
  const seen = new Set<string>();
  const used: string[] = [];
  let documents = 0;
  for (const group of REAL_GROUPS) {
    if (chunks.length >= SIZES.chunks) break;
    let files = 0;
    for (const path of listFiles(group)) {
      if (chunks.length >= SIZES.chunks) break;
      const bytes = readFileSync(path);
      const hash = createHash('sha1').update(bytes).digest('hex');
      if (seen.has(hash)) continue;
      seen.add(hash);
      const parsed = await parseDocument({ bytes, contentType: contentTypeOf(path), filename: path }, limits).catch(() => null);
      if (!parsed) continue;
      for (const c of chunkDocument(parsed, REAL_CHUNKING).slice(0, SIZES.chunks - chunks.length)) {
        chunks.push({ document: documents, ordinal: c.ordinal, text: c.text, tokenCount: c.tokenCount });
      }
      documents++;
      files++;
    }
    used.push(`${files} ${group.join(' ')} files`);
  }
  return {
    description:
      `${documents} distinct files from node_modules (${used.join(', then ')}; 1 KB-2 MB, path order) parsed with parseDocument ` +
      `and chunked with chunkDocument at ${REAL_CHUNKING.size} tokens, overlap ${REAL_CHUNKING.overlap}${chunks.length < SIZES.chunks ? ` (**only ${chunks.length} chunks: the corpus is short**)` : ''}`,
    questions: '4-10 content words of a chunk in their order, half with a question lead',
    documents,
    chunks,
    ...drawQueries(chunks, (text) => realQuestion(text, random)),
  };
}

const QUESTION_LEADS = ['how do I', 'what is', 'how to', 'why does', 'where is', 'can I'];
const STOP_WORDS = new Set([...FUNCTION_WORDS, 'you', 'your', 'if', 'we', 'our', 'use', 'see', 'then', 'do', 'does', 'how', 'what', 'should', 'must', 'only', 'any', 'each', 'new', 'get', 'set']);

// Hashes and version strings: nobody types them in a question.
const typable = (word: string) => !STOP_WORDS.has(word.toLowerCase()) && !/\d.*\d.*\d/.test(word) && word.length <= 30;

// A user's question about a chunk: 4-10 of its content words in order, maybe after a lead.
function realQuestion(text: string, random: () => number): string | null {
  const words = [...new Set(text.match(/[A-Za-z][A-Za-z0-9_]{2,}/g) ?? [])].filter(typable);
  if (words.length < 4) return null;
  const count = Math.min(words.length, 4 + Math.floor(random() * 7));
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(random() * words.length));
  const question = [...picked].sort((a, b) => a - b).map((i) => words[i]).join(' ');
  return random() < 0.5 ? `${QUESTION_LEADS[Math.floor(random() * QUESTION_LEADS.length)]} ${question}?` : question;
}

interface LoadResult {
  queries: string[];
  // The chunk each query was drawn from.
  sources: string[];
  embedMs: number;
  insertMs: number;
  statsMs: number;
  vacuumMs: number;
  indexMs: number;
  tableSize: string;
}

async function insertDocuments(db: pg.Pool, kbId: string, userId: string, count: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO kb_documents (id, knowledge_base_id, user_id, source_kind, source_text, title, status, progress)
     SELECT gen_random_uuid(), $1, $2, 'text', '', 'bench document ' || g, 'ready', 100 FROM generate_series(1, $3::int) g
     ORDER BY g RETURNING id`,
    [kbId, userId, count],
  );
  return rows.map((r) => r.id);
}

interface ChunkRow {
  documentId: string;
  ordinal: number;
  text: string;
  tokenCount: number;
  embedding: number[];
}

// One multi-row INSERT, shaped like ChunksRepository.replaceForDocument's.
function insertChunks(db: pg.Pool, kbId: string, rows: ChunkRow[]): Promise<unknown> {
  const params: unknown[] = [];
  const values = rows.map((c) => {
    const n = params.push(chunkId(c.documentId, c.ordinal), kbId, c.documentId, c.ordinal, c.text, c.tokenCount, JSON.stringify({ page: Math.floor(c.ordinal / 3) + 1 }));
    params.push(pgvector.toSql(c.embedding));
    return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb, $${n + 1}::vector)`;
  });
  return db.query(
    `INSERT INTO "${chunkPartition(kbId)}" (id, knowledge_base_id, document_id, ordinal, text, token_count, location, embedding) VALUES ${values.join(', ')}`,
    params,
  );
}

// Embeds and inserts the chunks, one INSERT in flight while the next batch is embedded (the two
// use different cores). Returns the embedding time.
async function insertCorpus(db: pg.Pool, log: (text: string) => void, corpus: SearchCorpus, kbId: string, documents: string[]): Promise<number> {
  let embedMs = 0;
  let pending: Promise<unknown> = Promise.resolve();
  for (let start = 0; start < corpus.chunks.length; start += INSERT_BATCH) {
    const batch = corpus.chunks.slice(start, start + INSERT_BATCH);
    const embedded = await timed(() => embedLocal(batch.map((c) => c.text), DIMENSIONS));
    embedMs += embedded.ms;
    const rows = batch.map((c, i) => ({ documentId: documents[c.document], ordinal: c.ordinal, text: c.text, tokenCount: c.tokenCount, embedding: embedded.value[i] }));
    await pending;
    pending = insertChunks(db, kbId, rows);
    if ((start / INSERT_BATCH) % 40 === 0) log(`kb: loaded ${start} of ${corpus.chunks.length} chunks`);
  }
  await pending;
  return embedMs;
}

// The base's word statistics and chunk count, as ingestion keeps them (ChunksRepository).
async function fillStats(client: pg.PoolClient, kbId: string): Promise<void> {
  const partition = chunkPartition(kbId);
  await client.query(
    `INSERT INTO kb_lexemes (knowledge_base_id, lexeme, chunk_count)
     SELECT $1, word, ndoc FROM ts_stat(format('SELECT search_vector FROM %I', $2::text))`,
    [kbId, partition],
  );
  await client.query(`UPDATE knowledge_bases SET chunk_count = (SELECT count(*) FROM "${partition}") WHERE id = $1`, [kbId]);
}

// The HNSW index is dropped first and rebuilt once at the end.
async function bulkLoad(db: pg.Pool, log: (text: string) => void, corpus: SearchCorpus, kbId: string, userId: string): Promise<LoadResult> {
  const partition = chunkPartition(kbId);
  const index = hnswIndex(kbId);
  await db.query(`DROP INDEX "${index}"`);
  const documents = await insertDocuments(db, kbId, userId, corpus.documents);
  const started = performance.now();
  const embedMs = await insertCorpus(db, log, corpus, kbId, documents);
  const insertMs = performance.now() - started;
  const client = await db.connect();
  try {
    log('kb: word statistics, VACUUM ANALYZE');
    const stats = await timed(() => fillStats(client, kbId));
    const vacuum = await timed(() => client.query(`VACUUM (ANALYZE) "${partition}"`));
    log('kb: building the HNSW index');
    await client.query(`SET maintenance_work_mem = '512MB'`);
    const build = await timed(() => client.query(hnswIndexDdl(kbId, DIMENSIONS)));
    await client.query('RESET maintenance_work_mem');
    const size = await client.query<{ size: string }>(`SELECT pg_size_pretty(pg_total_relation_size($1)) AS size`, [partition]);
    const sources = corpus.sources.map((i) => chunkId(documents[corpus.chunks[i].document], corpus.chunks[i].ordinal));
    return { queries: corpus.queries, sources, embedMs, insertMs, statsMs: stats.ms, vacuumMs: vacuum.ms, indexMs: build.ms, tableSize: size.rows[0].size };
  } finally {
    client.release();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Search through the API

const MODES = ['vector', 'fulltext', 'hybrid'] as const;
type Mode = (typeof MODES)[number];

// Each query runs once per mode, interleaved with the baseline GET, so drift from other load on
// the machine hits every figure alike.
async function searchLatency(api: Api, kbId: string, queries: string[]): Promise<Record<Mode | 'baseline', Float64Array>> {
  const samples: Record<Mode | 'baseline', number[]> = { baseline: [], vector: [], fulltext: [], hybrid: [] };
  const search = (query: string, mode: Mode) => api.call<{ data: unknown[] }>('POST', `/knowledge-bases/${kbId}/search`, { query, k: K, mode });
  for (const query of queries.slice(0, WARM_UP)) {
    await api.call('GET', `/knowledge-bases/${kbId}`);
    for (const mode of MODES) await search(query, mode);
  }
  for (const query of queries.slice(WARM_UP, WARM_UP + SIZES.queries)) {
    samples.baseline.push((await timed(() => api.call('GET', `/knowledge-bases/${kbId}`))).ms);
    for (const mode of MODES) samples[mode].push((await timed(() => search(query, mode))).ms);
  }
  return { baseline: sortedOf(samples.baseline), vector: sortedOf(samples.vector), fulltext: sortedOf(samples.fulltext), hybrid: sortedOf(samples.hybrid) };
}

// ---------------------------------------------------------------------------------------------
// 4. Recall and the SQL behind the latencies (the app's statements, run directly)

const vectorSql = (partition: string) =>
  `SELECT id, embedding::vector(${DIMENSIONS}) <=> $1::vector(${DIMENSIONS}) AS distance FROM "${partition}"
   ORDER BY embedding::vector(${DIMENSIONS}) <=> $1::vector(${DIMENSIONS}) LIMIT $2`;
const exactSql = (partition: string) => `SELECT id, embedding <=> $1::vector AS distance FROM "${partition}" ORDER BY embedding <=> $1::vector LIMIT $2`;

interface Neighbour {
  id: string;
  distance: number;
}
// Any of the query's lexemes: the app's full-text search before it kept word statistics.
const OR_QUERY = `nullif(replace(plainto_tsquery('english', $1)::text, ' & ', ' | '), '')::tsquery`;
const fulltextSql = (partition: string, tsquery: string) =>
  `WITH q AS (SELECT ${tsquery} AS query)
   SELECT c.id, c.document_id, c.text, c.token_count, c.location, ts_rank(c.search_vector, q.query, 1) AS score
   FROM "${partition}" c, q WHERE c.search_vector @@ q.query ORDER BY score DESC, c.id LIMIT $2`;
const countSql = (partition: string, tsquery: string) =>
  `SELECT count(*)::int AS n FROM "${partition}" c WHERE c.search_vector @@ (${tsquery})`;
// ChunksRepository.fulltextSearch's tsquery (placeholders: query text, base id, commonAbove).
const appTerms = (text: string, kbId: string, common: string) =>
  `WITH terms AS (
     SELECT s.lexeme, s.chunk_count, row_number() OVER (ORDER BY s.chunk_count, s.lexeme) AS rarity
     FROM unnest(tsvector_to_array(to_tsvector('english', ${text}))) AS t(lexeme)
     JOIN kb_lexemes s ON s.knowledge_base_id = ${kbId} AND s.lexeme = t.lexeme
   ), q AS (
     SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS query FROM terms WHERE rarity <= 2 OR chunk_count <= ${common}
   )`;
// ChunksRepository.fulltextSearch: $1 query, $2 limit, $3 base id, $4 commonAbove.
const appFulltextSql = (partition: string) =>
  `${appTerms('$1', '$3', '$4')}
   SELECT c.id, c.document_id, c.text, c.token_count, c.location, ts_rank(c.search_vector, q.query, 1) AS score
   FROM "${partition}" c, q WHERE c.search_vector @@ q.query ORDER BY score DESC, c.id LIMIT $2`;
const appCountSql = (partition: string) =>
  `${appTerms('$1', '$2', '$3')} SELECT count(*)::int AS n FROM "${partition}" c, q WHERE c.search_vector @@ q.query`;
// KbSearchService.commonAbove (its constants are not exported).
const commonAbove = (chunks: number) => Math.max(1000, Math.floor(chunks * 0.02));

// The app's vector search: ef_search set for the transaction only.
async function hnswSearch(client: pg.PoolClient, partition: string, vector: string, efSearch: number, limit: number): Promise<Neighbour[]> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(efSearch)]);
    return (await client.query<Neighbour>(vectorSql(partition), [vector, limit])).rows;
  } finally {
    await client.query('COMMIT');
  }
}

interface RecallResult {
  efSearch: number;
  recall: number;
  // Counting a returned chunk as right when it is no farther than the exact 10th (near-ties).
  distanceRecall: number;
  worst: number;
  sourceFound: number;
  latency: Float64Array;
  // The planner may prefer an exact scan when ef_search is large next to the table.
  plan: string;
}

interface ExactResult {
  latency: Float64Array;
  sourceFound: number;
  // Mean cosine distance of the exact 1st, 10th and 100th neighbours: how far apart they are.
  distances: [number, number, number];
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

interface RecallInput {
  vectors: string[];
  sources: string[];
  // The exact 100 nearest of each query.
  exact: Neighbour[][];
}

async function measureRecall(
  db: pg.Pool,
  partition: string,
  queries: string[],
  sources: string[],
): Promise<{ results: RecallResult[]; exact: ExactResult; input: RecallInput }> {
  const vectors = embedLocal(queries, DIMENSIONS).map((v) => pgvector.toSql(v) as string);
  const client = await db.connect();
  try {
    const exact: Neighbour[][] = [];
    const exactMs: number[] = [];
    for (const v of vectors) {
      const { value, ms } = await timed(() => client.query<Neighbour>(exactSql(partition), [v, 100]));
      exact.push(value.rows);
      exactMs.push(ms);
    }
    const input = { vectors, sources, exact };
    const at = (rank: number) => mean(exact.map((rows) => rows[Math.min(rank, rows.length) - 1].distance));
    const sourceFound = exact.filter((rows, i) => rows.slice(0, K).some((r) => r.id === sources[i])).length / vectors.length;
    const results = await hnswRecall(client, partition, input);
    return { results, exact: { latency: sortedOf(exactMs), sourceFound, distances: [at(1), at(K), at(100)] }, input };
  } finally {
    client.release();
  }
}

async function hnswRecall(client: pg.PoolClient, partition: string, { vectors, sources, exact }: RecallInput): Promise<RecallResult[]> {
  const topIds = exact.map((rows) => new Set(rows.slice(0, K).map((r) => r.id)));
  const results: RecallResult[] = [];
  for (const efSearch of EF_SEARCH_VALUES) {
    for (const v of vectors.slice(0, 10)) await hnswSearch(client, partition, v, efSearch, K); // warm-up
    const recalls: number[] = [];
    const distanceRecalls: number[] = [];
    let found = 0;
    const latency: number[] = [];
    for (let i = 0; i < vectors.length; i++) {
      const { value, ms } = await timed(() => hnswSearch(client, partition, vectors[i], efSearch, K));
      const tenth = exact[i][K - 1].distance + 1e-6;
      recalls.push(value.filter((r) => topIds[i].has(r.id)).length / K);
      distanceRecalls.push(value.filter((r) => r.distance <= tenth).length / K);
      if (value.some((r) => r.id === sources[i])) found++;
      latency.push(ms);
    }
    const plan = await planOf(client, partition, vectors[0], efSearch);
    results.push({ efSearch, recall: mean(recalls), distanceRecall: mean(distanceRecalls), worst: Math.min(...recalls), sourceFound: found / vectors.length, latency: sortedOf(latency), plan });
  }
  return results;
}

async function planOf(client: pg.PoolClient, partition: string, vector: string, efSearch: number): Promise<string> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(efSearch)]);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${vectorSql(partition)}`, [vector, K]);
    return rows.some((r) => r['QUERY PLAN'].includes('_hnsw')) ? 'HNSW index scan' : 'exact scan';
  } finally {
    await client.query('COMMIT');
  }
}

// Opt-in (BENCH_KB_HNSW_WITH): the index rebuilt with other build parameters, and its recall on
// the same queries.
async function alternativeIndex(db: pg.Pool, kbId: string, input: RecallInput, options: string): Promise<{ buildMs: number; results: RecallResult[] }> {
  const partition = chunkPartition(kbId);
  const client = await db.connect();
  try {
    await client.query(`DROP INDEX "${hnswIndex(kbId)}"`);
    await client.query(`SET maintenance_work_mem = '512MB'`);
    const build = await timed(() => client.query(hnswIndexDdl(kbId, DIMENSIONS, options)));
    await client.query('RESET maintenance_work_mem');
    return { buildMs: build.ms, results: await hnswRecall(client, partition, input) };
  } finally {
    client.release();
  }
}

function recallTable(out: Write, results: RecallResult[]): void {
  table(
    out,
    ['ef_search', 'plan', 'recall@10', 'recall@10 by distance (ties)', 'worst query', 'source found', 'SQL p50 ms', 'SQL p95 ms'],
    results.map((r) => [
      `${r.efSearch}${r.efSearch === APP_EF_SEARCH ? ' (app default)' : ''}`,
      r.plan,
      r.recall.toFixed(3),
      r.distanceRecall.toFixed(3),
      r.worst.toFixed(1),
      pct(r.sourceFound),
      f2(percentile(r.latency, 50)),
      f2(percentile(r.latency, 95)),
    ]),
  );
}

interface SqlFigure {
  name: string;
  latency: Float64Array;
  rows: string;
  sourceFound?: number;
}

// The base a statement runs against.
interface SqlTarget {
  partition: string;
  kbId: string;
  // KbSearchService's commonAbove for this base.
  common: number;
}

interface SqlCase {
  name: string;
  // The query's text, or its vector (embedded outside the timing).
  input: 'text' | 'vector';
  // Ranked ids when the statement ranks, for "source found".
  statement: (client: pg.PoolClient, input: string) => Promise<string[] | null>;
  // What the rows column says, computed outside the timed loop.
  rows?: (client: pg.PoolClient, qs: string[]) => Promise<string>;
}

const AND_QUERY = `plainto_tsquery('english', $1)`;

async function count(client: pg.PoolClient, partition: string, tsquery: string, q: string): Promise<number> {
  return (await client.query<{ n: number }>(countSql(partition, tsquery), [q])).rows[0].n;
}

async function ranked(client: pg.PoolClient, partition: string, tsquery: string, q: string): Promise<string[]> {
  return (await client.query<{ id: string }>(fulltextSql(partition, tsquery), [q, HYBRID_CANDIDATES])).rows.map((r) => r.id);
}

async function appRanked(client: pg.PoolClient, t: SqlTarget, q: string): Promise<string[]> {
  return (await client.query<{ id: string }>(appFulltextSql(t.partition), [q, HYBRID_CANDIDATES, t.kbId, t.common])).rows.map((r) => r.id);
}

async function appCount(client: pg.PoolClient, t: SqlTarget, q: string): Promise<number> {
  return (await client.query<{ n: number }>(appCountSql(t.partition), [q, t.kbId, t.common])).rows[0].n;
}

async function meanOf(qs: string[], value: (q: string) => Promise<number>): Promise<number> {
  let sum = 0;
  for (const q of qs) sum += await value(q);
  return sum / qs.length;
}

// Where a search's time goes, and what the full-text search cost before the word statistics.
function sqlCases(t: SqlTarget): SqlCase[] {
  const matched = (n: (c: pg.PoolClient, q: string) => Promise<number>) => async (c: pg.PoolClient, qs: string[]) =>
    `${Math.round(await meanOf(qs, (q) => n(c, q)))} matched`;
  const appMatched = matched((c, q) => appCount(c, t, q));
  return [
    {
      name: `vector: HNSW, ef_search ${APP_EF_SEARCH}, LIMIT ${HYBRID_CANDIDATES} (hybrid's vector half)`,
      input: 'vector',
      statement: async (c, v) => (await hnswSearch(c, t.partition, v, APP_EF_SEARCH, HYBRID_CANDIDATES)).map((r) => r.id),
    },
    {
      name: `full-text as the app: OR of the lexemes in ≤ ${t.common} chunks (at least the 2 rarest, from kb_lexemes) + ts_rank, LIMIT ${HYBRID_CANDIDATES}`,
      input: 'text',
      statement: (c, q) => appRanked(c, t, q),
      rows: appMatched,
    },
    {
      name: 'the same tsquery: matching only (count(*), no ranking)',
      input: 'text',
      statement: async (c, q) => (await appCount(c, t, q), null),
      rows: appMatched,
    },
    {
      name: `alternative: OR of all the lexemes (no pruning) + ts_rank, LIMIT ${HYBRID_CANDIDATES}`,
      input: 'text',
      statement: (c, q) => ranked(c, t.partition, OR_QUERY, q),
      rows: matched((c, q) => count(c, t.partition, OR_QUERY, q)),
    },
    {
      name: `alternative: AND of the lexemes (plainto_tsquery as is) + ts_rank, LIMIT ${HYBRID_CANDIDATES}`,
      input: 'text',
      statement: (c, q) => ranked(c, t.partition, AND_QUERY, q),
      rows: matched((c, q) => count(c, t.partition, AND_QUERY, q)),
    },
  ];
}

async function sqlBreakdown(db: pg.Pool, target: SqlTarget, queries: string[], sources: string[]): Promise<SqlFigure[]> {
  const client = await db.connect();
  const vectors = new Map(queries.map((q) => [q, pgvector.toSql(embedLocal([q], DIMENSIONS)[0]) as string]));
  try {
    const figures: SqlFigure[] = [];
    for (const c of sqlCases(target)) {
      const input = (q: string) => (c.input === 'vector' ? vectors.get(q)! : q);
      for (const q of queries.slice(0, 5)) await c.statement(client, input(q));
      const latency: number[] = [];
      let found: number | undefined;
      for (let i = 0; i < queries.length; i++) {
        const { value, ms } = await timed(() => c.statement(client, input(queries[i])));
        latency.push(ms);
        if (value) found = (found ?? 0) + (value.slice(0, K).includes(sources[i]) ? 1 : 0);
      }
      const rows = c.rows ? await c.rows(client, queries.map(input)) : '';
      figures.push({ name: c.name, latency: sortedOf(latency), rows, sourceFound: found === undefined ? undefined : found / queries.length });
    }
    return figures;
  } finally {
    client.release();
  }
}

// EXPLAIN ANALYZE of the app's two statements for one query (the one at the median full-text cost).
async function explain(db: pg.Pool, t: SqlTarget, query: string): Promise<{ fulltext: string; vector: string }> {
  const client = await db.connect();
  const plan = async (sql: string, params: unknown[]) =>
    (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
  try {
    const fulltext = await plan(appFulltextSql(t.partition), [query, HYBRID_CANDIDATES, t.kbId, t.common]);
    await client.query('BEGIN');
    await client.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(APP_EF_SEARCH)]);
    const vector = await plan(vectorSql(t.partition), [pgvector.toSql(embedLocal([query], DIMENSIONS)[0]), HYBRID_CANDIDATES]);
    await client.query('COMMIT');
    // The query vector literal is long and says nothing.
    return { fulltext, vector: vector.replace(/'\[[^\]]*\]'/g, "'[…]'") };
  } finally {
    client.release();
  }
}

// The query whose full-text search (as the app) costs the median time among a sample.
async function medianCostQuery(db: pg.Pool, t: SqlTarget, queries: string[]): Promise<string> {
  const client = await db.connect();
  try {
    const costs: [string, number][] = [];
    for (const q of queries) costs.push([q, (await timed(() => appRanked(client, t, q))).ms]);
    costs.sort((a, b) => a[1] - b[1]);
    return costs[Math.floor(costs.length / 2)][0];
  } finally {
    client.release();
  }
}

// ---------------------------------------------------------------------------------------------
// The search section

async function searchCorpus(log: (text: string) => void, gen: TextGenerator, limits: ParseLimits): Promise<{ corpus: SearchCorpus; ms: number }> {
  log(`kb: preparing the ${CORPUS_KIND} search corpus`);
  const { value, ms } = await timed(() => (CORPUS_KIND === 'real' ? realCorpus(limits, mulberry32(20_251_122)) : syntheticCorpus(gen)));
  return { corpus: value, ms };
}

async function searchSection(out: Write, log: (text: string) => void, db: pg.Pool, api: Api, userId: string, prepared: { corpus: SearchCorpus; ms: number }): Promise<void> {
  const { corpus } = prepared;
  const chunks = corpus.chunks.length;
  const kb = await api.call<{ id: string }>('POST', '/knowledge-bases', { name: 'bench search' });
  const target: SqlTarget = { partition: chunkPartition(kb.id), kbId: kb.id, common: commonAbove(chunks) };
  log(`kb: bulk-loading ${chunks} chunks`);
  const load = await bulkLoad(db, log, corpus, kb.id, userId);
  gc();
  const latencyQueries = load.queries.slice(0, WARM_UP + SIZES.queries);
  const recallQueries = load.queries.slice(-SIZES.recallQueries);
  log(`kb: ${SIZES.queries} searches per mode through the API`);
  const latency = await searchLatency(api, kb.id, latencyQueries);
  log(`kb: recall@10 over ${recallQueries.length} queries`);
  const recall = await measureRecall(db, target.partition, recallQueries, load.sources.slice(-SIZES.recallQueries));
  log('kb: SQL breakdown');
  const sqlQueries = latencyQueries.slice(WARM_UP, WARM_UP + SIZES.sqlQueries);
  const sql = await sqlBreakdown(db, target, sqlQueries, load.sources.slice(WARM_UP, WARM_UP + SIZES.sqlQueries));
  const plans = await explain(db, target, await medianCostQuery(db, target, sqlQueries.slice(0, 30)));
  const tokens = corpus.chunks.reduce((n, c) => n + c.tokenCount, 0);

  out();
  out(`### Search at ${chunks.toLocaleString('en')} chunks (${CORPUS_KIND} corpus)`);
  out();
  out(
    `Loaded with SQL (not measured as ingestion): ${corpus.description}; ${chunks} chunks (mean ${Math.round(tokens / chunks)} tokens), ` +
      `embedded with embedLocal (${DIMENSIONS} d). Partition with indexes: ${load.tableSize}. Full-text leaves out words in more than ${target.common} chunks. ` +
      `Sample questions: ${load.queries.slice(0, 3).map((q) => `“${q}”`).join(', ')}.`,
  );
  out();
  table(out, ['load step', 's'], [
    [`prepare the ${CORPUS_KIND} corpus (${CORPUS_KIND === 'real' ? 'read, parse, chunk' : 'generate'})`, seconds(prepared.ms)],
    ['embedLocal (this process, overlapped with the inserts)', seconds(load.embedMs)],
    [`multi-row INSERTs of ${INSERT_BATCH} (HNSW index dropped; GIN and b-tree indexes maintained), wall`, seconds(load.insertMs)],
    ['word statistics: kb_lexemes from ts_stat over the partition + knowledge_bases.chunk_count', seconds(load.statsMs)],
    ['VACUUM (ANALYZE) of the partition', seconds(load.vacuumMs)],
    [`CREATE INDEX … USING hnsw ((embedding::vector(${DIMENSIONS})) vector_cosine_ops) WITH (${HNSW_BUILD_OPTIONS}), maintenance_work_mem 512MB`, seconds(load.indexMs)],
  ]);
  out();
  out(`Latency through the HTTP API (this process is client and server), ${SIZES.queries} sequential queries (${corpus.questions}) per mode after ${WARM_UP} warm-up, interleaved with the baseline; POST /knowledge-bases/:id/search {query, k: ${K}, mode}:`);
  out();
  const base = latency.baseline;
  table(
    out,
    ['request', 'p50 ms', 'p95 ms', 'p99 ms', 'p50 × baseline', 'p95 × baseline'],
    (['baseline', ...MODES] as const).map((name) => [
      name === 'baseline' ? 'baseline: GET /knowledge-bases/:id (auth + one SELECT)' : `search, mode ${name}`,
      f1(percentile(latency[name], 50)),
      f1(percentile(latency[name], 95)),
      f1(percentile(latency[name], 99)),
      f1(percentile(latency[name], 50) / percentile(base, 50)),
      f1(percentile(latency[name], 95) / percentile(base, 95)),
    ]),
  );
  out();
  const [d1, d10, d100] = recall.exact.distances;
  out(
    `Recall@10 of the app's HNSW search (its SQL: set_config('hnsw.ef_search') in a transaction, ORDER BY embedding::vector(${DIMENSIONS}) <=> q LIMIT 10) ` +
      `against exact search (ORDER BY embedding <=> q on the uncast column: a scan, p50 ${f1(percentile(recall.exact.latency, 50))} ms), ${recallQueries.length} queries. ` +
      `"Source found": the chunk the question was drawn from is among the 10 (exact search: ${pct(recall.exact.sourceFound)}). ` +
      `Mean cosine distance of the exact 1st / 10th / 100th neighbour: ${d1.toFixed(3)} / ${d10.toFixed(3)} / ${d100.toFixed(3)}.`,
  );
  out();
  recallTable(out, recall.results);
  out();
  for (const options of HNSW_ALTERNATIVES) {
    log(`kb: rebuilding the HNSW index WITH (${options})`);
    const alt = await alternativeIndex(db, kb.id, recall.input, options);
    out(`The same queries after rebuilding the index WITH (${options}) (BENCH_KB_HNSW_WITH; built in ${seconds(alt.buildMs)} s, the app's in ${seconds(load.indexMs)} s):`);
    out();
    recallTable(out, alt.results);
    out();
  }
  out(`The SQL behind the latencies, run directly (one connection, ${sqlQueries.length} of the same queries, after 5 warm-up):`);
  out();
  table(
    out,
    ['statement', 'p50 ms', 'p95 ms', 'rows', 'source found in top 10'],
    sql.map((s) => [s.name, f1(percentile(s.latency, 50)), f1(percentile(s.latency, 95)), s.rows, s.sourceFound === undefined ? '' : pct(s.sourceFound)]),
  );
  const appRecall = recall.results.find((r) => r.efSearch === APP_EF_SEARCH)!;
  out();
  out('Targets:');
  out();
  table(out, ['target', 'measured', 'status'], [
    [`hybrid search p95 < ${TARGET_HYBRID_P95_MS} ms at ${chunks.toLocaleString('en')} chunks`, `${f1(percentile(latency.hybrid, 95))} ms`, met(percentile(latency.hybrid, 95) < TARGET_HYBRID_P95_MS)],
    [`recall@10 ≥ ${TARGET_RECALL} (ef_search ${APP_EF_SEARCH})`, appRecall.recall.toFixed(3), met(appRecall.recall >= TARGET_RECALL)],
  ]);
  out();
  out('<details><summary>EXPLAIN ANALYZE of the full-text and vector statements (as the app) for a median-cost query</summary>');
  out();
  out('```');
  out(plans.fulltext);
  out();
  out(plans.vector);
  out('```');
  out();
  out('</details>');
}

// ---------------------------------------------------------------------------------------------
// Entry points

export async function runKnowledgeBench(out: Write, log: (text: string) => void): Promise<void> {
  const storage = await createTestStorage();
  const t = await startTestApp({ JOBS_RETRY_DELAY_MS: '200', RATE_LIMIT_MAX: '100000000', KB_HNSW_EF_SEARCH: String(APP_EF_SEARCH) }, storage);
  const db = new pg.Pool({ connectionString: t.env.DATABASE_URL, max: 3 });
  try {
    const user = await registerUser(t);
    const api = new Api(t.url, user.accessToken);
    const gen = new TextGenerator(20_251_122);
    out();
    out(`## (e) Knowledge base: ingestion with the local embedder, search at ${SIZES.chunks.toLocaleString('en')} chunks`);
    out();
    out(`Sizes: ${JSON.stringify(SIZES)}, search corpus ${CORPUS_KIND}. App in this process on native PostgreSQL (${await serverVersion(db)}).`);
    await ingestionSection(out, log, t, api, gen);
    gc();
    const prepared = await searchCorpus(log, gen, t.config.knowledge.parseLimits);
    await searchSection(out, log, db, api, user.id, prepared);
  } finally {
    await db.end();
    await t.close();
  }
}

async function serverVersion(db: pg.Pool): Promise<string> {
  const { rows } = await db.query<{ pg: string; vector: string }>(
    `SELECT current_setting('server_version') AS pg, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector`,
  );
  return `${rows[0].pg}, pgvector ${rows[0].vector}`;
}

// Standalone: node --expose-gc dist/test/bench/knowledge.js
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.env.DATABASE_URL) {
    process.stderr.write('The knowledge-base bench needs DATABASE_URL (a PostgreSQL with pgvector).\n');
    process.exit(2);
  }
  await runKnowledgeBench(
    (text = '') => process.stdout.write(`${text}\n`),
    (text) => process.stderr.write(`[bench] ${text}\n`),
  );
}
