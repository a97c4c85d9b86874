import * as assert from 'node:assert/strict';
import type { EndpointOptions } from '../../src/core/request';
import type { ReplayServer } from './replayServer';
import { startReplayServer } from './replayServer';

/** A unit suite's replay server, fresh for each test, and the client endpoint that points at it. */
export interface ReplayFixture {
  readonly server: ReplayServer;
  /** No key, no headers, a 10 s timeout unless the suite asked otherwise; a new object at each read. */
  readonly endpoint: EndpointOptions;
}

/**
 * Registers the hooks of a unit suite that talks to the replay server: a new server before each test (so requests,
 * pace and recording choices never leak from one test into the next), closed after it. Read `server` and
 * `endpoint` inside tests; `endpoint` overrides what the suite's tests share (a key, a shorter timeout).
 */
export function useReplayServer(endpoint: Partial<Omit<EndpointOptions, 'baseUrl'>> = {}): ReplayFixture {
  let server: ReplayServer | undefined;
  beforeEach(async () => {
    server = await startReplayServer();
  });
  afterEach(() => server?.close());
  const current = (): ReplayServer => {
    assert.ok(server, 'the replay server runs once a test has started');
    return server;
  };
  return {
    get server(): ReplayServer {
      return current();
    },
    get endpoint(): EndpointOptions {
      return { baseUrl: current().baseUrl, apiKey: undefined, headers: {}, timeoutMs: 10_000, ...endpoint };
    },
  };
}
