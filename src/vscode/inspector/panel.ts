/**
 * The Token Inspector: a webview panel beside the editor with the token at the cursor (its alternatives, and what
 * temperature, top-k, top-p and min-p would make of them) and the strip of its answer. It follows the cursor and
 * the active editor, redraws the strip while an answer streams, writes Apply's settings where the next run reads
 * them, moves the cursor where the strip is clicked, and comes back after a reload through the serializer
 * registered at activation (this code is in the lazy bundle, dist/commands.js, created on first use). Every message
 * from the page goes through `parseWebviewMessage`; the page's script and styles are its own bundle
 * (dist/webview/inspector.js, media/webview/*.css), never part of the extension's.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { answerStripOf, inspectedToken } from '../../core/inspectorMessages';
import type { HostMessage, RenderedToken, SettingsToApply } from '../../core/inspectorProtocol';
import { parseWebviewMessage } from '../../core/inspectorProtocol';
import type { SamplerSupport, SettingWrite } from '../../core/samplers';
import { applyWrites, samplerSupport, samplingContext } from '../../core/samplers';
import type { LensSettings } from '../../core/settings/snapshot';
import { webviewHtml } from '../../core/webviewHtml';
import { PanelTypes, SECTION } from '../commandIds';
import type { AnswerTracker } from '../editor/answerTracker';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import { Disposable, DisposableStore } from '../lifetime';
import { showInfo, showStatus } from '../notify';
import type { SettingsService } from '../settings';
import type { RunSteering } from '../steering/steering';
import { Throttle } from './throttle';

/** Cursor moves: one update at once, then at most one per interval (a held arrow key). */
const FOLLOW_INTERVAL_MS = 40;
/** A streaming answer: the strip is redrawn at most this often. */
const STRIP_INTERVAL_MS = 250;
/** Render reports kept for the benchmark and the tests, and posts awaiting one. */
const RENDERS_KEPT = 1000;

/** What the page shows: an answer of a document (its last one when the cursor is elsewhere) and the placement at the cursor (-1: none). */
interface Shown {
  readonly document: vscode.TextDocument;
  readonly tracked: TrackedAnswer | undefined;
  readonly placement: number;
}

/** One token message put on the page: the page's own time, the extension host's time to build and post it, and the whole round trip. */
export interface RenderTiming {
  readonly token: RenderedToken | null;
  readonly pageMs: number;
  readonly hostMs: number;
  /** From the post to the page's report: both crossings between the processes and the render. */
  readonly roundTripMs: number;
}

