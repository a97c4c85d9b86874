// The lazily loaded tokenizer: OpenAI's BPE encodings from `gpt-tokenizer`, bundled as dist/tokenizer.js and
// required only when a token must be keyed by id for logit_bias (Ban / Boost on an OpenAI model). Each encoding is
// imported on first use, so the other's ~1-2 MB rank table is never evaluated; r50k/p50k/harmony are not bundled.
import type { OpenAiEncoding } from '../core/capabilities';

interface EncodingApi {
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  decode(ids: Iterable<number>): string;
}

const loaded = new Map<OpenAiEncoding, Promise<EncodingApi>>();

function encodingApi(encoding: OpenAiEncoding): Promise<EncodingApi> {
  let api = loaded.get(encoding);
  if (api === undefined) {
    switch (encoding) {
      case 'o200k_base': api = import('gpt-tokenizer/encoding/o200k_base'); break;
      case 'cl100k_base': api = import('gpt-tokenizer/encoding/cl100k_base'); break;
      default: return Promise.reject(new RangeError(`unknown encoding ${String(encoding)}`));
    }
    loaded.set(encoding, api);
  }
  return api;
}

/** The token ids of `text`. Text that looks like a special token (`<|endoftext|>`) is encoded as plain text. */
export async function encode(text: string, encoding: OpenAiEncoding): Promise<number[]> {
  return (await encodingApi(encoding)).encode(text, { disallowedSpecial: new Set() });
}

export async function decode(ids: readonly number[], encoding: OpenAiEncoding): Promise<string> {
  return (await encodingApi(encoding)).decode(ids);
}
