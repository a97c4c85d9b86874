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
  trySample: 'logprobLens.trySample',
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