export class TokenInspector extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private shown: Shown | undefined;
  private ready = false;
  private applying = false;
  /** What was posted last, so that the same is not posted again. */
  private tokenKey = '';
  private stripKey = '';
  /** Token messages posted and not yet reported rendered: the host's time and when, by token. */
  private readonly posts = new Map<string, { readonly hostMs: number; readonly at: number }>();
  /** The page's render reports, oldest first. */
  readonly renders: RenderTiming[] = [];
  private readonly follow = this.register(new Throttle(() => this.followActiveEditor(), FOLLOW_INTERVAL_MS));
  private readonly streamed = this.register(new Throttle(() => this.refresh(), STRIP_INTERVAL_MS));

  constructor(private readonly tracker: AnswerTracker, private readonly settings: SettingsService, private readonly steering: Pick<RunSteering, 'capabilitiesOf'>,
    private readonly extensionUri: vscode.Uri) {
    super();
    this.register(vscode.window.onDidChangeTextEditorSelection(({ textEditor }) => {
      if (this.panel && textEditor === vscode.window.activeTextEditor) this.follow.request();
    }));
    // Focus moving into the panel leaves no active text editor: the page keeps what it shows.
    this.register(vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (this.panel && editor) this.followActiveEditor();
    }));
    this.register(tracker.onDidChange((document) => {
      if (this.panel && document === this.shown?.document) this.streamed.request();
    }));
    this.register(settings.onDidChange(() => {
      if (!this.panel) return;
      // While Apply writes, each setting's event would reset the page's controls to a half-written state.
      if (!this.applying) this.postSampling();
      this.refresh();
    }));
    this.register({
      dispose: () => {
        this.panel?.dispose();
      },
    });
  }

  /** A panel VS Code brought back after a reload: its serializer, registered at activation, hands it over. */
  restore(panel: vscode.WebviewPanel): void {
    this.adopt(panel);
    this.followActiveEditor();
  }

  /** Open Token Inspector: the panel beside the editor, on the token at the cursor. */
  open(): void {
    this.reveal();
    this.followActiveEditor();
  }

  /**
   * Shows token `tokenIndex` of the answer `answerId` without moving the cursor (the hover's Inspect link does not
   * come here: it runs logprobLens.inspectToken, which moves the cursor and opens the panel). Refused with a
   * message, returning false, when the answer is gone or the token is no longer the model's text.
   */
  inspect(answerId: string, tokenIndex: number): boolean {
    const found = this.tracker.find(answerId);
    const { store } = found?.tracked.answer ?? {};
    const placement = store && Number.isInteger(tokenIndex) && tokenIndex >= 0 && tokenIndex < store.tokenCount ? store.placementOfToken(tokenIndex) : -1;
    if (!found || !isShowable(found.tracked, placement)) {
      void showInfo('That token is no longer in its answer: the answer was edited, cleared or closed.');
      return false;
    }
    this.reveal();
    this.show({ document: found.document, tracked: found.tracked, placement });
    return true;
  }

  /** Handles a message from the page; anything `parseWebviewMessage` refuses is dropped. */
  async receive(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    switch (message?.kind) {
      case 'ready':
        this.ready = true;
        this.tokenKey = '';
        this.stripKey = '';
        this.postSampling();
        this.refresh();
        return;
      case 'apply':
        await this.apply(message.settings);
        return;
      case 'reveal':
        await this.moveCursor(message.answerId, message.placement);
        return;
      case 'rendered':
        this.recordRender(message.token, message.ms);
        return;
      case undefined:
        return;
    }
  }

  /**
   * Apply to next run: writes the sampling settings where the next run reads them (`applyWrites`: the user's
   * settings, or this workspace's when it sets them), and says where. Returns what was written.
   */
  async apply(wanted: SettingsToApply): Promise<SettingWrite[]> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const { accepts } = samplingContext(wanted, this.samplerSupport(this.settings.current));
    const writes = applyWrites(wanted, accepts, (key) => config.inspect(key), vscode.workspace.isTrusted);
    this.applying = true;
    try {
      await Promise.all(writes.map((write) => config.update(write.key, write.value,
        write.target === 'user' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace)));
    } finally {
      this.applying = false;
    }
    this.settings.refresh();
    this.postSampling();
    showStatus(appliedMessage(writes));
    return writes;
  }

  /** Moves the cursor to a placement, after checking that it is still the model's text in a tracked answer. */
  async moveCursor(answerId: string, placement: number): Promise<boolean> {
    const found = this.tracker.find(answerId);
    if (!found || !isShowable(found.tracked, placement)) {
      void showInfo('That token is no longer in its answer: the answer was edited, cleared or closed.');
      return false;
    }
    const { document, tracked: { answer } } = found;
    const position = document.positionAt(answer.start + answer.store.placement(placement).start);
    const column = vscode.window.visibleTextEditors.find((editor) => editor.document === document)?.viewColumn ?? vscode.ViewColumn.One;
    const editor = await vscode.window.showTextDocument(document, { viewColumn: column });
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  /** Creates the panel beside the editor, or brings it forward without taking the focus. */
  private reveal(): void {
    if (this.panel) this.panel.reveal(undefined, true);
    else this.adopt(vscode.window.createWebviewPanel(PanelTypes.inspector, 'Token Inspector', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }));
  }

  /** Takes a panel, new or restored after a reload: its options, its page, its listeners. */
  private adopt(panel: vscode.WebviewPanel): void {
    if (this.panel !== panel) this.panel?.dispose();
    const life = new DisposableStore();
    this.panel = panel;
    this.ready = false;
    const { webview } = panel;
    life.add(webview.onDidReceiveMessage((message: unknown) => void this.receive(message)));
    life.add(panel.onDidDispose(() => {
      life.dispose();
      if (this.panel !== panel) return;
      this.panel = undefined;
      this.shown = undefined;
    }));
    const media = (...path: string[]): vscode.Uri => vscode.Uri.joinPath(this.extensionUri, ...path);
    panel.iconPath = { light: media('media', 'inspector-light.svg'), dark: media('media', 'inspector-dark.svg') };
    webview.options = { enableScripts: true, localResourceRoots: [media('dist', 'webview'), media('media', 'webview')] };
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: webview.asWebviewUri(media('dist', 'webview', 'inspector.js')).toString(),
      styleUris: ['common.css', 'inspector.css'].map((sheet) => webview.asWebviewUri(media('media', 'webview', sheet)).toString()),
      title: 'Token Inspector',
    });
  }

  private followActiveEditor(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const { document } = editor;
    // The selection's start: Next Uncertain Token selects a token, and its end is where the next one starts.
    const hit = this.tracker.hit(document, document.offsetAt(editor.selection.start));
    this.show({ document, tracked: hit?.tracked ?? this.tracker.answers(document).at(-1), placement: hit && isShowable(hit.tracked, hit.placement) ? hit.placement : -1 });
  }

  /** Shows the same again after the answer changed: it streamed, was recoloured, edited, cleared. */
  private refresh(): void {
    const shown = this.shown;
    if (!shown) return;
    const kept = shown.tracked && this.tracker.includes(shown.document, shown.tracked) ? shown.tracked : undefined;
    const tracked = kept ?? this.tracker.answers(shown.document).at(-1);
    this.show({ document: shown.document, tracked, placement: kept && isShowable(kept, shown.placement) ? shown.placement : -1 });
  }

  private show(shown: Shown): void {
    this.shown = shown;
    if (!this.ready) return;
    this.postStrip();
    this.postToken();
  }

  private postToken(): void {
    const { tracked, placement = -1 } = this.shown ?? {};
    const { uncertainThreshold } = this.settings.current;
    const target = tracked && placement >= 0 ? tracked : undefined;
    // The layout version changes with every recolouring and edit: then the same placement is posted again.
    const key = target ? `${target.id}:${placement}:${target.answer.layoutVersion}:${uncertainThreshold}` : 'none';
    if (key === this.tokenKey) return;
    this.tokenKey = key;
    const began = performance.now();
    this.post({ kind: 'token', token: target ? inspectedToken(target.id, target.answer, placement, uncertainThreshold) : null });
    const done = performance.now();
    // A hidden page reports nothing: what it never reports is forgotten rather than kept for ever.
    if (this.posts.size >= RENDERS_KEPT) this.posts.clear();
    this.posts.set(renderKey(target ? { answerId: target.id, placement } : null), { hostMs: done - began, at: done });
  }

  private postStrip(): void {
    const { tracked, placement = -1 } = this.shown ?? {};
    const key = tracked ? `${tracked.id}:${tracked.answer.layoutVersion}:${tracked.answer.store.placementCount}` : 'none';
    if (key === this.stripKey) return;
    this.stripKey = key;
    this.post({ kind: 'strip', strip: tracked ? answerStripOf(tracked.id, tracked.answer, placement) : null });
  }

  private postSampling(): void {
    const settings = this.settings.current;
    this.post({ kind: 'sampling', sampling: samplingContext(nextRunSampling(settings), this.samplerSupport(settings)) });
  }

  /** What the backend takes and the note on its numbers, by the capabilities steering resolves (as every run's request is built). */
  private samplerSupport(settings: LensSettings): SamplerSupport {
    return samplerSupport(settings, (of) => this.steering.capabilitiesOf(of));
  }

  private post(message: HostMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private recordRender(token: RenderedToken | null, pageMs: number): void {
    const key = renderKey(token);
    const posted = this.posts.get(key);
    this.posts.delete(key);
    this.renders.push({ token, pageMs, hostMs: posted?.hostMs ?? Number.NaN, roundTripMs: posted ? performance.now() - posted.at : Number.NaN });
    if (this.renders.length > RENDERS_KEPT) this.renders.shift();
  }
}

