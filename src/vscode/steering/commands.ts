import * as vscode from 'vscode';
import type { BranchOutput } from '../../core/hoverActions';
import type { LogitBiasEntry } from '../../core/steering';
import { BAN_BIAS, biasAddedMessage, biasEntry, keyable, planBiasKey } from '../../core/steering';
import { tokenLabel } from '../../core/untrusted';
import { Commands } from '../commandIds';
import type { AnswerTracker } from '../editor/answerTracker';
import type { EndpointResolver } from '../endpoints/resolver';
import type { DisposableStore } from '../lifetime';
import { showInfo } from '../notify';
import type { RunJournal } from '../runs/journal';
import type { RunLifecycle } from '../runs/lifecycle';
import type { RunResult } from '../runs/result';
import { refuse, refused } from '../runs/result';
import { loadTokenizer } from '../tokenizerLoader';
import type { BranchDeps } from './branch';
import { BranchUndo, continueFrom } from './branch';
import type { Steering } from './steering';
import type { TokenTarget } from './targets';
import { pickAlternative, targetOfLink, tokenAtCursor } from './targets';

export interface SteeringCommandDeps {
  /** The main bundle's steering state: the bias list, the capabilities, the answers' notes. */
  readonly steering: Steering;
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

/**
 * Steering's commands (issue 11): Continue with a token (a branch), Ban and Boost (added to the per-profile
 * logit-bias list every run carries), Inspect. They come from hover links (arguments validated and checked against
 * the tracker) or, with no argument, act on the token at the cursor with a quick pick of its alternatives.
 */
export class SteeringCommands {
  private readonly branchDeps: BranchDeps;

  /** `lifetime`: the extension's, which the Undo watch of branches in place lives as long as. */
  constructor(private readonly deps: SteeringCommandDeps, lifetime: DisposableStore) {
    const { steering } = deps;
    const undo = lifetime.add(new BranchUndo(deps.tracker));
    this.branchDeps = { ...deps, notes: steering.notes, capabilities: steering.capabilities, bias: steering.bias, undo };
  }

  /** Continue from Here… (no argument: the token at the cursor, a quick pick) or a hover's Continue link. */
  async continueWith(...args: unknown[]): Promise<RunResult> {
    const settings = this.deps.steering.settingsInUse();
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

  /** Inspect: the cursor on the token, and the token inspector opened there. */
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
    await vscode.commands.executeCommand(Commands.openInspector);
    return true;
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
    const { steering } = this.deps;
    const target = await this.target(args, kind === 'ban' ? 'Ban in the next runs' : 'Boost in the next runs');
    const told = (message: string, added: boolean, entry?: LogitBiasEntry): BiasResult => {
      if (message) {
        void showInfo(message, ...(added ? ['Show Logit Bias'] : [])).then((choice) => {
          if (choice) void vscode.commands.executeCommand(Commands.showLogitBias);
        });
      }
      return { added, message, ...(entry ? { entry } : {}) };
    };
    if (typeof target === 'string') return told(target, false);
    const settings = steering.settingsInUse();
    const missing = steering.capabilities.missing('logit-bias', settings);
    if (missing) return told(missing, false);
    const { capabilities, bias } = steering.capabilities.forSettings(settings);
    const chosen = target.alternative === undefined ? target.stored : target.stored.alternatives[target.alternative]!;
    const plan = planBiasKey(keyable(chosen, steering.notes.get(target.tracked).request?.model === settings.model), capabilities, bias);
    if (plan.kind === 'refused') return told(plan.reason, false);
    const ids = plan.kind === 'tokenizer' ? await loadTokenizer().encode(plan.text, plan.encoding) : undefined;
    const entry = biasEntry(plan, kind === 'ban' ? BAN_BIAS : settings.boostBias, ids);
    if ('kind' in entry) return told(entry.reason, false);
    const full = await steering.bias.add(settings, entry);
    if (full !== undefined) return told(full, false);
    return told(biasAddedMessage(entry, capabilities, bias.endpointLabel, tokenLabel(entry.text)), true, entry);
  }
}
