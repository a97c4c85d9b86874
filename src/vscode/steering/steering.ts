import type * as vscode from 'vscode';
import type { Capabilities, Feature } from '../../core/capabilities';
import type { HoverRows } from '../../core/hoverMarkdown';
import { steeringRows } from '../../core/hoverActions';
import type { CompletionRequest } from '../../core/request';
import type { LensSettings } from '../../core/settings/snapshot';
import { withLogitBias, withTokenIds } from '../../core/steering';
import type { TrackedAnswer } from '../editor/trackedAnswer';
import type { ResolvedEndpoint } from '../endpoints/resolver';
import { Disposable } from '../lifetime';
import type { RunJournal } from '../runs/journal';
import type { SettingsService } from '../settings';
import { AnswerNotes } from './answerNotes';
import { LogitBiasList } from './biasList';
import { CapabilityStore } from './capabilityStore';

/** What every run that sends a request asks of steering (completion, re-run; prompt files and samples too). */
export interface RunSteering {
  /** Why the endpoint cannot do what the command needs, said before anything is sent; undefined to go ahead. */
  missing(feature: Feature, endpoint: ResolvedEndpoint): string | undefined;
  /** The request with the endpoint's logit-bias list merged in (and ids asked for where needed); `attach` ties what was applied to the answer. */
  steer(request: CompletionRequest, endpoint: ResolvedEndpoint): { readonly request: CompletionRequest; attach(tracked: TrackedAnswer): void };
  /** What the endpoint of these settings can do: its preset, Check Endpoint's probes, the profile's overrides. */
  capabilitiesOf(settings: LensSettings): Capabilities;
}

export interface SteeringDeps {
  readonly state: vscode.Memento;
  readonly settings: SettingsService;
  readonly journal: RunJournal;
}

/**
 * Steering's passive state (issue 11): the per-profile logit-bias list every run carries (with its status bar item),
 * what each endpoint can do, known before sending (Check Endpoint's probes and the presets), what each answer was
 * asked with, and the hover's steering rows. Its commands (Continue, Ban, Boost, Inspect: ./commands.ts) and Check
 * Endpoint's probes (./probes.ts) are command-only code in the lazy bundle, given this instance.
 */
export class Steering extends Disposable implements RunSteering {
  readonly capabilities: CapabilityStore;
  readonly bias: LogitBiasList;
  readonly notes: AnswerNotes;

  constructor(private readonly deps: SteeringDeps) {
    super();
    this.capabilities = new CapabilityStore(deps.state);
    this.bias = this.register(new LogitBiasList(deps.state, deps.settings, this.capabilities));
    this.notes = this.register(new AnswerNotes(deps.journal));
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
      request: withLogitBias(withTokenIds(request, capabilities), body),
      attach: (tracked) => {
        if (body.applied.length > 0) this.notes.add(tracked, { appliedBias: { entries: body.applied, capabilities } });
      },
    };
  }

  /** The settings of the endpoint in use, read afresh. */
  settingsInUse(): LensSettings {
    return this.deps.settings.refresh();
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
}
