// The loss language: parse, differentiate and compile a loss to a WebAssembly module.
export { parseLoss } from './analyze';
export { DATA_OFFSET } from './analyze';
export type { CompiledLossSource, DataFiles, LossSymbol, OptionSetting, ParseResult, Scenario } from './analyze';
export type { LossData } from './data';
export { dataFiles, inlineDataFiles, parseCsv, MAX_DATA_VALUES } from './data';
export { MAX_DATA_FILE_BYTES } from './dataFileRules';
export type { DataFile } from './dataFileRules';
export type { Diagnostic, Position, Range, Severity } from './diagnostics';
export { differentiate, evaluateLoss } from './evaluate';
export type { LossDerivatives, LossEvaluation } from './evaluate';
export { compileLoss } from './compile';
export type { CompiledLoss, CompileResult } from './compile';
export { checkCondition, compileConditions, evaluateExpression, MAX_CONDITIONS } from './conditions';
export type { CompiledConditions, ConditionErrors } from './conditions';
