export { createJsonSchemaGate, type JsonSchemaGateOptions } from './json-schema.js';
export {
  createConfidenceGate,
  parseStatedConfidence,
  selfReportInstruction,
  type ConfidenceGateOptions,
} from './confidence.js';
export { createJudgeGate, buildJudgeMessages, parseJudgeScore, type JudgeGateOptions } from './judge.js';
export { createRegexGate, type RegexGateOptions } from './regex.js';
export { createContainsGate, type ContainsGateOptions } from './contains.js';
export { loadCustomGate } from './custom.js';
export { extractJson } from './extract-json.js';
export { createToolCallGate, type ToolCallGateOptions } from './tool-call.js';
export { createAgreementGate, type AgreementGateOptions } from './agreement.js';
export {
  createLearnedGate,
  readLearnedGateFile,
  classifierKey,
  type LearnedGateFile,
  type LearnedGateOptions,
} from './learned.js';
export { normalizeAnswer, answersAgree, type AnswerComparison } from './normalize-answer.js';
