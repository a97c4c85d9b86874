import * as assert from 'node:assert/strict';
import { decodeRun, decodeRunMeta, encodeRun, RUN_FILE_VERSION, RunDecodeError } from '../../src/core/runs/codec';
import type { RunRecord } from '../../src/core/runs/runRecord';
import { metaOf } from '../../src/core/runs/runRecord';
import { recordedToken } from '../../src/core/runs/runTokens';
import { seeded } from '../support/seeded';
import { recordOf, token } from './runsHelpers';

/** Every token as an object, and the placements as rows: what "the same run" means, independent of string ids. */
function contentOf(record: RunRecord): unknown {
  const tokens = Array.from({ length: record.tokens.count }, (_, i) => recordedToken(record.tokens, i));
  const placements = Array.from({ length: record.placements.count }, (_, p) =>
    [record.placements.start[p], record.placements.end[p], record.placements.firstToken[p], record.placements.tokenCount[p]]);
  return { meta: JSON.parse(JSON.stringify(metaOf(record))) as unknown, text: record.text, tokens, placements };
}

/** A run with what breaks naive codecs: emoji, a lone surrogate, NUL, CRLF, empty and repeated strings, ids, bytes. */
function awkwardRecord(): RunRecord {
  return recordOf([
    { token: 'Hi', logprob: -0.000001, top_logprobs: [{ token: 'Hi', logprob: -0.000001, id: 5 }, { token: '', logprob: -20, id: 0 }] },
    { token: ' 💙', logprob: -1.5, id: 12, top_logprobs: [{ token: ' 💙', logprob: -1.5 }, { token: '\uD83D', logprob: -2.25 }] },
    { token: '\r\n', logprob: null, top_logprobs: [] },
    { token: '\u0000\u202e', logprob: -9999, top_logprobs: [{ token: 'Hi', logprob: Number.NEGATIVE_INFINITY }] },
    { token: '\\xf0\\x9f', logprob: -3, bytes: [0xf0, 0x9f], top_logprobs: [{ token: '\\xf0\\x9f', logprob: -3 }] },
  ], { group: { id: 'set-1', kind: 'samples', index: 1, size: 3, label: 'sample 2' }, parent: { runId: 'abc', tokenIndex: 4 } });
}

function expectDecodeError(bytes: Uint8Array, reason?: RunDecodeError['reason']): void {
  try {
    decodeRun(bytes);
  } catch (error) {
    assert.ok(error instanceof RunDecodeError, `threw ${String(error)}`);
    if (reason) assert.equal(error.reason, reason, error.message);
    return;
  }
  assert.fail('decoded a damaged file');
}

describe('runs: storage codec', () => {
  it('round-trips text, token strings, alternatives, ids, bytes, groups and parents exactly', () => {
    const record = awkwardRecord();
    const decoded = decodeRun(encodeRun(record));
    assert.deepEqual(contentOf(decoded), contentOf(record));
    assert.equal(decoded.tokens.strings.includes('\uD83D'), true, 'a lone surrogate survives (the table falls back to UTF-16)');
  });

  it('keeps the sampled logprob at float64 and alternatives at float32, as the live store does', () => {
    const logprob = -0.123456789012345;
    const decoded = decodeRun(encodeRun(recordOf([{ token: 'a', logprob, top_logprobs: [{ token: 'a', logprob }] }])));
    assert.equal(decoded.tokens.logprob[0], logprob);
    assert.equal(decoded.tokens.altLogprob[0], Math.fround(logprob));
    assert.notEqual(Math.fround(logprob), logprob, 'the test value is not exact in float32');
  });

  it('starts with the magic bytes and version, and reads the metadata alone', () => {
    const bytes = encodeRun(awkwardRecord());
    assert.deepEqual([...bytes.subarray(0, 5)], [0x89, 0x4c, 0x4c, 0x52, RUN_FILE_VERSION]);
    assert.equal(decodeRunMeta(bytes).group?.label, 'sample 2');
  });

  it('rejects a foreign file, a newer version, trailing bytes and a mismatched text, each with a reason', () => {
    const bytes = encodeRun(awkwardRecord());
    expectDecodeError(new TextEncoder().encode('{"format":"logprob-lens/run"}'), 'foreign');
    expectDecodeError(new Uint8Array(0), 'foreign');
    const newer = bytes.slice();
    newer[4] = RUN_FILE_VERSION + 1;
    expectDecodeError(newer, 'newer');
    expectDecodeError(Uint8Array.from([...bytes, 0]), 'corrupt');
    // The metadata of one run with the columns of another: the text hash gives it away.
    const other = encodeRun(recordOf([token('Bye', 0.5)]));
    const metaEnd = metaSectionEnd(bytes);
    expectDecodeError(Uint8Array.from([...bytes.subarray(0, metaEnd), ...other.subarray(metaSectionEnd(other))]), 'corrupt');
  });

  it('never throws anything but RunDecodeError on truncated or mutated files (seeded fuzz)', () => {
    const bytes = encodeRun(awkwardRecord());
    const random = seeded(20250614);
    for (let round = 0; round < 400; round++) {
      expectDecodeError(bytes.subarray(0, Math.floor(random() * bytes.length)));
      const mutated = bytes.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(random() * mutated.length);
        mutated[at] = mutated[at]! ^ (1 + Math.floor(random() * 255));
      }
      expectDecodeError(mutated);
    }
  });

  it('refuses a declared count larger than the file before allocating it', () => {
    // A hand-made file: valid magic, version, and a metadata length of 2^40.
    expectDecodeError(Uint8Array.from([0x89, 0x4c, 0x4c, 0x52, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]), 'truncated');
  });
});

/** Offset just past the metadata section (varint length, content, CRC-32). */
function metaSectionEnd(bytes: Uint8Array): number {
  let at = 5;
  let length = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = bytes[at++]!;
    length += (byte & 0x7f) * shift;
    if (byte < 0x80) break;
  }
  return at + length + 4;
}
