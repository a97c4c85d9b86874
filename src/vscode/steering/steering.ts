import * as vscode from 'vscode';
import type { Capabilities, Feature, ProbeResult } from '../../core/capabilities';
import { describeProbe } from '../../core/capabilities';
import type { HoverRows } from '../../core/hoverMarkdown';
import type { BranchOutput } from '../../core/hoverActions';
import { steeringRows } from '../../core/hoverActions';
import type { CompletionRequest } from '../../core/request';
import type { LensSettings } from '../../core/settings/snapshot';
import type { LogitBiasEntry } from '../../core/steering';
import { BAN_BIAS, biasAddedMessage, biasEntry, keyable, planBiasKey, withLogitBias } from '../../core/steering';
import { tokenLabel } from '../../core/untrusted';
import { loadClient } from '../clientLoader';
import type { AnswerTracker } from '../editor/answerTracker';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import type { EndpointResolver, ResolvedEndpoint } from '../endpoints/resolver';
import { Disposable } from '../lifetime';
import { showInfo } from '../notify';
import type { RunJournal } from '../runs/journal';
import type { RunLifecycle } from '../runs/lifecycle';
import type { RunResult } from '../runs/result';
import { refuse, refused } from '../runs/result';
import type { SettingsService } from '../settings';
import { loadTokenizer } from '../tokenizerLoader';
import { AnswerNotes } from './answerNotes';
import { LogitBiasList } from './biasList';
import type { BranchDeps } from './branch';
import { BranchUndo, continueFrom } from './branch';
import { CapabilityStore } from './capabilityStore';
import type { TokenTarget } from './targets';
import { pickAlternative, targetOfLink, tokenAtCursor } from './targets';

/** What every run that sends a request asks of steering (completion, re-run; prompt files and samples too). */
export interface RunSteering {
  /** Why the endpoint cannot do what the command needs, said before anything is sent; undefined to go ahead. */
  missing(feature: Feature, endpoint: ResolvedEndpoint): string | undefined;
  /** The request with the endpoint's logit-bias list merged in; `attach` ties what was applied to the answer. */
  steer(request: CompletionRequest, endpoint: ResolvedEndpoint): { readonly request: CompletionRequest; attach(tracked: TrackedAnswer): void };
  /** What the endpoint of these settings can do: its preset, Check Endpoint's probes, the profile's overrides. */
  capabilitiesOf(settings: LensSettings): Capabilities;
}

export interface SteeringDeps {
  readonly state: vscode.Memento;
  readonly settings: SettingsService;
  readonly tracker: AnswerTracker;
  readonly journal: RunJournal;
  readonly resolver: EndpointResolver;
  readonly lifecycle: RunLifecycle;
  readonly log: vscode.LogOutputChannel;
}

/** What Ban and Boost did: added to the list, or refused, and what the user was told. */
export interface BiasResult {
  readonly added: boolean;
  readonly message: string;
  readonly entry?: LogitBiasEntry;
}

/** The command a token inspector (issue 12) registers; Inspect opens it on the token when it exists. */
const INSPECTOR_COMMAND = 'logprobLens.openInspector';

/**
 * Steering from the hover (issue 11): Continue with a token (a branch), Ban and Boost (the per-profile logit-bias
 * list every run carries), Inspect, and what each endpoint can do, known before sending (Check Endpoint's probes
 * and the presets). Commands come from hover links (arguments validated and checked against the tracker) or, with
 * no argument, act on the token at the cursor with a quick pick of its alternatives.
 */
export class Steering extends Disposable implements RunSteering {
  readonly capabilities: CapabilityStore;
  readonly bias: LogitBiasList;
  readonly notes: AnswerNotes;
  private readonly branchDeps: BranchDeps;

  constructor(private readonly deps: SteeringDeps) {
    super();
    this.capabilities = new CapabilityStore(deps.state);
    this.bias = this.register(new LogitBiasList(deps.state, deps.settings, this.capabilities));
    this.notes = this.register(new AnswerNotes(deps.journal));
    const undo = this.register(new BranchUndo(deps.tracker));
    this.branchDeps = { ...deps, notes: this.notes, capabilities: this.capabilities, bias: this.bias, undo };
  }

  missing(feature: Feature, endpoint: ResolvedEndpoint): string | undefined {
    return this.capabilities.missing(feature, endpoint.settings);
  }

  capabilitiesOf(settings: LensSettings): Capabilities {
    return this.capabilities.forSettings(settings).capabilities;
  }

  steer(request: CompletionRequest, endpoint: ResolvedEndpoint): { readonly request: CompletionRequest; attach(tracked: TrackedAnswer): void } {
    const body = this.bias.bodyFor(endpoint.settings);
    const { capabilities } = this.capabilities.forSettings(endpoint.settings);
    return {
      request: withLogitBias(request, body),
      attach: (tracked) => {
        if (body.applied.length > 0) this.notes.add(tracked, { appliedBias: { entries: body.applied, capabilities } });
      },
    };
  }

  /** The settings of the endpoint in use, read afresh. */
  settingsInUse(): LensSettings {
    return this.deps.settings.refresh();
  }

  /** Continue from Here… (no argument: the token at the cursor, a quick pick) or a hover's Continue link. */
  async continueWith(...args: unknown[]): Promise<RunResult> {
    const settings = this.settingsInUse();
    const target = await this.target(args, 'Continue the answer from', settings.branchOutput);
    if (typeof target === 'string') return target ? refuse(target) : refused('Nothing was picked.');
    return continueFrom(this.branchDeps, target, target.output ?? settings.branchOutput);
  }

