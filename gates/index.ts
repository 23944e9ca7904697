export { createJsonSchemaGate, type JsonSchemaGateOptions } from './json-schema.js';
export { createConfidenceGate, parseStatedConfidence, selfReportInstruction, type ConfidenceGateOptions } from './confidence.js';
export { createJudgeGate, buildJudgeMessages, parseJudgeScore, type JudgeGateOptions } from './judge.js';
export { createRegexGate, type RegexGateOptions } from './regex.js';
export { createContainsGate, type ContainsGateOptions } from './contains.js';
export { loadCustomGate } from './custom.js';
export { extractJson } from './extract-json.js';
