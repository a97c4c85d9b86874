import { asArray, asObject, asString } from './json';

/**
 * HAR files (a browser's or a proxy's "save all as HAR", Polly.JS recordings): the requests of `log.entries`, each
 * with its response body decoded (`response.content.text`, base64 when `encoding` says so).
 */

export interface HarRequest {
  /** Position in `log.entries`. */
  readonly index: number;
  readonly method: string;
  readonly url: string;
  /** `startedDateTime` as the file has it (ISO 8601), or '' when missing. */
  readonly started: string;
  readonly body: string;
}

export function isHar(value: unknown): boolean {
  return Array.isArray(asObject(asObject(value)?.log)?.entries);
}

function decodeBase64(text: string): string | undefined {
  try {
    return new TextDecoder('utf-8').decode(Uint8Array.from(atob(text.replace(/\s+/g, '')), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** The requests of a HAR log that have a response body. */
export function harRequests(value: unknown): HarRequest[] {
  const requests: HarRequest[] = [];
  asArray(asObject(asObject(value)?.log)?.entries).forEach((item, index) => {
    const entry = asObject(item);
    const content = asObject(asObject(entry?.response)?.content);
    const text = asString(content?.text);
    const body = text !== undefined && content?.encoding === 'base64' ? decodeBase64(text) : text;
    if (!body) return;
    const request = asObject(entry?.request);
    requests.push({
      index, body,
      method: asString(request?.method) ?? '?',
      url: asString(request?.url) ?? '',
      started: asString(entry?.startedDateTime) ?? '',
    });
  });
  return requests;
}
