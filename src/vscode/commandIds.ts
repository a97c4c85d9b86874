/** The configuration section of every setting (`logprobLens.*`). */
export const SECTION = 'logprobLens';

/** Every command id, in one place (package.json contributes the same list). */
export const Commands = {
  completeSelection: 'logprobLens.completeSelection',
  rerunLast: 'logprobLens.rerunLast',
  cancel: 'logprobLens.cancel',
  nextUncertain: 'logprobLens.nextUncertain',
  previousUncertain: 'logprobLens.previousUncertain',
  listUncertain: 'logprobLens.listUncertain',
  clearColours: 'logprobLens.clearColours',
  toggleColours: 'logprobLens.toggleColours',
  showLegend: 'logprobLens.showLegend',
  setApiKey: 'logprobLens.setApiKey',
  clearApiKey: 'logprobLens.clearApiKey',
  showLog: 'logprobLens.showLog',
  selectEndpoint: 'logprobLens.selectEndpoint',
  checkEndpoint: 'logprobLens.checkEndpoint',
  scoreSelection: 'logprobLens.scoreSelection',
  openResponse: 'logprobLens.openResponse',
  openWith: 'logprobLens.openWith',
  trySample: 'logprobLens.trySample',
  sampleAnswers: 'logprobLens.sampleAnswers',
  compareRuns: 'logprobLens.compareRuns',
  exportRun: 'logprobLens.exportRun',
  showRun: 'logprobLens.showRun',
  clearHistory: 'logprobLens.clearHistory',
  revealRunAnswer: 'logprobLens.runs.revealAnswer',
  openRun: 'logprobLens.runs.open',
  compareWithPrevious: 'logprobLens.runs.compareWithPrevious',
  compareWith: 'logprobLens.runs.compareWith',
  rerunRun: 'logprobLens.runs.rerun',
  deleteRun: 'logprobLens.runs.delete',
  openInspector: 'logprobLens.openInspector',
  continueWith: 'logprobLens.continueWith',
  ban: 'logprobLens.ban',
  boost: 'logprobLens.boost',
  inspectToken: 'logprobLens.inspectToken',
  showLogitBias: 'logprobLens.showLogitBias',
  runPromptFile: 'logprobLens.runPromptFile',
  classifySelection: 'logprobLens.classifySelection',
  showCalibration: 'logprobLens.showCalibration',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Context keys for `when` clauses. */
export const ContextKeys = {
  running: 'logprobLens.running',
  runningHere: 'logprobLens.runningHere',
  hasColours: 'logprobLens.hasColours',
} as const;

/** Webview panel types, which VS Code restores after a reload through the serializers registered at activation. */
export const PanelTypes = {
  inspector: 'logprobLens.inspector',
  calibration: 'logprobLens.calibration',
} as const;
