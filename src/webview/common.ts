/**
 * What every Logprob Lens webview script shares: the VS Code API (messages out, state kept across reloads),
 * validated messages in, and DOM builders that only ever set text through `textContent`.
 */
import type { SvgNode } from '../core/charts';

/** The object `acquireVsCodeApi()` returns (VS Code injects the function into every webview). */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The page's link to the extension. `Outgoing` is the message type the page may post. */
export class WebviewHost<Outgoing, State> {
  private readonly api = acquireVsCodeApi();

  post(message: Outgoing): void {
    this.api.postMessage(message);
  }

  /** The state saved before a reload or a hide, if it still reads as a `State`. */
  restore(read: (value: unknown) => State | undefined): State | undefined {
    return read(this.api.getState());
  }

  save(state: State): void {
    this.api.setState(state);
  }

  /** Calls `handle` with every message from the extension that `parse` accepts; others are dropped. */
  listen<Incoming>(parse: (value: unknown) => Incoming | undefined, handle: (message: Incoming) => void): void {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = parse(event.data);
      if (message !== undefined) handle(message);
    });
  }
}

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

/** DOM for a chart built by src/core/charts.ts: attributes from the builder, text only as `textContent`. */
export function renderSvg(node: SvgNode): SVGElement {
  const element = document.createElementNS(SVG_NAMESPACE, node.tag);
  for (const [name, value] of Object.entries(node.attrs)) element.setAttribute(name, String(value));
  if (node.text !== undefined) element.textContent = node.text;
  for (const child of node.children ?? []) element.appendChild(renderSvg(child));
  return element;
}

/** An element (HTML, or a custom element such as the `@vscode-elements` components) with attributes, text set as `textContent`, and children. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Readonly<Record<string, string>>, content?: string | readonly Node[]): HTMLElementTagNameMap[K];
export function element(tag: string, attributes?: Readonly<Record<string, string>>, content?: string | readonly Node[]): HTMLElement;
export function element(tag: string, attributes: Readonly<Record<string, string>> = {}, content: string | readonly Node[] = []): HTMLElement {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  if (typeof content === 'string') created.textContent = content;
  else created.append(...content);
  return created;
}