  ban(...args: unknown[]): Promise<BiasResult> {
    return this.addBias(args, 'ban');
  }

  boost(...args: unknown[]): Promise<BiasResult> {
    return this.addBias(args, 'boost');
  }

  /** Inspect: the cursor on the token, and the token inspector opened there when this build has one. */
  async inspectToken(...args: unknown[]): Promise<boolean> {
    const target = args.length === 0 ? tokenAtCursor(this.deps.tracker) : targetOfLink(this.deps.tracker, args[0]);
    if (typeof target === 'string') {
      void showInfo(target);
      return false;
    }
    const editor = await vscode.window.showTextDocument(target.document, { preserveFocus: false, preview: false });
    const { start } = target.tracked.answer.store.placement(target.placement);
    const position = target.document.positionAt(target.tracked.answer.start + start);
    editor.selection = new vscode.Selection(position, position);
    if ((await vscode.commands.getCommands(true)).includes(INSPECTOR_COMMAND)) {
      await vscode.commands.executeCommand(INSPECTOR_COMMAND);
      return true;
    }
    void showInfo('The token inspector is not part of this build yet: the cursor is on the token, and its hover shows its alternatives.');
    return false;
  }

  showLogitBias(): Promise<readonly LogitBiasEntry[]> {
    return this.bias.show();
  }

  /** The hover's steering rows (notes and actions) for the tokens of one placement. */
  hoverRows(tracked: TrackedAnswer, firstToken: number, tokenCount: number): HoverRows {
    const settings = this.deps.settings.current;
    const note = this.notes.get(tracked);
    const { capabilities, bias } = this.capabilities.forSettings(settings);
    const tokens = Array.from({ length: tokenCount }, (_, i) => ({ index: firstToken + i, stored: tracked.answer.store.token(firstToken + i) }));
    return steeringRows({
      answer: tracked.id, tokens, capabilities, bias, idsUsable: note.request?.model === settings.model, output: settings.branchOutput,
      continueOff: tracked.isStreaming ? 'streaming' : this.notes.baseOf(tracked) === undefined ? 'no-request' : undefined,
      forcedToken: tracked.chosenToken, appliedBias: note.appliedBias,
    });
  }

  /** Check Endpoint's probes for the endpoint in use, recorded for its profile and model; lines for the report. */
  async probe(endpoint: ResolvedEndpoint, signal: AbortSignal): Promise<{ readonly probe: ProbeResult; readonly lines: readonly string[] }> {
    const { settings } = endpoint;
    const { capabilities, context, bias } = this.capabilities.forSettings(settings);
    const client = loadClient();
    const probe = await client.probeCapabilities(client.createClient(endpoint.options), {
      model: settings.model, apiStyle: settings.apiStyle, capabilities, endpoint: endpoint.options, endpointLabel: context.endpointLabel,
      tokenizerEncoding: bias.tokenizerEncoding, encode: (text, encoding) => loadTokenizer().encode(text, encoding),
    }, signal);
    await this.capabilities.record(settings, probe);
    return { probe, lines: describeProbe(probe) };
  }

  /** The token a command acts on: a link's, or the one at the cursor and the pick among its alternatives. '' when the pick was dismissed. */
  private async target(args: readonly unknown[], title: string, preferred?: BranchOutput): Promise<TokenTarget | string> {
    if (args.length > 0) return targetOfLink(this.deps.tracker, args[0]);
    const atCursor = tokenAtCursor(this.deps.tracker);
    if (typeof atCursor === 'string') return atCursor;
    const picked = await pickAlternative(atCursor.stored, `${title} “${tokenLabel(atCursor.stored.token)}”`, preferred && { preferred });
    return picked ? { ...atCursor, ...picked } : '';
  }

  /**
   * Ban or Boost: the token keyed as this endpoint takes it (the response's id for the model that sent it, OpenAI's
   * tokenizer, or its text), added to the profile's list for the next runs; or why it cannot be.
   */
  private async addBias(args: readonly unknown[], kind: 'ban' | 'boost'): Promise<BiasResult> {
    const target = await this.target(args, kind === 'ban' ? 'Ban in the next runs' : 'Boost in the next runs');
    const told = (message: string, added: boolean, entry?: LogitBiasEntry): BiasResult => {
      if (message) {
        void showInfo(message, ...(added ? ['Show Logit Bias'] : [])).then((choice) => {
          if (choice) void this.showLogitBias();
        });
      }
      return { added, message, ...(entry ? { entry } : {}) };
    };
    if (typeof target === 'string') return told(target, false);
    const settings = this.settingsInUse();
    const missing = this.capabilities.missing('logit-bias', settings);
    if (missing) return told(missing, false);
    const { capabilities, bias } = this.capabilities.forSettings(settings);
    const chosen = target.alternative === undefined ? target.stored : target.stored.alternatives[target.alternative]!;
    const plan = planBiasKey(keyable(chosen, this.notes.get(target.tracked).request?.model === settings.model), capabilities, bias);
    if (plan.kind === 'refused') return told(plan.reason, false);
    const ids = plan.kind === 'tokenizer' ? await loadTokenizer().encode(plan.text, plan.encoding) : undefined;
    const entry = biasEntry(plan, kind === 'ban' ? BAN_BIAS : settings.boostBias, ids);
    if ('kind' in entry) return told(entry.reason, false);
    const full = await this.bias.add(settings, entry);
    if (full !== undefined) return told(full, false);
    return told(biasAddedMessage(entry, capabilities, bias.endpointLabel, tokenLabel(entry.text)), true, entry);
  }
}
