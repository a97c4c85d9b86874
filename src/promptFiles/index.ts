// The prompt-file engine, a lazily loaded bundle (dist/promptFiles.js): the `.prompt.yml` parser with the `yaml`
// library, and everything a run of a prompt file computes (requests, outcomes, the results document, labels,
// calibration and its view and exports). The extension `require`s it through vscode/promptFiles/engine.ts when a
// prompt file is first opened or a prompt-file command first runs, so activation never pays for it.
export { calibrateOutcomes } from '../core/promptFiles/calibration';
export { calibrationCsv, calibrationJson } from '../core/promptFiles/calibrationExport';
export { parseCalibrationPageMessage, parseCalibrationView } from '../core/promptFiles/calibrationProtocol';
export { calibrationView } from '../core/promptFiles/calibrationView';
export { classificationList, classifyMessages, CLASSIFY_MAX_TOKENS } from '../core/promptFiles/classify';
export {
  expectedFromFirstToken, expectedFromScoredPrompt, planExpectedProbability, promptLogprobTokens, scoringCapabilities, unavailable,
} from '../core/promptFiles/expected';
export { answerLabelDistribution, fileLabels, MAX_LABELS, parseLabelList, userLabels } from '../core/promptFiles/labels';
export { answerProblem, caseOutcome, NOT_RUN, pendingCase } from '../core/promptFiles/outcome';
export { parsePromptFile } from '../core/promptFiles/parse';
export { buildCaseRequest, caseCompletionRequest, caseIndices } from '../core/promptFiles/request';
export { buildResultsDocument, caseParts, resultsTop } from '../core/promptFiles/results';
