// The lazily loaded half of the extension: the `openai` SDK and what uses it. Bundled as dist/client.js and
// `require`d on the first request, so activation never pays for the SDK.
export { createClient, streamChat } from './chat';
export type { ChatRequest, Endpoint, Sampling } from './chat';
