// `npm run bench`: the figures the README's Benchmarks section gives, with their targets. Prints numbers; asserts nothing.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createClient, MAX_EVENT_BYTES, streamChat } from '../../src/client/requests';
import { Answer } from '../../src/core/answer';
import { BUCKET_COUNT, DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import { hoverMarkdown } from '../../src/core/hoverMarkdown';
import type { TokenEntry } from '../../src/core/logprob';
import { runHostileBench } from './hostileBench';
import { runLoggedBench } from './loggedBench';
import { runRunsBench } from './runsBench';
import { runSteeringBench } from './steeringBench';
import { runTokenizerBench } from './tokenizerBench';
import { runInspectorBench } from './inspectorBench';
import { runPromptFilesBench } from './promptFilesBench';

const root = path.resolve(__dirname, '../../..');
const WORDS = [' the', ' model', ' was', ' fairly', ' sure', ' about', ' this', ' token', ',', ' and', ' less', ' so', ' here', '.', '\n', ' 💙'];

function syntheticToken(i: number, alternatives: number): TokenEntry {
  const token = WORDS[i % WORDS.length]!;
  const bytes = [...Buffer.from(token, 'utf8')];
  return {
    token, logprob: -((i * 7919) % 1000) / 250, bytes,
    top_logprobs: Array.from({ length: alternatives }, (_, k) => ({ token: k === 0 ? token : WORDS[(i + k) % WORDS.length]! + k, logprob: -k * 0.7 - 0.01 })),
  };
}

/** A loopback server streaming `tokens` chunks shaped like OpenAI's, one token per chunk, as fast as it can. */
async function syntheticServer(tokens: number, alternatives: number): Promise<{ url: string; close: () => Promise<void> }> {
  const chunks: string[] = [];
  for (let i = 0; i < tokens; i++) {
    const entry = syntheticToken(i, alternatives);
    chunks.push(`data: ${JSON.stringify({
      id: 'bench', object: 'chat.completion.chunk', created: 0, model: 'bench',
      choices: [{ index: 0, delta: { content: entry.token }, finish_reason: null, logprobs: { content: [{
        token: entry.token, logprob: entry.logprob, bytes: entry.bytes,
        top_logprobs: entry.top_logprobs!.map((alternative) => ({ token: alternative.token, logprob: alternative.logprob, bytes: [...Buffer.from(alternative.token)] })),
      }], refusal: null } }],
    })}\n\n`);
  }
  chunks.push(`data: ${JSON.stringify({ id: 'bench', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }] })}\n\ndata: [DONE]\n\n`);
  const body = chunks.join('');
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // Send in ~16 KB writes, like a server flushing as it generates.
      for (let at = 0; at < body.length; at += 16_384) response.write(body.slice(at, at + 16_384));
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function consume(url: string, withPipeline: boolean): Promise<number> {
  const client = createClient({ baseUrl: url, apiKey: undefined, headers: {}, timeoutMs: 60_000 });
  const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
  const spans: number[][] = Array.from({ length: BUCKET_COUNT }, () => []);
  const began = performance.now();
  let lastFlush = began;
  for await (const delta of streamChat(client, { apiStyle: 'chat', model: 'bench', messages: [{ role: 'user', content: 'x' }], topLogprobs: 20, sampling: {} }, new AbortController().signal)) {
    if (!withPipeline) continue;
    answer.inserted(answer.append(delta.text, delta.tokens).length);
    const now = performance.now();
    if (now - lastFlush >= 50) {
      // What a decoration flush computes: the merged spans of the whole answer.
      for (const bucket of spans) bucket.length = 0;
      answer.spans(BUCKET_COUNT, spans);
      lastFlush = now;
    }
  }
  if (withPipeline) answer.finish();
  return performance.now() - began;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function buildAnswer(tokens: number, alternatives: number): Answer {
  const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
  for (let i = 0; i < tokens; i++) {
    const entry = syntheticToken(i, alternatives);
    answer.inserted(answer.append(entry.token, [entry]).length);
  }
  answer.finish();
  return answer;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  console.log(`Logprob Lens benchmarks: Node ${process.versions.node}, ${process.platform}/${process.arch}\n`);

  // 1. Memory per token, measured first, before other runs leave garbage behind.
  if (gc) {
    gc();
    // Typed arrays live outside the JS heap: count both.
    const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    const held = buildAnswer(100_000, 20);
    // Twice: one collection can leave the garbage of the build behind (the figure then jumps by ~50 B).
    gc();
    gc();
    const after = used();
    console.log(`memory per token, 100k tokens × 20 alternatives held: ${((after - before) / 100_000).toFixed(0)} B  (target <= 256 B; ${held.store.tokenCount} tokens)\n`);
  } else console.log('memory per token: run with node --expose-gc (npm run bench does)\n');

  // 2. Pipeline overhead against the SDK alone.
  const streamTokens = 5000;
  const server = await syntheticServer(streamTokens, 20);
  await consume(server.url, true);
  await consume(server.url, false);
  const sdkOnly: number[] = [];
  const pipeline: number[] = [];
  for (let run = 0; run < 8; run++) {
    sdkOnly.push(await consume(server.url, false));
    pipeline.push(await consume(server.url, true));
  }
  await server.close();
  const median = (values: number[]): number => percentile(values, 50);
  console.log(`pipeline overhead, ${streamTokens} tokens × 20 alternatives over loopback (median of 8 interleaved runs)`);
  console.log(`  SDK alone:             ${(median(sdkOnly) / streamTokens * 1000).toFixed(1)} µs/token`);
  console.log(`  SDK + whole pipeline:  ${(median(pipeline) / streamTokens * 1000).toFixed(1)} µs/token`);
  console.log(`  ratio:                 ${(median(pipeline) / median(sdkOnly)).toFixed(3)}  (target <= 1.05)\n`);

  // 3. Hover look-up and hover markdown at 100k tokens.
  const big = buildAnswer(100_000, 20);
  const lookups: number[] = [];
  let sink = 0;
  for (let i = 0; i < 20_000; i++) {
    const offset = Math.floor(Math.random() * big.length);
    const began = performance.now();
    sink += big.placementAt(offset);
    lookups.push((performance.now() - began) * 1000);
  }
  const markdowns: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const began = performance.now();
    const placement = big.store.placement(big.placementAt(Math.floor(Math.random() * big.length)));
    sink += hoverMarkdown([big.store.token(placement.firstToken)]).length;
    markdowns.push((performance.now() - began) * 1000);
  }
  console.log('hover, 100k tokens');
  console.log(`  token at position:     p50 ${percentile(lookups, 50).toFixed(2)} µs, p99 ${percentile(lookups, 99).toFixed(2)} µs  (target p99 <= 50 µs)`);
  console.log(`  look-up + markdown:    p50 ${percentile(markdowns, 50).toFixed(1)} µs, p99 ${percentile(markdowns, 99).toFixed(1)} µs\n`);

  // 4. Edit tracking: a keystroke above the answer, and inside it near the start (shifts every token after it).
  const above: number[] = [];
  const inside: number[] = [];
  for (let i = 0; i < 200; i++) {
    let began = performance.now();
    big.applyEdit(0, 0, 1);
    above.push((performance.now() - began) * 1000);
    began = performance.now();
    big.applyEdit(big.start + 3 + i, 0, 1);
    inside.push((performance.now() - began) * 1000);
  }
  console.log('edit tracking, one keystroke with 100k decorated tokens');
  console.log(`  above the answer:      p50 ${percentile(above, 50).toFixed(2)} µs`);
  console.log(`  inside, near its start: p50 ${percentile(inside, 50).toFixed(0)} µs, p99 ${percentile(inside, 99).toFixed(0)} µs  (target <= 1 ms)\n`);

  // 5. Spans for a full apply (the part computed by the core; converting to Ranges happens in the editor).
  console.log('merged spans for one full decoration apply (core part)');
  for (const size of [1_000, 10_000, 100_000]) {
    const answer = buildAnswer(size, 5);
    const times: number[] = [];
    let spanCount = 0;
    for (let i = 0; i < 20; i++) {
      const began = performance.now();
      spanCount = answer.spans(BUCKET_COUNT).reduce((sum, bucket) => sum + bucket.length / 2, 0);
      times.push(performance.now() - began);
    }
    console.log(`  ${String(size).padStart(6)} tokens: ${percentile(times, 50).toFixed(2)} ms (${spanCount} spans)`);
  }

  // 6. Hostile servers: tokens that never match the text, and one endless event.
  console.log('\nhostile servers');
  await runHostileBench();
  await hostileLineMemory();

  // 7. Logged responses, runs, the tokenizer.
  console.log('\nlogged responses');
  await runLoggedBench();
  console.log('\nruns (issue 10)');
  await runRunsBench();
  console.log('\ntokenizer (logit bias ids)');
  await runTokenizerBench();
  console.log('\nsteering from the hover');
  await runSteeringBench();

  // 8. Sizes.
  const size = (file: string): string => (fs.existsSync(file) ? `${(fs.statSync(file).size / 1024).toFixed(1)} KB` : 'not built');
  console.log('\nsizes (production build)');
  console.log(`  dist/extension.js (activation; no command-only code, SDK, tokenizer, diff or YAML): ${size(path.join(root, 'dist', 'extension.js'))}  (target <= 150 KB)`);
  for (const lazy of ['commands', 'client', 'tokenizer', 'runTools', 'promptFiles']) console.log(`  dist/${lazy}.js (loaded on first use): ${size(path.join(root, 'dist', `${lazy}.js`))}`);
  console.log(`  logprob-lens.vsix: ${size(path.join(root, 'logprob-lens.vsix'))}  (target <= 1 MB; npm run package builds it)`);
  if (sink === Number.MIN_SAFE_INTEGER) console.log(sink);

  console.log('\ntoken inspector and colour modes');
  await runInspectorBench();
  console.log('\nprompt files');
  await runPromptFilesBench();
}

/**
 * A server that sends one event of 300 MB: the client stops at the 16 MB event cap, so what it holds is bounded by
 * the cap, not by the server. Prints the peak growth of the process's memory while it reads.
 */
async function hostileLineMemory(): Promise<void> {
  const megabyte = 'x'.repeat(1 << 20);
  const server = http.createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    const write = (): void => {
      while (sent < 300 && response.write(sent === 0 ? 'data: {"choices":[{"index":0,"delta":{"content":"' : megabyte)) sent++;
      if (sent < 300) response.once('drain', write);
      else response.end();
    };
    write();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  const began = performance.now();
  let outcome = 'no error';
  try {
    const client = createClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: undefined, headers: {}, timeoutMs: 60_000 });
    for await (const delta of streamChat(client, { apiStyle: 'chat', model: 'bench', messages: [{ role: 'user', content: 'x' }], topLogprobs: 0, sampling: {} }, new AbortController().signal)) void delta;
  } catch (error) {
    outcome = (error as { kind?: string }).kind ?? 'error';
  } finally {
    clearInterval(sampler);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  console.log(`memory for one 300 MB event: peak +${((peak - before) / 1048576).toFixed(0)} MB resident, stopped after ${(performance.now() - began).toFixed(0)} ms with "${outcome}" (the event cap is ${MAX_EVENT_BYTES / 1048576} MB)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