/** A placement the page can show: still the model's text, and in the document already. */
function isShowable({ answer }: TrackedAnswer, placement: number): boolean {
  return placement >= 0 && placement < answer.store.placementCount && answer.store.isValid(placement) && answer.store.placement(placement).end <= answer.length;
}

function renderKey(token: RenderedToken | null): string {
  return token ? `${token.answerId}:${token.placement}` : 'none';
}

/** The sampling settings the next run would use, as the page's controls start from them. */
function nextRunSampling({ sampling, samplers }: LensSettings): SettingsToApply {
  return { temperature: sampling.temperature ?? null, topP: sampling.topP ?? null, topK: samplers.topK ?? null, minP: samplers.minP ?? null };
}

const PARAMETER_NAMES: Readonly<Record<SettingWrite['key'], string>> = { temperature: 'temperature', topP: 'top_p', topK: 'top_k', minP: 'min_p' };

function appliedMessage(writes: readonly SettingWrite[]): string {
  if (writes.length === 0) return 'The next run already uses these sampling settings.';
  const where = writes.every((write) => write.target === 'user') ? 'your user settings' : writes.every((write) => write.target === 'workspace')
    ? 'this workspace\'s settings (which set them)' : 'your user settings and this workspace\'s (which sets some)';
  const values = writes.map((write) => `${PARAMETER_NAMES[write.key]} ${typeof write.value === 'number' ? write.value : 'the server\'s default'}`);
  return `Next run: ${values.join(', ')}; written to ${where}.`;
}
