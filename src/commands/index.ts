// The command-only code, bundled as dist/commands.js and `require`d through vscode/commandsLoader.ts on the first
// command that needs it: activation never loads it. One factory per feature, each given the main bundle's services
// (never a second instance of them: lint and test/unit/bundleBoundary.test.ts keep it so) and the extension's
// lifetime for what it creates.
import * as vscode from 'vscode';
import type { Services } from '../vscode/commandsLoader';
import { EndpointCheck } from '../vscode/endpoints/check';
import { FirstRun, localMachine } from '../vscode/endpoints/firstRun';
import { ProfileStore } from '../vscode/endpoints/profiles';
import { RunComparisons } from '../vscode/history/comparison';
import { RunCommands } from '../vscode/history/runCommands';
import { TokenInspector } from '../vscode/inspector/panel';
import type { DisposableStore } from '../vscode/lifetime';
import { PromptFileCommands } from '../vscode/promptFiles/commands';
import { AnswerCommands } from '../vscode/runs/commands';
import { CompletionCommands } from '../vscode/runs/completion';
import { SteeringCommands } from '../vscode/steering/commands';
import { capabilityProbes } from '../vscode/steering/probes';

/** Complete Selection, Re-run Last Request, and Remove (the one instance: Re-run remembers the last request). */
export function completions(services: Services): CompletionCommands {
  return new CompletionCommands(services);
}

/** Score Selection, Sample Answers, Open Response, Try a Sample. */
export function answers(services: Services): AnswerCommands {
  return new AnswerCommands({ ...services, extensionUri: services.context.extensionUri });
}

/** Select Endpoint, the API key commands, the first-run offer and Check Endpoint. */
export interface EndpointCommands {
  readonly profiles: ProfileStore;
  readonly firstRun: FirstRun;
  readonly check: EndpointCheck;
}

/** The endpoint commands, Check Endpoint with steering's capability probes. */
export function endpoints(services: Services): EndpointCommands {
  const { context, settings, keys, resolver, log, steering } = services;
  const profiles = new ProfileStore(settings, keys);
  return {
    profiles,
    firstRun: new FirstRun(profiles, settings, localMachine(context.extension.extensionKind, vscode.env.remoteName)),
    check: new EndpointCheck(resolver, log, capabilityProbes(steering.capabilities)),
  };
}

/** The Runs view's actions, Compare Runs and Export Run; `completions` re-runs a recorded request. */
export function history(services: Services, lifetime: DisposableStore, completionCommands: CompletionCommands): RunCommands {
  const { history: runs, runsView, restorer, tracker, settings } = services;
  const comparisons = lifetime.add(new RunComparisons(restorer, tracker));
  return new RunCommands({ history: runs, view: runsView, comparisons, tracker, completions: completionCommands, settings });
}

/** Continue, Ban, Boost and Inspect from the hover or at the cursor. */
export function steering(services: Services, lifetime: DisposableStore): SteeringCommands {
  return new SteeringCommands(services, lifetime);
}

/** The token inspector panel (opened by its command, or brought back after a reload). */
export function inspector(services: Services, lifetime: DisposableStore): TokenInspector {
  return lifetime.add(new TokenInspector(services.tracker, services.settings, services.steering, services.context.extensionUri));
}

/** Run Prompt File, Classify Selection and the calibration panels. */
export function promptFiles(services: Services, lifetime: DisposableStore): PromptFileCommands {
  return new PromptFileCommands({ ...services, feature: services.promptFiles, extensionUri: services.context.extensionUri }, lifetime);
}
